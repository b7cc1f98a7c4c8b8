import Foundation
import XCTest
@testable import Ridge

/// `ridge plot roofline|timeline` and the models behind them.
final class PlotCommandTests: XCTestCase {
    func run(_ profile: String = "h100-sxm", _ extra: [String] = [], timeline: Bool = false) throws -> (HardwareProfile, SimulationResult) {
        let args = try Arguments(["--profile", profile] + extra, spec: SimulateCommand.spec, usage: "")
        return try SimulateCommand.simulate(args) { $0.recordTimeline = timeline }
    }

    let small = ["--model", "llama-2-7b", "--batch", "1", "--prompt", "64", "--generate", "4"]

    /// The default workload (h100-sxm, llama-2-7b b1 p512 g128) with its timeline, simulated once.
    nonisolated(unsafe) static var defaultRun: (HardwareProfile, SimulationResult)?
    func defaultWorkload() throws -> (HardwareProfile, SimulationResult) {
        if let r = Self.defaultRun { return r }
        let r = try run(timeline: true)
        Self.defaultRun = r
        return r
    }

    // MARK: Roofline

    func testRooflineOfTheDefaultWorkloadHasARoofPerLevelAndAPointPerClass() throws {
        let dir = TempDir()
        let out = try ridge(["plot", "roofline", "-o", dir.path + "/roofline.svg"])
        XCTAssertTrue(out.contains("2 roofs (hbm, host)"), out)
        let svg = try String(contentsOfFile: dir.path + "/roofline.svg", encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\""))
        let tree = try XCTUnwrap(SVGTree.parse(svg), "well-formed XML")

        let (profile, result) = try defaultWorkload()
        let model = Roofline(result: result, profile: profile)
        XCTAssertEqual(model.engine, "gpu")
        XCTAssertEqual(model.peak, 989.4e12)
        // One roof per memory level: HBM itself, the host DDR over PCIe (its 51 GB/s host→GPU direction).
        XCTAssertEqual(model.roofs.map(\.label), ["hbm 3.35 TB/s", "host via pcie 51 GB/s"])
        let roofs = tree.elements("g", in: "lines").compactMap(\.title)
        XCTAssertEqual(roofs, model.roofs.map(\.label))
        XCTAssertEqual(tree.elements("polyline", in: "lines").count, 2)
        for ridge in ["ridge 295 FLOP/B", "ridge 19.4k FLOP/B"] { XCTAssertTrue(tree.texts.contains(ridge), ridge) }
        XCTAssertTrue(tree.texts.contains("Operational intensity (FLOP/byte)"))
        XCTAssertTrue(tree.texts.contains("bf16 peak 989 TFLOP/s"))

