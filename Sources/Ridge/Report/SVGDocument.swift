// A minimal, deterministic SVG document model and builder.

/// A point in SVG user units (pixels).
public struct SVGPoint: Sendable, Hashable {
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

/// One XML attribute. Attributes keep their insertion order, which makes output deterministic.
public struct SVGAttribute: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A generic SVG/XML element: name, ordered attributes, child elements and optional text content.
///
/// Values are stored unescaped; escaping happens in ``render(into:depth:)``.
public struct SVGNode: Sendable, Hashable {
    public var name: String
    public var attributes: [SVGAttribute]
    public var children: [SVGNode]
    /// Text content, written before the children.
    public var text: String?

    public init(_ name: String, attributes: [SVGAttribute] = [], children: [SVGNode] = [], text: String? = nil) {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    /// Appends the element's XML to `out`, one element per line, indented by `depth`.
    public func render(into out: inout String, depth: Int = 0) {
        out += String(repeating: " ", count: depth)
        out += "<"
        out += name
        for a in attributes {
            out += " "
            out += a.name
            out += "=\""
            out += SVGFormat.escape(a.value, inAttribute: true)
            out += "\""
        }
        if children.isEmpty && text == nil {
            out += "/>\n"
            return
        }
        out += ">"
        if let text { out += SVGFormat.escape(text) }
        if children.isEmpty {
            out += "</\(name)>\n"
            return
        }
        out += "\n"
        for c in children { c.render(into: &out, depth: depth + 1) }
        out += String(repeating: " ", count: depth)
        out += "</\(name)>\n"
    }
}

/// Horizontal text alignment (`text-anchor`).
public enum TextAnchor: String, Sendable, Hashable {
    case start, middle, end
}

/// Vertical text alignment relative to the `y` coordinate. Implemented with a `dy` offset rather
/// than `dominant-baseline`, which is not supported consistently by renderers.
public enum TextBaseline: Sendable, Hashable {
    /// `y` is the alphabetic baseline.
    case alphabetic
    /// `y` is the vertical centre of lower-case/digit glyphs.
    case middle
    /// `y` is (approximately) the top of the glyphs.
    case hanging
}

/// Presentation attributes for shapes. `nil` properties are not written (inherited/default).
public struct SVGStyle: Sendable, Hashable {
    public var fill: String?
    public var stroke: String?
    public var strokeWidth: Double?
    /// Dash pattern in pixels, e.g. `[6, 4]`.
    public var dashArray: [Double]?
    public var opacity: Double?
    public var fillOpacity: Double?
    public var strokeOpacity: Double?
    /// `butt`, `round` or `square`.
    public var lineCap: String?
    /// `miter`, `round` or `bevel`.
    public var lineJoin: String?
    /// Writes `shape-rendering="crispEdges"` (useful for axis and grid lines, thin bars).
    public var crispEdges: Bool

    public init(fill: String? = nil, stroke: String? = nil, strokeWidth: Double? = nil,
                dashArray: [Double]? = nil, opacity: Double? = nil, fillOpacity: Double? = nil,
                strokeOpacity: Double? = nil, lineCap: String? = nil, lineJoin: String? = nil,
                crispEdges: Bool = false) {
        self.fill = fill
        self.stroke = stroke
        self.strokeWidth = strokeWidth
        self.dashArray = dashArray
        self.opacity = opacity
        self.fillOpacity = fillOpacity
        self.strokeOpacity = strokeOpacity
        self.lineCap = lineCap
        self.lineJoin = lineJoin
        self.crispEdges = crispEdges
    }

    /// A filled shape without outline.
    public static func fill(_ color: String, opacity: Double? = nil) -> SVGStyle {
        SVGStyle(fill: color, fillOpacity: opacity)
    }

    /// An unfilled stroke (`fill="none"`), optionally dashed.
    public static func stroke(_ color: String, width: Double = 1, dash: [Double]? = nil) -> SVGStyle {
        SVGStyle(fill: "none", stroke: color, strokeWidth: width, dashArray: dash)
    }

