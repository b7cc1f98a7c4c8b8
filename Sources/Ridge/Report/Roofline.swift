import Foundation

/// The roofline of one engine after a simulation: one roof per memory level, each operator class
/// as a point (Williams, Waterman & Patterson, "Roofline: an insightful visual performance model for
/// multicore architectures", CACM 2009; one roof per level as in the hierarchical roofline of Yang,
/// Kurth & Williams, "Hierarchical Roofline analysis for GPUs", CCPE 2020). See `docs/report.md`.
///
/// - Roof of level `m`: attainable FLOP/s = `min(peak, bandwidth_m × intensity)`, with the engine's
///   datasheet matrix peak for the dominant precision and the level's datasheet bandwidth. The
///   ridge point is `peak / bandwidth_m`. Levels the engine reads directly use the memory's read
///   bandwidth (what the cost model charges); levels it reaches only over links (host DDR over
///   PCIe) use the narrowest link on the route, capped by the memory's own bandwidth.
/// - Point of an operator class: intensity = FLOPs / bytes at the level that bounds its memory time
///   (the largest `bytes/bandwidth`), achieved = FLOPs / its mean simulated duration; the marker's
///   area is proportional to the class's total time.
public struct Roofline: Sendable {
    public struct Roof: Sendable {
        public var memory: String
        /// Link ids on the route from the memory to the engine's, when it is reached over links.
        public var via: [String]
        public var bandwidth: Double
        public var ridge: Double
        /// Other levels with the same bandwidth (one line serves them all), as `memory` or `memory via links`.
        public var alike: [String] = []
        public var name: String { via.isEmpty ? memory : "\(memory) via \(via.joined(separator: "+"))" }
        public var memories: [String] { [memory] + alike.map { String($0.split(separator: " ")[0]) } }
        public var label: String { ([name] + alike).joined(separator: ", ") + " " + TickFormat.siString(bandwidth, unit: "B/s") }
    }

    public struct Point: Sendable {
        public var kind: String
        public var shape: OperatorShape
        /// The memory level the intensity is measured at.
        public var memory: String
        public var flops: Double
        public var bytes: Double
        public var count: Int
        public var totalSeconds: Double
        public var bound: String
        public var intensity: Double { flops / bytes }
        /// FLOPs over the mean simulated duration of one operator.
        public var achieved: Double { flops / (totalSeconds / Double(count)) }
    }

    public var engine: String
    public var precision: Precision
    /// Datasheet matrix peak for `precision` (FLOP/s).
    public var peak: Double
    /// Vector (non-matrix) peak, when the engine lists one below the matrix peak.
    public var vectorPeak: Double?
    public var roofs: [Roof]
    public var points: [Point]
    /// Operator classes on this engine that have no place on the chart (no FLOPs or no bytes:
    /// embeddings, transfers): kind, operators, total seconds.
    public var omitted: [(kind: String, count: Int, seconds: Double)]

    /// The engine with the most non-transfer operator time (the primary engine when none ran).
    public static func busiestEngine(_ result: SimulationResult, _ profile: HardwareProfile) -> String {
        var time: [String: Double] = [:]
        for c in result.operatorClasses where !c.engine.isEmpty { time[c.engine, default: 0] += c.totalSeconds }
        var best = profile.primaryEngine.id, most = 0.0
        for e in profile.engines where (time[e.id] ?? 0) > most { best = e.id; most = time[e.id]! }
        return best
    }

    /// Engines that ran at least one operator the roofline can place, in profile order.
    public static func engines(_ result: SimulationResult, _ profile: HardwareProfile) -> [String] {
        let used = Set(result.operatorClasses.filter { $0.cost.flops > 0 && $0.totalSeconds > 0 }.map(\.engine))
        return profile.engines.map(\.id).filter(used.contains)
    }

