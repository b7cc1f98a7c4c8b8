/// Charts of a simulation over time: the Gantt timeline of its engine, transfer and swap tracks,
/// and memory per tier. Both need the simulator's optional recordings (`recordTimeline`,
/// `recordMemory`). See `docs/report.md`.
public enum TimelinePlot {
    /// One colour per category across every chart of a report: operator kinds and swap directions,
    /// assigned in sorted order, so a kind looks the same in the roofline, timeline and bar charts.
    public static func kindColors(_ result: SimulationResult) -> [String: String] {
        var colors = Palette.default.assign(result.byKind.map(\.kind))
        // Swaps are not operators: two dark tones outside the palette (Tol's wine and indigo), by direction.
        var swaps = Set<String>()
        for s in result.timeline where colors[s.kind] == nil { swaps.insert(s.kind) }
        for (i, kind) in swaps.sorted().enumerated() {
            colors[kind] = kind.hasPrefix("swap") ? ["#882255", "#332288"][i % 2] : Palette.neutral.color(at: i + 1)
        }
        return colors
    }

    /// Tracks in a stable order: engines in profile order, then transfers, then swaps.
    static func trackOrder(_ spans: [TimelineSpan], _ profile: HardwareProfile?) -> [String] {
        var seen: [String: Int] = [:]
        for s in spans where seen[s.track] == nil { seen[s.track] = seen.count }
        func rank(_ t: String) -> Int {
            let head = t.split(separator: "/").first.map(String.init) ?? t
            if let i = profile?.engineIndex(head) { return i }
            if head == "xfer" { return 1000 }
            if head == "swap" { return 2000 }
            return 500
        }
        return seen.keys.sorted { (rank($0), seen[$0]!) < (rank($1), seen[$1]!) }
    }

    /// The Gantt chart of `result.timeline` between `from` and `to` (seconds; whole run by default).
    /// Bars narrower than half a pixel merge (`GanttChart`), so the SVG stays bounded for any trace.
    public static func gantt(_ result: SimulationResult, profile: HardwareProfile?, from: Double? = nil, to: Double? = nil,
                             title: String?, colors: [String: String] = [:], width: Double = 960) -> GanttChart {
        let t0 = from ?? 0, t1 = to ?? result.makespanSeconds
        var bars: [GanttChart.Bar] = []
        bars.reserveCapacity(result.timeline.count)
        var spans: [TimelineSpan] = []
        for s in result.timeline where s.end >= t0 && s.start <= t1 {
            spans.append(s)
            bars.append(GanttChart.Bar(track: s.track, start: s.start, end: s.end, category: s.kind,
                                       label: s.phase.isEmpty ? s.name : "\(s.name) [\(s.phase)]"))
        }
        var chart = GanttChart(title: title, bars: bars, tracks: trackOrder(spans, profile), width: width)
        chart.timeAxis = .linear("Simulated time", formatter: TickFormat.seconds, includesZero: from == nil)
        if t1 > t0 { chart.timeAxis.domain = t0...t1 }
        chart.colors = colors.isEmpty ? kindColors(result) : colors
        chart.legendTitle = "Kind"
        return chart
    }

    /// From `start` to the end of the `count`-th span that begins at or after it on the first
    /// engine track: a window in which single operators are wide enough to see.
    public static func window(_ result: SimulationResult, profile: HardwareProfile?, from start: Double, operators count: Int) -> (Double, Double)? {
        guard let track = trackOrder(result.timeline, profile).first else { return nil }
        var ends = result.timeline.filter { $0.track == track && $0.start >= start }.map { ($0.start, $0.end) }
        guard !ends.isEmpty else { return nil }
        ends.sort { $0 < $1 }
        let end = ends[min(count, ends.count) - 1].1
        return end > start ? (start, end) : nil
    }

