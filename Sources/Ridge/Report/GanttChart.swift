// Gantt / timeline chart: one row per track, bars over a time axis, with merging of sub-pixel bars.

/// A timeline: rows are tracks (e.g. `"gpu/compute"`, `"pcie/copy"`), bars are busy intervals.
///
/// ## Bar merging
/// Timelines of real workloads hold tens of thousands of intervals, most far narrower than a pixel.
/// To keep the SVG small, each row is processed in start order and every bar whose on-screen width
/// is below ``mergeThreshold`` (default 0.5 px) is merged with the neighbouring narrow bars of the
/// same row that start within 1 px of the end of the run being built. A run becomes one `<rect>`
/// (at least ``mergeThreshold`` wide) coloured by the category with the most busy time in it; its
/// tooltip gives the number of merged bars, their time span, the busy time and the category mix.
/// Bars at least ``mergeThreshold`` wide are drawn individually. Since merged runs are separated by
/// gaps of more than 1 px, a row draws at most about `plotWidth` merged runs, independently of the
/// number of input bars. (Wide bars that overlap in the same row are all drawn.) A merged run's fill
/// opacity is its busy time over its time span (at least 0.2), so a row of sparse short bars reads
/// as mostly idle rather than solid.
///
///     var g = GanttChart(title: "Timeline", bars: [
///         .init(track: "gpu/compute", start: 0, end: 2e-3, category: "matmul", label: "fc1"),
///         .init(track: "pcie/copy", start: 1e-3, end: 1.5e-3, category: "h2d")])
///     let svg = g.render()
public struct GanttChart: Sendable {
    /// One busy interval.
    public struct Bar: Sendable, Hashable {
        public var track: String
        /// Start time (seconds, or the unit of ``GanttChart/timeAxis``).
        public var start: Double
        public var end: Double
        /// Colour key and legend entry.
        public var category: String
        /// Name shown in the default tooltip (e.g. the operator name).
        public var label: String?
        /// Full tooltip text, replacing the default `label/category + times`.
        public var tooltip: String?

        public init(track: String, start: Double, end: Double, category: String, label: String? = nil,
                    tooltip: String? = nil) {
            self.track = track
            self.start = start
            self.end = end
            self.category = category
            self.label = label
            self.tooltip = tooltip
        }
    }

    public var title: String?
    public var bars: [Bar]
    /// Row order (top to bottom). `nil`: order of first appearance in ``bars``. Tracks listed here
    /// but without bars get an empty row; bars on unlisted tracks are not drawn.
    public var tracks: [String]?
    /// Time axis; by default linear, includes 0, labels in seconds with SI prefixes.
    public var timeAxis: Axis = .linear("Time", formatter: TickFormat.seconds, includesZero: true)
    /// Formats times in tooltips.
    public var tooltipFormatter: TickFormatter = TickFormat.si(unit: "s", significantDigits: 4)
    public var palette: Palette = .default
    /// Explicit category → colour overrides.
    public var colors: [String: String] = [:]
    public var legend: LegendPosition = .top
    public var legendTitle: String?
    /// Bars narrower than this many pixels are merged (see the type documentation).
    public var mergeThreshold: Double = 0.5
    /// Row height in pixels when ``height`` is `nil`.
    public var rowHeight: Double = 26
    public var width: Double
    /// Total height; `nil` sizes the chart to fit the rows.
    public var height: Double?
    public var style: ChartStyle = .default

    public init(title: String? = nil, bars: [Bar], tracks: [String]? = nil, width: Double = 800,
                height: Double? = nil) {
        self.title = title
        self.bars = bars
        self.tracks = tracks
        self.width = width
        self.height = height
    }

    /// A bar as drawn: pixel extent plus colour and tooltip.
    struct DrawnBar: Hashable {
        var x0: Double
        var x1: Double
        var category: String
        var tooltip: String
        var mergedCount: Int
        /// Busy time over the run's time span (1 for single bars): merged runs are drawn paler the
        /// less of their span was busy, so a sparse row does not look fully occupied.
        var busyFraction: Double = 1
    }

