/// What limits an operator's time.
public enum Bound: Sendable, Hashable, CustomStringConvertible {
    case compute
    case memory(String)
    case link(String)
    case overhead

    public var description: String {
        switch self {
        case .compute: return "compute"
        case .memory(let m): return m
        case .link(let l): return "link:\(l)"
        case .overhead: return "overhead"
        }
    }
}

/// Bytes an operator moves in one memory tier.
public struct MemoryTraffic: Sendable, Equatable {
    public var memory: String
    public var readBytes: Double
    public var writeBytes: Double
    public var total: Double { readBytes + writeBytes }
}

/// The cost of one operator on one engine.
public struct OperatorCost: Sendable {
    public var flops: Double
    /// Traffic per memory tier, in first-touched order.
    public var traffic: [MemoryTraffic]
    /// The I/O lower bound for the operator's memory traffic (bytes), where one is known.
    public var lowerBoundBytes: Double
    public var computeSeconds: Double
    public var memorySeconds: Double
    public var overheadSeconds: Double
    public var seconds: Double
    public var bound: Bound
    /// Dynamic energy (FLOPs, bytes, the engine's busy floor); idle power is charged by the simulator.
    public var energyJoules: Double

    public var totalBytes: Double { traffic.reduce(0) { $0 + $1.total } }
    public func bytes(in memory: String) -> Double { traffic.first { $0.memory == memory }?.total ?? 0 }
}

/// Where an operator's tensors live, by role. `nil` means the engine's own memory.
public struct Placement: Sendable, Hashable {
    public var input: String?
    public var weights: String?
    public var output: String?
    public var kv: String?
    public init(input: String? = nil, weights: String? = nil, output: String? = nil, kv: String? = nil) {
        self.input = input; self.weights = weights; self.output = output; self.kv = kv
    }
    public static let local = Placement()
}
