// Shared layout and drawing engine for x/y charts (ScatterChart, LineChart).

import Foundation

/// A dashed vertical or horizontal marker line at a data value, with an optional label
/// (e.g. a roofline ridge point).
public struct ReferenceLine: Sendable, Hashable {
    public enum Orientation: Sendable, Hashable {
        /// At an x value, spanning the plot height.
        case vertical
        /// At a y value, spanning the plot width.
        case horizontal
    }

    /// Which end of the line carries the label.
    public enum LabelPlacement: Sendable, Hashable {
        /// Top end of a vertical line, right end of a horizontal one.
        case high
        /// Bottom end of a vertical line, left end of a horizontal one.
        case low
    }

    public var orientation: Orientation
    public var value: Double
    /// Drawn along the line (rotated for vertical lines), on a white halo.
    public var label: String?
    public var labelPlacement: LabelPlacement
    public var color: String
    public var dash: [Double]?
    public var width: Double

    public init(orientation: Orientation, value: Double, label: String? = nil, labelPlacement: LabelPlacement = .high,
                color: String = "#555555", dash: [Double]? = [5, 4], width: Double = 1.25) {
        self.orientation = orientation
        self.value = value
        self.label = label
        self.labelPlacement = labelPlacement
        self.color = color
        self.dash = dash
        self.width = width
    }

    /// A vertical marker at x = `value` (e.g. a ridge point; `.low` keeps its label clear of roofs).
    public static func vertical(at value: Double, label: String? = nil, labelPlacement: LabelPlacement = .high,
                                color: String = "#555555", dash: [Double]? = [5, 4]) -> ReferenceLine {
        ReferenceLine(orientation: .vertical, value: value, label: label, labelPlacement: labelPlacement,
                      color: color, dash: dash)
    }

    /// A horizontal marker at y = `value` (e.g. a target latency).
    public static func horizontal(at value: Double, label: String? = nil, labelPlacement: LabelPlacement = .high,
                                  color: String = "#555555", dash: [Double]? = [5, 4]) -> ReferenceLine {
        ReferenceLine(orientation: .horizontal, value: value, label: label, labelPlacement: labelPlacement,
                      color: color, dash: dash)
    }
}

/// Internal description of an x/y chart, filled in by the public chart types.
struct XYSpec {
    struct Line {
        var name: String
        var points: [DataPoint]
        var color: String
        var dash: [Double]?
        var width: Double
        var markers: Bool
        var inlineLabel: String?
    }

    struct Point {
        var x: Double
        var y: Double
        var radius: Double
        var color: String
        var opacity: Double
        var tooltip: String?
        var label: String?
    }

    var title: String?
    var xAxis: Axis
    var yAxis: Axis
    var width: Double
    var height: Double
    var style: ChartStyle
    var legend: LegendPosition
    var legendTitle: String?
    var lines: [Line] = []
    var points: [Point] = []
    var references: [ReferenceLine] = []
    var legendEntries: [LegendEntry] = []
}

