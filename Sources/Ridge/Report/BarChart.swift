// Bar chart: categories → values, single, stacked or grouped series, vertical or horizontal.

/// Bars per category, e.g. "time by operator kind".
///
///     // Single series, horizontal, each bar coloured like its kind elsewhere in the report:
///     var b = BarChart(title: "Time by kind", values: [("matmul", 3.1e-3), ("softmax", 0.4e-3)],
///                      valueAxis: .linear("Time", formatter: TickFormat.seconds))
///     b.orientation = .horizontal
///     b.colorByCategory = true
///     b.colors = reportColors
///
///     // Stacked: compute vs. memory time per layer.
///     let s = BarChart(title: "Per layer", categories: ["l0", "l1"],
///                      series: [.init(name: "compute", values: [1, 2]), .init(name: "memory", values: [2, 1])],
///                      valueAxis: .linear("Time", formatter: TickFormat.seconds))
///
/// The value axis always includes 0. Negative values extend the other way from 0 (stacked
/// negatives stack separately).
public struct BarChart: Sendable {
    public enum Orientation: Sendable, Hashable {
        /// Bars grow upwards; category labels under the plot (rotated when crowded).
        case vertical
        /// Bars grow to the right; category labels left of the plot (better for long names).
        case horizontal
    }

    public enum Mode: Sendable, Hashable {
        /// Series stacked on one bar per category.
        case stacked
        /// Series side by side within each category.
        case grouped
    }

    /// One value per category.
    public struct Series: Sendable, Hashable {
        public var name: String
        /// `values[i]` belongs to `categories[i]`; missing entries count as 0.
        public var values: [Double]
        /// `nil`: assigned from the palette by sorted series name.
        public var color: String?
        public init(name: String, values: [Double], color: String? = nil) {
            self.name = name
            self.values = values
            self.color = color
        }
    }

    public var title: String?
    public var categories: [String]
    public var series: [Series]
    public var mode: Mode = .stacked
    public var orientation: Orientation = .vertical
    /// Value axis (title, unit, formatter, linear or log — log only makes sense for grouped/single
    /// positive values).
    public var valueAxis: Axis
    /// Title of the category axis.
    public var categoryTitle: String = ""
    /// Print the value (stack total) at the end of each bar when it fits.
    public var showValueLabels: Bool = true
    /// Single series only: colour each bar by its category name instead of by series.
    public var colorByCategory: Bool = false
    public var palette: Palette = .default
    /// Explicit name → colour overrides (series names, or categories with ``colorByCategory``).
    public var colors: [String: String] = [:]
    /// Shown when there is more than one series.
    public var legend: LegendPosition = .right
    public var legendTitle: String?
    public var width: Double
    public var height: Double
    public var style: ChartStyle = .default

    public init(title: String? = nil, categories: [String], series: [Series], valueAxis: Axis = .linear(),
                mode: Mode = .stacked, orientation: Orientation = .vertical, width: Double = 800, height: Double = 500) {
        self.title = title
        self.categories = categories
        self.series = series
        self.valueAxis = valueAxis
        self.mode = mode
        self.orientation = orientation
        self.width = width
        self.height = height
    }

    /// A single-series chart from (category, value) pairs, in the given order.
    public init(title: String? = nil, values: [(String, Double)], valueAxis: Axis = .linear(),
                orientation: Orientation = .vertical, width: Double = 800, height: Double = 500) {
        self.init(title: title, categories: values.map(\.0), series: [Series(name: "", values: values.map(\.1))],
                  valueAxis: valueAxis, mode: .stacked, orientation: orientation, width: width, height: height)
    }

    private func value(_ s: Series, _ i: Int) -> Double {
        i < s.values.count && s.values[i].isFinite ? s.values[i] : 0
    }

    /// One drawn segment: data extent along the value axis, slot within the category band.
    private struct Segment {
        var category: Int
        var series: Int
        var from: Double
        var to: Double
        var slot: Int
        var slots: Int
    }

    private func segments() -> [Segment] {
        var out: [Segment] = []
        let grouped = mode == .grouped && series.count > 1
        for c in categories.indices {
            var pos = 0.0, neg = 0.0
            for (si, s) in series.enumerated() {
                let v = value(s, c)
                if grouped {
                    out.append(Segment(category: c, series: si, from: 0, to: v, slot: si, slots: series.count))
                } else if v >= 0 {
                    out.append(Segment(category: c, series: si, from: pos, to: pos + v, slot: 0, slots: 1))
                    pos += v
                } else {
                    out.append(Segment(category: c, series: si, from: neg, to: neg + v, slot: 0, slots: 1))
                    neg += v
                }
            }
        }
        return out
    }

