/// Writes traces as a JSON document or as JSON Lines (header line, then tensors and operators in
/// the order given), atomically. Operators named `#…` (positional) or unnamed get no `id`.
public enum TraceWriter {
    public static func write(_ trace: Trace, to path: String) throws {
        if TraceReader.isJSONLines(path) {
            let writer = try LinesWriter(path: path, header: trace.header)
            for t in trace.tensors { try writer.write(.tensor(t)) }
            for op in trace.ops { try writer.write(.op(op)) }
            try writer.commit()
        } else {
            let writer = try AtomicFileWriter(path: path)
            try writer.write(JSONWriter.write(.object(document(trace))) + "\n")
            try writer.commit()
        }
    }

    static func headerJSON(_ h: TraceHeader) -> JSONObject {
        var o = JSONObject([("format", .string(TraceHeader.format)), ("name", .string(h.name))])
        if !h.metadata.isEmpty { o["metadata"] = .object(h.metadata) }
        return o
    }

    static func opJSON(_ trace: Trace, _ i: Int, tensorNames: [String]) -> JSONObject {
        let op = trace.ops[i]
        let id: String? = op.name.isEmpty || op.name.hasPrefix("#") ? nil : op.name
        let after = op.after.map { j -> String in
            let target = trace.ops[Int(j)].name
            return target.isEmpty || target.hasPrefix("#") ? "#\(j)" : target
        }
        return TraceCoding.encodeOp(op, id: id, tensorNames: tensorNames, afterIDs: after)
    }

    public static func document(_ trace: Trace) -> JSONObject {
        var o = headerJSON(trace.header)
        o["tensors"] = .array(trace.tensors.map { .object(TraceCoding.encodeTensor($0, nameKey: "name")) })
        let names = trace.tensors.map(\.name)
        o["ops"] = .array(trace.ops.indices.map { .object(opJSON(trace, $0, tensorNames: names)) })
        return o
    }

    /// Streams records to a JSON Lines file as they are produced (a generator's sink), so a trace
    /// of any length is written in bounded memory; the file appears only on `commit()`.
    ///
    /// `after` references name their target when it is one of the last `recentNames` operators
    /// (every dependency the generators emit) and are positional (`#N`) beyond that; either way
    /// they read back to the same operator. An operator whose name starts with `#` but is not its
    /// own position is written without an id, so no id can shadow a positional reference.
    public final class LinesWriter {
        public static let recentNames = 1 << 16
        private let file: AtomicFileWriter
        private var tensorNames: [String] = []
        private let window: Int
        private var recent: [String]
        private var opCount = 0

        public init(path: String, header: TraceHeader, recentNames: Int = LinesWriter.recentNames) throws {
            window = max(1, recentNames)
            recent = Array(repeating: "", count: window)
            file = try AtomicFileWriter(path: path)
            try file.write(JSONWriter.write(.object(TraceWriter.headerJSON(header)), pretty: false) + "\n")
        }

        public func write(_ record: TraceRecord) throws {
            switch record {
            case .tensor(let t):
                tensorNames.append(t.name)
                try file.write(JSONWriter.write(.object(TraceCoding.encodeTensor(t, nameKey: "tensor")), pretty: false) + "\n")
            case .op(let op):
                let i = opCount
                let id: String? = op.name.isEmpty || op.name.hasPrefix("#") ? nil : op.name
                let after = try op.after.map { j -> String in
                    let j = Int(j)
                    guard j >= 0, j < i else {
                        throw RidgeError.data(file: file.path, at: "operator \(i) (\"\(op.name)\").after", "depends on operator \(j), which is not an earlier operator")
                    }
                    if i - j <= window {
                        let target = recent[j % window]
                        if !target.isEmpty, !target.hasPrefix("#") { return target }
                    }
                    return "#\(j)"
                }
                for t in op.reads + op.frees + op.writes.map(\.tensor) where t < 0 || Int(t) >= tensorNames.count {
                    throw RidgeError.data(file: file.path, at: "operator \(i) (\"\(op.name)\")", "references tensor \(t), which is not declared")
                }
                let o = TraceCoding.encodeOp(op, id: id, tensorNames: tensorNames, afterIDs: after)
                try file.write(JSONWriter.write(.object(o), pretty: false) + "\n")
                recent[i % window] = op.name
                opCount += 1
            }
        }

        /// Flushes and renames the file into place.
        public func commit() throws { try file.commit() }
    }
}
