// Heatmap: x categories × y categories → value, with a colour legend bar.

/// A grid of coloured cells (e.g. utilisation per engine × phase, or a 2-D sweep), with a
/// colour-scale legend bar on the right whose ticks come from ``valueAxis``.
///
///     let h = Heatmap(title: "Latency", xCategories: ["1", "8", "64"], yCategories: ["A100", "H100"],
///                     values: [[1e-3, 2e-3, 9e-3], [0.6e-3, nil, 5e-3]],
///                     xTitle: "Batch size", yTitle: "GPU",
///                     valueAxis: .log("Latency", formatter: TickFormat.seconds))
///     let svg = h.render()
public struct Heatmap: Sendable {
    /// One cell for ``init(title:cells:xTitle:yTitle:valueAxis:width:height:)``.
    public struct Cell: Sendable, Hashable {
        public var x: String
        public var y: String
        public var value: Double
        public var tooltip: String?
        public init(x: String, y: String, value: Double, tooltip: String? = nil) {
            self.x = x
            self.y = y
            self.value = value
            self.tooltip = tooltip
        }
    }

    public var title: String?
    /// Column labels, left to right.
    public var xCategories: [String]
    /// Row labels, top to bottom.
    public var yCategories: [String]
    /// `values[row][column]`; `nil` (or missing, or non-finite) cells are drawn in ``missingColor``.
    public var values: [[Double?]]
    /// Optional per-cell tooltips, same shape as ``values``; default `"y, x: value"`.
    public var tooltips: [[String?]]?
    public var xTitle: String
    public var yTitle: String
    /// Scale kind, domain, formatter and title (with unit) of the colour legend.
    public var valueAxis: Axis
    public var colorScale: ColorScale = .viridis
    /// Print values inside cells; `nil` prints them when they fit.
    public var showValues: Bool?
    public var missingColor: String = "#EEEEEE"
    public var width: Double
    public var height: Double
    public var style: ChartStyle = .default

    public init(title: String? = nil, xCategories: [String], yCategories: [String], values: [[Double?]],
                xTitle: String = "", yTitle: String = "", valueAxis: Axis = .linear("Value"),
                width: Double = 800, height: Double = 500) {
        self.title = title
        self.xCategories = xCategories
        self.yCategories = yCategories
        self.values = values
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.valueAxis = valueAxis
        self.width = width
        self.height = height
    }

    /// Builds the grid from sparse cells; categories keep their order of first appearance.
    public init(title: String? = nil, cells: [Cell], xTitle: String = "", yTitle: String = "",
                valueAxis: Axis = .linear("Value"), width: Double = 800, height: Double = 500) {
        var xs: [String] = [], ys: [String] = []
        var xi: [String: Int] = [:], yi: [String: Int] = [:]
        for c in cells {
            if xi[c.x] == nil {
                xi[c.x] = xs.count
                xs.append(c.x)
            }
            if yi[c.y] == nil {
                yi[c.y] = ys.count
                ys.append(c.y)
            }
        }
        var v = [[Double?]](repeating: [Double?](repeating: nil, count: xs.count), count: ys.count)
        var t = [[String?]](repeating: [String?](repeating: nil, count: xs.count), count: ys.count)
        for c in cells {
            v[yi[c.y]!][xi[c.x]!] = c.value
            t[yi[c.y]!][xi[c.x]!] = c.tooltip
        }
        self.init(title: title, xCategories: xs, yCategories: ys, values: v, xTitle: xTitle, yTitle: yTitle,
                  valueAxis: valueAxis, width: width, height: height)
        self.tooltips = t
    }

    private func value(_ r: Int, _ c: Int) -> Double? {
        guard r < values.count, c < values[r].count, let v = values[r][c], v.isFinite else { return nil }
        if valueAxis.kind == .log10 && v <= 0 { return nil }
        return v
    }