    /// The chart as an SVG document.
    public func document() -> SVGDocument {
        let fs = style.fontSize
        var doc = style.makeDocument(width: width, height: height, label: title)
        var top = style.drawTitle(title, in: &doc)
        let segs = segments()
        var axis = valueAxis
        axis.includesZero = true
        let single = series.count == 1
        let byCategory = single && colorByCategory
        let seriesColors = palette.assign(series.map(\.name), overrides: colors)
        let categoryColors = palette.assign(categories, overrides: colors)
        func color(_ seg: Segment) -> String {
            if byCategory { return categoryColors[categories[seg.category]] ?? palette.color(at: 0) }
            let s = series[seg.series]
            return s.color ?? seriesColors[s.name] ?? palette.color(at: 0)
        }

        // Legend.
        let entries = (single || legend == .hidden) ? [] : series.map {
            LegendEntry($0.name, color: $0.color ?? seriesColors[$0.name] ?? palette.color(at: 0))
        }
        let legendBox = LegendBox(entries: entries, title: legendTitle, style: style)
        var legendTopY: Double?
        var rightMargin = style.padding
        if legend == .top && !legendBox.isEmpty {
            legendTopY = top
            top += legendBox.horizontalSize(maxWidth: width - 2 * style.padding).height + 6
        } else if legend == .right && !legendBox.isEmpty {
            rightMargin += legendBox.verticalSize(maxHeight: height - top - 60).width + 18
        }
        let plotTop = top + 10

        // Values along the value axis, with totals for labels.
        var totals = [Double](repeating: 0, count: categories.count)
        var extents: [Double] = [0]
        for s in segs {
            extents.append(s.to)
            if mode == .grouped && series.count > 1 { continue }
            totals[s.category] += s.to - s.from
        }
        let valueLabels: [(category: Int, slot: Int, slots: Int, value: Double, end: Double)] = {
            guard showValueLabels else { return [] }
            if mode == .grouped && series.count > 1 {
                return segs.map { ($0.category, $0.slot, $0.slots, $0.to, $0.to) }
            }
            return categories.indices.map { c in
                let end = segs.filter { $0.category == c }.map { totals[c] >= 0 ? max($0.to, $0.from) : min($0.to, $0.from) }
                let e = totals[c] >= 0 ? (end.max() ?? 0) : (end.min() ?? 0)
                return (c, 0, 1, totals[c], e)
            }
        }()
        /// Black or white, readable on the segment that ends at `end`.
        func insideTextColor(_ category: Int, _ slot: Int, _ end: Double) -> String {
            let seg = segs.last { $0.category == category && $0.slot == slot && $0.to == end }
                ?? segs.last { $0.category == category }
            return seg.map { RGB(hex: color($0)).contrastingText } ?? style.textColor
        }
        let n = max(1, categories.count)
        let labelWidths = categories.map { TextMetrics.width($0, fontSize: fs) }

        switch orientation {
        case .vertical:
            let bottomTitle = categoryTitle.isEmpty ? 0 : 10 + style.axisTitleFontSize
            var bottom = style.padding + 8 + fs + bottomTitle
            var yRes = axis.resolve(values: extents, from: height - bottom, to: plotTop, extent: { _ in fs * 1.2 }, gap: 6)
            var left = style.padding + AxisRenderer.leftWidth(style, labelWidth: yRes.maxLabelWidth(fs),
                                                              hasTitle: !axis.label.isEmpty)
            let band = (width - rightMargin - left) / Double(n)
            let maxLabel = min(labelWidths.max() ?? 0, 150)
            let rotate = maxLabel + 6 > band
            if rotate {
                bottom = style.padding + 8 + maxLabel * 0.72 + fs + bottomTitle
                yRes = axis.resolve(values: extents, from: height - bottom, to: plotTop, extent: { _ in fs * 1.2 }, gap: 6)
                left = style.padding + AxisRenderer.leftWidth(style, labelWidth: yRes.maxLabelWidth(fs),
                                                              hasTitle: !axis.label.isEmpty)
            }
            let plot = PlotRect(x: left, y: plotTop, width: width - rightMargin - left, height: height - bottom - plotTop)
            let bw = plot.width / Double(n)
            let ys = yRes.scale
            AxisRenderer.drawGrid(x: nil, y: (axis, yRes), plot: plot, style: style, in: &doc)
            doc.group(cssClass: "bars") { g in
                for s in segs {
                    let inner = bw * 0.72
                    let slotW = inner / Double(s.slots)
                    let x = plot.x + Double(s.category) * bw + (bw - inner) / 2 + Double(s.slot) * slotW
                    let y0 = clampPx(ys.map(s.from), plot.y, plot.maxY), y1 = clampPx(ys.map(s.to), plot.y, plot.maxY)
                    guard abs(y1 - y0) > 0 else { continue }
                    g.rect(x: x, y: min(y0, y1), width: slotW, height: abs(y1 - y0),
                           style: SVGStyle(fill: color(s), stroke: "#FFFFFF", strokeWidth: 0.5), title: tooltip(s, totals))
                }
                for l in valueLabels {
                    let text = axis.formatter(l.value)
                    let slotW = bw * 0.72 / Double(l.slots)
                    guard TextMetrics.width(text, fontSize: fs - 1) <= max(slotW + 8, bw * 0.95) || l.slots == 1 else { continue }
                    let cx = plot.x + Double(l.category) * bw + bw * 0.14 + (Double(l.slot) + 0.5) * slotW
                    let py = clampPx(ys.map(l.end), plot.y, plot.maxY)
                    if l.end >= 0 {
                        g.text(text, x: cx, y: py - 4, anchor: .middle, fontSize: fs - 1, fill: style.mutedTextColor)
                    } else if py + 4 + fs <= plot.maxY {
                        g.text(text, x: cx, y: py + 4, anchor: .middle, baseline: .hanging, fontSize: fs - 1,
                               fill: style.mutedTextColor)
                    } else {
                        // No room below the plot edge: write it inside the bar end.
                        g.text(text, x: cx, y: py - 4, anchor: .middle, fontSize: fs - 1,
                               fill: insideTextColor(l.category, l.slot, l.end))
                    }
                }
            }
            doc.group(cssClass: "axis x-axis") { g in
                let zero = clampPx(ys.map(ys.kind == .log10 ? ys.domain.lowerBound : 0), plot.y, plot.maxY)
                g.line(x1: plot.x, y1: zero, x2: plot.maxX, y2: zero,
                       style: SVGStyle(stroke: style.axisColor, strokeWidth: 1, crispEdges: true))
                for (i, name) in categories.enumerated() {
                    let shown = TextMetrics.truncate(name, fontSize: fs, maxWidth: rotate ? maxLabel : bw - 4)
                    let cx = plot.x + (Double(i) + 0.5) * bw
                    let tip = shown == name ? nil : name
                    if rotate {
                        g.text(shown, x: cx + fs * 0.3, y: plot.maxY + 8, anchor: .end, rotation: -40,
                               fill: style.mutedTextColor, title: tip)
                    } else {
                        g.text(shown, x: cx, y: plot.maxY + 6, anchor: .middle, baseline: .hanging,
                               fill: style.mutedTextColor, title: tip)
                    }
                }
                if !categoryTitle.isEmpty {
                    g.text(categoryTitle, x: plot.x + plot.width / 2, y: height - style.padding - style.axisTitleFontSize * 0.2,
                           anchor: .middle, fontSize: style.axisTitleFontSize)
                }
            }
            AxisRenderer.drawVertical(axis, yRes, plot: plot, style: style, in: &doc)
            drawLegend(legendBox, topY: legendTopY, plot: plot, in: &doc)

        case .horizontal:
            let maxLabel = min(labelWidths.max() ?? 0, width * 0.3)
            let left = style.padding + (categoryTitle.isEmpty ? 0 : style.axisTitleFontSize + 10) + maxLabel + 10
            let bottom = style.padding + AxisRenderer.bottomHeight(style, hasTitle: !axis.label.isEmpty)
            let valueLabelRoom = showValueLabels
                ? (valueLabels.map { TextMetrics.width(axis.formatter($0.value), fontSize: fs - 1) }.max() ?? 0) + 8 : 0
            let right = width - rightMargin - valueLabelRoom
            let extent = { (s: String) in TextMetrics.width(s, fontSize: fs) }
            let xRes = axis.resolve(values: extents, from: left, to: right, extent: extent)
            let plot = PlotRect(x: left, y: plotTop, width: right - left, height: height - bottom - plotTop)
            let bh = plot.height / Double(n)
            let xs = xRes.scale
            AxisRenderer.drawGrid(x: (axis, xRes), y: nil, plot: plot, style: style, in: &doc)
            doc.group(cssClass: "bars") { g in
                for s in segs {
                    let inner = min(bh * 0.72, 48)
                    let slotH = inner / Double(s.slots)
                    let y = plot.y + Double(s.category) * bh + (bh - inner) / 2 + Double(s.slot) * slotH
                    let x0 = clampPx(xs.map(s.from), plot.x, plot.maxX), x1 = clampPx(xs.map(s.to), plot.x, plot.maxX)
                    guard abs(x1 - x0) > 0 else { continue }
                    g.rect(x: min(x0, x1), y: y, width: abs(x1 - x0), height: slotH,
                           style: SVGStyle(fill: color(s), stroke: "#FFFFFF", strokeWidth: 0.5), title: tooltip(s, totals))
                }
                for l in valueLabels {
                    let inner = min(bh * 0.72, 48)
                    let slotH = inner / Double(l.slots)
                    guard slotH >= fs * 0.9 || l.slots == 1 else { continue }
                    let cy = plot.y + Double(l.category) * bh + (bh - inner) / 2 + (Double(l.slot) + 0.5) * slotH
                    let px = clampPx(xs.map(l.end), plot.x, plot.maxX)
                    let text = axis.formatter(l.value)
                    if l.end >= 0 {
                        g.text(text, x: px + 4, y: cy, baseline: .middle, fontSize: fs - 1, fill: style.mutedTextColor)
                    } else {
                        // Left of the bar end, or inside it when that would run into the category labels.
                        let outside = px - 4 - TextMetrics.width(text, fontSize: fs - 1) >= plot.x
                        g.text(text, x: outside ? px - 4 : px + 4, y: cy, anchor: outside ? .end : .start,
                               baseline: .middle, fontSize: fs - 1,
                               fill: outside ? style.mutedTextColor : insideTextColor(l.category, l.slot, l.end))
                    }
                }
            }
            doc.group(cssClass: "axis y-axis") { g in
                let zero = clampPx(xs.map(xs.kind == .log10 ? xs.domain.lowerBound : 0), plot.x, plot.maxX)
                g.line(x1: zero, y1: plot.y, x2: zero, y2: plot.maxY,
                       style: SVGStyle(stroke: style.axisColor, strokeWidth: 1, crispEdges: true))
                for (i, name) in categories.enumerated() {
                    let shown = TextMetrics.truncate(name, fontSize: fs, maxWidth: maxLabel)
                    g.text(shown, x: plot.x - 8, y: plot.y + (Double(i) + 0.5) * bh, anchor: .end, baseline: .middle,
                           title: shown == name ? nil : name)
                }
                if !categoryTitle.isEmpty {
                    g.text(categoryTitle, x: style.padding + style.axisTitleFontSize * 0.8, y: plot.y + plot.height / 2,
                           anchor: .middle, rotation: -90, fontSize: style.axisTitleFontSize)
                }
            }
            AxisRenderer.drawBottom(axis, xRes, plot: plot, style: style, in: &doc)
            drawLegend(legendBox, topY: legendTopY, plot: plot, in: &doc)
        }
        return doc
    }

