import Foundation

/// A record in a streamed trace: tensors are declared before the operators that use them.
public enum TraceRecord: Sendable {
    case tensor(TensorInfo)
    case op(TraceOp)
}

/// A source of trace records read in order, so large traces never need to be in memory at once.
public protocol TraceSource {
    var header: TraceHeader { get }
    /// The file the records come from, for error messages (`nil` for generated traces).
    var file: String? { get }
    /// The next record, or `nil` at the end.
    mutating func next() throws -> TraceRecord?
}

/// Replays an in-memory trace as a source: all tensors, then all operators.
public struct InMemoryTraceSource: TraceSource {
    public let trace: Trace
    public let file: String?
    private var index = 0
    public init(_ trace: Trace, file: String? = nil) { self.trace = trace; self.file = file }
    public var header: TraceHeader { trace.header }
    public mutating func next() throws -> TraceRecord? {
        defer { index += 1 }
        if index < trace.tensors.count { return .tensor(trace.tensors[index]) }
        let i = index - trace.tensors.count
        return i < trace.ops.count ? .op(trace.ops[i]) : nil
    }
}

/// Reads traces: a JSON document (`{"format", "name", "tensors": [...], "ops": [...]}`) or JSON
/// Lines (a header line, then one tensor or operator per line), chosen by the `.jsonl` extension or
/// by the first line. Errors name the file, the line or operator index and the field.
public enum TraceReader {
    public static func isJSONLines(_ path: String) -> Bool {
        path.hasSuffix(".jsonl") || path.hasSuffix(".ndjson")
    }

    /// Opens a trace file as a stream of records.
    public static func open(_ path: String) throws -> TraceSource {
        if isJSONLines(path) { return try JSONLinesTraceSource(path: path) }
        return InMemoryTraceSource(try read(path), file: path)
    }

    /// Reads a whole trace into memory (either format).
    public static func read(_ path: String) throws -> Trace {
        if isJSONLines(path) {
            var source = try JSONLinesTraceSource(path: path)
            var trace = Trace(header: source.header)
            while let record = try source.next() {
                switch record {
                case .tensor(let t): trace.tensors.append(t)
                case .op(let o): trace.ops.append(o)
                }
            }
            return trace
        }
        return try decodeDocument(FileIO.readJSON(path), file: path)
    }

    static func decodeHeader(_ r: ObjectReader) throws -> TraceHeader {
        if let format = try r.string("format"), format != TraceHeader.format {
            throw r.fail("format", "unsupported trace format \"\(format)\": expected \"\(TraceHeader.format)\"")
        }
        let name = try r.string("name") ?? "trace"
        let metadata = try r.object("metadata")
        metadata?.markAllUsed()
        return TraceHeader(name: name, metadata: metadata?.object ?? JSONObject())
    }

    /// Decodes a JSON trace document, resolving `after` references in any order and rejecting cycles.
    public static func decodeDocument(_ value: JSONValue, file: String?) throws -> Trace {
        let r = try ObjectReader(value, path: "", file: file)
        let header = try decodeHeader(r)
        var tensors: [TensorInfo] = []
        var tensorIndex: [String: Int32] = [:]
        for (i, t) in (try r.array("tensors") ?? []).enumerated() {
            let info = try TraceCoding.decodeTensor(try ObjectReader(t, path: "tensors[\(i)]", file: file), nameKey: "name")
            guard tensorIndex[info.name] == nil else {
                throw RidgeError.data(file: file, at: "tensors[\(i)].name", "duplicate tensor name \"\(info.name)\"")
            }
            tensorIndex[info.name] = Int32(tensors.count)
            tensors.append(info)
        }
        guard let opValues = try r.array("ops") else { throw r.fail("ops", "missing required field: expected an array of operators") }
        try r.finish()
        var pending: [TraceCoding.PendingOp] = []
        var ids: [String: Int] = [:]
        for (i, v) in opValues.enumerated() {
            let p = try TraceCoding.decodeOp(try ObjectReader(v, path: "ops[\(i)]", file: file), index: i, tensors: tensorIndex)
            if ids[p.id] != nil { throw RidgeError.data(file: file, at: "ops[\(i)].id", "duplicate operator id \"\(p.id)\"") }
            ids[p.id] = i
            pending.append(p)
        }
        var after: [[Int]] = []
        for (i, p) in pending.enumerated() {
            after.append(try p.after.enumerated().map { j, name in
                guard let target = ids[name] ?? (name.hasPrefix("#") ? Int(name.dropFirst()).flatMap { $0 >= 0 && $0 < pending.count ? $0 : nil } : nil) else {
                    throw RidgeError.data(file: file, at: "ops[\(i)].after[\(j)]", "depends on unknown operator id \"\(name)\"")
                }
                if target == i { throw RidgeError.data(file: file, at: "ops[\(i)].after[\(j)]", "dependency cycle: operator \"\(p.id)\" depends on itself") }
                return target
            })
        }
        let order = try topologicalOrder(pending, after: after, file: file)
        var position = [Int](repeating: 0, count: pending.count)
        for (newIndex, old) in order.enumerated() { position[old] = newIndex }
        let ops: [TraceOp] = order.map { old in
            var op = pending[old].op
            op.after = after[old].map { Int32(position[$0]) }
            return op
        }
        return Trace(header: header, tensors: tensors, ops: ops)
    }