enum XYRenderer {
    static func render(_ spec: XYSpec) -> SVGDocument {
        let style = spec.style
        var doc = style.makeDocument(width: spec.width, height: spec.height, label: spec.title)
        var top = style.drawTitle(spec.title, in: &doc)

        let legend = LegendBox(entries: spec.legend == .hidden ? [] : spec.legendEntries, title: spec.legendTitle,
                               style: style)
        var legendTopY: Double?
        if spec.legend == .top && !legend.isEmpty {
            let s = legend.horizontalSize(maxWidth: spec.width - 2 * style.padding)
            legendTopY = top
            top += s.height + 6
        }

        // Vertical layout first: it does not depend on label widths.
        let bottomMargin = style.padding + AxisRenderer.bottomHeight(style, hasTitle: !spec.xAxis.label.isEmpty)
        let plotTop = top + 8
        let plotBottom = max(plotTop + 40, spec.height - bottomMargin)

        var xs: [Double] = [], ys: [Double] = []
        for l in spec.lines {
            for p in l.points {
                xs.append(p.x)
                ys.append(p.y)
            }
        }
        for p in spec.points {
            xs.append(p.x)
            ys.append(p.y)
        }
        for r in spec.references {
            if r.orientation == .vertical { xs.append(r.value) } else { ys.append(r.value) }
        }

        let yRes = spec.yAxis.resolve(values: ys, from: plotBottom, to: plotTop,
                                      extent: { _ in style.fontSize * 1.2 }, gap: 6)
        let left = style.padding + AxisRenderer.leftWidth(style, labelWidth: yRes.maxLabelWidth(style.fontSize),
                                                          hasTitle: !spec.yAxis.label.isEmpty)
        var rightMargin = style.padding
        var legendWidth = 0.0
        if spec.legend == .right && !legend.isEmpty {
            legendWidth = legend.verticalSize(maxHeight: plotBottom - plotTop).width
            rightMargin += legendWidth + 18
        }
        var plotRight = max(left + 40, spec.width - rightMargin)
        let xExtent = { (s: String) in TextMetrics.width(s, fontSize: style.fontSize) }
        var xRes = spec.xAxis.resolve(values: xs, from: left, to: plotRight, extent: xExtent)
        if spec.legend != .right, let last = xRes.ticks.indices.last {
            // Keep the last tick label inside the canvas.
            let overflow = xRes.scale.map(xRes.ticks[last]) + xExtent(xRes.labels[last]) / 2 - (spec.width - style.padding / 2)
            if overflow > 0 {
                plotRight -= overflow
                xRes = spec.xAxis.resolve(values: xs, from: left, to: plotRight, extent: xExtent)
            }
        }
        let plot = PlotRect(x: left, y: plotTop, width: plotRight - left, height: plotBottom - plotTop)
        let xs_ = xRes.scale, ys_ = yRes.scale

        AxisRenderer.drawGrid(x: (spec.xAxis, xRes), y: (spec.yAxis, yRes), plot: plot, style: style, in: &doc)

        // Lines first, under the points.
        if !spec.lines.isEmpty {
            doc.group(cssClass: "lines") { g in
                for l in spec.lines {
                    let px = l.points.map { SVGPoint(xs_.map($0.x), ys_.map($0.y)) }
                    let runs = Geometry.clip(polyline: px, to: plot)
                    g.group(title: l.name.isEmpty ? nil : l.name) { lg in
                        for run in runs {
                            lg.polyline(run, style: SVGStyle(fill: "none", stroke: l.color, strokeWidth: l.width,
                                                             dashArray: l.dash, lineJoin: "round"))
                        }
                        if l.markers {
                            for (p, d) in zip(px, l.points) where xs_.contains(d.x) && ys_.contains(d.y) {
                                let tip = "\(l.name)\n\(spec.xAxis.formatter(d.x)), \(spec.yAxis.formatter(d.y))"
                                lg.circle(cx: p.x, cy: p.y, r: 3.5, style: SVGStyle(fill: l.color, stroke: "#FFFFFF",
                                                                                    strokeWidth: 1), title: tip)
                            }
                        }
                        if let text = l.inlineLabel, let run = runs.first {
                            drawInlineLabel(text, along: run, color: l.color, style: style, in: &lg)
                        }
                    }
                }
            }
        }

        if !spec.references.isEmpty {
            doc.group(cssClass: "references") { g in
                for r in spec.references {
                    switch r.orientation {
                    case .vertical:
                        guard xs_.contains(r.value) else { continue }
                        let x = xs_.map(r.value)
                        g.line(x1: x, y1: plot.y, x2: x, y2: plot.maxY, style: .stroke(r.color, width: r.width, dash: r.dash))
                        if let label = r.label {
                            let high = r.labelPlacement == .high
                            g.text(label, x: x - 4, y: high ? plot.y + 4 : plot.maxY - 4, anchor: high ? .end : .start,
                                   rotation: -90, fontSize: style.fontSize - 1, fill: r.color, halo: style.background)
                        }
                    case .horizontal:
                        guard ys_.contains(r.value) else { continue }
                        let y = ys_.map(r.value)
                        g.line(x1: plot.x, y1: y, x2: plot.maxX, y2: y, style: .stroke(r.color, width: r.width, dash: r.dash))
                        if let label = r.label {
                            let high = r.labelPlacement == .high
                            g.text(label, x: high ? plot.maxX - 4 : plot.x + 4, y: y - 4, anchor: high ? .end : .start,
                                   fontSize: style.fontSize - 1, fill: r.color, halo: style.background)
                        }
                    }
                }
            }
        }

        if !spec.points.isEmpty {
            // Largest first so small points stay visible on top.
            let order = spec.points.indices.sorted {
                let a = spec.points[$0], b = spec.points[$1]
                return a.radius != b.radius ? a.radius > b.radius : $0 < $1
            }
            doc.group(cssClass: "points") { g in
                for i in order {
                    let p = spec.points[i]
                    guard xs_.contains(p.x), ys_.contains(p.y) else { continue }
                    let cx = xs_.map(p.x), cy = ys_.map(p.y)
                    g.circle(cx: cx, cy: cy, r: p.radius,
                             style: SVGStyle(fill: p.color, stroke: "#FFFFFF", strokeWidth: 0.75, fillOpacity: p.opacity),
                             title: p.tooltip)
                    if let label = p.label {
                        g.text(label, x: cx + p.radius + 3, y: cy, baseline: .middle, fontSize: style.fontSize - 1,
                               fill: style.mutedTextColor)
                    }
                }
            }
        }

        AxisRenderer.drawBottom(spec.xAxis, xRes, plot: plot, style: style, in: &doc)
        AxisRenderer.drawVertical(spec.yAxis, yRes, plot: plot, style: style, in: &doc)

        if let y = legendTopY {
            legend.drawHorizontal(x: style.padding, y: y, maxWidth: spec.width - 2 * style.padding, in: &doc)
        } else if spec.legend == .right {
            legend.drawVertical(x: plot.maxX + 18, y: plot.y, maxHeight: plot.height, in: &doc)
        }
        return doc
    }

    /// Writes `text` just above the first segment of `run`, rotated to follow it.
    static func drawInlineLabel<C: SVGContainer>(_ text: String, along run: [SVGPoint], color: String,
                                                 style: ChartStyle, in g: inout C) {
        guard run.count >= 2 else { return }
        let a = run[0], b = run[1]
        let dx = b.x - a.x, dy = b.y - a.y
        let len = (dx * dx + dy * dy).squareRoot()
        let fs = style.fontSize - 1
        guard len > TextMetrics.width(text, fontSize: fs) * 0.6 else { return }
        let ux = dx / len, uy = dy / len
        // Normal pointing "up" on screen.
        var nx = uy, ny = -ux
        if ny > 0 {
            nx = -nx
            ny = -ny
        }
        let along = min(10.0, len * 0.1)
        let x = a.x + ux * along + nx * 5, y = a.y + uy * along + ny * 5
        let angle = atan2(dy, dx) * 180 / Double.pi
        g.text(text, x: x, y: y, rotation: angle, fontSize: fs, fill: color, halo: style.background)
    }
}