    public init(result: SimulationResult, profile: HardwareProfile, engine id: String? = nil) {
        let engineID = id ?? Roofline.busiestEngine(result, profile)
        let engine = profile.engine(engineID) ?? profile.primaryEngine
        self.engine = engine.id
        var points: [Point] = []
        var omitted: [String: (Int, Double)] = [:]
        var timeByPrecision: [Precision: Double] = [:]
        for c in result.operatorClasses where c.engine == engine.id {
            let level = Roofline.bindingLevel(c.cost, profile)
            guard c.cost.flops > 0, c.totalSeconds > 0, c.count > 0, let level, level.bytes > 0 else {
                omitted[c.shape.kind, default: (0, 0)].0 += c.count
                omitted[c.shape.kind, default: (0, 0)].1 += c.totalSeconds
                continue
            }
            points.append(Point(kind: c.shape.kind, shape: c.shape, memory: level.memory, flops: c.cost.flops, bytes: level.bytes,
                                count: c.count, totalSeconds: c.totalSeconds, bound: c.cost.bound.description))
            timeByPrecision[c.shape.precision, default: 0] += c.totalSeconds
        }
        self.points = points
        self.omitted = omitted.keys.sorted().map { ($0, omitted[$0]!.0, omitted[$0]!.1) }
        precision = timeByPrecision.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? .bf16
        peak = engine.matrixPeak(precision)
        let vector = engine.vectorRate(precision)
        vectorPeak = engine.vectorPeak.isEmpty || vector >= peak * 0.95 ? nil : vector

        // Roofs: the engine's memory, levels operators read directly, then memories reached over links.
        var direct: [String] = [engine.memory]
        for p in points where !direct.contains(p.memory) { direct.append(p.memory) }
        var roofs: [Roof] = []
        for id in profile.memories.map(\.id) where direct.contains(id) {
            let bw = profile.memory(id)!.readBandwidth
            roofs.append(Roof(memory: id, via: [], bandwidth: bw, ridge: peak / bw))
        }
        let linkBytes = Dictionary(result.links.map { ($0.id, $0.bytes) }, uniquingKeysWith: +)
            .merging(result.swapBytes.map { ($0.link, $0.bytes) }, uniquingKeysWith: +)
        for m in profile.memories where !direct.contains(m.id) {
            guard let route = Roofline.route(from: m.id, to: engine.memory, profile) else { continue }
            let used = route.contains { (linkBytes[$0.id] ?? 0) > 0 }
            guard route.count == 1 || used else { continue }
            var bw = m.readBandwidth
            var here = m.id
            for l in route {
                bw = min(bw, l.bandwidth(from: here))
                here = l.from == here ? l.to : l.from
            }
            roofs.append(Roof(memory: m.id, via: route.map(\.id), bandwidth: bw, ridge: peak / bw))
        }
        // Levels with the same bandwidth share one roof (drawn once, labelled with all of them).
        var merged: [Roof] = []
        for r in roofs.sorted(by: { $0.bandwidth > $1.bandwidth }) {
            if let i = merged.indices.last, abs(merged[i].bandwidth - r.bandwidth) <= 0.005 * r.bandwidth {
                merged[i].alike.append(r.name)
            } else {
                merged.append(r)
            }
        }
        self.roofs = merged
    }

    /// The memory whose traffic takes longest at datasheet bandwidth, and the bytes moved there.
    static func bindingLevel(_ cost: OperatorCost, _ profile: HardwareProfile) -> (memory: String, bytes: Double)? {
        var best: (String, Double)?
        var longest = -1.0
        for t in cost.traffic where t.total > 0 {
            guard let m = profile.memory(t.memory) else { continue }
            let s = t.readBytes / m.readBandwidth + t.writeBytes / m.writeBandwidth
            if s > longest { longest = s; best = (t.memory, t.total) }
        }
        return best
    }

    /// The shortest chain of links between two memories (the simulator's routing), or nil.
    static func route(from a: String, to b: String, _ profile: HardwareProfile) -> [Link]? {
        guard a != b, let i = profile.memoryIndex(a), let j = profile.memoryIndex(b) else { return nil }
        var links = LinkModel(profile: profile)
        return links.route(from: i, to: j).map { $0.links.map { profile.links[$0] } }
    }

    // MARK: - Chart

    /// `gemm m=1 n=4096 k=4096 bf16`: the shape as one short line.
    static func shapeText(_ shape: OperatorShape) -> String {
        let o = CostReport.shapeJSON(shape)
        var parts = [shape.kind]
        let short = ["bytesPerElement": "B/el", "flopsPerElement": "FLOP/el", "queryLength": "q", "keyLength": "kv", "headDim": "d", "kvHeads": "kvHeads"]
        for (k, v) in o.entries where k != "kind" {
            switch v {
            case .number(let n): if !(k == "batch" && n == 1) { parts.append("\(short[k] ?? k)=\(JSONWriter.format(number: n))") }
            case .string(let s): parts.append(k == "dtype" ? s : "\(k)=\(s)")
            case .bool(let b): if b { parts.append(k) }
            default: break
            }
        }
        return parts.joined(separator: " ")
    }

