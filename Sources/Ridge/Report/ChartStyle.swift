// Shared visual settings and layout primitives for charts.

/// Fonts, colours and spacing shared by all charts. Defaults aim at an ~800×500 chart readable at
/// a glance.
public struct ChartStyle: Sendable, Hashable {
    /// Arial-metric fonts first (what `TextMetrics` estimates; Liberation Sans is the Linux one), so
    /// the layout holds wherever the SVG is opened; wider fonts (DejaVu Sans) only as the fallback.
    public var fontFamily: String = "Arial, Helvetica, Liberation Sans, sans-serif"
    /// Tick labels, legend entries.
    public var fontSize: Double = 12
    /// Chart title.
    public var titleFontSize: Double = 16
    /// Axis titles.
    public var axisTitleFontSize: Double = 13
    public var textColor: String = "#222222"
    public var mutedTextColor: String = "#555555"
    public var axisColor: String = "#444444"
    public var gridColor: String = "#E3E3E3"
    public var minorGridColor: String = "#F2F2F2"
    /// Page background (`nil`: transparent).
    public var background: String? = "#FFFFFF"
    /// Outer padding around everything.
    public var padding: Double = 14

    public init() {}

    public static let `default` = ChartStyle()

    func makeDocument(width: Double, height: Double, label: String?) -> SVGDocument {
        SVGDocument(width: width, height: height, background: background, fontFamily: fontFamily,
                    fontSize: fontSize, textColor: textColor, accessibleLabel: label)
    }

    /// Draws the chart title centred at the top; returns the y below it.
    func drawTitle(_ title: String?, in doc: inout SVGDocument) -> Double {
        guard let title, !title.isEmpty else { return padding }
        doc.text(title, x: doc.width / 2, y: padding + titleFontSize * 0.9, anchor: .middle,
                 fontSize: titleFontSize, fontWeight: "bold")
        return padding + titleFontSize * 1.6
    }
}

/// Where a chart's legend goes. It never overlaps the plot area.
public enum LegendPosition: Sendable, Hashable {
    /// A column to the right of the plot (the plot gets narrower).
    case right
    /// Rows between the title and the plot (the plot gets shorter).
    case top
    /// No legend.
    case hidden
}

/// A rectangle in pixels (the plot area of a chart).
public struct PlotRect: Sendable, Hashable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
    public var maxX: Double { x + width }
    public var maxY: Double { y + height }
}

/// A data-space point (x, y) for line series.
public struct DataPoint: Sendable, Hashable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
    public init(_ x: Double, _ y: Double) {
        self.init(x: x, y: y)
    }
}