    /// The chart as an SVG document.
    public func document() -> SVGDocument {
        var doc = style.makeDocument(width: width, height: height, label: title)
        let top = style.drawTitle(title, in: &doc) + 6
        let fs = style.fontSize
        let nx = max(1, xCategories.count), ny = max(1, yCategories.count)

        var all: [Double] = []
        for r in 0..<yCategories.count {
            for c in 0..<xCategories.count {
                if let v = value(r, c) { all.append(v) }
            }
        }

        // Colour legend (right): bar, ticks, labels, rotated title.
        let barWidth = 14.0
        let legendTitleSpace = valueAxis.label.isEmpty ? 0 : 10 + style.axisTitleFontSize
        // Provisional vertical extent for the legend ticks (refined below).
        let provisional = valueAxis.resolve(values: all, from: height - 60, to: top, extent: { _ in fs * 1.2 }, gap: 6)
        let legendWidth = 22 + barWidth + AxisRenderer.tickLength + 4 + provisional.maxLabelWidth(fs) + legendTitleSpace

        // Left: row labels + title.
        let rowLabelMax = min(yCategories.map { TextMetrics.width($0, fontSize: fs) }.max() ?? 0, width * 0.25)
        let left = style.padding + (yTitle.isEmpty ? 0 : style.axisTitleFontSize + 10) + rowLabelMax + 8
        let plotRight = width - style.padding - legendWidth
        let plotWidth = max(20, plotRight - left)
        let cellW = plotWidth / Double(nx)

        // Bottom: column labels, rotated when they do not fit.
        let colLabelMax = min(xCategories.map { TextMetrics.width($0, fontSize: fs) }.max() ?? 0, 160)
        let rotate = colLabelMax + 6 > cellW
        let labelBand = rotate ? colLabelMax * 0.72 + fs : fs + 4
        let bottom = style.padding + 6 + labelBand + (xTitle.isEmpty ? 0 : 10 + style.axisTitleFontSize)
        let plot = PlotRect(x: left, y: top, width: plotWidth, height: max(20, height - top - bottom))
        let cellH = plot.height / Double(ny)

        let legendRes = valueAxis.resolve(values: all, from: plot.maxY, to: plot.y, extent: { _ in fs * 1.2 }, gap: 6)
        let unit = legendRes.scale.withRange(0, 1)
        func color(_ v: Double) -> String {
            let t = unit.map(v)
            return t.isFinite ? colorScale.color(at: t) : missingColor
        }

        let valueFits: (String) -> Bool = { text in
            TextMetrics.width(text, fontSize: fs - 1) + 6 <= cellW && fs + 4 <= cellH
        }
        doc.group(cssClass: "cells") { g in
            for r in 0..<yCategories.count {
                for c in 0..<xCategories.count {
                    let x = plot.x + Double(c) * cellW, y = plot.y + Double(r) * cellH
                    let v = value(r, c)
                    let fill = v.map(color) ?? missingColor
                    let given = tooltips.flatMap { r < $0.count && c < $0[r].count ? $0[r][c] : nil }
                    let tip = given ?? "\(yCategories[r]), \(xCategories[c]): \(v.map(valueAxis.formatter) ?? "n/a")"
                    g.rect(x: x, y: y, width: cellW, height: cellH,
                           style: SVGStyle(fill: fill, stroke: "#FFFFFF", strokeWidth: cellW > 6 && cellH > 6 ? 1 : 0),
                           title: tip)
                    if let v {
                        let text = valueAxis.formatter(v)
                        if showValues ?? valueFits(text) {
                            g.text(text, x: x + cellW / 2, y: y + cellH / 2, anchor: .middle, baseline: .middle,
                                   fontSize: fs - 1, fill: RGB(hex: fill).contrastingText)
                        }
                    }
                }
            }
        }

        // Row labels and column labels.
        doc.group(cssClass: "labels") { g in
            for (r, name) in yCategories.enumerated() {
                let shown = TextMetrics.truncate(name, fontSize: fs, maxWidth: rowLabelMax)
                g.text(shown, x: plot.x - 8, y: plot.y + (Double(r) + 0.5) * cellH, anchor: .end, baseline: .middle,
                       fill: style.mutedTextColor, title: shown == name ? nil : name)
            }
            for (c, name) in xCategories.enumerated() {
                let shown = TextMetrics.truncate(name, fontSize: fs, maxWidth: colLabelMax)
                let cx = plot.x + (Double(c) + 0.5) * cellW
                if rotate {
                    g.text(shown, x: cx + fs * 0.3, y: plot.maxY + 8, anchor: .end, rotation: -45,
                           fill: style.mutedTextColor, title: shown == name ? nil : name)
                } else {
                    g.text(shown, x: cx, y: plot.maxY + 6, anchor: .middle, baseline: .hanging,
                           fill: style.mutedTextColor, title: shown == name ? nil : name)
                }
            }
            if !yTitle.isEmpty {
                g.text(yTitle, x: style.padding + style.axisTitleFontSize * 0.8, y: plot.y + plot.height / 2,
                       anchor: .middle, rotation: -90, fontSize: style.axisTitleFontSize)
            }
            if !xTitle.isEmpty {
                g.text(xTitle, x: plot.x + plot.width / 2, y: plot.maxY + 6 + labelBand + 10 + style.axisTitleFontSize * 0.8,
                       anchor: .middle, fontSize: style.axisTitleFontSize)
            }
        }

        // Colour legend bar: stacked slices (no gradient ids, so several charts can be inlined in one page).
        let bar = PlotRect(x: plot.maxX + 22, y: plot.y, width: barWidth, height: plot.height)
        doc.group(cssClass: "color-legend") { g in
            let slices = 64
            for i in 0..<slices {
                let t0 = Double(i) / Double(slices)
                let y = bar.maxY - Double(i + 1) * bar.height / Double(slices)
                g.rect(x: bar.x, y: y, width: bar.width, height: bar.height / Double(slices) + 0.6,
                       style: .fill(colorScale.color(at: t0 + 0.5 / Double(slices))))
            }
            g.rect(x: bar.x, y: bar.y, width: bar.width, height: bar.height,
                   style: SVGStyle(fill: "none", stroke: style.axisColor, strokeWidth: 0.5))
        }
        var legendAxis = valueAxis
        legendAxis.showMinorTicks = valueAxis.kind == .log10
        AxisRenderer.drawVertical(legendAxis, legendRes, plot: bar, style: style, right: true, in: &doc)
        return doc
    }

    /// `document().render()`.
    public func render() -> String {
        document().render()
    }
}