    /// The roofline as a log–log scatter chart; `colors` maps kinds to colours (report-wide).
    public func chart(title: String?, colors: [String: String] = [:], width: Double = 860, height: Double = 520) -> ScatterChart {
        let totalTime = points.reduce(0) { $0 + $1.totalSeconds } + omitted.reduce(0) { $0 + $1.seconds }
        let xs = points.map(\.intensity) + roofs.map(\.ridge)
        let xLow = Scale.pow10(Int(floor(log10((xs.min() ?? 1) / 2)))), xHigh = Scale.pow10(Int(ceil(log10((xs.max() ?? 100) * 2))))
        let lowest = points.map(\.achieved).min() ?? peak / 1000
        let yLow = Scale.pow10(Int(floor(log10(min(lowest, peak / 10) / 1.5)))), yHigh = peak * 2.5
        var chart = ScatterChart(
            title: title,
            xAxis: .log("Operational intensity", unit: "FLOP/byte", domain: xLow...xHigh),
            yAxis: .log("Performance", domain: yLow...yHigh, formatter: TickFormat.si(unit: "FLOP/s")),
            width: width, height: height)
        chart.lines = roofs.map { r in
            ScatterChart.LineSeries(name: r.label, points: [DataPoint(xLow, r.bandwidth * xLow), DataPoint(r.ridge, peak), DataPoint(xHigh, peak)],
                                    dash: r.via.isEmpty ? nil : [7, 4], inlineLabel: r.label)
        }
        let peakLabel = "\(precision.rawValue) peak \(TickFormat.siString(peak, unit: "FLOP/s"))"
        chart.referenceLines = [ReferenceLine(orientation: .horizontal, value: peak, label: peakLabel, labelPlacement: .high,
                                              color: "#222222", dash: nil, width: 0)]
        if let v = vectorPeak {
            chart.referenceLines.append(.horizontal(at: v, label: "vector \(TickFormat.siString(v, unit: "FLOP/s"))", labelPlacement: .high,
                                                    color: "#777777", dash: [2, 3]))
        }
        for r in roofs {
            chart.referenceLines.append(.vertical(at: r.ridge, label: "ridge \(TickFormat.generalString(r.ridge)) FLOP/B",
                                                  labelPlacement: .low, color: "#888888", dash: [3, 4]))
        }
        let maxTime = points.map(\.totalSeconds).max() ?? 0
        chart.points = points.map { p in
            let share = totalTime > 0 ? " (\(SVGFormat.decimal(p.totalSeconds / totalTime * 100, maxFractionDigits: 1))% of operator time)" : ""
            let tip = """
            \(Roofline.shapeText(p.shape))
            \(p.count) operators, \(TickFormat.siString(p.totalSeconds, unit: "s", significantDigits: 4)) in total\(share)
            intensity \(TickFormat.generalString(p.intensity)) FLOP/B at \(p.memory)
            achieved \(TickFormat.siString(p.achieved, unit: "FLOP/s")) (\(SVGFormat.decimal(p.achieved / peak * 100, maxFractionDigits: 1))% of peak)
            bound: \(p.bound)
            """
            return ScatterChart.Point(x: p.intensity, y: p.achieved, radius: ScatterChart.radius(forValue: p.totalSeconds, maxValue: maxTime),
                                      category: p.kind, tooltip: tip)
        }
        chart.colors = colors
        chart.legendTitle = "Roofs and kinds"
        // Size key: marker areas for round totals at and below the largest.
        if maxTime > 0 {
            let top = Scale.pow10(Int(floor(log10(maxTime))))
            for t in [top, top / 10] where ScatterChart.radius(forValue: t, maxValue: maxTime) > 3 {
                chart.extraLegendEntries.append(LegendEntry(TickFormat.siString(t, unit: "s") + " total", color: "#9A9A9A",
                                                            symbol: .circle(radius: ScatterChart.radius(forValue: t, maxValue: maxTime))))
            }
        }
        return chart
    }

    /// The note under the chart: what is not drawn, and how points are placed.
    public var footnote: String {
        var text = "Points: operator classes on \(engine) at FLOPs / bytes of the level that bounds their memory time; area ∝ total time."
        if !omitted.isEmpty {
            text += " Not drawn (no FLOPs or bytes): " + omitted.map { "\($0.count) \($0.kind)" }.joined(separator: ", ") + "."
        }
        return text
    }

    /// The chart with its footnote, as an SVG document.
    public func document(title: String?, colors: [String: String] = [:], width: Double = 860, height: Double = 520) -> SVGDocument {
        chart(title: title, colors: colors, width: width, height: height).document().withFootnote(footnote)
    }
}

extension SVGDocument {
    /// A copy 20 px taller with `text` in small muted type along the bottom (wrapped onto a second
    /// line, 14 px more, when it is wider than the drawing).
    public func withFootnote(_ text: String, style: ChartStyle = .default) -> SVGDocument {
        let fs = style.fontSize - 1
        // Wrapped early: the width estimate is for Arial-like fonts, and wider fallbacks exist.
        let room = (width - 2 * style.padding) * 0.9
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            let candidate = line.isEmpty ? String(word) : line + " " + word
            if TextMetrics.width(candidate, fontSize: fs) > room && !line.isEmpty { lines.append(line); line = String(word) } else { line = candidate }
        }
        if !line.isEmpty { lines.append(line) }
        var doc = self
        let top = height
        doc.height += 6 + Double(lines.count) * (fs + 4)
        for (i, l) in lines.enumerated() {
            doc.text(l, x: style.padding, y: top + Double(i + 1) * (fs + 4) - 2, fontSize: fs, fill: style.mutedTextColor)
        }
        return doc
    }
}
