// Axis configuration (scale kind, domain, ticks, labels, title with unit) and axis drawing.

/// How a chart axis is scaled, ticked, labelled and titled.
///
/// The axis title is shown as `"title (unit)"`. Tick labels come from ``formatter``; when the
/// formatter already prints a unit (e.g. ``TickFormat/seconds``), leave ``unit`` `nil`.
///
///     let x = Axis.log("Arithmetic intensity", unit: "FLOP/byte")
///     let y = Axis.log("Performance", formatter: TickFormat.si(unit: "FLOP/s"))
///     let t = Axis.linear("Time", formatter: TickFormat.seconds)
public struct Axis: Sendable {
    /// Axis title (without unit).
    public var title: String
    /// Unit appended to the title in parentheses, e.g. `"FLOP/byte"`.
    public var unit: String?
    /// Linear or log10.
    public var kind: Scale.Kind
    /// Fixed data domain; `nil` derives it from the data (and "nices" it, see ``niceDomain``).
    public var domain: ClosedRange<Double>?
    /// When the domain is derived from data, extend it to nice tick values (1-2-5 steps or decades).
    public var niceDomain: Bool
    /// Linear axes only: extend a data-derived domain to include 0.
    public var includesZero: Bool
    /// Target (maximum) number of major tick intervals; fewer are used if labels would collide.
    public var tickCount: Int
    /// Tick label formatter. Default: ``TickFormat/general(significantDigits:)`` (`"0.1"`, `"250"`, `"10k"`).
    public var formatter: TickFormatter
    /// Draw grid lines at major ticks.
    public var showGrid: Bool
    /// Draw minor ticks and faint minor grid lines (log axes only).
    public var showMinorTicks: Bool

    public init(title: String = "", unit: String? = nil, kind: Scale.Kind = .linear,
                domain: ClosedRange<Double>? = nil, formatter: @escaping TickFormatter = TickFormat.general(),
                tickCount: Int = 6, includesZero: Bool = false, niceDomain: Bool = true,
                showGrid: Bool = true, showMinorTicks: Bool = true) {
        self.title = title
        self.unit = unit
        self.kind = kind
        self.domain = domain
        self.formatter = formatter
        self.tickCount = tickCount
        self.includesZero = includesZero
        self.niceDomain = niceDomain
        self.showGrid = showGrid
        self.showMinorTicks = showMinorTicks
    }

    /// A linear axis.
    public static func linear(_ title: String = "", unit: String? = nil, domain: ClosedRange<Double>? = nil,
                              formatter: @escaping TickFormatter = TickFormat.general(),
                              includesZero: Bool = false) -> Axis {
        Axis(title: title, unit: unit, kind: .linear, domain: domain, formatter: formatter, includesZero: includesZero)
    }

    /// A log10 axis (values ≤ 0 are not drawn).
    public static func log(_ title: String = "", unit: String? = nil, domain: ClosedRange<Double>? = nil,
                           formatter: @escaping TickFormatter = TickFormat.general()) -> Axis {
        Axis(title: title, unit: unit, kind: .log10, domain: domain, formatter: formatter)
    }

    /// The displayed title: `"title (unit)"`, or just the title.
    public var label: String {
        guard let unit, !unit.isEmpty else { return title }
        return title.isEmpty ? unit : "\(title) (\(unit))"
    }

    /// The domain used for `values` before nicing: finite (and, for log, positive) values only.
    func dataDomain(_ values: [Double]) -> ClosedRange<Double> {
        if let domain { return domain }
        var lo = Double.infinity, hi = -Double.infinity
        for v in values where v.isFinite && (kind == .linear || v > 0) {
            lo = min(lo, v)
            hi = max(hi, v)
        }
        if lo > hi { return kind == .linear ? 0...1 : 1...10 }
        if kind == .linear && includesZero {
            lo = min(lo, 0)
            hi = max(hi, 0)
        }
        return lo...hi
    }

    /// Chooses scale, ticks and labels for pixels `from`…`to`, reducing the tick count until
    /// neighbouring labels (of size `extent(label)` along the axis) do not collide.
    func resolve(values: [Double], from: Double, to: Double, extent: (String) -> Double,
                 gap: Double = 8) -> ResolvedAxis {
        let raw = dataDomain(values)
        var best: ResolvedAxis?
        for n in stride(from: max(2, tickCount), through: 2, by: -1) {
            var s = Scale(kind, domain: raw, range: (from, to))
            if domain == nil && niceDomain { s = s.niced(count: n) }
            let ticks = s.ticks(count: n)
            let labels = ticks.map(formatter)
            let r = ResolvedAxis(scale: s, ticks: ticks, minorTicks: showMinorTicks && kind == .log10 ? s.minorTicks(count: n) : [],
                                 labels: labels)
            best = r
            if r.fits(extent: extent, gap: gap) { break }
        }
        return best!
    }
}

/// An axis after layout: the final scale, major/minor ticks and their labels.
struct ResolvedAxis {
    var scale: Scale
    var ticks: [Double]
    var minorTicks: [Double]
    var labels: [String]

    func fits(extent: (String) -> Double, gap: Double) -> Bool {
        let items = zip(ticks.map(scale.map), labels).sorted { $0.0 < $1.0 }
        guard items.count >= 2 else { return true }
        for i in 1..<items.count {
            let need = (extent(items[i - 1].1) + extent(items[i].1)) / 2 + gap
            if items[i].0 - items[i - 1].0 < need { return false }
        }
        return true
    }

    func maxLabelWidth(_ fontSize: Double) -> Double {
        labels.map { TextMetrics.width($0, fontSize: fontSize) }.max() ?? 0
    }
}

