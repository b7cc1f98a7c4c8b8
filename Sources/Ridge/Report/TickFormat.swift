// Pluggable, locale-independent value formatters for tick labels and tooltips.

import Foundation

/// Turns a data value into a label, e.g. `1.5e-3 → "1.5 ms"`.
public typealias TickFormatter = @Sendable (Double) -> String

/// Ready-made ``TickFormatter``s. All are deterministic and locale-independent.
public enum TickFormat {
    static let siPrefixes = ["y", "z", "a", "f", "p", "n", "µ", "m", "", "k", "M", "G", "T", "P", "E", "Z", "Y"]

    /// SI-prefixed formatter: `1500 → "1.5k"`, with a unit `2e-6 → "2 µs"`, `3.35e12 → "3.35 TB/s"`.
    ///
    /// - Parameters:
    ///   - unit: appended after the prefix, separated by a space when non-empty.
    ///   - significantDigits: mantissa precision (trailing zeros are trimmed).
    public static func si(unit: String = "", significantDigits: Int = 3) -> TickFormatter {
        { siString($0, unit: unit, significantDigits: significantDigits) }
    }

    /// General-purpose numbers (the default axis formatter): plain decimals for
    /// 0.001 ≤ |v| < 10 000 (`0.1`, `2.5`, `300`), SI prefixes above (`10k`, `1.5M`, `3G`) and
    /// scientific notation below (`2e-5`). Rounded to `significantDigits`.
    public static func general(significantDigits: Int = 3) -> TickFormatter {
        { generalString($0, significantDigits: significantDigits) }
    }

    /// Formats one value like ``general(significantDigits:)``.
    public static func generalString(_ value: Double, significantDigits: Int = 3) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-∞" : "∞") }
        if value == 0 { return "0" }
        let sig = max(1, min(significantDigits, 15))
        let mag = abs(value)
        let sign = value < 0 ? "-" : ""
        if mag >= 1e4 - 0.5 { return siString(value, significantDigits: sig) }
        if mag >= 1e-3 {
            let r = roundSignificant(mag, sig)
            return sign + r.string
        }
        var e = Int(Foundation.log10(mag).rounded(.down))
        var m = roundSignificant(mag / Scale.pow10(e), sig)
        if m.value >= 10 {
            e += 1
            m = roundSignificant(mag / Scale.pow10(e), sig)
        }
        return sign + m.string + "e" + String(e)
    }

    /// Seconds with SI prefixes: `0.0025 → "2.5 ms"`.
    public static let seconds: TickFormatter = si(unit: "s")

    /// Formats one value with an SI prefix (see ``si(unit:significantDigits:)``).
    public static func siString(_ value: Double, unit: String = "", significantDigits: Int = 3) -> String {
        let sep = unit.isEmpty ? "" : " "
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-∞" : "∞") }
        if value == 0 { return "0" + sep + unit }
        let sig = max(1, min(significantDigits, 15))
        let mag = abs(value)
        var e3 = Int((Foundation.log10(mag) / 3).rounded(.down))
        e3 = max(-8, min(8, e3))
        var m = mag / Scale.pow10(3 * e3)
        var text = roundSignificant(m, sig)
        if text.value >= 1000 && e3 < 8 {
            e3 += 1
            m = mag / Scale.pow10(3 * e3)
            text = roundSignificant(m, sig)
        }
        let prefix = siPrefixes[e3 + 8]
        let sign = value < 0 ? "-" : ""
        return sign + text.string + sep + prefix + unit
    }

    /// Rounds `m` to `sig` significant digits and formats it without exponent.
    static func roundSignificant(_ m: Double, _ sig: Int) -> (value: Double, string: String) {
        guard m > 0 else { return (0, "0") }
        let digits = max(0, sig - 1 - Int(Foundation.log10(m).rounded(.down)))
        let s = SVGFormat.decimal(m, maxFractionDigits: digits)
        return (Double(s) ?? m, s)
    }

    /// Plain decimal with at most `maxFractionDigits` fractional digits: `1234.5 → "1234.5"`.
    public static func decimal(maxFractionDigits: Int = 2) -> TickFormatter {
        { SVGFormat.decimal($0, maxFractionDigits: maxFractionDigits) }
    }

    /// Fraction as percentage: `0.25 → "25%"`.
    public static func percent(maxFractionDigits: Int = 0) -> TickFormatter {
        { SVGFormat.decimal($0 * 100, maxFractionDigits: maxFractionDigits) + "%" }
    }

    /// Bytes with binary (IEC) prefixes: `1536 → "1.5 KiB"`, `8e10 → "74.5 GiB"`.
    public static func bytes(significantDigits: Int = 3) -> TickFormatter {
        { v in
            guard v.isFinite else { return "NaN" }
            let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
            var m = abs(v)
            var i = 0
            while m >= 1024 && i < units.count - 1 {
                m /= 1024
                i += 1
            }
            let r = roundSignificant(m, max(1, significantDigits))
            return (v < 0 ? "-" : "") + (m == 0 ? "0" : r.string) + " " + units[i]
        }
    }
}
