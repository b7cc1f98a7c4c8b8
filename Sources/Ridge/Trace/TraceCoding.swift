/// Decoding and encoding of single trace records (operators and tensors), shared by the JSON and
/// JSON Lines readers and writers so both formats have one definition.
enum TraceCoding {
    static let opKeys: Set<String> = ["id", "op", "engine", "stream", "phase", "layer", "reads", "writes", "frees", "after"]

    /// A decoded operator whose `after` references are still names.
    struct PendingOp {
        var op: TraceOp
        var after: [String]
        var id: String
    }

    static func decodeTensor(_ r: ObjectReader, nameKey: String) throws -> TensorInfo {
        let name = try r.requiredString(nameKey)
        guard !name.isEmpty else { throw r.fail(nameKey, "tensor name must not be empty") }
        let bytes = try r.requiredQuantity("bytes", .bytes)
        let memory = try r.string("memory") ?? ""
        let kindText = try r.string("kind") ?? "activation"
        guard let kind = TensorKind(rawValue: kindText) else {
            throw r.fail("kind", "unknown tensor kind \"\(kindText)\": expected one of \(TensorKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let resident = try r.bool("resident") ?? (kind == .weight)
        try r.finish()
        return TensorInfo(name: name, bytes: bytes, memory: memory, kind: kind, resident: resident)
    }

    static func encodeTensor(_ t: TensorInfo, nameKey: String) -> JSONObject {
        var o = JSONObject([(nameKey, .string(t.name)), ("bytes", .number(t.bytes))])
        if !t.memory.isEmpty { o["memory"] = .string(t.memory) }
        o["kind"] = .string(t.kind.rawValue)
        if t.resident != (t.kind == .weight) { o["resident"] = .bool(t.resident) }
        return o
    }

    static func decodeOp(_ r: ObjectReader, index: Int, tensors: [String: Int32]) throws -> PendingOp {
        let kind = try r.requiredString("op")
        let id = try r.string("id") ?? "#\(index)"
        let shape = try decodeShape(kind, r)
        let engine = try r.string("engine") ?? ""
        let stream = try r.string("stream") ?? (kind == "transfer" ? "copy" : "compute")
        let phase = try r.string("phase") ?? ""
        let layer = try r.integer("layer", in: -1...10_000_000) ?? -1
        func tensorList(_ key: String) throws -> [Int32] {
            guard let items = try r.array(key) else { return [] }
            return try items.enumerated().map { i, v in
                guard case .string(let name) = v else {
                    throw RidgeError.data(file: r.file, at: r.child(key) + "[\(i)]", "expected a tensor name, found \(v.typeName)")
                }
                guard let t = tensors[name] else {
                    throw RidgeError.data(file: r.file, at: r.child(key) + "[\(i)]", "unknown tensor \"\(name)\": declare it in \"tensors\" before use")
                }
                return t
            }
        }
        let reads = try tensorList("reads")
        let frees = try tensorList("frees")
        var writes: [TensorWrite] = []
        if let items = try r.array("writes") {
            writes.reserveCapacity(items.count)
            for (i, v) in items.enumerated() {
                func at() -> String { r.child("writes") + "[\(i)]" }
                switch v {
                case .string(let name):
                    guard let t = tensors[name] else { throw RidgeError.data(file: r.file, at: at(), "unknown tensor \"\(name)\": declare it in \"tensors\" before use") }
                    writes.append(TensorWrite(t))
                case .object:
                    let w = try ObjectReader(v, path: at(), file: r.file)
                    let name = try w.requiredString("tensor")
                    guard let t = tensors[name] else { throw w.fail("tensor", "unknown tensor \"\(name)\": declare it in \"tensors\" before use") }
                    let bytes = try w.quantity("bytes", .bytes)
                    try w.finish()
                    writes.append(TensorWrite(t, bytes: bytes))
                default:
                    throw RidgeError.data(file: r.file, at: at(), "expected a tensor name or {\"tensor\": name, \"bytes\": size}, found \(v.typeName)")
                }
            }
        }
        var after: [String] = []
        if let items = try r.array("after") {
            for (i, v) in items.enumerated() {
                switch v {
                case .string(let s): after.append(s)
                case .number(let d) where d.rounded() == d && d >= 0 && d < 2_147_483_648: after.append("#\(Int(d))")
                default: throw RidgeError.data(file: r.file, at: r.child("after") + "[\(i)]", "expected an operator id, found \(v.typeName)")
                }
            }
        }
        try r.finish()
        let op = TraceOp(name: id, shape: shape, engine: engine, stream: stream, phase: phase, layer: layer,
                         reads: reads, writes: writes, frees: frees)
        return PendingOp(op: op, after: after, id: id)
    }

    static func decodeShape(_ kind: String, _ r: ObjectReader) throws -> OperatorShape {
        let maxDim = 1 << 40
        func dim(_ key: String, default value: Int? = nil) throws -> Int {
            if let v = try r.integer(key, in: 0...maxDim) { return v }
            if let value { return value }
            throw r.fail(key, "missing required field: expected a whole number")
        }
        func positive(_ key: String, default value: Int? = nil) throws -> Int {
            let v = try dim(key, default: value)
            guard v > 0 else { throw r.fail(key, "must be greater than zero") }
            return v
        }
        func precision() throws -> Precision {
            guard let text = try r.string("dtype") else { return .bf16 }
            guard let p = Precision(rawValue: text) else {
                throw r.fail("dtype", "unknown precision \"\(text)\": expected one of \(Precision.names)")
            }
            return p
        }
        switch kind {
        case "gemm":
            return .gemm(GEMM(m: try positive("m"), n: try positive("n"), k: try positive("k"), batch: try positive("batch", default: 1),
                              precision: try precision()))
        case "attention":
            let heads = try positive("heads")
            let kv = try positive("kvHeads", default: heads)
            guard heads % kv == 0 else { throw r.fail("kvHeads", "heads (\(heads)) must be a multiple of kvHeads (\(kv))") }
            let q = try positive("queryLength")
            let algorithmText = try r.string("algorithm") ?? "flash"
            guard let algorithm = Attention.Algorithm(rawValue: algorithmText) else {
                throw r.fail("algorithm", "unknown algorithm \"\(algorithmText)\": expected standard or flash")
            }
            let passText = try r.string("pass") ?? "forward"
            guard let pass = Attention.Pass(rawValue: passText) else {
                throw r.fail("pass", "unknown pass \"\(passText)\": expected forward, backward or training")
            }
            return .attention(Attention(batch: try positive("batch", default: 1), heads: heads, kvHeads: kv, queryLength: q,
                                        keyLength: try positive("keyLength", default: q), headDim: try positive("headDim"),
                                        causal: try r.bool("causal") ?? false, algorithm: algorithm, pass: pass, precision: try precision()))
        case "decode_attention":
            let heads = try positive("heads")
            let kv = try positive("kvHeads", default: heads)
            guard heads % kv == 0 else { throw r.fail("kvHeads", "heads (\(heads)) must be a multiple of kvHeads (\(kv))") }
            return .decodeAttention(DecodeAttention(batch: try positive("batch", default: 1), heads: heads, kvHeads: kv,
                                                    queryLength: try positive("queryLength", default: 1),
                                                    keyLength: try positive("keyLength"), headDim: try positive("headDim"),
                                                    precision: try precision(), kvMemory: try r.string("kvMemory")))
        case "elementwise":
            return .elementwise(Elementwise(elements: try dim("elements"),
                                            bytesPerElement: try r.number("bytesPerElement", in: 0...1e6) ?? 4,
                                            flopsPerElement: try r.number("flopsPerElement", in: 0...1e9) ?? 1,
                                            precision: try precision()))
        case "embedding":
            return .embedding(Embedding(tokens: try positive("tokens"), hidden: try positive("hidden"), precision: try precision()))
        case "conv":
            let inC = try positive("inChannels")
            let groups = try positive("groups", default: 1)
            guard inC % groups == 0 else { throw r.fail("groups", "inChannels (\(inC)) must be a multiple of groups (\(groups))") }
            return .conv(Conv(batch: try positive("batch", default: 1), height: try positive("height"), width: try positive("width"),
                              inChannels: inC, outChannels: try positive("outChannels"), kernel: try positive("kernel"),
                              stride: try positive("stride", default: 1), groups: groups, precision: try r.string("dtype") == nil ? .int8 : try precision()))
        case "transfer":
            let bytes = try r.requiredQuantity("bytes", .bytes)
            return .transfer(Transfer(bytes: bytes, from: try r.requiredString("from"), to: try r.requiredString("to"),
                                      chunkBytes: try r.quantity("chunkBytes", .bytes, positive: true)))
        default:
            throw r.fail("op", "unknown operator kind \"\(kind)\": expected one of \(OperatorShape.kinds.joined(separator: ", "))")
        }
    }

    static func encodeOp(_ op: TraceOp, id: String?, tensorNames: [String], afterIDs: [String]) -> JSONObject {
        var o = JSONObject()
        if let id { o["id"] = .string(id) }
        o["op"] = .string(op.shape.kind)
        for (k, v) in CostReport.shapeJSON(op.shape).entries where k != "kind" { o[traceKey(k)] = v }
        if case .decodeAttention(let d) = op.shape, let m = d.kvMemory { o["kvMemory"] = .string(m) }
        if case .transfer(let t) = op.shape, let c = t.chunkBytes { o["chunkBytes"] = .number(c) }
        if !op.engine.isEmpty { o["engine"] = .string(op.engine) }
        if op.stream != (op.shape.kind == "transfer" ? "copy" : "compute") { o["stream"] = .string(op.stream) }
        if !op.phase.isEmpty { o["phase"] = .string(op.phase) }
        if op.layer >= 0 { o["layer"] = .number(Double(op.layer)) }
        if !op.reads.isEmpty { o["reads"] = .array(op.reads.map { .string(tensorNames[Int($0)]) }) }
        if !op.writes.isEmpty {
            o["writes"] = .array(op.writes.map { w in
                if let b = w.bytes { return .object(JSONObject([("tensor", .string(tensorNames[Int(w.tensor)])), ("bytes", .number(b))])) }
                return .string(tensorNames[Int(w.tensor)])
            })
        }
        if !op.frees.isEmpty { o["frees"] = .array(op.frees.map { .string(tensorNames[Int($0)]) }) }
        if !afterIDs.isEmpty { o["after"] = .array(afterIDs.map(JSONValue.string)) }
        return o
    }

    /// Shape keys as traces spell them (the cost report's keys are the same).
    static func traceKey(_ k: String) -> String { k }
}
