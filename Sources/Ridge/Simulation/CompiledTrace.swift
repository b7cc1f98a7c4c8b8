/// Operators in a compact, reference-free layout (structure of arrays) that the simulator's hot
/// loop runs on without retain/release traffic: distinct shapes, (engine, stream) queues and phases
/// are interned once; tensor references and dependencies live in flat arrays. Appending is
/// streaming-friendly: `dropPrefix` discards operators the simulator no longer needs, so a JSON Lines
/// trace of any length runs in bounded memory.
public struct CompiledTrace: Sendable {
    public var header: TraceHeader
    public var tensors: [TensorInfo] = []

    // Interned tables.
    var shapes: [OperatorShape] = []
    private var shapeIndex: [OperatorShape: Int32] = [:]
    var queues: [(engine: String, stream: String)] = []
    private var queueIndex: [String: [String: Int32]] = [:]
    var phases: [String] = []
    private var phaseIndex: [String: Int32] = [:]
    private var last: (engine: String, stream: String, queue: Int32, phase: String, phaseID: Int32)? = nil

    // Per operator, local index `i` = absolute index − `base`.
    public private(set) var base = 0
    var opShape: [Int32] = []
    var opQueue: [Int32] = []
    var opPhase: [Int32] = []
    /// End offsets (absolute, into `refs`) of each operator's reads, writes and frees.
    var opReadEnd: [Int] = [], opWriteEnd: [Int] = [], opFreeEnd: [Int] = []
    var opAfterEnd: [Int] = []
    var names: [String] = []
    var keepNames: Bool

    var refBase = 0
    var refs: [Int32] = []
    /// New size for writes (NaN: unchanged), parallel to `refs`.
    var refBytes: [Double] = []
    var afterBase = 0
    var after: [Int32] = []

    public init(header: TraceHeader, keepNames: Bool = false) {
        self.header = header
        self.keepNames = keepNames
    }

    /// Compiles an in-memory trace.
    public init(_ trace: Trace, keepNames: Bool = false) {
        self.init(header: trace.header, keepNames: keepNames)
        tensors = trace.tensors
        for op in trace.ops { append(op) }
    }

    public var count: Int { base + opShape.count }

    mutating func intern(_ shape: OperatorShape) -> Int32 {
        if let i = shapeIndex[shape] { return i }
        let i = Int32(shapes.count)
        shapes.append(shape)
        shapeIndex[shape] = i
        return i
    }

    mutating func queue(engine: String, stream: String) -> Int32 {
        if let l = last, l.engine == engine, l.stream == stream { return l.queue }
        if let q = queueIndex[engine]?[stream] { return q }
        let q = Int32(queues.count)
        queues.append((engine, stream))
        queueIndex[engine, default: [:]][stream] = q
        return q
    }

    mutating func phase(_ name: String) -> Int32 {
        if let l = last, l.phase == name { return l.phaseID }
        if let p = phaseIndex[name] { return p }
        let p = Int32(phases.count)
        phases.append(name)
        phaseIndex[name] = p
        return p
    }

    public mutating func append(_ op: TraceOp) {
        let engine = op.shape.kind == "transfer" ? "" : op.engine
        let q = queue(engine: engine, stream: op.stream)
        let p = phase(op.phase)
        last = (engine, op.stream, q, op.phase, p)
        opShape.append(intern(op.shape))
        opQueue.append(q)
        opPhase.append(p)
        for t in op.reads { refs.append(t); refBytes.append(.nan) }
        opReadEnd.append(refBase + refs.count)
        for w in op.writes { refs.append(w.tensor); refBytes.append(w.bytes ?? .nan) }
        opWriteEnd.append(refBase + refs.count)
        for t in op.frees { refs.append(t); refBytes.append(.nan) }
        opFreeEnd.append(refBase + refs.count)
        after.append(contentsOf: op.after)
        opAfterEnd.append(afterBase + after.count)
        if keepNames { names.append(op.name) }
    }

    /// The engine name an operator was given ("" for transfers and for the primary engine).
    func engineName(_ i: Int) -> String { queues[Int(opQueue[i - base])].engine }

    func name(_ i: Int) -> String { keepNames ? names[i - base] : "#\(i)" }

    func readRange(_ i: Int) -> Range<Int> {
        let l = i - base
        let start = l == 0 ? refBase : opFreeEnd[l - 1]
        return start..<opReadEnd[l]
    }
    func writeRange(_ i: Int) -> Range<Int> { let l = i - base; return opReadEnd[l]..<opWriteEnd[l] }
    func freeRange(_ i: Int) -> Range<Int> { let l = i - base; return opWriteEnd[l]..<opFreeEnd[l] }
    func afterRange(_ i: Int) -> Range<Int> {
        let l = i - base
        return (l == 0 ? afterBase : opAfterEnd[l - 1])..<opAfterEnd[l]
    }

    /// Discards operators before absolute index `n` (they are finished and no longer referenced).
    mutating func dropPrefix(upTo n: Int) {
        let k = n - base
        guard k > 0 else { return }
        let refCut = opFreeEnd[k - 1], afterCut = opAfterEnd[k - 1]
        refs.removeFirst(refCut - refBase); refBytes.removeFirst(refCut - refBase); refBase = refCut
        after.removeFirst(afterCut - afterBase); afterBase = afterCut
        opShape.removeFirst(k); opQueue.removeFirst(k); opPhase.removeFirst(k)
        opReadEnd.removeFirst(k); opWriteEnd.removeFirst(k); opFreeEnd.removeFirst(k); opAfterEnd.removeFirst(k)
        if keepNames { names.removeFirst(k) }
        base = n
    }
}
