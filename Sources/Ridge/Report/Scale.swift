// Linear and log10 scales mapping a data domain to pixels, with "nice" tick generation.

import Foundation

/// Maps a data domain onto a pixel range, linearly or logarithmically (base 10), and generates
/// readable tick positions.
///
/// The pixel range may be reversed (e.g. `range: (400, 0)` for a y axis growing upwards).
///
///     let x = Scale(.log10, domain: 0.1...1000, range: (0, 400))
///     x.map(10)          // 200
///     x.ticks()          // [0.1, 1, 10, 100, 1000]
public struct Scale: Sendable, Hashable {
    /// How values are mapped.
    public enum Kind: String, Sendable, Hashable {
        case linear
        /// Logarithmic, base 10. The domain must be positive; non-positive values map to NaN.
        case log10
    }

    public var kind: Kind
    /// Data domain. Degenerate, non-finite or (for log) non-positive domains are repaired by `init`.
    public var domain: ClosedRange<Double>
    /// Pixel coordinate of `domain.lowerBound`.
    public var rangeStart: Double
    /// Pixel coordinate of `domain.upperBound`.
    public var rangeEnd: Double

    /// Creates a scale. The domain is sanitised: an empty span is widened (linear: ±50% or 0...1;
    /// log: one decade either side), non-finite bounds become `0...1` (log: `1...10`), and for log
    /// scales a non-positive lower bound is replaced by `upper / 1000`.
    public init(_ kind: Kind = .linear, domain: ClosedRange<Double>, range: (Double, Double) = (0, 1)) {
        self.kind = kind
        self.domain = Scale.sanitise(kind, domain)
        self.rangeStart = range.0
        self.rangeEnd = range.1
    }

    /// A linear scale.
    public static func linear(domain: ClosedRange<Double>, range: (Double, Double)) -> Scale {
        Scale(.linear, domain: domain, range: range)
    }

    /// A log10 scale.
    public static func log10(domain: ClosedRange<Double>, range: (Double, Double)) -> Scale {
        Scale(.log10, domain: domain, range: range)
    }

    static func sanitise(_ kind: Kind, _ d: ClosedRange<Double>) -> ClosedRange<Double> {
        var lo = d.lowerBound, hi = d.upperBound
        switch kind {
        case .linear:
            guard lo.isFinite, hi.isFinite else { return 0...1 }
            if lo == hi {
                if lo == 0 { return 0...1 }
                let m = abs(lo) * 0.5
                return (lo - m)...(hi + m)
            }
            return lo...hi
        case .log10:
            guard hi.isFinite, hi > 0 else { return 1...10 }
            if !lo.isFinite || lo <= 0 { lo = hi / 1000 }
            if lo == hi {
                lo /= 10
                hi *= 10
            }
            return lo...hi
        }
    }

    /// Returns a copy mapping to a different pixel range.
    public func withRange(_ start: Double, _ end: Double) -> Scale {
        var s = self
        s.rangeStart = start
        s.rangeEnd = end
        return s
    }

    private func transform(_ v: Double) -> Double {
        switch kind {
        case .linear: return v
        case .log10: return v > 0 ? Foundation.log10(v) : .nan
        }
    }

    /// Maps a data value to a pixel coordinate (extrapolates outside the domain; NaN for
    /// non-positive values on a log scale).
    public func map(_ value: Double) -> Double {
        let a = transform(domain.lowerBound), b = transform(domain.upperBound)
        let t = (transform(value) - a) / (b - a)
        return rangeStart + t * (rangeEnd - rangeStart)
    }

    /// Maps a pixel coordinate back to a data value.
    public func invert(_ pixel: Double) -> Double {
        let t = (pixel - rangeStart) / (rangeEnd - rangeStart)
        let a = transform(domain.lowerBound), b = transform(domain.upperBound)
        let v = a + t * (b - a)
        switch kind {
        case .linear: return v
        case .log10: return Foundation.pow(10, v)
        }
    }