/// Drawing of grids and axes around a ``PlotRect``.
enum AxisRenderer {
    static let tickLength = 5.0
    static let minorTickLength = 3.0

    /// Height below the plot needed by a bottom axis.
    static func bottomHeight(_ style: ChartStyle, hasTitle: Bool) -> Double {
        tickLength + 4 + style.fontSize + (hasTitle ? 10 + style.axisTitleFontSize : 0)
    }

    /// Width left of the plot needed by a left axis with labels up to `labelWidth` wide.
    static func leftWidth(_ style: ChartStyle, labelWidth: Double, hasTitle: Bool) -> Double {
        tickLength + 5 + labelWidth + (hasTitle ? 10 + style.axisTitleFontSize : 0)
    }

    /// Grid lines (drawn first, under the data).
    static func drawGrid<C: SVGContainer>(x: (Axis, ResolvedAxis)?, y: (Axis, ResolvedAxis)?, plot: PlotRect,
                                          style: ChartStyle, in doc: inout C) {
        doc.group(style: SVGStyle(fill: "none", strokeWidth: 1, crispEdges: true), cssClass: "grid") { g in
            if let (axis, r) = x {
                if axis.showGrid {
                    for v in r.minorTicks where r.scale.contains(v) {
                        let px = r.scale.map(v)
                        g.line(x1: px, y1: plot.y, x2: px, y2: plot.maxY, style: SVGStyle(stroke: style.minorGridColor))
                    }
                    for v in r.ticks where r.scale.contains(v) {
                        let px = r.scale.map(v)
                        g.line(x1: px, y1: plot.y, x2: px, y2: plot.maxY, style: SVGStyle(stroke: style.gridColor))
                    }
                }
            }
            if let (axis, r) = y {
                if axis.showGrid {
                    for v in r.minorTicks where r.scale.contains(v) {
                        let py = r.scale.map(v)
                        g.line(x1: plot.x, y1: py, x2: plot.maxX, y2: py, style: SVGStyle(stroke: style.minorGridColor))
                    }
                    for v in r.ticks where r.scale.contains(v) {
                        let py = r.scale.map(v)
                        g.line(x1: plot.x, y1: py, x2: plot.maxX, y2: py, style: SVGStyle(stroke: style.gridColor))
                    }
                }
            }
        }
    }

    /// Axis line, ticks, tick labels and title below the plot.
    static func drawBottom<C: SVGContainer>(_ axis: Axis, _ r: ResolvedAxis, plot: PlotRect, style: ChartStyle,
                                            in doc: inout C) {
        doc.group(cssClass: "axis x-axis") { g in
            let line = SVGStyle(stroke: style.axisColor, strokeWidth: 1, crispEdges: true)
            g.line(x1: plot.x, y1: plot.maxY, x2: plot.maxX, y2: plot.maxY, style: line)
            for v in r.minorTicks where r.scale.contains(v) {
                let px = r.scale.map(v)
                g.line(x1: px, y1: plot.maxY, x2: px, y2: plot.maxY + minorTickLength, style: line)
            }
            for (v, label) in zip(r.ticks, r.labels) where r.scale.contains(v) {
                let px = r.scale.map(v)
                g.line(x1: px, y1: plot.maxY, x2: px, y2: plot.maxY + tickLength, style: line)
                g.text(label, x: px, y: plot.maxY + tickLength + 3, anchor: .middle, baseline: .hanging,
                       fill: style.mutedTextColor)
            }
            if !axis.label.isEmpty {
                let y = plot.maxY + tickLength + 4 + style.fontSize + 10 + style.axisTitleFontSize * 0.8
                g.text(axis.label, x: plot.x + plot.width / 2, y: y, anchor: .middle,
                       fontSize: style.axisTitleFontSize)
            }
        }
    }

    /// Axis line, ticks, tick labels and rotated title left (or right) of the plot.
    static func drawVertical<C: SVGContainer>(_ axis: Axis, _ r: ResolvedAxis, plot: PlotRect, style: ChartStyle,
                                              right: Bool = false, in doc: inout C) {
        doc.group(cssClass: right ? "axis y-axis right" : "axis y-axis") { g in
            let line = SVGStyle(stroke: style.axisColor, strokeWidth: 1, crispEdges: true)
            let x0 = right ? plot.maxX : plot.x
            let dir = right ? 1.0 : -1.0
            g.line(x1: x0, y1: plot.y, x2: x0, y2: plot.maxY, style: line)
            for v in r.minorTicks where r.scale.contains(v) {
                let py = r.scale.map(v)
                g.line(x1: x0, y1: py, x2: x0 + dir * minorTickLength, y2: py, style: line)
            }
            for (v, label) in zip(r.ticks, r.labels) where r.scale.contains(v) {
                let py = r.scale.map(v)
                g.line(x1: x0, y1: py, x2: x0 + dir * tickLength, y2: py, style: line)
                g.text(label, x: x0 + dir * (tickLength + 4), y: py, anchor: right ? .start : .end,
                       baseline: .middle, fill: style.mutedTextColor)
            }
            if !axis.label.isEmpty {
                let offset = tickLength + 5 + r.maxLabelWidth(style.fontSize) + 10 + style.axisTitleFontSize * 0.8
                let x = right ? x0 + offset - style.axisTitleFontSize * 0.6 : x0 - offset + style.axisTitleFontSize * 0.6
                // Baseline sits on the plot side of the rotated title.
                g.text(axis.label, x: right ? x - style.axisTitleFontSize * 0.2 : x, y: plot.y + plot.height / 2,
                       anchor: .middle, rotation: right ? 90 : -90, fontSize: style.axisTitleFontSize)
            }
        }
    }
}
