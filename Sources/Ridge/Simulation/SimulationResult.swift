/// What a simulation found: times, energy, power, memory peaks, and breakdowns.
public struct SimulationResult: Sendable {
    public var profile: String
    public var trace: String
    public var ops: Int
    public var makespanSeconds: Double
    public var energyJoules = 0.0
    public var dynamicEnergyJoules = 0.0
    public var idleEnergyJoules = 0.0
    public var averageWatts = 0.0
    public var peakWatts = 0.0
    public var phases: [PhaseResult] = []
    public var byKind: [KindResult] = []
    public var byBound: [(bound: String, seconds: Double)] = []
    public var memories: [MemoryResult] = []
    public var links: [(id: String, bytes: Double)] = []
    public var operatorClasses: [OperatorClass] = []
    /// How much of the operator time rests on measurements (`docs/efficiency.md`, "Uncertainty").
    public var calibration = CalibrationShare()
    public var timeline: [TimelineSpan] = []
    public var memorySamples: [(time: Double, memory: String, bytes: Double)] = []
    /// Sequences and generated tokens per sequence, when the trace says (LLM generator).
    public var batch: Int?
    public var generate: Int?
    /// Spill traffic the policy generated: swaps issued and bytes per link.
    public var spillPolicy = "lru"
    public var swaps = 0
    public var swapBytes: [(link: String, bytes: Double)] = []
    public var swapEnergyJoules = 0.0
    /// Bytes evicted without a write-back (their copy in the spill tier was still valid).
    public var cleanEvictionBytes = 0.0
    /// The same trace with unlimited capacity, when this run spilled (set by `Simulator.runWithSpillCost`).
    public var unlimited: Baseline?
    /// Power cap and what it cost.
    public var powerCapWatts: Double?
    public var throttledOps = 0
    public var throttleExtraSeconds = 0.0
    /// Operators slowed by their GPU's board power limit (the profile's `peak` watts, its TDP),
    /// and the operator time that added; counted apart from the power cap's throttling.
    public var tdpThrottledOps = 0
    public var tdpThrottleExtraSeconds = 0.0
    /// The same trace without the power cap, when this run was throttled.
    public var uncapped: Baseline?

    /// Makespan and energy of a comparison run.
    public struct Baseline: Sendable {
        public var makespanSeconds: Double
        public var energyJoules: Double
    }

    /// How long the simulation itself took (not deterministic; excluded from comparisons).
    public var wallSeconds = 0.0

    public init(profile: String, trace: String, ops: Int, makespanSeconds: Double) {
        self.profile = profile; self.trace = trace; self.ops = ops; self.makespanSeconds = makespanSeconds
    }

    public func phase(_ name: String) -> PhaseResult? { phases.first { $0.name == name } }

    /// Time to first token: the end of the prefill phase.
    public var timeToFirstToken: Double? { phase("prefill")?.endSeconds }

    /// Time per output token: decode time divided by decode steps.
    public var timePerOutputToken: Double? {
        guard let g = generate, g > 0, let d = phase("decode") else { return nil }
        return (d.endSeconds - (timeToFirstToken ?? d.startSeconds)) / Double(g)
    }

    /// Generated tokens per second over the whole run (prefill included), FlexGen's throughput metric.
    public var tokensPerSecond: Double? {
        guard let b = batch, let g = generate, g > 0, makespanSeconds > 0 else { return nil }
        return Double(b * g) / makespanSeconds
    }

    public var joulesPerToken: Double? {
        guard let b = batch, let g = generate, g > 0 else { return nil }
        return energyJoules / Double(b * g)
    }

    /// Extra time the spill cost against the unlimited-capacity run.
    public var spillExtraSeconds: Double? { unlimited.map { makespanSeconds - $0.makespanSeconds } }
    public var spillExtraJoules: Double? { unlimited.map { energyJoules - $0.energyJoules } }
    /// Extra time the power cap cost against the uncapped run.
    public var powerCapLatencyCost: Double? { uncapped.map { makespanSeconds - $0.makespanSeconds } }

    /// Memories whose peak exceeds their capacity.
    public var overflowing: [MemoryResult] { memories.filter { $0.peakBytes > $0.capacityBytes * (1 + 1e-12) } }

    /// The bound that took the most operator time.
    public var dominantBound: String? { byBound.max { $0.seconds < $1.seconds }?.bound }
}

public struct PhaseResult: Sendable {
    public var name: String
    public var ops: Int
    public var startSeconds: Double
    public var endSeconds: Double
    public var energyJoules: Double
    public var seconds: Double { endSeconds - startSeconds }

    /// How results name a trace phase (operators without one are in "(none)").
    static func name(ofPhase raw: String) -> String { raw.isEmpty ? "(none)" : raw }
}

public struct KindResult: Sendable {
    public var kind: String
    public var count: Int
    public var seconds: Double
}

public struct MemoryResult: Sendable {
    public var id: String
    public var capacityBytes: Double
    public var peakBytes: Double
}

/// A distinct operator (shape, engine, cost) and how often and how long it ran.
public struct OperatorClass: Sendable {
    public var shape: OperatorShape
    public var engine: String
    public var cost: OperatorCost
    public var count: Int
    public var totalSeconds: Double
}

/// Operator time by calibration status, and the reasons behind the time outside the measured region.
public struct CalibrationShare: Sendable {
    /// Seconds per status (`CalibrationRecord.Status`), transfers excluded.
    public var seconds: [(status: String, seconds: Double)] = []
    /// The largest contributors outside the calibrated region: (reason, seconds), longest first.
    public var outside: [(detail: String, seconds: Double)] = []

    public init() {}

    public var total: Double { seconds.reduce(0) { $0 + $1.seconds } }
    public func share(_ status: CalibrationRecord.Status) -> Double {
        guard total > 0 else { return 0 }
        return (seconds.first { $0.status == status.rawValue }?.seconds ?? 0) / total
    }
    /// Share of operator time that is an estimate beyond measurements (extrapolated or uncalibrated).
    public var estimatedShare: Double { share(.extrapolated) + share(.uncalibrated) }

    static func of(_ classes: [OperatorClass], profile: HardwareProfile) -> CalibrationShare {
        var byStatus: [String: Double] = [:]
        // Per kind and status: the reason of its longest operator class, and the kind's total time.
        var outside: [String: (detail: String, longest: Double, seconds: Double)] = [:]
        for c in classes {
            guard !c.engine.isEmpty, let engine = profile.engine(c.engine),
                  let coverage = CalibrationRecord.coverage(of: c.shape, on: engine, in: profile) else { continue }
            byStatus[coverage.status.rawValue, default: 0] += c.totalSeconds
            guard coverage.status == .extrapolated || coverage.status == .uncalibrated else { continue }
            let key = "\(c.shape.kind)|\(coverage.status.rawValue)"
            var entry = outside[key] ?? (coverage.detail, c.totalSeconds, 0)
            if c.totalSeconds > entry.longest { entry.detail = coverage.detail; entry.longest = c.totalSeconds }
            entry.seconds += c.totalSeconds
            outside[key] = entry
        }
        var share = CalibrationShare()
        share.seconds = CalibrationRecord.Status.allCases.compactMap { s in byStatus[s.rawValue].map { (s.rawValue, $0) } }
        share.outside = outside.values.map { ($0.detail, $0.seconds) }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        return share
    }
}
