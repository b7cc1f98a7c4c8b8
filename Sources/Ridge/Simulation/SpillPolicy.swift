/// What happens when a memory tier overflows (see `docs/oversubscription.md`).
public enum SpillPolicy: String, Sendable, CaseIterable {
    /// Fail, naming the tier, the bytes that do not fit and the operator.
    case none
    /// Evict the least recently used tensors to the next tier.
    case lru
    /// Evict the tensors that arrived first.
    case fifo
    /// Belady's optimal offline policy (MIN): evict the tensor whose next use is furthest in the
    /// future — possible because the trace is known in advance (Belady, "A study of replacement
    /// algorithms for a virtual-storage computer", IBM Systems Journal 1966). It minimises the
    /// number of evictions for equal-size pages; with tensors of different sizes it is the classic
    /// furthest-next-use heuristic, a floor in practice rather than a proof.
    case belady
    /// Demand paging (unified-memory oversubscription): tensors move in pages of `pageBytes`,
    /// each fault costing `faultLatency`, least recently used pages evicted first.
    case paging
}

/// Spill and power-cap options of a simulation.
public struct OversubscriptionOptions: Sendable {
    public var policy: SpillPolicy = .lru
    /// Granularity of swaps: KV and tensor swaps move in blocks of this size, each paying the
    /// link's per-transfer overhead (FastSwitch: small blocks waste PCIe).
    public var blockBytes: Double = 2 * 1_048_576
    /// Page size for `paging`.
    public var pageBytes: Double = 2 * 1_048_576
    /// Fault-handling latency per page for `paging` (GPU unified-memory faults cost tens of µs;
    /// Allen & Ge, "In-depth analyses of unified virtual memory system for GPU accelerated
    /// computing", SC 2021, measure 20–50 µs per fault batch).
    public var faultLatency: Double = 20e-6
    /// Power cap in watts (board), overriding the profile's.
    public var powerCap: Double?
    public init() {}
}