    /// `document().render()`.
    public func render() -> String {
        document().render()
    }

    private func drawLegend(_ box: LegendBox, topY: Double?, plot: PlotRect, in doc: inout SVGDocument) {
        guard !box.isEmpty else { return }
        if let y = topY {
            box.drawHorizontal(x: style.padding, y: y, maxWidth: width - 2 * style.padding, in: &doc)
        } else if legend == .right {
            box.drawVertical(x: width - style.padding - box.verticalSize(maxHeight: plot.height).width,
                             y: plot.y, maxHeight: plot.height, in: &doc)
        }
    }

    private func tooltip(_ s: Segment, _ totals: [Double]) -> String {
        let name = series[s.series].name
        let v = s.to - s.from
        var t = categories[s.category]
        t += "\n" + (name.isEmpty ? "" : "\(name): ") + valueAxis.formatter(v)
        if series.count > 1 && !(mode == .grouped) && totals[s.category] != 0 {
            t += " (\(SVGFormat.decimal(v / totals[s.category] * 100, maxFractionDigits: 0))%)"
        }
        return t
    }
}

/// Clamps a pixel coordinate into [a, b] (either order); NaN maps to the bound nearer the axis base.
func clampPx(_ v: Double, _ a: Double, _ b: Double) -> Double {
    let lo = min(a, b), hi = max(a, b)
    if v.isNaN { return hi }
    return min(hi, max(lo, v))
}
