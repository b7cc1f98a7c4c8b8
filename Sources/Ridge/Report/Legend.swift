// Legends: a list of (symbol, colour, label) entries laid out in columns or rows.

/// One legend entry.
public struct LegendEntry: Sendable, Hashable {
    /// The swatch drawn before the label.
    public enum Symbol: Sendable, Hashable {
        /// A filled square (bars, categories).
        case square
        /// A filled circle of the given radius (points; use several radii for a size key).
        case circle(radius: Double)
        /// A line segment, optionally dashed.
        case line(dash: [Double]?)
        /// A line segment with a circle marker in the middle.
        case lineWithMarker(dash: [Double]?)
    }

    public var label: String
    public var color: String
    public var symbol: Symbol

    public init(_ label: String, color: String, symbol: Symbol = .square) {
        self.label = label
        self.color = color
        self.symbol = symbol
    }
}

/// Lays out and draws a legend block.
struct LegendBox {
    var entries: [LegendEntry]
    var title: String?
    var style: ChartStyle
    /// Labels longer than this are truncated (full text in a tooltip).
    var maxLabelWidth: Double = 200

    private var rowHeight: Double { style.fontSize * 1.55 }
    private var titleHeight: Double { title == nil ? 0 : style.fontSize * 1.7 }
    /// The title is bold: about a tenth wider than regular text.
    private func titleWidth(_ t: String) -> Double { TextMetrics.width(t, fontSize: style.fontSize) * 1.1 }

    private func swatchWidth(_ e: LegendEntry) -> Double {
        switch e.symbol {
        case .square: return 12
        case .circle(let r): return max(12, 2 * r)
        case .line, .lineWithMarker: return 24
        }
    }

    private func entryHeight(_ e: LegendEntry) -> Double {
        if case .circle(let r) = e.symbol { return max(rowHeight, 2 * r + 4) }
        return rowHeight
    }

    private func label(_ e: LegendEntry) -> String {
        TextMetrics.truncate(e.label, fontSize: style.fontSize, maxWidth: maxLabelWidth)
    }

    private func entryWidth(_ e: LegendEntry, swatch: Double) -> Double {
        swatch + 6 + TextMetrics.width(label(e), fontSize: style.fontSize)
    }

    var isEmpty: Bool { entries.isEmpty }

    /// Column layout: entries flow down, wrapping into further columns past `maxHeight`.
    private func columns(maxHeight: Double) -> [[LegendEntry]] {
        var cols: [[LegendEntry]] = [[]]
        var h = titleHeight
        for e in entries {
            let eh = entryHeight(e)
            if h + eh > maxHeight && !cols[cols.count - 1].isEmpty {
                cols.append([])
                h = titleHeight
            }
            cols[cols.count - 1].append(e)
            h += eh
        }
        return cols
    }

    private func columnSwatch(_ col: [LegendEntry]) -> Double {
        col.map(swatchWidth).max() ?? 12
    }

    /// Size of the vertical (column) layout.
    func verticalSize(maxHeight: Double) -> (width: Double, height: Double) {
        guard !isEmpty else { return (0, 0) }
        let cols = columns(maxHeight: maxHeight)
        var w = 0.0, h = 0.0
        for (i, c) in cols.enumerated() {
            let sw = columnSwatch(c)
            w += (c.map { entryWidth($0, swatch: sw) }.max() ?? 0) + (i > 0 ? 16 : 0)
            h = max(h, titleHeight + c.map(entryHeight).reduce(0, +))
        }
        if let title { w = max(w, titleWidth(title) + 4) }
        return (w, h)
    }

    func drawVertical<C: SVGContainer>(x: Double, y: Double, maxHeight: Double, in doc: inout C) {
        guard !isEmpty else { return }
        doc.group(cssClass: "legend") { g in
            if let title {
                g.text(title, x: x, y: y + style.fontSize, fontWeight: "bold")
            }
            var cx = x
            for c in columns(maxHeight: maxHeight) {
                let sw = columnSwatch(c)
                var cy = y + titleHeight
                for e in c {
                    let eh = entryHeight(e)
                    drawEntry(e, x: cx, midY: cy + eh / 2, swatch: sw, in: &g)
                    cy += eh
                }
                cx += (c.map { entryWidth($0, swatch: sw) }.max() ?? 0) + 16
            }
        }
    }

    /// Row layout: entries flow left to right, wrapping past `maxWidth`.
    private func rows(maxWidth: Double) -> [[LegendEntry]] {
        var rows: [[LegendEntry]] = [[]]
        var w = 0.0
        for e in entries {
            let ew = entryWidth(e, swatch: swatchWidth(e)) + 18
            if w + ew > maxWidth && !rows[rows.count - 1].isEmpty {
                rows.append([])
                w = 0
            }
            rows[rows.count - 1].append(e)
            w += ew
        }
        return rows
    }

    /// Size of the horizontal (row) layout.
    func horizontalSize(maxWidth: Double) -> (width: Double, height: Double) {
        guard !isEmpty else { return (0, 0) }
        let rs = rows(maxWidth: maxWidth - (title.map { titleWidth($0) + 10 } ?? 0))
        let w = rs.map { r in r.map { entryWidth($0, swatch: swatchWidth($0)) + 18 }.reduce(0, +) }.max() ?? 0
        let h = rs.map { r in r.map(entryHeight).max() ?? rowHeight }.reduce(0, +)
        return (w, h)
    }

    func drawHorizontal<C: SVGContainer>(x: Double, y: Double, maxWidth: Double, in doc: inout C) {
        guard !isEmpty else { return }
        doc.group(cssClass: "legend") { g in
            var x0 = x
            if let title {
                g.text(title, x: x, y: y + rowHeight / 2, baseline: .middle, fontWeight: "bold")
                x0 += titleWidth(title) + 10
            }
            var cy = y
            for r in rows(maxWidth: maxWidth - (x0 - x)) {
                let rh = r.map(entryHeight).max() ?? rowHeight
                var cx = x0
                for e in r {
                    let sw = swatchWidth(e)
                    drawEntry(e, x: cx, midY: cy + rh / 2, swatch: sw, in: &g)
                    cx += entryWidth(e, swatch: sw) + 18
                }
                cy += rh
            }
        }
    }

    private func drawEntry<C: SVGContainer>(_ e: LegendEntry, x: Double, midY: Double, swatch: Double, in g: inout C) {
        let cx = x + swatch / 2
        switch e.symbol {
        case .square:
            g.rect(x: cx - 6, y: midY - 6, width: 12, height: 12, cornerRadius: 2, style: .fill(e.color))
        case .circle(let r):
            g.circle(cx: cx, cy: midY, r: r, style: SVGStyle(fill: e.color, stroke: "#FFFFFF", strokeWidth: 0.5))
        case .line(let dash):
            g.line(x1: x, y1: midY, x2: x + swatch, y2: midY, style: .stroke(e.color, width: 2, dash: dash))
        case .lineWithMarker(let dash):
            g.line(x1: x, y1: midY, x2: x + swatch, y2: midY, style: .stroke(e.color, width: 2, dash: dash))
            g.circle(cx: cx, cy: midY, r: 3.5, style: .fill(e.color))
        }
        let text = label(e)
        g.text(text, x: x + swatch + 6, y: midY, baseline: .middle, title: text == e.label ? nil : e.label)
    }
}
