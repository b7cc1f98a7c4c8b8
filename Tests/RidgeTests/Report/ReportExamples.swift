import Foundation
@testable import Ridge

/// Small, deterministic example charts shared by the tests (and rendered for visual checks when
/// `RIDGE_SVG_EXAMPLES` names a directory).
enum ReportExamples {
    /// Deterministic pseudo-random numbers (LCG), so examples never change between runs.
    struct LCG {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
    }

    static func roofline() -> ScatterChart {
        let peak = 989e12
        let levels: [(String, Double)] = [("HBM3 3.35 TB/s", 3.35e12), ("L2 12 TB/s", 12e12), ("SMEM 33 TB/s", 33e12)]
        var chart = ScatterChart(
            title: "Roofline — H100 SXM (bf16)",
            xAxis: .log("Arithmetic intensity", unit: "FLOP/byte"),
            yAxis: .log("Attainable performance", formatter: TickFormat.si(unit: "FLOP/s")))
        let xMin = 0.1, xMax = 1e4
        chart.lines = levels.map { name, bw in
            let ridge = peak / bw
            return ScatterChart.LineSeries(name: name, points: [DataPoint(xMin, bw * xMin), DataPoint(ridge, peak),
                                                                DataPoint(xMax, peak)], inlineLabel: name)
        }
        chart.referenceLines = levels.map { name, bw in
            .vertical(at: peak / bw, label: "ridge \(SVGFormat.decimal(peak / bw, maxFractionDigits: 0)) FLOP/B",
                      labelPlacement: .low)
        }
        var rng = LCG(state: 42)
        let kinds = ["matmul", "attention", "softmax", "layernorm", "elementwise"]
        var ops: [(String, Double, Double, Double)] = []
        for i in 0..<40 {
            let kind = kinds[i % kinds.count]
            let base: Double = ["matmul": 300, "attention": 60, "softmax": 2, "layernorm": 1.5, "elementwise": 0.3][kind]!
            let ai = base * (0.5 + rng.next() * 2)
            let perf = min(peak, 3.35e12 * ai) * (0.35 + 0.6 * rng.next())
            let time = 1e-6 * (1 + 500 * rng.next() * (kind == "matmul" ? 3 : 1))
            ops.append((kind, ai, perf, time))
        }
        let maxTime = ops.map(\.3).max()!
        chart.points = ops.enumerated().map { i, op in
            ScatterChart.Point(x: op.1, y: op.2, radius: ScatterChart.radius(forValue: op.3, maxValue: maxTime),
                               category: op.0, tooltip: "op\(i) \(op.0) — \(TickFormat.seconds(op.3))")
        }
        chart.legendTitle = "Roofs & kinds"
        return chart
    }

    static func lineChart() -> LineChart {
        let gpus: [(String, Double)] = [("A100", 1.0), ("H100", 0.55), ("B200 <new>", 0.3)]
        let series = gpus.map { name, f in
            LineChart.Series(name: name, points: [1, 2, 4, 8, 16, 32, 64, 128, 256].map {
                DataPoint($0, f * (2e-3 + 1.1e-4 * $0))
            })
        }
        var c = LineChart(title: "Decode latency vs batch size", xAxis: .log("Batch size"),
                          yAxis: .linear("Latency per step", formatter: TickFormat.seconds, includesZero: true),
                          series: series)
        c.referenceLines = [.horizontal(at: 0.02, label: "SLO 20 ms", color: "#D55E00")]
        return c
    }

    static func gantt(barsPerTrack: Int = 2_000) -> GanttChart {
        var rng = LCG(state: 7)
        var bars: [GanttChart.Bar] = []
        let tracks = ["gpu/compute", "gpu/copy-engine", "pcie/h2d", "pcie/d2h", "nvlink/allreduce", "host/cpu"]
        let kinds = ["matmul", "attention", "softmax", "copy", "collective"]
        for (ti, track) in tracks.enumerated() {
            var t = 0.0
            for i in 0..<barsPerTrack {
                // Mostly tiny ops with a few long ones, so merging kicks in.
                let long = i % 400 == 0
                let d = long ? 2e-3 * (0.5 + rng.next()) : 2e-6 * (0.2 + rng.next())
                t += long ? 3e-4 : 1e-6 * rng.next() * Double(ti + 1)
                bars.append(.init(track: track, start: t, end: t + d, category: kinds[(i / 97 + ti) % kinds.count],
                                  label: "op\(i)"))
                t += d
            }
        }
        return GanttChart(title: "Timeline — llama decode step", bars: bars, tracks: tracks)
    }

    static func heatmap() -> Heatmap {
        let batches = ["1", "2", "4", "8", "16", "32", "64", "128"]
        let seqs = ["128", "512", "2048", "8192", "32768"]
        var values: [[Double?]] = []
        for (si, _) in seqs.enumerated() {
            values.append(batches.indices.map { bi in
                if si == 4 && bi == 7 { return nil }
                return 1e-4 * pow(2, Double(bi) * 0.8) * pow(4, Double(si) * 0.9)
            })
        }
        return Heatmap(title: "Step time by batch × sequence length", xCategories: batches, yCategories: seqs,
                       values: values, xTitle: "Batch size", yTitle: "Sequence length",
                       valueAxis: .log("Step time", formatter: TickFormat.seconds))
    }

    static func barChart() -> BarChart {
        var b = BarChart(title: "Time by operator kind",
                         values: [("matmul", 4.2e-3), ("attention", 2.1e-3), ("softmax", 0.42e-3),
                                  ("layernorm", 0.31e-3), ("elementwise & misc", 0.12e-3)],
                         valueAxis: .linear("Time", formatter: TickFormat.seconds), orientation: .horizontal)
        b.colorByCategory = true
        return b
    }

    static func stackedBarChart() -> BarChart {
        let layers = (0..<12).map { "layer \($0)" }
        var rng = LCG(state: 3)
        let series = ["compute", "memory stall", "communication"].map { name in
            BarChart.Series(name: name, values: layers.map { _ in 1e-4 * (0.5 + rng.next()) })
        }
        return BarChart(title: "Per-layer time breakdown", categories: layers, series: series,
                        valueAxis: .linear("Time", formatter: TickFormat.seconds))
    }

    static func all() -> [(String, SVGDocument)] {
        [
            ("roofline", roofline().document()),
            ("line", lineChart().document()),
            ("gantt", gantt().document()),
            ("heatmap", heatmap().document()),
            ("bar", barChart().document()),
            ("stacked", stackedBarChart().document()),
        ]
    }
}