    /// The attributes this style writes, in a fixed order.
    public var attributes: [SVGAttribute] {
        var a: [SVGAttribute] = []
        if let fill { a.append(.init("fill", fill)) }
        if let fillOpacity { a.append(.init("fill-opacity", SVGFormat.decimal(fillOpacity, maxFractionDigits: 3))) }
        if let stroke { a.append(.init("stroke", stroke)) }
        if let strokeWidth { a.append(.init("stroke-width", SVGFormat.number(strokeWidth))) }
        if let strokeOpacity { a.append(.init("stroke-opacity", SVGFormat.decimal(strokeOpacity, maxFractionDigits: 3))) }
        if let dashArray, !dashArray.isEmpty {
            a.append(.init("stroke-dasharray", dashArray.map(SVGFormat.number).joined(separator: " ")))
        }
        if let lineCap { a.append(.init("stroke-linecap", lineCap)) }
        if let lineJoin { a.append(.init("stroke-linejoin", lineJoin)) }
        if let opacity { a.append(.init("opacity", SVGFormat.decimal(opacity, maxFractionDigits: 3))) }
        if crispEdges { a.append(.init("shape-rendering", "crispEdges")) }
        return a
    }
}

/// Builds SVG path data (`d`) with deterministic number formatting.
///
///     var p = SVGPath()
///     p.move(to: SVGPoint(0, 0)); p.line(to: SVGPoint(10, 5)); p.close()
///     doc.path(p, style: .stroke("#000"))
public struct SVGPath: Sendable, Hashable {
    /// The accumulated path data string.
    public private(set) var data: String = ""

    public init() {}

    private mutating func command(_ c: String, _ values: [Double]) {
        if !data.isEmpty { data += " " }
        data += c
        data += values.map(SVGFormat.number).joined(separator: " ")
    }

    public mutating func move(to p: SVGPoint) { command("M", [p.x, p.y]) }
    public mutating func line(to p: SVGPoint) { command("L", [p.x, p.y]) }
    public mutating func horizontal(to x: Double) { command("H", [x]) }
    public mutating func vertical(to y: Double) { command("V", [y]) }
    public mutating func cubic(_ c1: SVGPoint, _ c2: SVGPoint, to p: SVGPoint) {
        command("C", [c1.x, c1.y, c2.x, c2.y, p.x, p.y])
    }
    public mutating func close() { command("Z", []) }
}

/// Anything that holds SVG child elements: ``SVGDocument`` and ``SVGGroup``.
///
/// The builder methods append one element each. Every shape accepts an optional `title`, written
/// as a child `<title>` element, which browsers show as a tooltip.
public protocol SVGContainer {
    var children: [SVGNode] { get set }
}

extension SVGContainer {
    /// Appends a pre-built node.
    public mutating func append(_ node: SVGNode) {
        children.append(node)
    }

    private mutating func add(_ name: String, _ attrs: [SVGAttribute], style: SVGStyle, title: String?) {
        var node = SVGNode(name, attributes: attrs + style.attributes)
        if let title { node.children.append(SVGNode("title", text: title)) }
        children.append(node)
    }

    /// Appends a `<rect>`. Negative width/height are normalised (the rectangle is flipped).
    public mutating func rect(x: Double, y: Double, width: Double, height: Double, cornerRadius: Double = 0,
                              style: SVGStyle, title: String? = nil) {
        let x0 = width < 0 ? x + width : x
        let y0 = height < 0 ? y + height : y
        var a: [SVGAttribute] = [
            .init("x", SVGFormat.number(x0)), .init("y", SVGFormat.number(y0)),
            .init("width", SVGFormat.number(abs(width))), .init("height", SVGFormat.number(abs(height))),
        ]
        if cornerRadius > 0 { a.append(.init("rx", SVGFormat.number(cornerRadius))) }
        add("rect", a, style: style, title: title)
    }

