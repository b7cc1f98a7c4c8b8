import Foundation
import XCTest
@testable import Ridge

final class ReportChartTests: XCTestCase {
    func testEveryExampleChartIsWellFormedXML() {
        for (name, doc) in ReportExamples.all() {
            let svg = doc.render()
            guard let check = XMLCheck.parse(svg) else {
                XCTFail("\(name) is not well-formed XML")
                continue
            }
            XCTAssertEqual(check.counts["svg"], 1, name)
            XCTAssertGreaterThan(check.counts["text", default: 0], 5, "\(name) has labels")
            XCTAssertFalse(svg.contains("NaN"), name)
            XCTAssertFalse(svg.contains("inf"), name)
        }
    }

    func testRenderingIsDeterministic() {
        for (name, doc) in ReportExamples.all() {
            XCTAssertEqual(doc.render(), doc.render(), name)
        }
        XCTAssertEqual(ReportExamples.roofline().render(), ReportExamples.roofline().render())
        XCTAssertEqual(ReportExamples.gantt(barsPerTrack: 300).render(), ReportExamples.gantt(barsPerTrack: 300).render())
        // Category colours do not depend on input order.
        var reversed = ReportExamples.roofline()
        reversed.points.reverse()
        let circles = { (svg: String) -> [String] in
            svg.components(separatedBy: "\n").filter { $0.contains("<circle") }.sorted()
        }
        XCTAssertEqual(circles(reversed.render()), circles(ReportExamples.roofline().render()))
    }

    func testEmptyAndDegenerateChartsRender() {
        let docs: [SVGDocument] = [
            ScatterChart(xAxis: .log("x"), yAxis: .linear("y")).document(),
            ScatterChart(xAxis: .linear("x"), yAxis: .log("y"), points: [.init(x: 3, y: 3)]).document(),
            LineChart(xAxis: .linear("x"), yAxis: .linear("y"), series: []).document(),
            LineChart(xAxis: .linear("x"), yAxis: .linear("y"), series: [.init(name: "nan", points: [DataPoint(.nan, 1)])]).document(),
            GanttChart(bars: []).document(),
            GanttChart(bars: [.init(track: "a", start: 1, end: 1, category: "x")]).document(),
            Heatmap(xCategories: [], yCategories: [], values: []).document(),
            Heatmap(xCategories: ["a"], yCategories: ["b"], values: [[5]]).document(),
            BarChart(categories: [], series: []).document(),
            BarChart(values: [("neg", -2), ("pos", 3)]).document(),
        ]
        for (i, d) in docs.enumerated() {
            let svg = d.render()
            XCTAssertNotNil(XMLCheck.parse(svg), "chart \(i)")
            XCTAssertFalse(svg.contains("NaN"), "chart \(i)")
        }
    }

    func testRooflineContents() {
        let svg = ReportExamples.roofline().render()
        XCTAssertTrue(svg.contains("Arithmetic intensity (FLOP/byte)"))
        XCTAssertTrue(svg.contains("stroke-dasharray=\"5 4\""), "ridge markers are dashed")
        XCTAssertTrue(svg.contains("ridge 295 FLOP/B"))
        let hasPeta: Bool = svg.contains(">1 PFLOP/s<")
        let hasTera: Bool = svg.contains(">100 TFLOP/s<")
        XCTAssertTrue(hasPeta || hasTera, "SI tick labels")
        XCTAssertTrue(svg.contains("font-family=\"Arial, Helvetica, Liberation Sans, sans-serif\""))
        let check = XMLCheck.parse(svg)!
        let circles: Int = check.counts["circle"] ?? 0
        XCTAssertEqual(circles, 45, "40 operators + 5 legend swatches")
    }