    /// Pixel layout of one row's bars, merging sub-threshold bars (see the type documentation).
    static func layoutRow(_ bars: [Bar], scale: Scale, threshold: Double, clipTo: (Double, Double),
                          format: TickFormatter) -> [DrawnBar] {
        let order = bars.indices.sorted {
            let a = bars[$0], b = bars[$1]
            if a.start != b.start { return a.start < b.start }
            if a.end != b.end { return a.end < b.end }
            return $0 < $1
        }
        let gap = 1.0
        var out: [DrawnBar] = []

        struct Run {
            var x0: Double, x1: Double, t0: Double, t1: Double, count: Int
            var busy: [String: Double]
            var first: Bar
        }
        var run: Run?

        func flush() {
            guard let r = run else { return }
            run = nil
            if r.count == 1 {
                out.append(DrawnBar(x0: r.x0, x1: max(r.x1, r.x0 + threshold), category: r.first.category,
                                    tooltip: tooltip(r.first, format), mergedCount: 1))
                return
            }
            let total = r.busy.values.reduce(0, +)
            let mix = r.busy.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            let top = mix.prefix(4).map { kv -> String in
                let pct = total > 0 ? kv.value / total * 100 : 0
                return "\(kv.key) \(SVGFormat.decimal(pct, maxFractionDigits: 0))%"
            }.joined(separator: ", ")
            let text = "\(r.count) bars merged\n\(format(r.t0)) – \(format(r.t1))\nbusy \(format(total))\n\(top)"
                + (mix.count > 4 ? ", …" : "")
            let span = r.t1 - r.t0
            out.append(DrawnBar(x0: r.x0, x1: max(r.x1, r.x0 + threshold), category: mix.first?.key ?? "",
                                tooltip: text, mergedCount: r.count, busyFraction: span > 0 ? min(1, total / span) : 1))
        }

        for i in order {
            let b = bars[i]
            guard b.start.isFinite, b.end.isFinite else { continue }
            var x0 = scale.map(min(b.start, b.end)), x1 = scale.map(max(b.start, b.end))
            if x1 < clipTo.0 || x0 > clipTo.1 { continue }
            x0 = max(x0, clipTo.0)
            x1 = min(x1, clipTo.1)
            let duration = abs(b.end - b.start)
            if x1 - x0 >= threshold {
                flush()
                out.append(DrawnBar(x0: x0, x1: x1, category: b.category, tooltip: tooltip(b, format), mergedCount: 1))
                continue
            }
            if var r = run, x0 <= r.x1 + gap {
                r.x1 = max(r.x1, x1)
                r.t1 = max(r.t1, max(b.start, b.end))
                r.count += 1
                r.busy[b.category, default: 0] += duration
                run = r
            } else {
                flush()
                run = Run(x0: x0, x1: x1, t0: min(b.start, b.end), t1: max(b.start, b.end), count: 1,
                          busy: [b.category: duration], first: b)
            }
        }
        flush()
        return out
    }

    static func tooltip(_ b: Bar, _ format: TickFormatter) -> String {
        if let t = b.tooltip { return t }
        var lines: [String] = []
        if let l = b.label, !l.isEmpty {
            lines.append(b.category.isEmpty ? l : "\(l) (\(b.category))")
        } else if !b.category.isEmpty {
            lines.append(b.category)
        }
        lines.append("\(format(b.start)) – \(format(b.end)) (\(format(b.end - b.start)))")
        return lines.joined(separator: "\n")
    }

    /// The row order actually used.
    var resolvedTracks: [String] {
        if let tracks { return tracks }
        var seen = Set<String>(), out: [String] = []
        for b in bars where seen.insert(b.track).inserted { out.append(b.track) }
        return out
    }