        // A point per operator class with FLOPs and bytes; the others are named in the footnote.
        let placeable = result.operatorClasses.filter { $0.engine == "gpu" && $0.cost.flops > 0 && $0.cost.totalBytes > 0 }
        XCTAssertEqual(model.points.count, placeable.count)
        XCTAssertGreaterThan(placeable.count, 10)
        XCTAssertEqual(tree.elements("circle", in: "points").count, placeable.count)
        XCTAssertEqual(Set(model.points.map(\.kind)), ["gemm", "attention", "decode_attention", "elementwise"])
        XCTAssertEqual(model.omitted.map(\.kind), ["elementwise", "embedding"], "copies without FLOPs and embedding lookups")
        XCTAssertTrue(tree.texts.contains { $0.contains("129 embedding") })
        // The largest marker is the class with the most time.
        let biggest = try XCTUnwrap(tree.elements("circle", in: "points").max { Double($0.attributes["r"]!)! < Double($1.attributes["r"]!)! })
        XCTAssertTrue(biggest.title?.hasPrefix("gemm m=1 n=22016 k=4096 bf16") ?? false, biggest.title ?? "")
    }

    /// Property: under the cost model no operator beats its roof, so every point lies on or under
    /// the roof of the level it is placed at — on GPUs that fit, spill, stream weights or are capped,
    /// and on a computational-storage drive.
    func testEveryPointLiesUnderItsRoof() throws {
        let cases: [(String, [String])] = [
            ("h100-sxm", small), ("h100-sxm", small + ["--kv-capacity", "12.6GiB"]), ("h100-sxm", small + ["--weights", "host"]),
            ("h100-sxm", small + ["--power-cap", "250W"]), ("a100-sxm-80gb", ["--model", "llama-2-13b", "--batch", "16", "--prompt", "64", "--generate", "2"]),
            ("a6000-smartssd", ["--model", "llama-2-7b", "--batch", "2", "--prompt", "64", "--generate", "2", "--kv", "csd"]),
        ]
        for (name, args) in cases {
            let (profile, result) = try run(name, args)
            for engine in Roofline.engines(result, profile) {
                let model = Roofline(result: result, profile: profile, engine: engine)
                XCTAssertFalse(model.points.isEmpty, "\(name) \(engine)")
                for p in model.points {
                    let roof = try XCTUnwrap(model.roofs.first { $0.memories.contains(p.memory) && $0.via.isEmpty }, "\(name): roof for \(p.memory)")
                    let attainable = min(model.peak, roof.bandwidth * p.intensity)
                    XCTAssertLessThanOrEqual(p.achieved, attainable * (1 + 1e-9), "\(name) \(engine) \(Roofline.shapeText(p.shape))")
                }
                for r in model.roofs { XCTAssertEqual(r.ridge, model.peak / r.bandwidth, accuracy: r.ridge * 1e-12) }
            }
        }
    }

    func testRooflineOfAComputationalStorageDriveHasItsOwnLevels() throws {
        let (profile, result) = try run("a6000-smartssd", ["--model", "llama-2-7b", "--batch", "2", "--prompt", "64", "--generate", "2", "--kv", "csd"])
        XCTAssertEqual(Roofline.engines(result, profile), ["gpu", "csd"])
        let csd = Roofline(result: result, profile: profile, engine: "csd")
        XCTAssertEqual(Set(csd.points.map(\.kind)), ["decode_attention"])
        XCTAssertEqual(Set(csd.points.map(\.memory)), ["flash"], "decode attention reads the cache from the drive's flash")
        XCTAssertTrue(csd.roofs.contains { $0.memory == "flash" && $0.via.isEmpty })
        // Levels reached over the same narrowest link share one roof and are all named on it.
        let named = csd.roofs.flatMap(\.memories)
        XCTAssertEqual(Set(named), Set(profile.memories.map(\.id)).intersection(named))
        XCTAssertEqual(named.count, Set(named).count, "no level gets two roofs")
    }

    func testPlotsAreDeterministic() throws {
        let dir = TempDir()
        for kind in ["roofline", "timeline"] {
            try ridge(["plot", kind, "-o", dir.path + "/a.svg"] + small)
            try ridge(["plot", kind, "-o", dir.path + "/b.svg"] + small)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir.path + "/a.svg")),
                           try Data(contentsOf: URL(fileURLWithPath: dir.path + "/b.svg")), kind)
        }
    }

    // MARK: Timeline

    func testTimelineHasABarPerTrackWithSwapsAndTransfersVisible() throws {
        let (profile, result) = try run("h100-sxm", small + ["--kv-capacity", "1GiB", "--weights", "host"], timeline: true)
        XCTAssertGreaterThan(result.swaps, 0)
        let chart = TimelinePlot.gantt(result, profile: profile, title: "t")
        XCTAssertEqual(chart.resolvedTracks, ["gpu/compute", "xfer/copy", "swap/pcie"], "engines, then transfers, then swaps")
        let tree = try XCTUnwrap(SVGTree.parse(chart.render()))
        let tracks = tree.elements("g", in: "bars").filter { $0.attributes["class"] == "track" }
        XCTAssertEqual(tracks.count, 3)
        XCTAssertEqual(Set(tree.elements("text", in: "track-labels").map(\.text)), ["gpu/compute", "xfer/copy", "swap/pcie"])
        for kind in ["transfer", "swap hbm→host", "swap host→hbm", "gemm"] {
            XCTAssertTrue(tree.elements("text", in: "legend").contains { $0.text == kind }, kind)
        }
        XCTAssertGreaterThan(tree.elements("rect", in: "track").count, 3)
    }

    func testTimelineWindowAndMergingKeepTheSVGBounded() throws {
        let (profile, result) = try defaultWorkload()
        XCTAssertEqual(result.timeline.count, 41667)
        let whole = TimelinePlot.gantt(result, profile: profile, title: nil).render()
        let rects = SVGTree.parse(whole)!.elements("rect", in: "track").count
        XCTAssertLessThan(rects, 2000, "merged: at most about one bar per pixel")
        XCTAssertLessThan(whole.utf8.count, 1_000_000)

        let from = result.timeToFirstToken!, to = from + result.timePerOutputToken! / 4
        let window = TimelinePlot.gantt(result, profile: profile, from: from, to: to, title: nil)
        XCTAssertEqual(window.timeAxis.domain, from...to)
        XCTAssertTrue(window.bars.allSatisfy { $0.end >= from && $0.start <= to })
        XCTAssertLessThan(window.bars.count, 200)
        XCTAssertGreaterThan(window.bars.count, 20)
        let tree = SVGTree.parse(window.render())!
        let ticks = tree.elements("text", in: "x-axis").map(\.text).filter { $0.hasSuffix(" ms") }
        XCTAssertGreaterThanOrEqual(ticks.count, 2, "ticks inside the window: \(ticks)")
    }

    func testMemoryChartKeepsEachTiersPeak() throws {
        let args = try Arguments(small + ["--kv-capacity", "12.5GiB"], spec: SimulateCommand.spec, usage: "")
        let (_, r) = try SimulateCommand.simulate(args) { $0.recordMemory = true }
        let chart = TimelinePlot.memory(r, title: nil, buckets: 50)
        XCTAssertEqual(chart.series.map(\.name), ["hbm", "host"])
        for (series, m) in zip(chart.series, r.memories) {
            XCTAssertEqual(series.points.map(\.y).max()!, m.peakBytes / 1_073_741_824, accuracy: 1e-9, m.id)
            XCTAssertLessThanOrEqual(series.points.count, 100, "two points per slice at most")
            XCTAssertEqual(series.points.last!.x, r.makespanSeconds, accuracy: 1e-12)
        }
        XCTAssertEqual(chart.yAxis.label, "Allocated (GiB)")
        XCTAssertEqual(chart.referenceLines.map(\.label), ["hbm capacity 12.5 GiB"], "hbm ran full: its capacity is drawn")
        // The envelope of a known step function: 0 → 5 at 1 s → 2 at 1.5 s → 7 at 3.2 s, over [0, 4] in 4 slices.
        let e = TimelinePlot.envelope([(1, 5), (1.5, 2), (3.2, 7)], end: 4, buckets: 4)
        XCTAssertEqual(e.map(\.x), [0, 1, 1, 2, 2, 3, 3, 4])
        XCTAssertEqual(e.map(\.y), [0, 0, 5, 5, 2, 2, 7, 7], "each slice's largest value, carried in from before")
    }

    func testPlotCommandOptions() throws {
        let dir = TempDir()
        let out = try ridge(["plot", "timeline", "--from", "10ms", "--to", "12ms", "-o", dir.path + "/t.svg"] + small)
        XCTAssertTrue(out.contains("1 track (gpu/compute)"), out)
        let roof = try ridge(["plot", "roofline", "--profile", "a6000-smartssd", "--engine", "csd", "--title", "CSD <roofline>",
                              "--width", "700", "--height", "450", "-o", dir.path + "/r.svg",
                              "--model", "llama-2-7b", "--batch", "2", "--prompt", "64", "--generate", "2", "--kv", "csd"])
        XCTAssertTrue(roof.contains("decode") || roof.contains("operator classes"), roof)
        let svg = try String(contentsOfFile: dir.path + "/r.svg", encoding: .utf8)
        XCTAssertTrue(svg.contains("CSD &lt;roofline&gt;"))
        XCTAssertTrue(svg.contains("width=\"700\""))
        XCTAssertNotNil(SVGTree.parse(svg))
    }

    func testUsageErrorsExit64AndWriteNothing() {
        let dir = TempDir()
        let o = dir.path + "/x.svg"
        let cases: [[String]] = [
            ["plot"], ["plot", "pie", "-o", o], ["plot", "roofline"], ["plot", "roofline", "extra", "-o", o],
            ["plot", "roofline", "--from", "1ms", "-o", o], ["plot", "roofline", "--engine", "tpu", "-o", o],
            ["plot", "timeline", "--from", "5ms", "--to", "2ms", "-o", o], ["plot", "timeline", "--from", "-1ms", "-o", o],
            ["plot", "timeline", "--from", "fast", "-o", o], ["plot", "timeline", "--from", "100s", "-o", o] + small,
            ["plot", "timeline", "--x", "batch", "-o", o], ["plot", "timeline", "--height", "300", "-o", o],
            ["plot", "roofline", "--trace", "t.json", "--model", "llama-2-7b", "-o", o], ["plot", "roofline", "--width", "5", "-o", o],
            ["report"], ["report", "extra", "-o", dir.path + "/r.html"], ["report", "--x", "batch", "-o", dir.path + "/r.html"],
        ]
        for args in cases {
            guard let e = expectRidgeError(args) else { continue }
            XCTAssertEqual(e.kind, .usage, "\(args): \(e)")
            XCTAssertEqual(e.kind.exitCode, 64)
        }
        XCTAssertEqual(dir.contents, [], "no partial output")
    }

    func testUnreadableTraceAndUnwritableOutput() {
        let dir = TempDir()
        XCTAssertEqual(expectRidgeError(["plot", "roofline", "--trace", dir.path + "/missing.json", "-o", dir.path + "/x.svg"])?.kind, .io)
        XCTAssertEqual(expectRidgeError(["plot", "roofline", "-o", dir.path + "/no/such/dir/x.svg"] + small)?.kind, .io)
        XCTAssertEqual(dir.contents, [])
    }
}
