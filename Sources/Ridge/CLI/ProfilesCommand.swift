/// `ridge profiles [--format table|json]`: the bundled hardware profiles.
enum ProfilesCommand {
    static let usage = "usage: ridge profiles [--format table|json]"

    static func run(_ argv: [String]) throws -> CommandOutput {
        let args = try Arguments(argv, spec: .init(valued: ["format"]), usage: usage)
        if args.wantsHelp { return CommandOutput(usage + "\n") }
        try args.noPositionals()
        let format = try args.format()
        var rows: [JSONValue] = []
        var table = TextTable(["name", "kind", "engine", "peak bf16/fp16", "peak int8", "memory", "capacity", "bandwidth", "ridge FLOP/B"])
        for name in ProfileLoader.bundledNames {
            let p = try ProfileLoader.load(name)
            let e = p.primaryEngine
            let m = p.memory(e.memory)!
            let half = e.peak[.bf16] ?? e.peak[.fp16]
            let int8 = e.peak[.int8]
            let top = half ?? int8 ?? e.peak.values.max() ?? 0
            let ridge = top / m.readBandwidth
            table.add([p.name, p.kind, e.id, half.map { Format.si($0, "FLOP/s") } ?? "-", int8.map { Format.si($0, "OP/s") } ?? "-",
                       m.id, Format.bytes(m.capacity), Format.si(m.readBandwidth, "B/s"), Format.significant(ridge, 3)])
            rows.append(.object(JSONObject([
                ("name", .string(p.name)), ("kind", .string(p.kind)), ("description", .string(p.description)),
                ("engine", .string(e.id)), ("peakHalfFlops", half.map(JSONValue.number) ?? .null),
                ("peakInt8Ops", int8.map(JSONValue.number) ?? .null), ("memory", .string(m.id)),
                ("capacityBytes", .number(m.capacity)), ("bandwidthBytesPerSecond", .number(m.readBandwidth)),
                ("ridgePointFlopsPerByte", .number(ridge)),
            ])))
        }
        switch format {
        case .json: return CommandOutput(JSONWriter.write(.array(rows)) + "\n")
        case .table: return CommandOutput(table.render())
        }
    }
}
