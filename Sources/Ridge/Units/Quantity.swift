import Foundation

/// The physical dimension a quantity must have; decides which unit symbols parse.
public enum Dimension: String, Sendable, CaseIterable {
    case bytes, bandwidth, flopRate, power, time, energy, energyPerByte, energyPerFlop, frequency, count

    /// Base symbols and their factor to the SI base unit, longest first so `FLOPS` wins over `OPS`.
    var symbols: [(String, Double)] {
        switch self {
        case .bytes: return [("bytes", 1), ("byte", 1), ("bits", 0.125), ("bit", 0.125), ("B", 1)]
        case .bandwidth: return [("bytes/s", 1), ("bit/s", 0.125), ("B/s", 1), ("bps", 0.125), ("Bps", 1)]
        case .flopRate: return [("FLOP/s", 1), ("flop/s", 1), ("FLOPS", 1), ("FLOPs", 1), ("flops", 1), ("OP/s", 1), ("op/s", 1), ("OPS", 1), ("ops", 1)]
        case .power: return [("W", 1)]
        case .time: return [("min", 60), ("sec", 1), ("h", 3600), ("s", 1)]
        case .energy: return [("Wh", 3600), ("J", 1)]
        case .energyPerByte: return [("J/byte", 1), ("J/bit", 8), ("J/B", 1)]
        case .energyPerFlop: return [("J/FLOP", 1), ("J/flop", 1), ("J/op", 1), ("J/OP", 1), ("J", 1)]
        case .frequency: return [("Hz", 1)]
        case .count: return []
        }
    }

    /// The SI unit this dimension is written in when printed.
    public var unitSymbol: String {
        switch self {
        case .bytes: return "B"
        case .bandwidth: return "B/s"
        case .flopRate: return "FLOP/s"
        case .power: return "W"
        case .time: return "s"
        case .energy: return "J"
        case .energyPerByte: return "J/B"
        case .energyPerFlop: return "J/FLOP"
        case .frequency: return "Hz"
        case .count: return ""
        }
    }
}

/// Parsing of quantities written with units: `"3.35 TB/s"`, `"80 GiB"`, `"989.4 TFLOP/s"`,
/// `"1.5 us"`, `"7 pJ/bit"`. Decimal (k M G T P E; m u µ n p f) and binary (Ki Mi Gi Ti Pi Ei)
/// prefixes; a bare prefix (`"500T"`) scales a number without naming the unit.
public enum Quantity {
    static let prefixes: [(String, Double)] = [
        ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776),
        ("Pi", 1_125_899_906_842_624), ("Ei", 1_152_921_504_606_846_976),
        ("k", 1e3), ("K", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("P", 1e15), ("E", 1e18),
        ("m", 1e-3), ("u", 1e-6), ("µ", 1e-6), ("μ", 1e-6), ("n", 1e-9), ("p", 1e-12), ("f", 1e-15),
    ]

