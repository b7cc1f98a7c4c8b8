/// The calibratable part of an engine: how close real kernels come to the datasheet.
/// See `docs/efficiency.md` for the model and how each bundled value was set.
public struct Efficiency: Sendable, Equatable {
    /// Parameters for one operator kind.
    public struct Parameters: Sendable, Equatable {
        /// Fraction of matrix peak a large, well-shaped kernel attains.
        public var compute: Double = 1
        /// Fraction of memory bandwidth a streaming kernel attains.
        public var memory: Double = 1
        /// Output tile for padding and wave quantisation.
        public var tileM: Int = 128
        public var tileN: Int = 128
        /// GEMV regime: compute efficiency ramps as m / (m + smallM).
        public var smallM: Double = 0
        /// Fixed seconds per operator beyond the launch overhead.
        public var overhead: Double = 0

        public init() {}
    }

    public var base: Parameters
    /// Per-kind overrides (already merged with `base`).
    public var byKind: [String: Parameters]

    public init(base: Parameters = Parameters(), byKind: [String: Parameters] = [:]) {
        self.base = base
        self.byKind = byKind
    }

    public func parameters(for kind: String) -> Parameters { byKind[kind] ?? base }

    static let keys = ["compute", "memory", "tileM", "tileN", "smallM", "overhead"]

    /// Reads `efficiency` (and its `byKind` overrides) from a profile.
    static func read(_ r: ObjectReader) throws -> Efficiency {
        let base = try readParameters(r, defaults: Parameters())
        var byKind: [String: Parameters] = [:]
        if let kinds = try r.object("byKind") {
            for key in kinds.object.keys {
                guard let k = try kinds.object(key) else { continue }
                byKind[key] = try readParameters(k, defaults: base)
                try k.finish()
            }
            kinds.markAllUsed()
        }
        try r.finish()
        return Efficiency(base: base, byKind: byKind)
    }

    private static func readParameters(_ r: ObjectReader, defaults: Parameters) throws -> Parameters {
        var p = defaults
        if let v = try r.number("compute", in: 0.001...1) { p.compute = v }
        if let v = try r.number("memory", in: 0.001...1) { p.memory = v }
        if let v = try r.integer("tileM", in: 1...65536) { p.tileM = v }
        if let v = try r.integer("tileN", in: 1...65536) { p.tileN = v }
        if let v = try r.number("smallM", in: 0...1e9) { p.smallM = v }
        if let v = try r.quantity("overhead", .time) { p.overhead = v }
        return p
    }

    /// JSON form (used when writing calibrated profiles).
    public func json() -> JSONObject {
        func obj(_ p: Parameters) -> JSONObject {
            JSONObject([("compute", .number(p.compute)), ("memory", .number(p.memory)), ("tileM", .number(Double(p.tileM))),
                        ("tileN", .number(Double(p.tileN))), ("smallM", .number(p.smallM)), ("overhead", .number(p.overhead))])
        }
        var o = obj(base)
        if !byKind.isEmpty {
            o["byKind"] = .object(JSONObject(byKind.keys.sorted().map { ($0, .object(obj(byKind[$0]!))) }))
        }
        return o
    }
}