    /// Appends a `<line>`.
    public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, style: SVGStyle, title: String? = nil) {
        add("line", [
            .init("x1", SVGFormat.number(x1)), .init("y1", SVGFormat.number(y1)),
            .init("x2", SVGFormat.number(x2)), .init("y2", SVGFormat.number(y2)),
        ], style: style, title: title)
    }

    /// Appends a `<polyline>`. Use a style with `fill: "none"` (e.g. ``SVGStyle/stroke(_:width:dash:)``).
    public mutating func polyline(_ points: [SVGPoint], style: SVGStyle, title: String? = nil) {
        add("polyline", [.init("points", Self.pointList(points))], style: style, title: title)
    }

    /// Appends a closed `<polygon>`.
    public mutating func polygon(_ points: [SVGPoint], style: SVGStyle, title: String? = nil) {
        add("polygon", [.init("points", Self.pointList(points))], style: style, title: title)
    }

    /// Appends a `<circle>`.
    public mutating func circle(cx: Double, cy: Double, r: Double, style: SVGStyle, title: String? = nil) {
        add("circle", [
            .init("cx", SVGFormat.number(cx)), .init("cy", SVGFormat.number(cy)), .init("r", SVGFormat.number(r)),
        ], style: style, title: title)
    }

    /// Appends a `<path>`.
    public mutating func path(_ path: SVGPath, style: SVGStyle, title: String? = nil) {
        add("path", [.init("d", path.data)], style: style, title: title)
    }

    /// Appends a `<text>` element.
    ///
    /// - Parameters:
    ///   - anchor: horizontal alignment relative to `x`.
    ///   - baseline: vertical alignment relative to `y`.
    ///   - rotation: degrees, clockwise, around (`x`, `y`); `-90` reads bottom-to-top.
    ///   - fontSize/fontWeight/fill: omitted when `nil` (inherited from the document).
    ///   - halo: colour of an outline painted *under* the glyphs (`paint-order="stroke"`), which
    ///     keeps text readable over lines and grids; usually the background colour.
    public mutating func text(_ string: String, x: Double, y: Double, anchor: TextAnchor = .start,
                              baseline: TextBaseline = .alphabetic, rotation: Double = 0,
                              fontSize: Double? = nil, fontWeight: String? = nil, fill: String? = nil,
                              halo: String? = nil, title: String? = nil) {
        var a: [SVGAttribute] = [.init("x", SVGFormat.number(x)), .init("y", SVGFormat.number(y))]
        switch baseline {
        case .alphabetic: break
        case .middle: a.append(.init("dy", "0.35em"))
        case .hanging: a.append(.init("dy", "0.75em"))
        }
        if anchor != .start { a.append(.init("text-anchor", anchor.rawValue)) }
        if rotation != 0 {
            a.append(.init("transform", "rotate(\(SVGFormat.number(rotation)) \(SVGFormat.number(x)) \(SVGFormat.number(y)))"))
        }
        if let fontSize { a.append(.init("font-size", SVGFormat.number(fontSize))) }
        if let fontWeight { a.append(.init("font-weight", fontWeight)) }
        if let fill { a.append(.init("fill", fill)) }
        if let halo {
            a.append(.init("stroke", halo))
            a.append(.init("stroke-width", "3"))
            a.append(.init("stroke-linejoin", "round"))
            a.append(.init("paint-order", "stroke"))
        }
        var node = SVGNode("text", attributes: a, text: string)
        if let title { node.children.append(SVGNode("title", text: title)) }
        children.append(node)
    }

    /// Appends a `<g>` group built by `build`.
    ///
    /// - Parameters:
    ///   - title: tooltip shown when hovering any element of the group (a `<title>` child).
    ///   - style: presentation attributes inherited by the children.
    ///   - transform: raw SVG transform, e.g. `"translate(10 20)"`.
    ///   - cssClass: optional `class` attribute, handy for styling from an embedding HTML page.
    public mutating func group(title: String? = nil, style: SVGStyle = SVGStyle(), transform: String? = nil,
                               cssClass: String? = nil, _ build: (inout SVGGroup) -> Void) {
        var g = SVGGroup()
        build(&g)
        var a: [SVGAttribute] = []
        if let cssClass { a.append(.init("class", cssClass)) }
        if let transform { a.append(.init("transform", transform)) }
        a += style.attributes
        var kids: [SVGNode] = []
        if let title { kids.append(SVGNode("title", text: title)) }
        kids += g.children
        children.append(SVGNode("g", attributes: a, children: kids))
    }

