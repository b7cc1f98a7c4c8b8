/// An operator trace: tensors (with sizes and home memories) and operators in program order.
/// See `docs/trace-format.md`.
public struct Trace: Sendable {
    public var header: TraceHeader
    public var tensors: [TensorInfo]
    public var ops: [TraceOp]

    public init(header: TraceHeader, tensors: [TensorInfo] = [], ops: [TraceOp] = []) {
        self.header = header; self.tensors = tensors; self.ops = ops
    }
}

/// Trace-level information: its name and free-form metadata (the generator records the model and
/// workload here so reports can show tokens/s).
public struct TraceHeader: Sendable {
    public static let format = "ridge-trace/1"
    public var name: String
    public var metadata: JSONObject
    public init(name: String, metadata: JSONObject = JSONObject()) { self.name = name; self.metadata = metadata }

    /// Workload numbers the generator records (batch, prompt, generate), if present.
    public func int(_ key: String) -> Int? { metadata[key]?.numberValue.map { Int($0) } }
}

/// What a tensor holds; spill policies and placement options act on kinds.
public enum TensorKind: String, Sendable, CaseIterable {
    case weight, kv, activation, other
}

public struct TensorInfo: Sendable {
    public var name: String
    /// Initial size in bytes (a write may grow it, as the KV cache grows each step).
    public var bytes: Double
    /// Home memory id.
    public var memory: String
    public var kind: TensorKind
    /// Allocated for the whole run (weights), rather than at its first write.
    public var resident: Bool
    public init(name: String, bytes: Double, memory: String, kind: TensorKind = .activation, resident: Bool = false) {
        self.name = name; self.bytes = bytes; self.memory = memory; self.kind = kind; self.resident = resident
    }
}

/// A write to a tensor, optionally setting its new size (growth).
public struct TensorWrite: Sendable, Hashable {
    public var tensor: Int32
    public var bytes: Double?
    public init(_ tensor: Int32, bytes: Double? = nil) { self.tensor = tensor; self.bytes = bytes }
}

/// One operator in a trace. Tensor and dependency references are indices (into `Trace.tensors`
/// and `Trace.ops`), resolved from names when the trace is read.
public struct TraceOp: Sendable {
    public var name: String
    public var shape: OperatorShape
    public var engine: String
    public var stream: String
    public var phase: String
    public var layer: Int
    public var reads: [Int32]
    public var writes: [TensorWrite]
    public var frees: [Int32]
    /// Explicit dependencies beyond stream order (indices of earlier ops).
    public var after: [Int32]

    public init(name: String, shape: OperatorShape, engine: String, stream: String = "compute", phase: String = "",
                layer: Int = -1, reads: [Int32] = [], writes: [TensorWrite] = [], frees: [Int32] = [], after: [Int32] = []) {
        self.name = name; self.shape = shape; self.engine = engine; self.stream = stream; self.phase = phase
        self.layer = layer; self.reads = reads; self.writes = writes; self.frees = frees; self.after = after
    }
}
