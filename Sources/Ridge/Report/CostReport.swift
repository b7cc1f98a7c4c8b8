/// Renders one operator's cost as a table or as JSON (SI base units).
public enum CostReport {
    public static func shapeJSON(_ shape: OperatorShape) -> JSONObject {
        var o = JSONObject([("kind", .string(shape.kind))])
        func n(_ k: String, _ v: Int) { o[k] = .number(Double(v)) }
        switch shape {
        case .gemm(let g): n("m", g.m); n("n", g.n); n("k", g.k); n("batch", g.batch)
        case .attention(let a):
            n("batch", a.batch); n("heads", a.heads); n("kvHeads", a.kvHeads); n("queryLength", a.queryLength)
            n("keyLength", a.keyLength); n("headDim", a.headDim); o["causal"] = .bool(a.causal)
            o["algorithm"] = .string(a.algorithm.rawValue); o["pass"] = .string(a.pass.rawValue)
        case .decodeAttention(let d):
            n("batch", d.batch); n("heads", d.heads); n("kvHeads", d.kvHeads); n("queryLength", d.queryLength)
            n("keyLength", d.keyLength); n("headDim", d.headDim)
        case .elementwise(let e): n("elements", e.elements); o["bytesPerElement"] = .number(e.bytesPerElement); o["flopsPerElement"] = .number(e.flopsPerElement)
        case .embedding(let e): n("tokens", e.tokens); n("hidden", e.hidden)
        case .conv(let c):
            n("batch", c.batch); n("height", c.height); n("width", c.width); n("inChannels", c.inChannels)
            n("outChannels", c.outChannels); n("kernel", c.kernel); n("stride", c.stride); n("groups", c.groups)
        case .transfer(let t): o["bytes"] = .number(t.bytes); o["from"] = .string(t.from); o["to"] = .string(t.to)
        }
        if case .transfer = shape {} else { o["dtype"] = .string(shape.precision.rawValue) }
        return o
    }

    public static func json(_ shape: OperatorShape, _ cost: OperatorCost, profile: HardwareProfile, engine: Engine) -> JSONObject {
        JSONObject([
            ("profile", .string(profile.name)), ("engine", .string(engine.id)),
            ("operator", .object(shapeJSON(shape))),
            ("flops", .number(cost.flops)),
            ("bytes", .object(JSONObject(cost.traffic.map { ($0.memory, .number($0.total)) }))),
            ("lowerBoundBytes", .number(cost.lowerBoundBytes)),
            ("seconds", .number(cost.seconds)),
            ("computeSeconds", .number(cost.computeSeconds)),
            ("memorySeconds", .number(cost.memorySeconds)),
            ("overheadSeconds", .number(cost.overheadSeconds)),
            ("bound", .string(cost.bound.description)),
            ("energyJoules", .number(cost.energyJoules)),
            ("calibration", coverageJSON(CalibrationRecord.coverage(of: shape, on: engine, in: profile))),
        ])
    }

    /// `{"status": …, "detail": …}`: whether the prediction rests on measurements (`docs/efficiency.md`, "Uncertainty").
    public static func coverageJSON(_ c: CalibrationRecord.Coverage?) -> JSONValue {
        guard let c else { return .null }
        return .object(JSONObject([("status", .string(c.status.rawValue)), ("detail", .string(c.detail))]))
    }

    public static func table(_ shape: OperatorShape, _ cost: OperatorCost, profile: HardwareProfile, engine: Engine) -> String {
        var t = TextTable(["quantity", "value"])
        let shapeText = shapeJSON(shape).entries.map { "\($0.key)=\(JSONWriter.write($0.value, pretty: false).replacingOccurrences(of: "\"", with: ""))" }
        t.add(["operator", shapeText.joined(separator: " ")])
        t.add(["profile", "\(profile.name) (engine \(engine.id))"])
        t.add(["FLOPs", Format.si(cost.flops, "FLOP")])
        for m in cost.traffic where m.total > 0 { t.add(["bytes \(m.memory)", Format.bytes(m.total)]) }
        let ratio = cost.lowerBoundBytes > 0 ? " (modelled traffic is \(Format.significant(cost.totalBytes / cost.lowerBoundBytes, 3))× the bound)" : ""
        t.add(["I/O lower bound", Format.bytes(cost.lowerBoundBytes) + ratio])
        t.add(["compute time", Format.seconds(cost.computeSeconds)])
        t.add(["memory time", Format.seconds(cost.memorySeconds)])
        t.add(["overhead", Format.seconds(cost.overheadSeconds)])
        t.add(["time", Format.seconds(cost.seconds)])
        t.add(["bound", cost.bound.description])
        if cost.seconds > 0, cost.flops > 0 { t.add(["achieved", Format.si(cost.flops / cost.seconds, "FLOP/s")]) }
        t.add(["energy", Format.si(cost.energyJoules, "J")])
        let coverage = CalibrationRecord.coverage(of: shape, on: engine, in: profile)
        if let c = coverage { t.add(["calibration", "\(c.status.rawValue): \(c.detail)"]) }
        t.rightAligned = []
        var out = t.render()
        if let c = coverage, c.status == .extrapolated || c.status == .uncalibrated {
            out += "warning: this is an estimate outside the measured region, not a measurement-backed prediction (\(c.detail))\n"
        }
        return out
    }
}
