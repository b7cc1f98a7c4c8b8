// Sequential colour scales for heatmaps, and small colour utilities.

import Foundation

/// A continuous colour scale: evenly spaced colour stops, interpolated in sRGB.
public struct ColorScale: Sendable, Hashable {
    /// Hex colours (`#rrggbb`) from the low end to the high end.
    public var stops: [String]

    public init(stops: [String]) {
        self.stops = stops.isEmpty ? ["#000000", "#ffffff"] : stops
    }

    /// Viridis (perceptually uniform, colour-blind-friendly), dark purple → yellow.
    public static let viridis = ColorScale(stops: [
        "#440154", "#482878", "#3E4A89", "#31688E", "#26828E", "#1F9E89", "#35B779", "#6DCD59", "#B4DE2C", "#FDE725",
    ])

    /// ColorBrewer "Blues", near-white → dark blue.
    public static let blues = ColorScale(stops: [
        "#F7FBFF", "#DEEBF7", "#C6DBEF", "#9ECAE1", "#6BAED6", "#4292C6", "#2171B5", "#08519C", "#08306B",
    ])

    /// ColorBrewer "OrRd", near-white → dark red (good for "hot" utilisation maps).
    public static let orangeRed = ColorScale(stops: [
        "#FFF7EC", "#FEE8C8", "#FDD49E", "#FDBB84", "#FC8D59", "#EF6548", "#D7301F", "#B30000", "#7F0000",
    ])

    /// The colour at `t` ∈ [0, 1] (clamped; NaN gives the low end).
    public func color(at t: Double) -> String {
        let tt = t.isNaN ? 0 : min(1, max(0, t))
        if stops.count == 1 { return stops[0] }
        let pos = tt * Double(stops.count - 1)
        let i = min(stops.count - 2, Int(pos.rounded(.down)))
        let f = pos - Double(i)
        let a = RGB(hex: stops[i]), b = RGB(hex: stops[i + 1])
        return RGB(r: a.r + (b.r - a.r) * f, g: a.g + (b.g - a.g) * f, b: a.b + (b.b - a.b) * f).hex
    }
}

/// An sRGB colour with components in 0...255.
struct RGB: Hashable {
    var r: Double
    var g: Double
    var b: Double

    init(r: Double, g: Double, b: Double) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// Parses `#rgb` or `#rrggbb`; anything else is black.
    init(hex: String) {
        var s = Substring(hex)
        if s.hasPrefix("#") { s = s.dropFirst() }
        if s.count == 3 { s = Substring(s.map { "\($0)\($0)" }.joined()) }
        let v = s.count == 6 ? (UInt32(s, radix: 16) ?? 0) : 0
        r = Double((v >> 16) & 0xFF)
        g = Double((v >> 8) & 0xFF)
        b = Double(v & 0xFF)
    }

    var hex: String {
        func h(_ x: Double) -> String {
            let v = Int(min(255, max(0, x.rounded())))
            let s = String(v, radix: 16, uppercase: true)
            return s.count == 1 ? "0" + s : s
        }
        return "#" + h(r) + h(g) + h(b)
    }

    /// WCAG relative luminance (0 black … 1 white).
    var luminance: Double {
        func lin(_ c: Double) -> Double {
            let s = c / 255
            return s <= 0.04045 ? s / 12.92 : Foundation.pow((s + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    }

    /// Black or white, whichever reads better on this colour.
    var contrastingText: String {
        luminance > 0.30 ? "#111111" : "#FFFFFF"
    }
}
