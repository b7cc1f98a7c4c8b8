import Foundation

/// How the values of one swept field are read.
public enum SweepValueKind: Sendable, Equatable {
    /// A quantity of this dimension, in SI base units (`.count` for plain numbers).
    case quantity(Dimension)
    /// A whole number (batch, prompt, compute units); range values are rounded.
    case integer
    /// A name (a model, a precision, a spill policy): lists only.
    case name
}

/// One value of a sweep dimension: its canonical text (numbers in SI base units, shortest
/// round-trip form, as JSON writes them) and, for numeric fields, the number.
public struct SweepValue: Sendable, Hashable {
    public var text: String
    public var number: Double?

    public init(number: Double) {
        self.number = number
        text = JSONWriter.format(number: number)
    }

    public init(name: String) {
        text = name
        number = nil
    }

    /// The value as a table cell.
    public var cell: SweepCell { number.map(SweepCell.number) ?? .string(text) }
}

/// Parses the VALUES of `--vary PATH=VALUES`: a list (`2TB/s,3.35TB/s`), a linear range with a
/// count (`40GiB..160GiB:4`, both ends included) or a geometric range with a factor
/// (`500T..2000T:x2`, up to the end). Errors are usage errors naming the option and saying what
/// was expected.
public enum SweepValues {
    /// At most this many values in one dimension.
    public static let maxValues = 100_000

    public static func parse(_ spec: String, kind: SweepValueKind, path: String) throws -> [SweepValue] {
        let text = spec.trimmingCharacters(in: .whitespaces)
        func fail(_ why: String) -> RidgeError { RidgeError.usage("--vary \(path)=\(spec): \(why)") }
        guard !text.isEmpty else { throw fail("no values: give a list (a,b,c), a range with a count (A..B:N) or a geometric range (A..B:xF)") }
        var values: [SweepValue]
        if let dots = text.range(of: "..") {
            guard kind != .name else { throw fail("\(path) takes names, so give a list (a,b,c), not a range") }
            let lower = String(text[..<dots.lowerBound])
            let rest = text[dots.upperBound...]
            guard let colon = rest.lastIndex(of: ":") else {
                throw fail("a range needs a count or a factor: A..B:N (N values from A to B) or A..B:xF (A, A·F, A·F², … up to B)")
            }
            let upper = String(rest[..<colon]), step = rest[rest.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            let a = try number(lower, kind, fail), b = try number(upper, kind, fail, rounding: false)
            if let f = step.first, f == "x" || f == "X" || f == "×" || f == "*" {
                let factorText = step.dropFirst().trimmingCharacters(in: .whitespaces)
                guard let factor = Double(factorText), factor.isFinite, factor > 1 else {
                    throw fail("the factor after \"x\" must be a number above 1, got \"\(factorText)\"")
                }
                guard a > 0, b > 0 else { throw fail("a geometric range needs both ends above zero") }
                values = try geometric(a, b, factor, fail).map { try make($0, kind, fail) }
            } else {
                guard let n = Int(step), n >= 2 else {
                    throw fail("the count after \":\" must be a whole number of at least 2, got \"\(step)\" (for a factor write :x\(step))")
                }
                guard n <= maxValues else { throw fail("at most \(maxValues) values per dimension, got \(n)") }
                guard a != b else { throw fail("the range starts and ends at the same value") }
                values = try (0..<n).map { i in
                    let v = i == n - 1 ? b : a + (b - a) * Double(i) / Double(n - 1)
                    return try make(v, kind, fail)
                }
            }
        } else {
            let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard items.count <= maxValues else { throw fail("at most \(maxValues) values per dimension, got \(items.count)") }
            values = try items.map { item in
                guard !item.isEmpty else { throw fail("an empty value (two commas in a row, or one at an end)") }
                if kind == .name { return SweepValue(name: item) }
                return try make(try number(item, kind, fail, rounding: false), kind, fail, exact: true)
            }
        }
        var seen = Set<String>()
        for v in values where !seen.insert(v.text).inserted {
            throw fail("the value \(v.text) appears twice" + (kind == .integer ? " (range values are rounded to whole numbers)" : ""))
        }
        return values
    }

    /// `a, a·f, a·f², …` while within `b` (in the direction of `b`); `b` itself when a step lands
    /// on it to within rounding.
    static func geometric(_ a: Double, _ b: Double, _ f: Double, _ fail: (String) -> RidgeError) throws -> [Double] {
        let up = b >= a
        let steps = (log(up ? b / a : a / b) / log(f) + 1e-9).rounded(.down)
        guard steps < Double(maxValues) else { throw fail("at most \(maxValues) values per dimension") }
        return (0...Int(steps)).map { k in
            let v = up ? a * pow(f, Double(k)) : a / pow(f, Double(k))
            return abs(v - b) <= 1e-9 * abs(b) ? b : v
        }
    }

    static func number(_ text: String, _ kind: SweepValueKind, _ fail: (String) -> RidgeError, rounding: Bool = false) throws -> Double {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty else { throw fail("a range end is missing") }
        let dimension: Dimension
        switch kind {
        case .quantity(let d): dimension = d
        default: dimension = .count
        }
        do { return try Quantity.parse(t, as: dimension) } catch {
            throw fail(error.message)
        }
    }

    static func make(_ v: Double, _ kind: SweepValueKind, _ fail: (String) -> RidgeError, exact: Bool = false) throws -> SweepValue {
        guard v.isFinite else { throw fail("\(v) is not a finite number") }
        guard kind == .integer else { return SweepValue(number: v == 0 ? 0 : v) }
        let r = v.rounded()
        if exact, r != v { throw fail("expected whole numbers, got \(JSONWriter.format(number: v))") }
        guard abs(r) < 1e15 else { throw fail("\(JSONWriter.format(number: v)) is too large") }
        return SweepValue(number: r == 0 ? 0 : r)
    }
}