    /// Program order when it is already a valid order; otherwise a stable topological order of
    /// stream order plus `after` edges. Throws naming a cycle.
    static func topologicalOrder(_ ops: [TraceCoding.PendingOp], after: [[Int]], file: String?) throws -> [Int] {
        let n = ops.count
        if after.enumerated().allSatisfy({ i, deps in deps.allSatisfy { $0 < i } }) { return Array(0..<n) }
        var edges = [[Int]](repeating: [], count: n)
        var indegree = [Int](repeating: 0, count: n)
        var lastInStream: [String: Int] = [:]
        for i in 0..<n {
            let key = ops[i].op.engine + "\u{0}" + ops[i].op.stream
            if let prev = lastInStream[key] { edges[prev].append(i); indegree[i] += 1 }
            lastInStream[key] = i
            for d in after[i] { edges[d].append(i); indegree[i] += 1 }
        }
        var ready = BinaryHeap<Int>(less: <)
        for i in 0..<n where indegree[i] == 0 { ready.push(i) }
        var order: [Int] = []
        while let i = ready.pop() {
            order.append(i)
            for j in edges[i] { indegree[j] -= 1; if indegree[j] == 0 { ready.push(j) } }
        }
        if order.count == n { return order }
        // Find a cycle among the remaining operators for the message.
        let remaining = Set((0..<n).filter { indegree[$0] > 0 })
        var path: [Int] = [], onPath = Set<Int>(), visited = Set<Int>()
        func dfs(_ v: Int) -> [Int]? {
            path.append(v); onPath.insert(v); visited.insert(v)
            for w in edges[v] where remaining.contains(w) {
                if onPath.contains(w) { return Array(path[path.firstIndex(of: w)!...]) + [w] }
                if !visited.contains(w), let c = dfs(w) { return c }
            }
            path.removeLast(); onPath.remove(v)
            return nil
        }
        let start = remaining.min()!
        let cycle = dfs(start) ?? [start]
        throw RidgeError.data(file: file, at: "ops[\(cycle[0])]",
                              "dependency cycle: " + cycle.map { "\"\(ops[$0].id)\"" }.joined(separator: " → "))
    }
}

/// Streams a JSON Lines trace: line 1 is the header; each later line declares a tensor
/// (`{"tensor": name, "bytes": …}`) or an operator (`{"op": kind, …}`). Operators may depend
/// only on earlier lines: by id on one of the last `idWindow` operators that have ids (at least
/// 1,048,576 of them; `TraceWriter` names only the last 65,536), by position (`#N`) on any.
/// Memory is bounded whatever the trace's length: the remembered ids live in a compact byte arena
/// (about 30 bytes each, so at most about 60 MiB), and nothing else of a record outlives its line.
public struct JSONLinesTraceSource: TraceSource {
    public let header: TraceHeader
    public let file: String?
    private var reader: LineReader
    private var tensorIndex: [String: Int32] = [:]
    private var tensorCount: Int32 = 0
    private var opIDs: RecentNames
    private var opCount: Int32 = 0
    /// Operator ids remembered for `after` references and duplicate checks (at least this many).
    public static let idWindow = 1 << 20

