/// How to run a simulation.
public struct SimulationOptions: Sendable {
    /// Memory capacities to use instead of the profile's (memory id → bytes).
    public var capacityOverrides: [String: Double] = [:]
    /// Record per-operator spans for a timeline (costs memory proportional to the trace).
    public var recordTimeline = false
    /// Record memory occupancy samples for plots.
    public var recordMemory = false
    /// Operators read ahead of the oldest unfinished one; bounds memory for streamed traces (about
    /// 200 bytes per operator in the window). An operator further ahead than this in file order waits
    /// to be read even if it could run; generated traces interleave their streams within a few
    /// layers, so the window never delays them (tested).
    public var window = 1 << 20
    /// Spill policy, swap granularity and power cap.
    public var oversubscription = OversubscriptionOptions()
    /// Test hook: choose spill victims by the reference scan over every tensor instead of the
    /// maintained order (`VictimOrder.swift`); the results must be identical.
    var victimsByScan = false
    public init() {}
}

/// One operator's span on a track, for timelines.
public struct TimelineSpan: Sendable {
    public var name: String
    public var track: String
    public var kind: String
    public var phase: String
    public var start: Double
    public var end: Double
}