    /// Whether `value` lies in the domain (with a tiny relative tolerance).
    public func contains(_ value: Double) -> Bool {
        guard value.isFinite else { return false }
        if kind == .log10 && value <= 0 { return false }
        let a = transform(domain.lowerBound), b = transform(domain.upperBound)
        let eps = Swift.max(abs(b - a) * 1e-9, 1e-300)
        let v = transform(value)
        return v >= a - eps && v <= b + eps
    }

    // MARK: - Ticks

    /// Major tick values inside the domain, at most about `count + 1` of them.
    ///
    /// - Linear: multiples of 1, 2 or 5 × 10ⁿ ("1-2-5" steps).
    /// - Log10: whole decades (10ⁿ), thinned to every 2nd, 3rd… decade when there are more than
    ///   `count`; if the domain spans less than two decades, 1-2-5 × 10ⁿ values instead (and linear
    ///   ticks if even those are too few).
    public func ticks(count: Int = 6) -> [Double] {
        let n = Swift.max(1, count)
        let lo = domain.lowerBound, hi = domain.upperBound
        switch kind {
        case .linear:
            return Scale.linearTicks(lo, hi, count: n)
        case .log10:
            let k0 = Int((Foundation.log10(lo) - 1e-9).rounded(.up))
            let k1 = Int((Foundation.log10(hi) + 1e-9).rounded(.down))
            let decades = k1 - k0 + 1
            if decades >= 2 {
                let stride = Swift.max(1, Int((Double(decades) / Double(n)).rounded(.up)))
                var ks = (k0...k1).filter { Scale.floorMod($0, stride) == 0 }
                if ks.count < 2 { ks = Array(Swift.stride(from: k0, through: k1, by: stride)) }
                return ks.map { Scale.pow10($0) }
            }
            let sub = Scale.subDecadeValues(lo, hi, mantissas: [1, 2, 5])
            if sub.count >= 2 { return sub }
            return Scale.linearTicks(lo, hi, count: n)
        }
    }

    /// Minor tick values (not including major ticks).
    ///
    /// - Linear: subdivisions of the major step (5 for 1 and 5 steps, 4 for 2 steps).
    /// - Log10: 2…9 × 10ⁿ when every decade is a major tick; the skipped decades when decades are
    ///   thinned; the remaining 1…9 × 10ⁿ values for sub-decade domains.
    public func minorTicks(count: Int = 6) -> [Double] {
        let majors = ticks(count: count)
        let lo = domain.lowerBound, hi = domain.upperBound
        func isMajor(_ v: Double) -> Bool {
            majors.contains { abs($0 - v) <= abs(v) * 1e-9 }
        }
        switch kind {
        case .linear:
            guard majors.count >= 2 else { return [] }
            let step = majors[1] - majors[0]
            let (mantissa, _) = Scale.decompose(step)
            let parts = mantissa == 2 ? 4 : 5
            let minor = step / Double(parts)
            let i0 = Int((lo / minor - 1e-9).rounded(.up)), i1 = Int((hi / minor + 1e-9).rounded(.down))
            guard i1 >= i0, i1 - i0 < 10_000 else { return [] }
            return (i0...i1).map { Double($0) * minor }.filter { !isMajor($0) }
        case .log10:
            let k0 = Int((Foundation.log10(lo) - 1e-9).rounded(.up))
            let k1 = Int((Foundation.log10(hi) + 1e-9).rounded(.down))
            if k1 - k0 + 1 >= 2 {
                if majors.count >= 2, Foundation.log10(majors[1] / majors[0]) > 1.5 {
                    return (k0...k1).map { Scale.pow10($0) }.filter { !isMajor($0) }
                }
                return Scale.subDecadeValues(lo, hi, mantissas: [2, 3, 4, 5, 6, 7, 8, 9])
            }
            return Scale.subDecadeValues(lo, hi, mantissas: [1, 2, 3, 4, 5, 6, 7, 8, 9]).filter { !isMajor($0) }
        }
    }

