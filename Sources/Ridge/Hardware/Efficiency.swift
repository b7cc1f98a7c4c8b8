import Foundation

/// The calibratable part of an engine: how close real kernels come to the datasheet.
/// See `docs/efficiency.md` for the model, the measurements behind each bundled value, and how
/// the values of GPUs that were never measured were derived.
public struct Efficiency: Sendable, Equatable {
    /// One output-tile configuration of the engine's matrix kernels (rows of m × columns of n).
    public struct Tile: Sendable, Equatable {
        public var m: Int
        public var n: Int
        public init(_ m: Int, _ n: Int) { self.m = m; self.n = n }
        /// Operand intensity of the tile: FLOPs per byte of A and B it loads, `m·n/(m+n)` (per k,
        /// 2 FLOPs per 2-byte pair; the element size cancels for the ratio between tiles).
        public var intensity: Double { Double(m * n) / Double(m + n) }
    }

    /// Parameters for one operator kind.
    public struct Parameters: Sendable, Equatable {
        /// Fraction of matrix peak the largest tile attains on full waves (MAMF / datasheet peak is
        /// the ceiling; Vidur's cuBLAS GEMMs attain less).
        public var compute: Double = 1
        /// Fraction of memory bandwidth a streaming kernel attains.
        public var memory: Double = 1
        /// The tile configurations the kernel library chooses from; the cost model takes the fastest.
        public var tiles: [Tile] = [Tile(128, 128)]
        /// GEMV regime: compute efficiency ramps as m / (m + smallM) (0: no ramp).
        public var smallM: Double = 0
        /// Fixed seconds per operator beyond the launch overhead.
        public var overhead: Double = 0
        /// Operand intensity (FLOP/B) at which a tile's efficiency halves: a tile of intensity `I`
        /// runs at `(1 + I0/I_max)/(1 + I0/I)` of the largest tile's rate (0: all tiles equal).
        public var tileIntensity: Double = 0
        /// Fraction of each output tile's write-back that does not overlap the main loop (0..1).
        public var epilogue: Double = 0
        /// How compute and memory overlap: `busy = (t_c^p + t_m^p)^(1/p)`; nil is perfect overlap
        /// (the roofline's `max`, written `0` in a profile), 1 is none (the sum).
        public var overlap: Double? = nil
        /// Share of a full wave's time that a partial last wave costs (1: strict wave quantisation,
        /// 0: none).
        public var waveTail: Double = 1

        public init() {}

        /// The first tile's rows / columns (profiles with one tile may write `tileM`/`tileN`).
        public var tileM: Int {
            get { tiles.first?.m ?? 128 }
            set { if tiles.isEmpty { tiles = [Tile(newValue, 128)] } else { tiles[0].m = newValue } }
        }
        public var tileN: Int {
            get { tiles.first?.n ?? 128 }
            set { if tiles.isEmpty { tiles = [Tile(128, newValue)] } else { tiles[0].n = newValue } }
        }

        public var largestTileIntensity: Double {
            var best = 1.0
            for t in tiles { best = max(best, t.intensity) }
            return best
        }

        /// Efficiency of a `rows × cols` tile relative to the largest tile.
        public func tileEfficiency(rows: Double, cols: Double) -> Double {
            guard tileIntensity > 0 else { return 1 }
            let i = rows * cols / (rows + cols)
            return (1 + tileIntensity / largestTileIntensity) / (1 + tileIntensity / i)
        }

        /// `max` with perfect overlap, else the p-norm.
        public func combine(_ compute: Double, _ memory: Double) -> Double {
            guard let p = overlap, compute > 0, memory > 0 else { return max(compute, memory) }
            let hi = max(compute, memory), lo = min(compute, memory)
            return hi * pow(1 + pow(lo / hi, p), 1 / p)
        }
    }

    public var base: Parameters
    /// Per-kind overrides (already merged with `base`).
    public var byKind: [String: Parameters]

    public init(base: Parameters = Parameters(), byKind: [String: Parameters] = [:]) {
        self.base = base
        self.byKind = byKind
    }

    public func parameters(for kind: String) -> Parameters { byKind[kind] ?? base }

    static let keys = ["compute", "memory", "tiles", "tileM", "tileN", "smallM", "overhead", "tileIntensity", "epilogue",
                       "overlap", "waveTail"]

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
        let tileM = try r.integer("tileM", in: 1...65536), tileN = try r.integer("tileN", in: 1...65536)
        if let list = try r.array("tiles") {
            if tileM != nil || tileN != nil { throw r.fail("tiles", "give either \"tiles\" or \"tileM\"/\"tileN\", not both") }
            guard !list.isEmpty else { throw r.fail("tiles", "expected at least one [m, n] tile") }
            p.tiles = try list.enumerated().map { i, v in
                let at = r.child("tiles") + "[\(i)]"
                guard case .array(let pair) = v, pair.count == 2, case .number(let a) = pair[0], case .number(let b) = pair[1],
                      a.rounded() == a, b.rounded() == b, (1...65536).contains(a), (1...65536).contains(b) else {
                    throw RidgeError.data(file: r.file, at: at, "expected a tile [m, n] of two whole numbers from 1 to 65536")
                }
                return Tile(Int(a), Int(b))
            }
        } else if tileM != nil || tileN != nil {
            let first = p.tiles.first ?? Tile(128, 128)
            p.tiles = [Tile(tileM ?? first.m, tileN ?? first.n)]
        }
        if let v = try r.number("smallM", in: 0...1e9) { p.smallM = v }
        if let v = try r.quantity("overhead", .time) { p.overhead = v }
        if let v = try r.number("tileIntensity", in: 0...1e6) { p.tileIntensity = v }
        if let v = try r.number("epilogue", in: 0...1) { p.epilogue = v }
        if let v = try r.number("overlap", in: 0...1e3) {
            guard v == 0 || v >= 1 else { throw r.fail("overlap", "expected 0 (perfect overlap) or an exponent from 1 (none) to 1000, found \(JSONWriter.format(number: v))") }
            p.overlap = v == 0 ? nil : v
        }
        if let v = try r.number("waveTail", in: 0...1) { p.waveTail = v }
        return p
    }

    /// JSON form of one parameter set (every key, so a derived profile replaces its parent's values).
    public static func json(_ p: Parameters) -> JSONObject {
        var o = JSONObject([("compute", .number(p.compute)), ("memory", .number(p.memory)),
                            ("tiles", .array(p.tiles.map { .array([.number(Double($0.m)), .number(Double($0.n))]) })),
                            ("smallM", .number(p.smallM)), ("overhead", .number(p.overhead)),
                            ("tileIntensity", .number(p.tileIntensity)), ("epilogue", .number(p.epilogue))])
        o["overlap"] = .number(p.overlap ?? 0)
        o["waveTail"] = .number(p.waveTail)
        return o
    }

    /// JSON form (used when writing calibrated profiles).
    public func json() -> JSONObject {
        var o = Efficiency.json(base)
        if !byKind.isEmpty {
            o["byKind"] = .object(JSONObject(byKind.keys.sorted().map { ($0, .object(Efficiency.json(byKind[$0]!))) }))
        }
        return o
    }
}
