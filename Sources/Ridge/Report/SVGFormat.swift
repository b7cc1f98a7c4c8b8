// Deterministic, locale-independent text and number formatting for SVG output.

/// Formatting helpers used by the SVG writer.
///
/// Everything here is pure Swift arithmetic (no `NumberFormatter`, no `String(format:)` with a
/// locale), so the same input always produces byte-identical output on every platform and locale.
public enum SVGFormat {
    /// Formats a coordinate or length for an SVG attribute: at most 2 fractional digits, trailing
    /// zeros removed, never `-0`, non-finite values written as `0`.
    ///
    ///     SVGFormat.number(12.0)      // "12"
    ///     SVGFormat.number(0.125)     // "0.13"
    ///     SVGFormat.number(-0.001)    // "0"
    public static func number(_ value: Double) -> String {
        decimal(value, maxFractionDigits: 2)
    }

    /// Formats `value` with at most `maxFractionDigits` fractional digits (0...12), rounding half
    /// away from zero and trimming trailing zeros. Never returns `-0`; non-finite values give `0`.
    public static func decimal(_ value: Double, maxFractionDigits: Int) -> String {
        guard value.isFinite else { return "0" }
        var digits = max(0, min(maxFractionDigits, 12))
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        var scaled = (value * Double(scale)).rounded()
        // Keep the scaled value inside the exactly representable integer range of Double.
        while abs(scaled) >= 9.0e15 && digits > 0 {
            digits -= 1
            scale /= 10
            scaled = (value * Double(scale)).rounded()
        }
        if abs(scaled) >= 9.0e15 {
            return largeInteger(value.rounded())
        }
        let n = Int64(scaled)
        if n == 0 { return "0" }
        let magnitude = n.magnitude
        let intPart = magnitude / scale
        var frac = magnitude % scale
        var out = n < 0 ? "-" : ""
        out += String(intPart)
        if frac != 0 {
            var fracDigits = digits
            while frac % 10 == 0 {
                frac /= 10
                fracDigits -= 1
            }
            let s = String(frac)
            out += "."
            out += String(repeating: "0", count: fracDigits - s.count)
            out += s
        }
        return out
    }

    /// Writes a huge integral value (|v| ≥ 9e15) without exponent notation, deterministically.
    private static func largeInteger(_ value: Double) -> String {
        if abs(value) < 1.8e19 {
            let m = UInt64(abs(value))
            return (value < 0 ? "-" : "") + String(m)
        }
        // Beyond UInt64: Swift's shortest round-trip description is locale-independent.
        return value.description
    }

    /// Escapes text for XML: `&` `<` `>` `"` `'` become entities, and characters that are not
    /// allowed in XML 1.0 (most C0 control characters, U+FFFE, U+FFFF) are dropped.
    ///
    /// - Parameter inAttribute: when `true`, tab, newline and carriage return are also written as
    ///   character references so they survive attribute-value normalisation.
    public static func escape(_ text: String, inAttribute: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += inAttribute ? "&#10;" : "\n"
            case "\r": out += inAttribute ? "&#13;" : "\r"
            case "\t": out += inAttribute ? "&#9;" : "\t"
            default:
                let v = scalar.value
                let allowed = (v >= 0x20 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD) || v >= 0x10000
                if allowed { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