    /// The chart as an SVG document.
    public func document() -> SVGDocument {
        let rows = resolvedTracks
        let categories = palette.assign(bars.map(\.category), overrides: colors)
        let legendEntries = legend == .hidden ? [] : Set(bars.map(\.category)).sorted().filter { !$0.isEmpty }
            .map { LegendEntry($0, color: categories[$0] ?? palette.color(at: 0)) }
        let legendBox = LegendBox(entries: legendEntries, title: legendTitle, style: style)

        // Vertical layout.
        var top = style.padding + ((title?.isEmpty ?? true) ? 0 : style.titleFontSize * 1.6)
        var legendTopY: Double?
        var legendRightWidth = 0.0
        switch legend {
        case .top where !legendBox.isEmpty:
            legendTopY = top
            top += legendBox.horizontalSize(maxWidth: width - 2 * style.padding).height + 6
        case .right where !legendBox.isEmpty:
            legendRightWidth = legendBox.verticalSize(maxHeight: .infinity).width + 18
        default: break
        }
        let plotTop = top + 6
        let bottomMargin = style.padding + AxisRenderer.bottomHeight(style, hasTitle: !timeAxis.label.isEmpty)
        let n = max(rows.count, 1)
        let totalHeight = height ?? (plotTop + Double(n) * rowHeight + bottomMargin)
        let plotHeight = max(20, totalHeight - plotTop - bottomMargin)
        let rh = plotHeight / Double(n)

        var doc = style.makeDocument(width: width, height: totalHeight, label: title)
        _ = style.drawTitle(title, in: &doc)

        // Horizontal layout.
        let labelWidths = rows.map { TextMetrics.width($0, fontSize: style.fontSize) }
        let maxLabel = min(labelWidths.max() ?? 0, width * 0.3)
        let left = style.padding + maxLabel + 10
        var plotRight = width - style.padding - legendRightWidth
        var times: [Double] = []
        times.reserveCapacity(bars.count * 2)
        let rowSet = Set(rows)
        for b in bars where rowSet.contains(b.track) {
            times.append(b.start)
            times.append(b.end)
        }
        let extent = { (s: String) in TextMetrics.width(s, fontSize: style.fontSize) }
        var xRes = timeAxis.resolve(values: times, from: left, to: plotRight, extent: extent)
        if let last = xRes.ticks.indices.last {
            let overflow = xRes.scale.map(xRes.ticks[last]) + extent(xRes.labels[last]) / 2
                - (width - legendRightWidth - style.padding / 2)
            if overflow > 0 {
                plotRight -= overflow
                xRes = timeAxis.resolve(values: times, from: left, to: plotRight, extent: extent)
            }
        }
        let plot = PlotRect(x: left, y: plotTop, width: plotRight - left, height: plotHeight)

        // Row stripes and labels.
        doc.group(cssClass: "rows") { g in
            for (i, name) in rows.enumerated() where i % 2 == 1 {
                _ = name
                g.rect(x: plot.x, y: plot.y + Double(i) * rh, width: plot.width, height: rh,
                       style: SVGStyle(fill: "#F6F6F6", crispEdges: true))
            }
        }
        AxisRenderer.drawGrid(x: (timeAxis, xRes), y: nil, plot: plot, style: style, in: &doc)
        doc.group(cssClass: "track-labels") { g in
            for (i, name) in rows.enumerated() {
                let shown = TextMetrics.truncate(name, fontSize: style.fontSize, maxWidth: maxLabel)
                g.text(shown, x: left - 8, y: plot.y + (Double(i) + 0.5) * rh, anchor: .end, baseline: .middle,
                       title: shown == name ? nil : name)
            }
        }

        // Bars.
        var byTrack: [String: [Bar]] = [:]
        for b in bars where rowSet.contains(b.track) { byTrack[b.track, default: []].append(b) }
        let barInset = min(rh * 0.15, 6)
        doc.group(cssClass: "bars") { g in
            for (i, name) in rows.enumerated() {
                guard let rowBars = byTrack[name] else { continue }
                let drawn = GanttChart.layoutRow(rowBars, scale: xRes.scale, threshold: mergeThreshold,
                                                 clipTo: (plot.x, plot.maxX), format: tooltipFormatter)
                let y = plot.y + Double(i) * rh + barInset
                g.group(cssClass: "track") { tg in
                    for d in drawn {
                        let color = categories[d.category] ?? palette.color(at: 0)
                        // Paler for merged runs that were mostly idle (never below 0.2, so they stay visible).
                        let opacity = d.busyFraction < 0.995 ? max(0.2, d.busyFraction) : nil
                        tg.rect(x: d.x0, y: y, width: d.x1 - d.x0, height: rh - 2 * barInset,
                                style: SVGStyle(fill: color, fillOpacity: opacity), title: d.tooltip)
                    }
                }
            }
        }

        // Row separators and axes.
        doc.line(x1: plot.x, y1: plot.y, x2: plot.x, y2: plot.maxY,
                 style: SVGStyle(stroke: style.axisColor, strokeWidth: 1, crispEdges: true))
        AxisRenderer.drawBottom(timeAxis, xRes, plot: plot, style: style, in: &doc)

        if let y = legendTopY {
            legendBox.drawHorizontal(x: style.padding, y: y, maxWidth: width - 2 * style.padding, in: &doc)
        } else if legend == .right {
            legendBox.drawVertical(x: plot.maxX + 18, y: plot.y, maxHeight: .infinity, in: &doc)
        }
        return doc
    }

    /// `document().render()`.
    public func render() -> String {
        document().render()
    }
}
