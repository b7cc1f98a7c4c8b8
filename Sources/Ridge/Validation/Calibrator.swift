import Foundation

/// Fits an engine's efficiency parameters (per operator kind) to measured rows by minimising the
/// mean absolute percentage error. A deterministic pattern search (Hooke & Jeeves, "Direct search
/// solution of numerical and statistical problems", JACM 1961): exploratory moves along each
/// parameter, a pattern move along the last improvement, step halving when nothing improves,
/// from two starting points (the profile's current values and a neutral GPU-like point), keeping
/// the better. Bounds keep every parameter physical (`docs/efficiency.md`). Each row is prepared
/// once (`CostModel.prepare`), so an evaluation is arithmetic only and a fit of thousands of rows
/// takes well under a second in a release build.
public enum Calibrator {
    /// A fitted efficiency parameter, with its bounds and the first step of the search.
    public enum Field: String, CaseIterable, Sendable {
        case compute, memory, overhead, tileIntensity, epilogue, overlap, waveTail

        var bounds: ClosedRange<Double> {
            switch self {
            case .compute, .memory: return 0.01...1
            case .overhead: return 0...1e-3
            case .tileIntensity: return 0...1000
            case .epilogue, .waveTail: return 0...1
            case .overlap: return 0...1   // searched as 1/p: 0 is perfect overlap (max), 1 is none (sum)
            }
        }

        var firstStep: Double {
            switch self {
            case .compute, .memory: return 0.05
            case .overhead: return 1e-6
            case .tileIntensity: return 2
            case .epilogue, .overlap, .waveTail: return 0.1
            }
        }

        func get(_ p: Efficiency.Parameters) -> Double {
            switch self {
            case .compute: return p.compute
            case .memory: return p.memory
            case .overhead: return p.overhead
            case .tileIntensity: return p.tileIntensity
            case .epilogue: return p.epilogue
            case .overlap: return p.overlap.map { 1 / $0 } ?? 0
            case .waveTail: return p.waveTail
            }
        }

        func set(_ p: inout Efficiency.Parameters, _ v: Double) {
            let v = min(bounds.upperBound, max(bounds.lowerBound, v))
            switch self {
            case .compute: p.compute = v
            case .memory: p.memory = v
            case .overhead: p.overhead = v
            case .tileIntensity: p.tileIntensity = v
            case .epilogue: p.epilogue = v
            case .overlap: p.overlap = v < 1e-9 ? nil : 1 / v
            case .waveTail: p.waveTail = v
            }
        }
    }

    /// The parameters that change a kind's time in the cost model (the others are left alone).
    public static func fields(for kind: String) -> [Field] {
        switch kind {
        case "gemm", "conv": return Field.allCases
        case "attention": return [.compute, .memory, .overhead, .overlap, .waveTail]
        // Vector FLOPs rarely limit these on an accelerator, so compute is not fitted: letting it
        // absorb a slow kernel would make a bandwidth-bound operator look compute-bound.
        case "decode_attention", "elementwise": return [.memory, .overhead]
        case "embedding": return [.memory, .overhead]
        default: return []
        }
    }

    /// Rows a kind needs before it is fitted: two per parameter. Fewer leave parameters the data do
    /// not pin down, and the search would write whatever bound it drifted to.
    public static func minimumRows(for kind: String) -> Int { 2 * fields(for: kind).count }

    public struct KindFit: Sendable {
        public var kind: String
        public var parameters: Efficiency.Parameters
        public var fields: [Field]
        public var train: ErrorStats
        /// Objective evaluations the search used.
        public var evaluations: Int
    }

    public struct Fit: Sendable {
        public var efficiency: Efficiency
        public var kinds: [KindFit]
        public var trainStats: [String: ErrorStats] { Dictionary(uniqueKeysWithValues: kinds.map { ($0.kind, $0.train) }) }

        /// `profile` with engine `id`'s efficiency replaced by the fitted one.
        public func applied(to profile: HardwareProfile, engine id: String) -> HardwareProfile {
            var p = profile
            if let i = p.engineIndex(id) { p.engines[i].efficiency = efficiency }
            return p
        }
    }

    /// Predicted seconds of each row on `engine`.
    public static func predict(_ rows: [MeasuredRow], engine: Engine, profile: HardwareProfile) -> [Double] {
        rows.map { CostModel.cost($0.shape, on: engine, in: profile).seconds }
    }

