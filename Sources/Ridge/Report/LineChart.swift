// Multi-series line chart (e.g. parameter sweeps).

/// Several named series of (x, y) points on linear or log axes, with markers and a legend.
///
///     let chart = LineChart(title: "Batch-size sweep",
///         xAxis: .log("Batch size"), yAxis: .linear("Latency", formatter: TickFormat.seconds),
///         series: [LineChart.Series(name: "H100", points: [DataPoint(1, 2e-3), DataPoint(8, 5e-3)])])
///     let svg = chart.render()
///
/// On log axes, points with non-positive coordinates are skipped (the line breaks there).
public struct LineChart: Sendable {
    public struct Series: Sendable, Hashable {
        public var name: String
        /// Drawn in the given order (sort by x beforehand if needed).
        public var points: [DataPoint]
        /// `nil`: assigned from the palette by sorted series name.
        public var color: String?
        /// Dash pattern; `nil` for solid.
        public var dash: [Double]?

        public init(name: String, points: [DataPoint], color: String? = nil, dash: [Double]? = nil) {
            self.name = name
            self.points = points
            self.color = color
            self.dash = dash
        }
    }

    public var title: String?
    public var xAxis: Axis
    public var yAxis: Axis
    public var series: [Series]
    public var referenceLines: [ReferenceLine] = []
    public var palette: Palette = .default
    /// Explicit series name → colour overrides.
    public var colors: [String: String] = [:]
    /// Draw a circle (with a tooltip) at every data point.
    public var showMarkers: Bool = true
    public var lineWidth: Double = 2
    public var legend: LegendPosition = .right
    public var legendTitle: String?
    public var width: Double
    public var height: Double
    public var style: ChartStyle = .default

    public init(title: String? = nil, xAxis: Axis, yAxis: Axis, series: [Series],
                referenceLines: [ReferenceLine] = [], width: Double = 800, height: Double = 500) {
        self.title = title
        self.xAxis = xAxis
        self.yAxis = yAxis
        self.series = series
        self.referenceLines = referenceLines
        self.width = width
        self.height = height
    }

    /// The chart as an SVG document.
    public func document() -> SVGDocument {
        let assigned = palette.assign(series.map(\.name), overrides: colors)
        var spec = XYSpec(title: title, xAxis: xAxis, yAxis: yAxis, width: width, height: height, style: style,
                          legend: legend, legendTitle: legendTitle)
        for s in series {
            let color = s.color ?? assigned[s.name] ?? palette.color(at: 0)
            spec.lines.append(.init(name: s.name, points: s.points, color: color, dash: s.dash, width: lineWidth,
                                    markers: showMarkers, inlineLabel: nil))
            if !s.name.isEmpty {
                spec.legendEntries.append(LegendEntry(s.name, color: color,
                                                      symbol: showMarkers ? .lineWithMarker(dash: s.dash) : .line(dash: s.dash)))
            }
        }
        spec.references = referenceLines
        return XYRenderer.render(spec)
    }

    /// `document().render()`.
    public func render() -> String {
        document().render()
    }
}
