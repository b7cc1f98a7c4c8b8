import Foundation

/// Accumulates tensors and operators, handing each record to a sink as soon as it is complete, so
/// generators can feed the simulator or a file without building the whole trace; or, for
/// `compile`, appending straight into a compiled trace.
public final class TraceBuilder {
    public let header: TraceHeader
    private let sink: ((TraceRecord) throws -> Void)?

    /// Everything that changes per record, in one value so an operator costs one access to it
    /// (a class's stored properties each pay a dynamic exclusivity check per access).
    private struct State {
        var tensorIDs: [String: Int32] = [:]
        var tensors: [TensorInfo] = []
        var opCount: Int32 = 0
        /// Last operator per (engine, stream): a short list compared by value (no string building per operator).
        var lastByStream: [(engine: String, stream: String, op: Int32)] = []
        /// The trace being compiled (`compile` only).
        var compiled: CompiledTrace?
        var compiling = false
    }
    private var state = State()

    public var tensors: [TensorInfo] { state.tensors }
    public var opCount: Int32 { state.opCount }

    /// Whether generators should name operators (names cost a string per operator).
    public var keepNames = true

    public init(header: TraceHeader, sink: @escaping (TraceRecord) throws -> Void) {
        self.header = header
        self.sink = sink
    }

    private init(compiling header: TraceHeader, keepNames: Bool) {
        self.header = header
        sink = nil
        self.keepNames = keepNames
        state.compiled = CompiledTrace(header: header, keepNames: keepNames)
        state.compiling = true
        state.compiled!.reserve(operators: 1 << 12)
    }

    /// Declares a tensor (once); returns its index.
    @discardableResult
    public func tensor(_ name: String, bytes: Double, memory: String = "", kind: TensorKind = .activation,
                       resident: Bool? = nil) throws -> Int32 {
        if let id = state.tensorIDs[name] { return id }
        guard state.tensors.count < Int(Int32.max) else { throw RidgeError.data(file: nil, at: nil, "too many tensors (at most \(Int32.max))") }
        let info = TensorInfo(name: name, bytes: bytes, memory: memory, kind: kind, resident: resident ?? (kind == .weight))
        let id = Int32(state.tensors.count)
        state.tensorIDs[name] = id
        state.tensors.append(info)
        if state.compiling { state.compiled!.tensors.append(info) }
        try sink?(.tensor(info))
        return id
    }

    public func id(_ name: String) -> Int32? { state.tensorIDs[name] }

    /// Emits an operator; returns its index.
    @discardableResult
    public func op(_ op: TraceOp) throws -> Int32 {
        let id = try TraceBuilder.add(op, to: &state)
        try sink?(.op(op))
        return id
    }

    private static func add(_ op: TraceOp, to s: inout State) throws -> Int32 {
        guard s.opCount < Int32.max else { throw RidgeError.data(file: nil, at: nil, "too many operators (at most \(Int32.max))") }
        let id = s.opCount
        s.opCount += 1
        if let i = s.lastByStream.firstIndex(where: { $0.engine == op.engine && $0.stream == op.stream }) {
            s.lastByStream[i].op = id
        } else {
            s.lastByStream.append((op.engine, op.stream, id))
        }
        if s.compiling { s.compiled!.append(op) }
        return id
    }

    /// The last operator emitted on a stream.
    public func last(engine: String, stream: String) -> Int32? {
        state.lastByStream.first { $0.engine == engine && $0.stream == stream }?.op
    }

    /// Generates straight into a compiled trace (the simulator's layout), never holding the
    /// operators as `TraceOp`s: what a sweep that simulates one trace on many profiles wants.
    /// Simulating the result gives exactly what simulating `collect`'s trace gives.
    public static func compile(_ header: TraceHeader, keepNames: Bool = false, _ body: (TraceBuilder) throws -> Void) rethrows -> CompiledTrace {
        let builder = TraceBuilder(compiling: header, keepNames: keepNames)
        try body(builder)
        let trace = builder.state.compiled!
        builder.state.compiled = nil
        return trace
    }

    /// Collects a whole trace in memory.
    public static func collect(_ header: TraceHeader, _ body: (TraceBuilder) throws -> Void) rethrows -> Trace {
        final class Box: @unchecked Sendable { var trace: Trace; init(_ t: Trace) { trace = t } }
        let box = Box(Trace(header: header))
        let builder = TraceBuilder(header: header) { record in
            switch record {
            case .tensor(let t): box.trace.tensors.append(t)
            case .op(let o): box.trace.ops.append(o)
            }
        }
        try body(builder)
        return box.trace
    }
}
