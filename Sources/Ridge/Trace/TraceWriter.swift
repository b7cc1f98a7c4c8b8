/// Writes traces as a JSON document or as JSON Lines (header line, tensors, then operators),
/// atomically. Operators whose `after` names an operator get an `id`; `#N` ids are positional.
public enum TraceWriter {
    public static func write(_ trace: Trace, to path: String) throws {
        let writer = try AtomicFileWriter(path: path)
        if TraceReader.isJSONLines(path) {
            try writeLines(trace, writer)
        } else {
            try writer.write(JSONWriter.write(.object(document(trace))) + "\n")
        }
        try writer.commit()
    }

    static func headerJSON(_ h: TraceHeader) -> JSONObject {
        var o = JSONObject([("format", .string(TraceHeader.format)), ("name", .string(h.name))])
        if !h.metadata.isEmpty { o["metadata"] = .object(h.metadata) }
        return o
    }

    static func opJSON(_ trace: Trace, _ i: Int) -> JSONObject {
        let op = trace.ops[i]
        let id: String? = op.name.isEmpty || op.name == "#\(i)" ? nil : op.name
        let after = op.after.map { j -> String in
            let target = trace.ops[Int(j)].name
            return target.isEmpty || target.hasPrefix("#") ? "#\(j)" : target
        }
        return TraceCoding.encodeOp(op, id: id, tensors: trace.tensors, afterIDs: after)
    }

    public static func document(_ trace: Trace) -> JSONObject {
        var o = headerJSON(trace.header)
        o["tensors"] = .array(trace.tensors.map { .object(TraceCoding.encodeTensor($0, nameKey: "name")) })
        o["ops"] = .array(trace.ops.indices.map { .object(opJSON(trace, $0)) })
        return o
    }

    static func writeLines(_ trace: Trace, _ writer: AtomicFileWriter) throws {
        try writer.write(JSONWriter.write(.object(headerJSON(trace.header)), pretty: false) + "\n")
        for t in trace.tensors { try writer.write(JSONWriter.write(.object(TraceCoding.encodeTensor(t, nameKey: "tensor")), pretty: false) + "\n") }
        for i in trace.ops.indices { try writer.write(JSONWriter.write(.object(opJSON(trace, i)), pretty: false) + "\n") }
    }
}
