// Categorical colour palettes with stable colour assignment.

/// A categorical colour palette (hex colour strings).
///
/// Colours are assigned to category *names* in sorted order, so the same set of categories always
/// gets the same colours regardless of the order the data arrives in. Use one assignment for every
/// chart of a report (``assign(_:overrides:)``) and pass it as the charts' `colors` so that a
/// kind has the same colour in the roofline, the timeline and the bar chart.
public struct Palette: Sendable, Hashable {
    /// The colours, in assignment order. Assignment cycles when there are more categories.
    public var colors: [String]

    public init(_ colors: [String]) {
        self.colors = colors.isEmpty ? ["#000000"] : colors
    }

    /// Okabe–Ito colour-blind-safe palette (Okabe & Ito 2008), reordered for contrast on white,
    /// with its black replaced by a mid grey so it is not confused with axes and text.
    public static let okabeIto = Palette([
        "#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#7F7F7F",
    ])

    /// Tableau 10 (the 2016 revision), designed to stay distinguishable for colour-vision deficiencies.
    public static let tableau10 = Palette([
        "#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F",
        "#EDC948", "#B07AA1", "#FF9DA7", "#9C755F", "#BAB0AC",
    ])

    /// Dark neutral tones for reference lines (e.g. roofline roofs) that should not compete with
    /// categorical colours.
    public static let neutral = Palette(["#222222", "#555555", "#888888", "#AAAAAA"])

    /// The default palette: ``okabeIto``.
    public static let `default` = okabeIto

    /// The colour at `index`, cycling through the palette.
    public func color(at index: Int) -> String {
        let n = colors.count
        return colors[((index % n) + n) % n]
    }

    /// Assigns colours to the distinct names in `categories`, sorted by name (Unicode order), then
    /// applies `overrides` (explicit name → colour) on top.
    public func assign<S: Sequence>(_ categories: S, overrides: [String: String] = [:]) -> [String: String]
    where S.Element == String {
        let names = Set(categories).sorted()
        var out: [String: String] = [:]
        for (i, name) in names.enumerated() {
            out[name] = overrides[name] ?? color(at: i)
        }
        for (k, v) in overrides { out[k] = v }
        return out
    }
}