    /// Fits `byKind` parameters for every kind present in `rows` (or `kinds`), starting from the
    /// engine's current ones. Transfers have no efficiency parameters and are skipped.
    public static func fit(_ rows: [MeasuredRow], engine: Engine, profile: HardwareProfile, kinds: [String]? = nil) -> Fit {
        var efficiency = engine.efficiency
        var fits: [KindFit] = []
        let present = kinds ?? Array(Set(rows.map(\.kind))).sorted()
        for kind in present {
            // With one tile there is nothing for the tile intensity to rank.
            let fields = fields(for: kind).filter { $0 != .tileIntensity || efficiency.parameters(for: kind).tiles.count > 1 }
            let subset = rows.filter { $0.kind == kind }
            guard !fields.isEmpty, !subset.isEmpty else { continue }
            let start = efficiency.parameters(for: kind)
            // Tile options depend on the tile set, which is not fitted, so rows are prepared once.
            var probe = engine
            probe.efficiency.byKind[kind] = start
            let timings = subset.map { CostModel.prepare($0.shape, on: probe, in: profile).timing }
            let batch = TimingBatch(timings)
            let measured = subset.map(\.seconds)
            var predicted: [Double] = []
            var evaluations = 0
            func objective(_ p: Efficiency.Parameters) -> Double {
                evaluations += 1
                batch.seconds(p, into: &predicted)
                var sum = 0.0
                for i in measured.indices { sum += abs(predicted[i] - measured[i]) / measured[i] }
                return sum / Double(measured.count)
            }
            var neutral = start
            for (f, v) in [(Field.compute, 0.8), (.memory, 0.8), (.overhead, 4e-6), (.tileIntensity, 4), (.epilogue, 0.3),
                           (.overlap, 0.5), (.waveTail, 0.5)] where fields.contains(f) { f.set(&neutral, v) }
            var best = search(from: start, fields: fields, objective)
            let other = search(from: neutral, fields: fields, objective)
            if other.value < best.value - 1e-12 { best = other }
            // Four significant digits: more would be noise, and the written profile predicts exactly what is reported.
            for f in fields where f != .overlap { f.set(&best.parameters, Calibrator.round(f.get(best.parameters))) }
            best.parameters.overlap = best.parameters.overlap.map(Calibrator.round)
            efficiency.byKind[kind] = best.parameters
            batch.seconds(best.parameters, into: &predicted)
            fits.append(KindFit(kind: kind, parameters: best.parameters, fields: fields,
                                train: ErrorStats(predicted: predicted, measured: measured), evaluations: evaluations))
        }
        return Fit(efficiency: efficiency, kinds: fits)
    }

    /// `v` to four significant digits.
    static func round(_ v: Double) -> Double {
        guard v != 0, v.isFinite else { return v }
        let scale = pow(10, 3 - floor(log10(abs(v))))
        return (v * scale).rounded() / scale
    }

    /// Hooke–Jeeves from `start` over `fields`.
    static func search(from start: Efficiency.Parameters, fields: [Field],
                       _ objective: (Efficiency.Parameters) -> Double) -> (parameters: Efficiency.Parameters, value: Double) {
        var base = start
        for f in fields { f.set(&base, f.get(base)) }   // clamp into bounds
        var value = objective(base)
        var steps = fields.map(\.firstStep)
        let minSteps = fields.map { $0.firstStep / 256 }

        /// Tries ±step on each field around `point`, keeping every improvement.
        func explore(_ point: Efficiency.Parameters, _ v: Double) -> (Efficiency.Parameters, Double) {
            var p = point, best = v
            for (i, f) in fields.enumerated() {
                for direction in [1.0, -1.0] {
                    var q = p
                    f.set(&q, f.get(p) + direction * steps[i])
                    if f.get(q) == f.get(p) { continue }
                    let w = objective(q)
                    if w < best - 1e-12 { best = w; p = q; break }
                }
            }
            return (p, best)
        }

        for _ in 0..<2000 {
            let (next, v) = explore(base, value)
            if v < value - 1e-12 {
                // Pattern move: keep going in the direction that just helped while it helps.
                var previous = base
                base = next; value = v
                while true {
                    var jump = base
                    for f in fields { f.set(&jump, 2 * f.get(base) - f.get(previous)) }
                    let (candidate, w) = explore(jump, objective(jump))
                    guard w < value - 1e-12 else { break }
                    previous = base
                    base = candidate; value = w
                }
            } else {
                var refined = false
                for i in steps.indices where steps[i] > minSteps[i] { steps[i] /= 2; refined = true }
                if !refined { break }
            }
        }
        return (base, value)
    }
}

/// How measured rows are split into the rows a fit sees and the rows it is judged on.
public struct HoldoutSplit: Sendable, Equatable {
    /// Fraction of rows held out at random (0 when splitting by group).
    public var fraction: Double = 0
    public var seed: UInt64 = 1
    /// Rows whose `group` is one of these are held out.
    public var groups: [String] = []

    public init(fraction: Double = 0, seed: UInt64 = 1, groups: [String] = []) {
        self.fraction = fraction; self.seed = seed; self.groups = groups
    }

    /// Indices of the training and held-out rows. A random split shuffles with SplitMix64 (Steele,
    /// Lea & Flood, OOPSLA 2014) from `seed`, so it is the same on every machine.
    public func split(_ rows: [MeasuredRow]) -> (train: [Int], heldOut: [Int]) {
        if !groups.isEmpty {
            let held = Set(groups)
            return (rows.indices.filter { !held.contains(rows[$0].group) }, rows.indices.filter { held.contains(rows[$0].group) })
        }
        guard fraction > 0 else { return (Array(rows.indices), []) }
        var order = Array(rows.indices)
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            let j = Int(next() % UInt64(i + 1))
            order.swapAt(i, j)
        }
        let count = Int((Double(rows.count) * fraction).rounded())
        let held = Set(order.prefix(count))
        return (rows.indices.filter { !held.contains($0) }, rows.indices.filter { held.contains($0) })
    }
}