    public init(path: String, idWindow: Int = JSONLinesTraceSource.idWindow) throws {
        try self.init(reader: try LineReader(path: path), file: path, idWindow: idWindow)
    }

    /// Reads a JSON Lines trace held in memory; `file` names it in errors.
    public init(bytes: [UInt8], file: String, idWindow: Int = JSONLinesTraceSource.idWindow) throws {
        try self.init(reader: LineReader(bytes: bytes, path: file), file: file, idWindow: idWindow)
    }

    private init(reader: LineReader, file path: String, idWindow: Int) throws {
        file = path
        self.reader = reader
        opIDs = RecentNames(window: idWindow)
        guard let (line, bytes) = try self.reader.nextLine() else { throw RidgeError.data(file: path, at: "line 1", "empty file: expected a trace header line") }
        do {
            let value = try JSONParser.parse(bytes)
            let r = try ObjectReader(value, path: "", file: path)
            if r.has("op") || r.has("tensor") {
                throw RidgeError.data(file: path, at: nil, "the first line must be the trace header ({\"format\": \"\(TraceHeader.format)\", \"name\": …})")
            }
            header = try TraceReader.decodeHeader(r)
            try r.finish()
        } catch let e as RidgeError {
            throw RidgeError(e.kind, file: path, location: Self.location(line, e.location), e.message)
        }
    }

    /// `line N` or `line N, <location within the line>` (the parser's column or a field path).
    static func location(_ line: Int, _ inner: String?) -> String {
        guard let inner, !inner.isEmpty, inner != "top level" else { return "line \(line)" }
        // The parser reports "line 1, column C" within the line: keep the column.
        if inner.hasPrefix("line 1, ") { return "line \(line), " + inner.dropFirst("line 1, ".count) }
        return "line \(line), \(inner)"
    }

    public mutating func next() throws -> TraceRecord? {
        while let (line, bytes) = try reader.nextLine() {
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            do {
                let value = try JSONParser.parse(bytes)
                let r = try ObjectReader(value, path: "", file: file)
                if r.has("tensor") {
                    let t = try TraceCoding.decodeTensor(r, nameKey: "tensor")
                    guard tensorIndex[t.name] == nil else { throw r.fail("tensor", "duplicate tensor name \"\(t.name)\"") }
                    guard tensorCount < Int32.max else { throw r.fail("tensor", "too many tensors (at most \(Int32.max))") }
                    tensorIndex[t.name] = tensorCount
                    tensorCount += 1
                    return .tensor(t)
                }
                guard opCount < Int32.max else { throw RidgeError.data(file: file, at: nil, "too many operators (at most \(Int32.max))") }
                var p = try TraceCoding.decodeOp(r, index: Int(opCount), tensors: tensorIndex)
                p.op.after = try p.after.enumerated().map { j, name in
                    if name == p.id { throw RidgeError.data(file: file, at: "after[\(j)]", "dependency cycle: operator \"\(name)\" depends on itself") }
                    if let i = opIDs[name] { return i }
                    if name.hasPrefix("#"), let i = Int32(name.dropFirst()), i >= 0, i < opCount { return i }
                    throw RidgeError.data(file: file, at: "after[\(j)]", "depends on unknown operator id \"\(name)\" (in JSON Lines an operator may only depend on earlier lines: by id on one of the last \(opIDs.window) operators with ids, or by position \"#N\")")
                }
                if r.has("id") {
                    guard opIDs.insert(p.id, opCount) else { throw r.fail("id", "duplicate operator id \"\(p.id)\"") }
                }
                opCount += 1
                return .op(p.op)
            } catch let e as RidgeError {
                throw RidgeError(e.kind, file: file, location: Self.location(line, e.location), e.message)
            }
        }
        return nil
    }
}

/// The names of the most recent entries: at least the last `window` inserted are kept exactly (two
/// generations of `NameTable`, the older dropped when the newer fills), so memory is bounded by the
/// window, not by how many names there have been.
struct RecentNames {
    let window: Int
    private var current = NameTable(), previous = NameTable()

    init(window: Int) { self.window = max(1, window) }

    subscript(name: String) -> Int32? { current[name] ?? previous[name] }

    /// Adds `name → value`; false when `name` is among the remembered names.
    mutating func insert(_ name: String, _ value: Int32) -> Bool {
        if previous[name] != nil { return false }
        if current.count >= window, current[name] == nil {
            previous = current
            current = NameTable()
        }
        return current.insert(name, value)
    }
}

