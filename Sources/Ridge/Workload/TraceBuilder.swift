import Foundation

/// Accumulates tensors and operators, handing each record to a sink as soon as it is complete, so
/// generators can feed the simulator or a file without building the whole trace.
public final class TraceBuilder {
    public let header: TraceHeader
    private let sink: (TraceRecord) throws -> Void
    private var tensorIDs: [String: Int32] = [:]
    public private(set) var tensors: [TensorInfo] = []
    public private(set) var opCount: Int32 = 0
    /// Last operator per (engine, stream): a short list compared by value (no string building per operator).
    private var lastByStream: [(engine: String, stream: String, op: Int32)] = []

    /// Whether generators should name operators (names cost a string per operator).
    public var keepNames = true

    public init(header: TraceHeader, sink: @escaping (TraceRecord) throws -> Void) {
        self.header = header
        self.sink = sink
    }

    /// Declares a tensor (once); returns its index.
    @discardableResult
    public func tensor(_ name: String, bytes: Double, memory: String = "", kind: TensorKind = .activation,
                       resident: Bool? = nil) throws -> Int32 {
        if let id = tensorIDs[name] { return id }
        guard tensors.count < Int(Int32.max) else { throw RidgeError.data(file: nil, at: nil, "too many tensors (at most \(Int32.max))") }
        let info = TensorInfo(name: name, bytes: bytes, memory: memory, kind: kind, resident: resident ?? (kind == .weight))
        let id = Int32(tensors.count)
        tensorIDs[name] = id
        tensors.append(info)
        try sink(.tensor(info))
        return id
    }

    public func id(_ name: String) -> Int32? { tensorIDs[name] }

    /// Emits an operator; returns its index.
    @discardableResult
    public func op(_ op: TraceOp) throws -> Int32 {
        guard opCount < Int32.max else { throw RidgeError.data(file: nil, at: nil, "too many operators (at most \(Int32.max))") }
        let id = opCount
        opCount += 1
        if let i = lastByStream.firstIndex(where: { $0.engine == op.engine && $0.stream == op.stream }) {
            lastByStream[i].op = id
        } else {
            lastByStream.append((op.engine, op.stream, id))
        }
        try sink(.op(op))
        return id
    }

    /// The last operator emitted on a stream.
    public func last(engine: String, stream: String) -> Int32? {
        lastByStream.first { $0.engine == engine && $0.stream == stream }?.op
    }

    /// Generates straight into a compiled trace (the simulator's layout), never holding the
    /// operators as `TraceOp`s: what a sweep that simulates one trace on many profiles wants.
    /// Simulating the result gives exactly what simulating `collect`'s trace gives.
    public static func compile(_ header: TraceHeader, keepNames: Bool = false, _ body: (TraceBuilder) throws -> Void) rethrows -> CompiledTrace {
        final class Box: @unchecked Sendable { var trace: CompiledTrace; init(_ t: CompiledTrace) { trace = t } }
        let box = Box(CompiledTrace(header: header, keepNames: keepNames))
        let builder = TraceBuilder(header: header) { record in
            switch record {
            case .tensor(let t): box.trace.tensors.append(t)
            case .op(let o): box.trace.append(o)
            }
        }
        builder.keepNames = keepNames
        try body(builder)
        return box.trace
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
