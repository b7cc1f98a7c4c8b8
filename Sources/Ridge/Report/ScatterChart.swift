// Scatter chart with optional line series and reference lines (used for the roofline).

/// Points on linear or log axes, coloured by category, with optional line series drawn under the
/// points and dashed reference lines.
///
/// Roofline recipe (log–log):
///
///     var chart = ScatterChart(
///         title: "Roofline — H100",
///         xAxis: .log("Arithmetic intensity", unit: "FLOP/byte"),
///         yAxis: .log("Attainable performance", formatter: TickFormat.si(unit: "FLOP/s")))
///     // One roof per memory level: min(bandwidth × I, peak) over the x range.
///     chart.lines = [ScatterChart.LineSeries(
///         name: "HBM 3.35 TB/s",
///         points: [DataPoint(0.01, 3.35e12 * 0.01), DataPoint(295, 989e12), DataPoint(1e4, 989e12)],
///         inlineLabel: "HBM 3.35 TB/s")]
///     chart.referenceLines = [.vertical(at: 295, label: "ridge 295 FLOP/B")]
///     chart.points = ops.map { ScatterChart.Point(x: $0.intensity, y: $0.flops / $0.time,
///         radius: ScatterChart.radius(forValue: $0.time, maxValue: maxTime), category: $0.kind,
///         tooltip: $0.name) }
///     let svg = chart.render()
public struct ScatterChart: Sendable {
    /// One point.
    public struct Point: Sendable, Hashable {
        public var x: Double
        public var y: Double
        /// Radius in pixels.
        public var radius: Double
        /// Colour key (also the legend entry). Empty: no legend entry, first palette colour.
        public var category: String
        /// Hover text; default `"category\nx, y"` formatted with the axis formatters.
        public var tooltip: String?
        /// Small text drawn to the right of the point.
        public var label: String?

        public init(x: Double, y: Double, radius: Double = 4, category: String = "", tooltip: String? = nil,
                    label: String? = nil) {
            self.x = x
            self.y = y
            self.radius = radius
            self.category = category
            self.tooltip = tooltip
            self.label = label
        }
    }

    /// A polyline drawn before (under) the points, e.g. a roof.
    public struct LineSeries: Sendable, Hashable {
        public var name: String
        public var points: [DataPoint]
        /// `nil`: taken from ``ScatterChart/linePalette`` in series order.
        public var color: String?
        /// Dash pattern, e.g. `[6, 4]`; `nil` for solid.
        public var dash: [Double]?
        public var width: Double
        /// Text drawn along the first visible segment of the line, rotated to follow it.
        public var inlineLabel: String?
        public var showInLegend: Bool

        public init(name: String, points: [DataPoint], color: String? = nil, dash: [Double]? = nil,
                    width: Double = 2, inlineLabel: String? = nil, showInLegend: Bool = true) {
            self.name = name
            self.points = points
            self.color = color
            self.dash = dash
            self.width = width
            self.inlineLabel = inlineLabel
            self.showInLegend = showInLegend
        }
    }

    public var title: String?
    public var xAxis: Axis
    public var yAxis: Axis
    public var points: [Point]
    public var lines: [LineSeries]
    public var referenceLines: [ReferenceLine]
    /// Category colours, assigned by sorted category name (see ``Palette/assign(_:overrides:)``).
    public var palette: Palette = .default
    /// Explicit category → colour overrides (e.g. a report-wide assignment).
    public var colors: [String: String] = [:]
    /// Colours for line series without an explicit colour, in series order.
    public var linePalette: Palette = .neutral
    public var legend: LegendPosition = .right
    public var legendTitle: String?
    /// Appended after the automatic entries (lines, then categories) — e.g. a size key made of
    /// `.circle(radius:)` entries.
    public var extraLegendEntries: [LegendEntry] = []
    /// Fill opacity of points (overlaps stay visible).
    public var pointOpacity: Double = 0.8
    public var width: Double
    public var height: Double
    public var style: ChartStyle = .default

    public init(title: String? = nil, xAxis: Axis, yAxis: Axis, points: [Point] = [], lines: [LineSeries] = [],
                referenceLines: [ReferenceLine] = [], width: Double = 800, height: Double = 500) {
        self.title = title
        self.xAxis = xAxis
        self.yAxis = yAxis
        self.points = points
        self.lines = lines
        self.referenceLines = referenceLines
        self.width = width
        self.height = height
    }

    /// Radius whose *area* is proportional to `value` (the honest way to size points by time):
    /// `maxRadius` at `maxValue`, never below `minRadius`.
    public static func radius(forValue value: Double, maxValue: Double, maxRadius: Double = 14,
                              minRadius: Double = 2.5) -> Double {
        guard maxValue > 0, value.isFinite, value > 0 else { return minRadius }
        return max(minRadius, maxRadius * (min(value, maxValue) / maxValue).squareRoot())
    }

    /// The chart as an SVG document.
    public func document() -> SVGDocument {
        let categoryColors = palette.assign(points.map(\.category), overrides: colors)
        var spec = XYSpec(title: title, xAxis: xAxis, yAxis: yAxis, width: width, height: height, style: style,
                          legend: legend, legendTitle: legendTitle)
        for (i, l) in lines.enumerated() {
            let color = l.color ?? linePalette.color(at: i)
            spec.lines.append(.init(name: l.name, points: l.points, color: color, dash: l.dash, width: l.width,
                                    markers: false, inlineLabel: l.inlineLabel))
            if l.showInLegend && !l.name.isEmpty {
                spec.legendEntries.append(LegendEntry(l.name, color: color, symbol: .line(dash: l.dash)))
            }
        }
        for p in points {
            let color = categoryColors[p.category] ?? palette.color(at: 0)
            let tip = p.tooltip ?? [p.category.isEmpty ? nil : p.category,
                                    "\(xAxis.formatter(p.x)), \(yAxis.formatter(p.y))"]
                .compactMap { $0 }.joined(separator: "\n")
            spec.points.append(.init(x: p.x, y: p.y, radius: p.radius, color: color, opacity: pointOpacity,
                                     tooltip: tip, label: p.label))
        }
        for c in Set(points.map(\.category)).sorted() where !c.isEmpty {
            spec.legendEntries.append(LegendEntry(c, color: categoryColors[c] ?? palette.color(at: 0),
                                                  symbol: .circle(radius: 5)))
        }
        spec.legendEntries += extraLegendEntries
        spec.references = referenceLines
        return XYRenderer.render(spec)
    }

    /// `document().render()`.
    public func render() -> String {
        document().render()
    }
}