    func testGanttMergingKeepsBarCountBounded() {
        let chart = ReportExamples.gantt(barsPerTrack: 10_000)   // 60,000 bars
        let svg = chart.render()
        let check = XMLCheck.parse(svg)!
        let rects = check.counts["rect", default: 0]
        // 800 px wide: at most ~1 merged run per pixel per row, and in practice far fewer.
        XCTAssertLessThan(rects, 6 * 800)
        XCTAssertLessThan(svg.utf8.count, 1_000_000)
        XCTAssertTrue(svg.contains("bars merged"))

        // Layout of one row directly: 10,000 adjacent 0.01-px bars become one bar.
        let scale = Scale(.linear, domain: 0...1, range: (0, 100))
        var tiny: [GanttChart.Bar] = []
        for i in 0..<10_000 {
            let start: Double = Double(i) * 1e-4
            let category: String = i % 3 == 0 ? "a" : "b"
            tiny.append(GanttChart.Bar(track: "t", start: start, end: start + 1e-4, category: category))
        }
        let drawn = GanttChart.layoutRow(tiny, scale: scale, threshold: 0.5, clipTo: (0, 100), format: TickFormat.seconds)
        XCTAssertEqual(drawn.count, 1)
        XCTAssertEqual(drawn[0].mergedCount, 10_000)
        XCTAssertEqual(drawn[0].category, "b", "coloured by the dominant category")
        XCTAssertEqual(drawn[0].x0, 0, accuracy: 1e-9)
        XCTAssertEqual(drawn[0].x1, 100, accuracy: 1e-9)

        // Wide bars are kept individually; separated tiny bars stay separate.
        let mixed = [
            GanttChart.Bar(track: "t", start: 0, end: 0.5, category: "a"),
            GanttChart.Bar(track: "t", start: 0.6, end: 0.601, category: "b"),
            GanttChart.Bar(track: "t", start: 0.9, end: 0.901, category: "b"),
        ]
        let d2 = GanttChart.layoutRow(mixed, scale: scale, threshold: 0.5, clipTo: (0, 100), format: TickFormat.seconds)
        XCTAssertEqual(d2.map(\.mergedCount), [1, 1, 1])
        XCTAssertEqual(d2[1].x1 - d2[1].x0, 0.5, accuracy: 1e-9, "tiny bars stay visible")
    }

    func testGanttRowsAndTooltips() {
        let chart = GanttChart(title: "t", bars: [
            .init(track: "gpu/compute", start: 0, end: 1e-3, category: "matmul", label: "fc1 <x>"),
            .init(track: "pcie/copy", start: 5e-4, end: 8e-4, category: "h2d"),
        ])
        XCTAssertEqual(chart.resolvedTracks, ["gpu/compute", "pcie/copy"])
        let svg = chart.render()
        XCTAssertTrue(svg.contains("fc1 &lt;x&gt; (matmul)"))
        XCTAssertTrue(svg.contains(">gpu/compute<"))
        XCTAssertNotNil(XMLCheck.parse(svg))
    }

    func testHeatmapAndBars() {
        let h = ReportExamples.heatmap().render()
        XCTAssertTrue(h.contains("#EEEEEE"), "missing cell")
        XCTAssertTrue(h.contains(">Step time<"))
        let cells = Heatmap(cells: [.init(x: "a", y: "r1", value: 1), .init(x: "b", y: "r2", value: 2)])
        XCTAssertEqual(cells.xCategories, ["a", "b"])
        XCTAssertEqual(cells.values, [[1, nil], [nil, 2]])

        let b = ReportExamples.barChart()
        let svg = b.render()
        XCTAssertTrue(svg.contains("4.2 ms"))
        let s = ReportExamples.stackedBarChart().render()
        XCTAssertTrue(s.contains("memory stall"))
        XCTAssertNotNil(XMLCheck.parse(s))
    }

    func testLineChartOnLogAxisSkipsNonPositive() {
        let c = LineChart(xAxis: .log("x"), yAxis: .log("y"),
                          series: [.init(name: "s", points: [DataPoint(0, 1), DataPoint(1, 1), DataPoint(10, 100), DataPoint(100, -1)])])
        let svg = c.render()
        XCTAssertNotNil(XMLCheck.parse(svg))
        XCTAssertFalse(svg.contains("NaN"))
    }

    /// Writes every example as .svg when RIDGE_SVG_EXAMPLES names a directory (for visual checks).
    func testWriteExamplesWhenRequested() throws {
        guard let dir = ProcessInfo.processInfo.environment["RIDGE_SVG_EXAMPLES"] else { return }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let large = ("gantt-large", ReportExamples.gantt(barsPerTrack: 10_000).document())
        var grouped = ReportExamples.stackedBarChart()
        grouped.mode = .grouped
        grouped.categories = Array(grouped.categories.prefix(4))
        grouped.legend = .top
        let extra = [large, ("bar-negative", BarChart(title: "Δ vs baseline", values: [("neg", -2), ("pos", 3), ("zero", 0)]).document()),
                     ("bar-grouped", grouped.document())]
        for (name, doc) in ReportExamples.all() + extra {
            try doc.renderStandalone().write(toFile: "\(dir)/\(name).svg", atomically: true, encoding: .utf8)
        }
    }
}
