import Foundation
import XCTest
@testable import Ridge

/// `ridge plot sweep`: any CSV with a header and numeric columns, e.g. `ridge sweep`'s output.
final class SweepPlotTests: XCTestCase {
    /// Three bandwidths × two batch sizes, with the config columns first and metrics after.
    let sweep = """
    id,memories.hbm.bandwidth,batch,tokensPerSecond,makespanSeconds,energyJoules,timePerOutputTokenSeconds,bound
    c0,2e12,1,100,1.28,300,0.0098,hbm
    c1,3.35e12,1,150,0.853,250,0.0065,hbm
    c2,4.8e12,1,190,0.674,230,0.0051,hbm
    c3,2e12,8,600,1.71,400,0.0131,hbm
    c4,3.35e12,8,880,1.16,330,0.0089,hbm
    c5,4.8e12,8,1050,0.975,310,0.0075,compute

    """

    func write(_ text: String, _ dir: TempDir, _ name: String = "results.csv") -> String { dir.file(name, text) }

    func svg(_ path: String) throws -> SVGTree {
        try XCTUnwrap(SVGTree.parse(try String(contentsOfFile: path, encoding: .utf8)), "well-formed XML")
    }

    func testOneLinePerColourValueWithUnitsOnTheAxes() throws {
        let dir = TempDir()
        let csv = write(sweep, dir)
        let out = try ridge(["plot", "sweep", csv, "--x", "memories.hbm.bandwidth", "--y", "tokensPerSecond", "--color", "batch",
                             "-o", dir.path + "/sweep.svg"])
        XCTAssertEqual(out, "wrote \(dir.path)/sweep.svg: 2 lines, 6 points\n")
        let tree = try svg(dir.path + "/sweep.svg")
        XCTAssertEqual(tree.elements("polyline", in: "lines").count, 2)
        XCTAssertEqual(tree.elements("circle", in: "lines").count, 6)
        XCTAssertEqual(tree.elements("text", in: "legend").map(\.text), ["Batch size", "1", "8"])
        XCTAssertTrue(tree.texts.contains("Throughput (tokens/s)"), "known metric: title and unit")
        XCTAssertTrue(tree.texts.contains("memories.hbm.bandwidth"))
        XCTAssertTrue(tree.elements("text", in: "x-axis").contains { $0.text.hasSuffix(" TB/s") }, "bandwidth ticks in B/s with prefixes")

        let table = try SweepTable.load(csv)
        let chart = try SweepPlot.lines(table, x: 1, y: 3, color: 2, logX: false, logY: false, title: nil)
        XCTAssertEqual(chart.series.map(\.name), ["1", "8"])
        XCTAssertEqual(chart.series[1].points.map(\.y), [600, 880, 1050], "sorted by x")
        XCTAssertEqual(chart.title, "Throughput vs memories.hbm.bandwidth")
    }

    func testLogAxesSecondsAndBytes() throws {
        let dir = TempDir()
        let csv = write("""
        memories.hbm.capacity,engines.gpu.peak.bf16,makespanSeconds,peakBytes
        40GiB,500T,0.002,1e9
        80GiB,1000T,0.0011,2e9
        160GiB,2000T,0.0006,3e9
        """, dir)
        let table = try SweepTable.load(csv)
        XCTAssertTrue(table.isNumeric(0), "quantities with units parse by the column's dimension")
        XCTAssertEqual(try table.numbers(0), [40 * 1_073_741_824, 80 * 1_073_741_824, 160 * 1_073_741_824])
        let chart = try SweepPlot.lines(table, x: 0, y: 2, color: nil, logX: true, logY: true, title: "t")
        XCTAssertEqual(chart.xAxis.kind, .log10)
        XCTAssertEqual(chart.yAxis.kind, .log10)
        XCTAssertEqual(chart.xAxis.label, "memories.hbm.capacity (GiB)")
        XCTAssertEqual(chart.series[0].points.map(\.x), [40, 80, 160], "bytes in binary units")
        XCTAssertEqual(chart.yAxis.label, "Makespan")
        XCTAssertEqual(chart.yAxis.formatter(0.002), "2 ms")
        XCTAssertEqual(chart.legend, .hidden, "one line needs no legend")
        let peak = try SweepPlot.lines(table, x: 1, y: 3, color: nil, logX: false, logY: false, title: nil)
        XCTAssertEqual(peak.xAxis.formatter(1e15), "1 PFLOP/s")
        XCTAssertEqual(peak.yAxis.unit, "GiB")
        XCTAssertNotNil(SVGTree.parse(chart.render()))
    }

    func testHeatmapOverTwoConfigColumns() throws {
        let dir = TempDir()
        let csv = write(sweep, dir)
        let out = try ridge(["plot", "sweep", csv, "--x", "memories.hbm.bandwidth", "--y", "batch", "--z", "tokensPerSecond", "--log-z",
                             "-o", dir.path + "/h.svg"])
        XCTAssertTrue(out.contains("heatmap of tokensPerSecond, 3 × 2 cells"), out)
        let tree = try svg(dir.path + "/h.svg")
        XCTAssertEqual(tree.elements("rect", in: "cells").count, 6)
        let labels = tree.elements("text", in: "labels").map(\.text)
        XCTAssertEqual(Array(labels.prefix(2)), ["8", "1"], "largest y on top")
        XCTAssertTrue(labels.contains("3.35 TB/s"))
        let h = try SweepPlot.heatmap(try SweepTable.load(csv), x: 1, y: 2, z: 3, logZ: false, title: nil)
        XCTAssertEqual(h.values, [[600, 880, 1050], [100, 150, 190]])
        // --heatmap is the same chart when --z is given.
        try ridge(["plot", "sweep", csv, "--x", "memories.hbm.bandwidth", "--y", "batch", "--z", "tokensPerSecond", "--heatmap",
                   "-o", dir.path + "/h2.svg"])
        XCTAssertNotNil(try svg(dir.path + "/h2.svg"))
    }