    /// A note for the timeline: how many spans are drawn and how merging works.
    public static func footnote(_ result: SimulationResult, from: Double?, to: Double?) -> String {
        let t0 = from ?? 0, t1 = to ?? result.makespanSeconds
        let shown = result.timeline.reduce(0) { $0 + ($1.end >= t0 && $1.start <= t1 ? 1 : 0) }
        return "\(shown) spans from \(TickFormat.siString(t0, unit: "s", significantDigits: 4)) to \(TickFormat.siString(t1, unit: "s", significantDigits: 4));"
            + " runs of bars under half a pixel merge into one bar coloured by the kind with the most busy time and paler the less of it was busy (hover for the mix)."
    }

    // MARK: - Memory

    /// A binary byte unit for axes: the largest of B, KiB … TiB that keeps `maximum` ≥ 1.
    public static func byteUnit(_ maximum: Double) -> (divisor: Double, name: String) {
        let units: [(Double, String)] = [(1_099_511_627_776, "TiB"), (1_073_741_824, "GiB"), (1_048_576, "MiB"), (1024, "KiB")]
        return units.first { maximum >= $0.0 } ?? (1, "B")
    }

    /// The maximum of a step function (value `samples[i].bytes` from `samples[i].time` on) in
    /// each of `buckets` equal time slices of [0, end], drawn as steps.
    static func envelope(_ samples: [(time: Double, bytes: Double)], end: Double, buckets: Int) -> [DataPoint] {
        guard end > 0, !samples.isEmpty else { return [] }
        var samples = samples
        if zip(samples, samples.dropFirst()).contains(where: { $0.time > $1.time }) {
            samples = samples.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        }
        var out: [DataPoint] = []
        let width = end / Double(buckets)
        var i = 0, current = 0.0
        for b in 0..<buckets {
            let lo = Double(b) * width, hi = b == buckets - 1 ? end : Double(b + 1) * width
            var top = current
            while i < samples.count && samples[i].time < hi {
                current = samples[i].bytes
                top = max(top, current)
                i += 1
            }
            if b == buckets - 1 {
                while i < samples.count { current = samples[i].bytes; top = max(top, current); i += 1 }
            }
            if let last = out.last, last.y == top { out[out.count - 1] = DataPoint(hi, top); continue }
            out.append(DataPoint(lo, top))
            out.append(DataPoint(hi, top))
        }
        return out
    }

    /// Bytes allocated per memory tier over the run (the peak in each of `buckets` time slices), one
    /// line per tier that held anything; a dashed capacity line for tiers that came within 2× of it.
    public static func memory(_ result: SimulationResult, title: String?, buckets: Int = 480, width: Double = 960,
                              height: Double = 360) -> LineChart {
        var perTier: [String: [(time: Double, bytes: Double)]] = [:]
        for s in result.memorySamples { perTier[s.memory, default: []].append((s.time, s.bytes)) }
        let tiers = result.memories.filter { $0.peakBytes > 0 && perTier[$0.id] != nil }
        let unit = byteUnit(tiers.map(\.peakBytes).max() ?? 0)
        var series: [LineChart.Series] = []
        var references: [ReferenceLine] = []
        let colors = Palette.tableau10.assign(tiers.map(\.id))
        for m in tiers {
            let points = envelope(perTier[m.id]!, end: result.makespanSeconds, buckets: buckets)
                .map { DataPoint($0.x, $0.y / unit.divisor) }
            series.append(LineChart.Series(name: m.id, points: points, color: colors[m.id]))
            if m.capacityBytes.isFinite && m.capacityBytes <= 2 * m.peakBytes {
                references.append(.horizontal(at: m.capacityBytes / unit.divisor, label: "\(m.id) capacity \(Format.bytes(m.capacityBytes))",
                                              labelPlacement: .low, color: colors[m.id] ?? "#555555", dash: [6, 4]))
            }
        }
        var chart = LineChart(title: title, xAxis: .linear("Simulated time", domain: result.makespanSeconds > 0 ? 0...result.makespanSeconds : nil,
                                                          formatter: TickFormat.seconds),
                              yAxis: .linear("Allocated", unit: unit.name, includesZero: true), series: series,
                              referenceLines: references, width: width, height: height)
        chart.showMarkers = false
        chart.legend = .top
        return chart
    }
}