    /// A number written as text (a CSV field): `Double(text)`, except that text with a control
    /// character is not a number. `Double(String)` goes through the C library, which stops at a NUL,
    /// so on its own it reads "6\u{0}4" as 6.
    public static func number(_ text: String) -> Double? {
        guard !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return nil }
        return Double(text)
    }

    /// Parses `text` as a quantity of `dimension`, returning SI base units.
    /// Throws a message (without location) describing what was expected.
    public static func parse(_ text: String, as dimension: Dimension) throws(QuantityError) -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // Split the leading number from the unit.
        var numberEnd = trimmed.startIndex
        var seenDigit = false
        var i = trimmed.startIndex
        while i < trimmed.endIndex {
            let c = trimmed[i]
            if c.isASCII, c.isNumber { seenDigit = true; numberEnd = trimmed.index(after: i) }
            else if c == "." || c == "-" || c == "+" { }
            else if (c == "e" || c == "E"), seenDigit {
                // An exponent only if digits follow (so "5 EB" and "2E" stay units).
                let next = trimmed.index(after: i)
                var j = next
                if j < trimmed.endIndex, trimmed[j] == "-" || trimmed[j] == "+" { j = trimmed.index(after: j) }
                if j < trimmed.endIndex, trimmed[j].isASCII, trimmed[j].isNumber { i = j; continue }
                break
            } else { break }
            i = trimmed.index(after: i)
        }
        let numberText = String(trimmed[trimmed.startIndex..<numberEnd])
        guard seenDigit, let number = Double(numberText) else {
            throw QuantityError(message: "\"\(text)\" is not a quantity: expected a number with an optional unit of \(expected(dimension))")
        }
        let unit = trimmed[numberEnd...].trimmingCharacters(in: .whitespaces)
        guard let factor = factor(of: unit, dimension: dimension) else {
            throw QuantityError(message: "\"\(text)\": unit \"\(unit)\" is not a unit of \(expected(dimension))")
        }
        let value = number * factor
        guard value.isFinite else { throw QuantityError(message: "\"\(text)\" is not a finite number") }
        return value
    }

    static func expected(_ d: Dimension) -> String {
        switch d {
        case .bytes: return "bytes (e.g. \"80 GiB\", \"50 MB\")"
        case .bandwidth: return "bandwidth (e.g. \"3.35 TB/s\")"
        case .flopRate: return "throughput (e.g. \"989.4 TFLOP/s\", \"624 TOPS\")"
        case .power: return "power (e.g. \"700 W\")"
        case .time: return "time (e.g. \"1.5 us\", \"2 ms\")"
        case .energy: return "energy (e.g. \"3 J\")"
        case .energyPerByte: return "energy per byte (e.g. \"7 pJ/bit\", \"4 pJ/B\")"
        case .energyPerFlop: return "energy per operation (e.g. \"0.5 pJ/FLOP\")"
        case .frequency: return "frequency (e.g. \"225 MHz\")"
        case .count: return "a plain count"
        }
    }

    static func factor(of unit: String, dimension: Dimension) -> Double? {
        if unit.isEmpty { return 1 }
        if let p = prefixes.first(where: { $0.0 == unit }) { return p.1 }
        for (symbol, base) in dimension.symbols where unit.hasSuffix(symbol) {
            let prefix = String(unit.dropLast(symbol.count))
            if prefix.isEmpty { return base }
            if let p = prefixes.first(where: { $0.0 == prefix }) { return base * p.1 }
        }
        return nil
    }
}

public struct QuantityError: Error, Sendable { public var message: String }

/// Human-readable formatting for tables: SI prefixes for rates and energies, binary for bytes.
public enum Format {
    public static func si(_ value: Double, _ unit: String, digits: Int = 3) -> String {
        if value == 0 { return "0 \(unit)" }
        let steps: [(Double, String)] = [(1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"),
                                         (1, ""), (1e-3, "m"), (1e-6, "µ"), (1e-9, "n"), (1e-12, "p"), (1e-15, "f")]
        let a = abs(value)
        let (scale, prefix) = steps.first(where: { a >= $0.0 * 0.9995 }) ?? (1e-15, "f")
        return "\(significant(value / scale, digits)) \(prefix)\(unit)"
    }

    public static func bytes(_ value: Double) -> String {
        let steps: [(Double, String)] = [(1_099_511_627_776, "TiB"), (1_073_741_824, "GiB"), (1_048_576, "MiB"), (1024, "KiB")]
        for (scale, unit) in steps where abs(value) >= scale { return "\(significant(value / scale, 3)) \(unit)" }
        return "\(Int(value.rounded())) B"
    }

    public static func seconds(_ value: Double) -> String { si(value, "s") }

    /// `digits` significant digits, trailing zeros trimmed, locale-independent.
    public static func significant(_ v: Double, _ digits: Int) -> String {
        if v == 0 || !v.isFinite { return v.isFinite ? "0" : "\(v)" }
        let magnitude = Int(floor(log10(abs(v))))
        let decimals = max(0, digits - 1 - magnitude)
        var s = String(format: "%.\(decimals)f", v)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s == "-0" ? "0" : s
    }

    public static func percent(_ v: Double, digits: Int = 1) -> String { String(format: "%.\(digits)f%%", v) }
}
