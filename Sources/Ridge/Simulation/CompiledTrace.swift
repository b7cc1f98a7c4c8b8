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

    /// Open-addressing table from a shape's 64-bit fingerprint to its id (0 = empty slot), so
    /// interning costs a few dozen instructions instead of a full `Hasher` pass over the enum.
    private var table: [(key: UInt64, id: Int32)] = Array(repeating: (0, -1), count: 256)

    mutating func intern(_ shape: OperatorShape) -> Int32 {
        let key = shape.fingerprint | 1
        var slot = Int(truncatingIfNeeded: key >> 7) & (table.count - 1)
        while true {
            let entry = table[slot]
            if entry.key == 0 { break }
            if entry.key == key, shapes[Int(entry.id)] == shape { return entry.id }
            slot = (slot + 1) & (table.count - 1)
        }
        let id = Int32(shapes.count)
        shapes.append(shape)
        table[slot] = (key, id)
        if shapes.count * 2 > table.count { rehash() }
        return id
    }

    private mutating func rehash() {
        let old = table
        table = Array(repeating: (0, -1), count: old.count * 2)
        for e in old where e.key != 0 {
            var slot = Int(truncatingIfNeeded: e.key >> 7) & (table.count - 1)
            while table[slot].key != 0 { slot = (slot + 1) & (table.count - 1) }
            table[slot] = e
        }
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

extension OperatorShape {
    /// A fast, deterministic 64-bit mix of the shape's fields (FNV-style multiply–xor), for interning.
    var fingerprint: UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        @inline(__always) func mix(_ v: UInt64) { h = (h ^ v) &* 0x100_0000_01b3; h ^= h >> 29 }
        @inline(__always) func mix(_ v: Int) { mix(UInt64(bitPattern: Int64(v))) }
        @inline(__always) func mix(_ v: Double) { mix(v.bitPattern) }
        @inline(__always) func mix(_ s: String) { for b in s.utf8 { mix(UInt64(b)) } }
        switch self {
        case .gemm(let g): mix(1); mix(g.m); mix(g.n); mix(g.k); mix(g.batch); mix(Int(g.precision.bytes * 8))
        case .attention(let a):
            mix(2); mix(a.batch); mix(a.heads); mix(a.kvHeads); mix(a.queryLength); mix(a.keyLength); mix(a.headDim)
            mix(a.causal ? 1 : 0); mix(a.algorithm == .flash ? 1 : 0); mix(a.pass == .forward ? 0 : a.pass == .backward ? 1 : 2)
        case .decodeAttention(let d):
            mix(3); mix(d.batch); mix(d.heads); mix(d.kvHeads); mix(d.queryLength); mix(d.keyLength); mix(d.headDim)
            if let m = d.kvMemory { mix(m) }
        case .elementwise(let e): mix(4); mix(e.elements); mix(e.bytesPerElement); mix(e.flopsPerElement)
        case .embedding(let e): mix(5); mix(e.tokens); mix(e.hidden)
        case .conv(let c):
            mix(6); mix(c.batch); mix(c.height); mix(c.width); mix(c.inChannels); mix(c.outChannels); mix(c.kernel); mix(c.stride); mix(c.groups)
        case .transfer(let t): mix(7); mix(t.bytes); mix(t.from); mix(t.to); mix(t.chunkBytes ?? -1)
        }
        return h
    }
}
