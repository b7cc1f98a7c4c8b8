/// Operators in a compact, reference-free layout (structure of arrays) that the simulator's hot
/// loop runs on without retain/release traffic: distinct shapes, (engine, stream) queues and phases
/// are interned once; tensor references and dependencies live in flat arrays. Appending is
/// streaming-friendly: `dropPrefix` discards operators the simulator no longer needs, so a JSON Lines
/// trace of any length runs in bounded memory.
public struct CompiledTrace: Sendable {
    public var header: TraceHeader
    public var tensors: [TensorInfo] = []
    /// Shared by this trace and its copies, so a `ChainSchedule` can tell the trace it was recorded on.
    let identity = Identity()
    final class Identity: Sendable {}

    // Interned tables.
    var shapes: [OperatorShape] = []
    var queues: [(engine: String, stream: String)] = []
    private var queueIndex: [String: [String: Int32]] = [:]
    var phases: [String] = []
    private var phaseIndex: [String: Int32] = [:]
    /// The queue and phase of the last operator appended (most operators share them).
    private var lastEngine = "", lastStream = "", lastQueue: Int32 = -1
    private var lastPhase = "", lastPhaseID: Int32 = -1

    /// One operator: interned shape, (engine, stream) queue and phase, and the end offsets
    /// (absolute) of its reads, writes and frees in `refs` and of its dependencies in `after`.
    struct OpRecord {
        var shape: Int32
        var queue: Int32
        var phase: Int32
        var readEnd: Int
        var writeEnd: Int
        var freeEnd: Int
        var afterEnd: Int
    }

    /// A tensor an operator reads, writes or frees; a write may give the tensor's new size (NaN: unchanged).
    struct TensorRef {
        var tensor: Int32
        var bytes: Double
    }

    // Per operator, local index `i` = absolute index − `base`.
    public private(set) var base = 0
    var records: [OpRecord] = []
    var names: [String] = []
    var keepNames: Bool

    var refBase = 0
    var refs: [TensorRef] = []
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
        reserve(operators: trace.ops.count)
        for op in trace.ops { append(op) }
    }

    public var count: Int { base + records.count }

    /// Reserves room for `n` more operators (about three tensor references each).
    mutating func reserve(operators n: Int) {
        records.reserveCapacity(records.count + n)
        refs.reserveCapacity(refs.count + 3 * n)
    }

    /// Open-addressing table from a shape's 64-bit fingerprint to its id (0 = empty slot), so
    /// interning costs a few dozen instructions instead of a full `Hasher` pass over the enum.
    private var table: [(key: UInt64, id: Int32)] = Array(repeating: (0, -1), count: 256)

    mutating func intern(_ shape: OperatorShape) -> Int32 {
        let key = shape.fingerprint | 1
        var slot = Int(truncatingIfNeeded: key >> 7) & (table.count - 1)
        while true {
            let entry = table[slot]
            if entry.key == 0 { break }
            if entry.key == key, shapes.withUnsafeBufferPointer({ $0[Int(entry.id)] == shape }) { return entry.id }
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
        if lastQueue >= 0, lastEngine == engine, lastStream == stream { return lastQueue }
        let q: Int32
        if let known = queueIndex[engine]?[stream] { q = known } else {
            q = Int32(queues.count)
            queues.append((engine, stream))
            queueIndex[engine, default: [:]][stream] = q
        }
        lastEngine = engine; lastStream = stream; lastQueue = q
        return q
    }

    mutating func phase(_ name: String) -> Int32 {
        if lastPhaseID >= 0, lastPhase == name { return lastPhaseID }
        let p: Int32
        if let known = phaseIndex[name] { p = known } else {
            p = Int32(phases.count)
            phases.append(name)
            phaseIndex[name] = p
        }
        lastPhase = name; lastPhaseID = p
        return p
    }

    public mutating func append(_ op: TraceOp) {
        let q: Int32
        if case .transfer = op.shape { q = queue(engine: "", stream: op.stream) } else { q = queue(engine: op.engine, stream: op.stream) }
        let p = phase(op.phase)
        let shape = intern(op.shape)
        for t in op.reads { refs.append(TensorRef(tensor: t, bytes: .nan)) }
        let readEnd = refBase + refs.count
        for w in op.writes { refs.append(TensorRef(tensor: w.tensor, bytes: w.bytes ?? .nan)) }
        let writeEnd = refBase + refs.count
        for t in op.frees { refs.append(TensorRef(tensor: t, bytes: .nan)) }
        if !op.after.isEmpty { after.append(contentsOf: op.after) }
        records.append(OpRecord(shape: shape, queue: q, phase: p, readEnd: readEnd, writeEnd: writeEnd, freeEnd: refBase + refs.count,
                                afterEnd: afterBase + after.count))
        if keepNames { names.append(op.name) }
    }

    /// The record of operator `i` (absolute index).
    @inline(__always)
    func record(_ i: Int) -> OpRecord { records[i - base] }

    /// The tensor of reference `r` (absolute offset).
    @inline(__always)
    func tensor(_ r: Int) -> Int32 { refs[r - refBase].tensor }

    /// The engine name an operator was given ("" for transfers and for the primary engine).
    func engineName(_ i: Int) -> String { queues[Int(records[i - base].queue)].engine }

    func name(_ i: Int) -> String { keepNames ? names[i - base] : "#\(i)" }

    @inline(__always)
    func readRange(_ i: Int) -> Range<Int> {
        let l = i - base
        let start = l == 0 ? refBase : records[l - 1].freeEnd
        return start..<records[l].readEnd
    }
    @inline(__always)
    func writeRange(_ i: Int) -> Range<Int> { let l = i - base; return records[l].readEnd..<records[l].writeEnd }
    @inline(__always)
    func freeRange(_ i: Int) -> Range<Int> { let l = i - base; return records[l].writeEnd..<records[l].freeEnd }
    @inline(__always)
    func afterRange(_ i: Int) -> Range<Int> {
        let l = i - base
        return (l == 0 ? afterBase : records[l - 1].afterEnd)..<records[l].afterEnd
    }

    /// Discards operators before absolute index `n` (they are finished and no longer referenced).
    mutating func dropPrefix(upTo n: Int) {
        let k = n - base
        guard k > 0 else { return }
        let refCut = records[k - 1].freeEnd, afterCut = records[k - 1].afterEnd
        refs.removeFirst(refCut - refBase); refBase = refCut
        after.removeFirst(afterCut - afterBase); afterBase = afterCut
        records.removeFirst(k)
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