    func testWhereSelectsASliceAndDuplicatesAreExplained() throws {
        let dir = TempDir()
        let csv = write(sweep, dir)
        // Without --color the two batch sizes collide at every bandwidth: the error names the column.
        let e = try XCTUnwrap(expectRidgeError(["plot", "sweep", csv, "--x", "memories.hbm.bandwidth", "--y", "tokensPerSecond", "-o", dir.path + "/s.svg"]))
        XCTAssertEqual(e.kind, .usage)
        XCTAssertTrue(e.message.contains("lines 2 and 5"), e.message)
        XCTAssertTrue(e.message.contains("they differ in id, batch"), e.message)
        let out = try ridge(["plot", "sweep", csv, "--x", "memories.hbm.bandwidth", "--y", "tokensPerSecond", "--where", "batch=8.0",
                             "-o", dir.path + "/s.svg"])
        XCTAssertTrue(out.hasSuffix("1 line, 3 points\n"), out)
        XCTAssertEqual(expectRidgeError(["plot", "sweep", csv, "--x", "batch", "--y", "tokensPerSecond", "--where", "batch=3",
                                         "-o", dir.path + "/t.svg"])?.kind, .usage)
        XCTAssertEqual(dir.contents, ["results.csv", "s.svg"])
    }

    func testCategoricalColourAndMissingCells() throws {
        let dir = TempDir()
        let csv = write("""
        profile,batch,tokensPerSecond
        h100-sxm,1,160
        h100-sxm,8,900
        a100-sxm-80gb,1,110
        a100-sxm-80gb,8,
        a100-sxm-80gb,16,1000
        """, dir)
        let chart = try SweepPlot.lines(try SweepTable.load(csv), x: 1, y: 2, color: 0, logX: true, logY: false, title: nil)
        XCTAssertEqual(chart.series.map(\.name), ["h100-sxm", "a100-sxm-80gb"], "categories in order of appearance")
        XCTAssertEqual(chart.series[1].points.map(\.x), [1, 16], "the empty cell is skipped")
    }

    func testBadFilesAndOptions() throws {
        let dir = TempDir()
        let csv = write(sweep, dir)
        let o = dir.path + "/out.svg"
        func kind(_ args: [String]) -> RidgeError.Kind? { expectRidgeError(["plot", "sweep"] + args + ["-o", o])?.kind }
        // Usage (64): options and columns.
        XCTAssertEqual(kind([csv, "--y", "tokensPerSecond"]), .usage)
        XCTAssertEqual(kind([csv, "--x", "batch"]), .usage)
        XCTAssertEqual(kind(["--x", "batch", "--y", "tokensPerSecond"]), .usage)
        XCTAssertEqual(kind([csv, csv, "--x", "batch", "--y", "tokensPerSecond"]), .usage)
        let missing = expectRidgeError(["plot", "sweep", csv, "--x", "bandwidth", "--y", "tokensPerSecond", "-o", o])
        XCTAssertEqual(missing?.kind, .usage)
        XCTAssertTrue(missing?.message.contains("has no column \"bandwidth\" (columns: id, memories.hbm.bandwidth") ?? false)
        XCTAssertEqual(kind([csv, "--x", "batch", "--y", "batch", "--heatmap"]), .usage, "--heatmap needs --z")
        XCTAssertEqual(kind([csv, "--x", "batch", "--y", "batch", "--z", "energyJoules", "--color", "id"]), .usage)
        XCTAssertEqual(kind([csv, "--x", "batch", "--y", "tokensPerSecond", "--log-z"]), .usage)
        XCTAssertEqual(kind([csv, "--x", "batch", "--y", "tokensPerSecond", "--where", "batch"]), .usage)
        XCTAssertEqual(kind([csv, "--x", "batch", "--y", "tokensPerSecond", "--model", "llama-2-7b"]), .usage)
        XCTAssertEqual(kind([write("{}\n", dir, "results.jsonl"), "--x", "batch", "--y", "tokensPerSecond"]), .usage)
        // Data (65): cells that are not numbers, ragged rows, empty files.
        let text = expectRidgeError(["plot", "sweep", csv, "--x", "batch", "--y", "bound", "-o", o])
        XCTAssertEqual(text?.kind, .data)
        XCTAssertEqual(text?.location, "line 2, column \"bound\"")
        let ragged = write("a,b\n1,2\n3\n", dir, "ragged.csv")
        let r = expectRidgeError(["plot", "sweep", ragged, "--x", "a", "--y", "b", "-o", o])
        XCTAssertEqual(r?.kind, .data)
        XCTAssertEqual(r?.location, "line 3")
        XCTAssertEqual(kind([write("a,b\n", dir, "empty.csv"), "--x", "a", "--y", "b"]), .data)
        XCTAssertEqual(kind([write("a,a\n1,2\n", dir, "twice.csv"), "--x", "a", "--y", "a"]), .data)
        XCTAssertEqual(kind([write("a,b\n\"1,2\n", dir, "quote.csv"), "--x", "a", "--y", "b"]), .data)
        // Unreadable (66).
        XCTAssertEqual(kind([dir.path + "/nope.csv", "--x", "a", "--y", "b"]), .io)
        XCTAssertFalse(dir.contents.contains("out.svg"), "no partial output")
    }
}