    static func pointList(_ points: [SVGPoint]) -> String {
        points.map { "\(SVGFormat.number($0.x)),\(SVGFormat.number($0.y))" }.joined(separator: " ")
    }
}

/// The children of a `<g>` element while it is being built by ``SVGContainer/group(title:style:transform:cssClass:_:)``.
public struct SVGGroup: SVGContainer, Sendable, Hashable {
    public var children: [SVGNode] = []
    public init() {}
}

/// An SVG document: a fixed-size canvas plus a list of elements.
///
/// ``render()`` returns a standalone `<svg>` element (with `xmlns`, no XML declaration) that can
/// be written to a `.svg` file or pasted inline into HTML. Output is deterministic: the same
/// document always renders to byte-identical text.
///
///     var doc = SVGDocument(width: 200, height: 100)
///     doc.rect(x: 10, y: 10, width: 50, height: 30, style: .fill("#0072B2"), title: "a bar")
///     doc.text("Hello <world>", x: 100, y: 80, anchor: .middle)
///     let svg = doc.render()
public struct SVGDocument: SVGContainer, Sendable, Hashable {
    /// Canvas width in pixels.
    public var width: Double
    /// Canvas height in pixels.
    public var height: Double
    /// Elements, in painting order.
    public var children: [SVGNode] = []
    /// Background colour painted under everything (`nil`: transparent).
    public var background: String?
    /// Default font family inherited by all text.
    public var fontFamily: String
    /// Default font size inherited by all text.
    public var fontSize: Double
    /// Default text colour inherited by all text.
    public var textColor: String?
    /// Accessible name (`role="img"` + `aria-label`); not shown as a tooltip.
    public var accessibleLabel: String?
    /// Optional document-level `<title>` (browsers show it as a tooltip over the whole drawing).
    public var title: String?

    public init(width: Double = 800, height: Double = 500, background: String? = "#ffffff",
                fontFamily: String = "sans-serif", fontSize: Double = 12, textColor: String? = nil,
                accessibleLabel: String? = nil, title: String? = nil) {
        self.width = width
        self.height = height
        self.background = background
        self.fontFamily = fontFamily
        self.fontSize = fontSize
        self.textColor = textColor
        self.accessibleLabel = accessibleLabel
        self.title = title
    }

    /// The root `<svg>` element, e.g. to nest this drawing inside another document.
    public var node: SVGNode {
        let w = SVGFormat.number(width), h = SVGFormat.number(height)
        var a: [SVGAttribute] = [
            .init("xmlns", "http://www.w3.org/2000/svg"),
            .init("width", w), .init("height", h), .init("viewBox", "0 0 \(w) \(h)"),
            .init("font-family", fontFamily), .init("font-size", SVGFormat.number(fontSize)),
        ]
        if let textColor { a.append(.init("fill", textColor)) }
        if let accessibleLabel {
            a.append(.init("role", "img"))
            a.append(.init("aria-label", accessibleLabel))
        }
        var kids: [SVGNode] = []
        if let title { kids.append(SVGNode("title", text: title)) }
        if let background {
            kids.append(SVGNode("rect", attributes: [
                .init("x", "0"), .init("y", "0"), .init("width", w), .init("height", h), .init("fill", background),
            ]))
        }
        kids += children
        return SVGNode("svg", attributes: a, children: kids)
    }

    /// Renders the `<svg>` element (no XML declaration), ready to embed inline in HTML.
    public func render() -> String {
        var out = ""
        node.render(into: &out)
        return out
    }

    /// Renders a standalone `.svg` file: XML declaration followed by ``render()``.
    public func renderStandalone() -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + render()
    }
}