/// An exact map from names to indices that stores the names' bytes back to back in one arena
/// (no per-name allocation) with an open-addressing table of 32-bit slots: about 12 bytes per
/// entry plus the names themselves, against roughly 100 for `[String: Int32]`.
struct NameTable {
    private var arena: [UInt8] = []
    private var starts: [Int] = [0]
    private var values: [Int32] = []
    private var slots: [Int32] = Array(repeating: -1, count: 64)

    var count: Int { values.count }

    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return h ^ (h >> 29)
    }

    private func bytes(of entry: Int) -> ArraySlice<UInt8> { arena[starts[entry]..<starts[entry + 1]] }

    /// The slot holding `name`, or the empty slot where it would go.
    private func find(_ name: UnsafeBufferPointer<UInt8>) -> (slot: Int, found: Bool) {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: Self.hash(name)) & mask
        while true {
            let e = slots[i]
            if e < 0 { return (i, false) }
            let stored = bytes(of: Int(e))
            if stored.count == name.count, stored.elementsEqual(name) { return (i, true) }
            i = (i + 1) & mask
        }
    }

    private static func withBytes<R>(_ name: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var name = name
        return name.withUTF8(body)
    }

    subscript(name: String) -> Int32? {
        Self.withBytes(name) { b in
            let (slot, found) = find(b)
            return found ? values[Int(slots[slot])] : nil
        }
    }

    /// Adds `name → value`; false when `name` is already present.
    mutating func insert(_ name: String, _ value: Int32) -> Bool {
        if (values.count + 1) * 4 > slots.count * 3 { grow() }
        return Self.withBytes(name) { b in
            let (slot, found) = find(b)
            if found { return false }
            slots[slot] = Int32(values.count)
            arena.append(contentsOf: b)
            starts.append(arena.count)
            values.append(value)
            return true
        }
    }

    private mutating func grow() {
        var bigger = [Int32](repeating: -1, count: slots.count * 2)
        let mask = bigger.count - 1
        for e in 0..<values.count {
            let h = arena.withUnsafeBufferPointer { Self.hash(UnsafeBufferPointer(rebasing: $0[starts[e]..<starts[e + 1]])) }
            var i = Int(truncatingIfNeeded: h) & mask
            while bigger[i] >= 0 { i = (i + 1) & mask }
            bigger[i] = Int32(e)
        }
        slots = bigger
    }
}

/// Reads a file (or bytes in memory) line by line in large chunks: bounded memory for any size.
struct LineReader {
    private let handle: FileHandle?
    private let path: String
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false
    private(set) var lineNumber = 0

    init(path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RidgeError(.io, file: path, "cannot read: no such file")
        }
        guard !isDirectory.boolValue else { throw RidgeError(.io, file: path, "cannot read: is a directory") }
        guard let h = FileHandle(forReadingAtPath: path) else { throw RidgeError(.io, file: path, "cannot read: permission denied or unreadable") }
        handle = h
        self.path = path
    }

    init(bytes: [UInt8], path: String) {
        handle = nil
        self.path = path
        buffer = bytes
        eof = true
    }

    mutating func nextLine() throws -> (Int, ArraySlice<UInt8>)? {
        while true {
            let newline: Int? = buffer.withUnsafeBufferPointer { b in
                guard start < b.count, let base = b.baseAddress,
                      let p = memchr(base + start, 0x0A, b.count - start) else { return nil }
                return base.distance(to: p.assumingMemoryBound(to: UInt8.self))
            }
            if let nl = newline {
                let line = buffer[start..<nl]
                start = nl + 1
                lineNumber += 1
                return (lineNumber, line)
            }
            if eof {
                guard start < buffer.count else { return nil }
                let line = buffer[start...]
                start = buffer.count
                lineNumber += 1
                return (lineNumber, line)
            }
            let chunk: Data
            do { chunk = try handle?.read(upToCount: 1 << 20) ?? Data() } catch {
                throw RidgeError(.io, file: path, "cannot read: \(error.localizedDescription)")
            }
            if chunk.isEmpty { eof = true; continue }
            if start > 0 { buffer.removeSubrange(0..<start); start = 0 }
            buffer.append(contentsOf: chunk)
        }
    }
}