    /// Returns a copy whose domain is extended outwards to "nice" values: multiples of the 1-2-5
    /// tick step (linear) or whole decades (log10). Applying it again changes nothing.
    public func niced(count: Int = 6) -> Scale {
        var s = self
        switch kind {
        case .linear:
            for _ in 0..<4 {
                let lo = s.domain.lowerBound, hi = s.domain.upperBound
                let step = Scale.niceStep(span: hi - lo, count: Swift.max(1, count))
                let (m, e) = Scale.decompose(step)
                let i0 = (lo / step + 1e-9).rounded(.down), i1 = (hi / step - 1e-9).rounded(.up)
                let nlo = Scale.scaled(i0 * m, e), nhi = Scale.scaled(i1 * m, e)
                let next = Scale(.linear, domain: nlo...nhi, range: (rangeStart, rangeEnd))
                if next.domain == s.domain { break }
                s = next
            }
        case .log10:
            let a = (Foundation.log10(domain.lowerBound) + 1e-9).rounded(.down)
            let b = (Foundation.log10(domain.upperBound) - 1e-9).rounded(.up)
            s.domain = Scale.sanitise(.log10, Scale.pow10(Int(a))...Scale.pow10(Int(b)))
        }
        return s
    }

    // MARK: - Helpers

    /// The 1-2-5 × 10ⁿ step that divides `span` into at most about `count` intervals.
    public static func niceStep(span: Double, count: Int) -> Double {
        let raw = abs(span) / Double(Swift.max(1, count))
        guard raw > 0, raw.isFinite else { return 1 }
        let e = Int(Foundation.log10(raw).rounded(.down))
        let f = raw / pow10(e)
        let nice: Double
        if f <= 1 + 1e-9 { nice = 1 } else if f <= 2 + 1e-9 { nice = 2 } else if f <= 5 + 1e-9 { nice = 5 } else { nice = 10 }
        return scaled(nice, e)
    }

    /// Exact 10ⁿ (the nearest Double), independent of `pow` accuracy.
    static func pow10(_ n: Int) -> Double {
        Double("1e\(n)") ?? Foundation.pow(10, Double(n))
    }

    /// `m × 10ᵉ` computed so that e.g. 3 × 10⁻¹ is exactly the Double nearest 0.3.
    static func scaled(_ m: Double, _ e: Int) -> Double {
        e >= 0 ? m * pow10(e) : m / pow10(-e)
    }

    /// Splits a 1-2-5 step into mantissa (1, 2, 5 or 10) and exponent.
    static func decompose(_ step: Double) -> (Double, Int) {
        let e = Int(Foundation.log10(step).rounded(.down))
        var m = (step / pow10(e)).rounded()
        var ee = e
        if m >= 10 { m /= 10; ee += 1 }
        if m < 1 { m *= 10; ee -= 1 }
        return (m, ee)
    }

    static func floorMod(_ a: Int, _ b: Int) -> Int {
        let r = a % b
        return r < 0 ? r + b : r
    }

    static func linearTicks(_ lo: Double, _ hi: Double, count: Int) -> [Double] {
        let step = niceStep(span: hi - lo, count: count)
        let (m, e) = decompose(step)
        let i0 = (lo / step - 1e-9).rounded(.up), i1 = (hi / step + 1e-9).rounded(.down)
        guard i1 >= i0, i1 - i0 < 10_000 else { return [] }
        var out: [Double] = []
        var i = i0
        while i <= i1 {
            let v = scaled(i * m, e)
            out.append(v == 0 ? 0 : v)
            i += 1
        }
        return out
    }

    static func subDecadeValues(_ lo: Double, _ hi: Double, mantissas: [Double]) -> [Double] {
        let k0 = Int(Foundation.log10(lo).rounded(.down)), k1 = Int(Foundation.log10(hi).rounded(.up))
        var out: [Double] = []
        for k in k0...k1 {
            for m in mantissas {
                let v = scaled(m, k)
                if v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9) { out.append(v) }
            }
        }
        return out
    }
}
