import Foundation

/// Predictions against measurements for one measured file on one profile: per row, in aggregate,
/// per operator kind, and, for a Kineto trace, per kernel class and end to end through the simulator.
public struct ValidationReport: Sendable {
    public struct Comparison: Sendable {
        public var row: MeasuredRow
        public var predicted: Double
        /// `(predicted − measured) / measured`, percent.
        public var errorPercent: Double { (predicted - row.seconds) / row.seconds * 100 }
    }

    /// The modelled operators of a Kineto trace replayed through the simulator.
    public struct EndToEnd: Sendable {
        /// First GPU event start to last end, all events.
        public var measuredSpan: Double
        /// Time at least one GPU event ran.
        public var measuredBusy: Double
        public var replayedOps: Int
        public var replayedEvents: Int
        /// Measured busy time of the replayed operators' events.
        public var replayedMeasured: Double
        public var simulatedMakespan: Double
        /// The simulated makespan against the measured busy time of the same operators.
        public var replayErrorPercent: Double? { replayedMeasured > 0 ? (simulatedMakespan - replayedMeasured) / replayedMeasured * 100 : nil }
        /// GPU busy time with the replayed operators predicted and the unmodelled kernels as measured.
        public var predictedBusy: Double { simulatedMakespan + (measuredBusy - replayedMeasured) }
        public var busyErrorPercent: Double? { measuredBusy > 0 ? (predictedBusy - measuredBusy) / measuredBusy * 100 : nil }
        /// The span with idle gaps (launch latency, host work, synchronisation) also as measured.
        public var predictedSpan: Double { simulatedMakespan + (measuredSpan - replayedMeasured) }
        public var spanErrorPercent: Double? { measuredSpan > 0 ? (predictedSpan - measuredSpan) / measuredSpan * 100 : nil }
    }

    public var file: MeasuredFile
    public var profile: String
    public var engine: String
    public var comparisons: [Comparison]
    /// Rows whose shape this profile cannot cost (a host copy on a profile without a host link).
    public var excluded: [MeasuredRow]
    public var overall: ErrorStats
    public var byKind: [(kind: String, stats: ErrorStats)]
    public var worst: [Comparison]
    public var endToEnd: EndToEnd?

    public init(_ file: MeasuredFile, profile: HardwareProfile, engine: Engine, worst: Int = 10) throws {
        self.file = file
        self.profile = profile.name
        self.engine = engine.id
        var comparisons: [Comparison] = [], excluded: [MeasuredRow] = []
        for row in file.rows {
            guard let shape = MeasuredData.resolve(row.shape, for: profile, engine: engine) else { excluded.append(row); continue }
            comparisons.append(Comparison(row: row, predicted: CostModel.cost(shape, on: engine, in: profile).seconds))
        }
        self.comparisons = comparisons
        self.excluded = excluded
        overall = ErrorStats(predicted: comparisons.map(\.predicted), measured: comparisons.map(\.row.seconds))
        let kinds = OperatorShape.kinds.filter { k in comparisons.contains { $0.row.kind == k } }
        byKind = kinds.map { k in
            let c = comparisons.filter { $0.row.kind == k }
            return (k, ErrorStats(predicted: c.map(\.predicted), measured: c.map(\.row.seconds)))
        }
        // Worst first; ties in input order, so the list is deterministic.
        self.worst = Array(comparisons.enumerated().sorted { a, b in
            let x = abs(a.element.errorPercent), y = abs(b.element.errorPercent)
            return x != y ? x > y : a.offset < b.offset
        }.prefix(worst).map(\.element))
        if let k = file.kineto { endToEnd = try Self.replay(k, profile: profile, engine: engine) }
    }

    static func replay(_ k: KinetoMeasurements, profile: HardwareProfile, engine: Engine) throws -> EndToEnd? {
        guard !k.trace.gpuEvents.isEmpty else { return nil }
        let (trace, groups) = k.replayTrace(for: profile, engine: engine)
        let makespan = trace.ops.isEmpty ? 0 : try Simulator(profile: profile).run(trace).makespanSeconds
        return EndToEnd(measuredSpan: Double(k.spanNanoseconds) / 1e9, measuredBusy: Double(k.busyNanoseconds) / 1e9,
                        replayedOps: trace.ops.count, replayedEvents: groups.reduce(0) { $0 + k.groups[$1].events.count },
                        replayedMeasured: Double(k.busyNanoseconds(ofGroups: groups)) / 1e9, simulatedMakespan: makespan)
    }

    // MARK: - Shapes in words

    /// A short description of a shape for tables: `gemm 512×4096×4096 bf16`.
    public static func describe(_ s: OperatorShape) -> String {
        switch s {
        case .gemm(let g): return "\(g.batch > 1 ? "\(g.batch)×" : "")\(g.m)×\(g.n)×\(g.k) \(g.precision.rawValue)"
        case .attention(let a):
            return "b\(a.batch) h\(a.heads)\(a.kvHeads != a.heads ? "/\(a.kvHeads)" : "") q\(a.queryLength) k\(a.keyLength) d\(a.headDim)\(a.causal ? " causal" : "") \(a.algorithm.rawValue) \(a.pass.rawValue) \(a.precision.rawValue)"
        case .decodeAttention(let d): return "b\(d.batch) h\(d.heads)/\(d.kvHeads) ctx\(d.keyLength) d\(d.headDim) \(d.precision.rawValue)"
        case .elementwise(let e): return "\(e.elements) el × \(Format.significant(e.bytesPerElement, 3)) B \(e.precision.rawValue)"
        case .embedding(let e): return "\(e.tokens) tok × \(e.hidden) \(e.precision.rawValue)"
        case .conv(let c): return "\(c.batch)×\(c.height)×\(c.width)×\(c.inChannels)→\(c.outChannels) k\(c.kernel) s\(c.stride)"
        case .transfer(let t): return "\(Format.bytes(t.bytes)) \(t.from)→\(t.to)"
        }
    }

    // MARK: - JSON

    static func round(_ v: Double, _ digits: Double = 1e4) -> JSONValue { .number((v * digits).rounded() / digits) }

    static func comparisonJSON(_ c: Comparison) -> JSONValue {
        .object(JSONObject([("name", .string(c.row.name)), ("kind", .string(c.row.kind)), ("shape", .string(describe(c.row.shape))),
                            ("origin", .string(c.row.origin)), ("measuredSeconds", .number(c.row.seconds)),
                            ("predictedSeconds", .number(c.predicted)), ("errorPercent", round(c.errorPercent))]))
    }

    public func json() -> JSONObject {
        var o = JSONObject([("measured", .string(file.path)), ("format", .string(file.format.rawValue)),
                            ("decompression", file.decompression.map(JSONValue.string) ?? .null),
                            ("profile", .string(profile)), ("engine", .string(engine))])
        for (k, v) in overall.json().entries { o[k] = v }
        o["byKind"] = .object(JSONObject(byKind.map { ($0.kind, .object($0.stats.json())) }))
        o["worst"] = .array(worst.map(Self.comparisonJSON))
        o["excluded"] = .array(excluded.map { .object(JSONObject([("name", .string($0.name)), ("kind", .string($0.kind)),
                                                                  ("reason", .string("profile \(profile) has no link between \(engine)'s memory and a host memory"))])) })
        o["kernels"] = file.kineto.map { .object(Self.kernelsJSON($0)) } ?? .null
        o["endToEnd"] = endToEnd.map { e in
            .object(JSONObject([("measuredSpanSeconds", .number(e.measuredSpan)), ("measuredBusySeconds", .number(e.measuredBusy)),
                                ("replayedOps", .number(Double(e.replayedOps))), ("replayedEvents", .number(Double(e.replayedEvents))),
                                ("replayedMeasuredSeconds", .number(e.replayedMeasured)), ("simulatedMakespanSeconds", .number(e.simulatedMakespan)),
                                ("replayErrorPercent", e.replayErrorPercent.map { Self.round($0) } ?? .null),
                                ("predictedBusySeconds", .number(e.predictedBusy)), ("busyErrorPercent", e.busyErrorPercent.map { Self.round($0) } ?? .null),
                                ("predictedSpanSeconds", .number(e.predictedSpan)), ("spanErrorPercent", e.spanErrorPercent.map { Self.round($0) } ?? .null)]))
        } ?? .null
        o["comparisons"] = .array(comparisons.map(Self.comparisonJSON))
        return o
    }

    static func kernelsJSON(_ k: KinetoMeasurements) -> JSONObject {
        let total = Double(k.gpuNanoseconds) / 1e9
        var o = JSONObject([("events", .number(Double(k.trace.gpuEvents.count))), ("gpuSeconds", .number(total)),
                            ("unknownPercent", round(k.unknownPercent)), ("joinedPercent", round(k.joinedPercent)),
                            ("shapedPercent", round(k.shapedPercent))])
        o["byClass"] = .object(JSONObject(k.byClass.map { c in
            (c.kernelClass.rawValue, .object(JSONObject([
                ("events", .number(Double(c.events))), ("seconds", .number(Double(c.nanoseconds) / 1e9)),
                ("sharePercent", round(k.percent(c.nanoseconds))),
                ("shapedPercent", round(c.nanoseconds > 0 ? Double(c.shapedNanoseconds) / Double(c.nanoseconds) * 100 : 0))])))
        }))
        o["unmodelled"] = .array(k.unmodelled.map { u in
            .object(JSONObject([("name", .string(u.name)), ("reason", .string(u.reason)), ("events", .number(Double(u.events))),
                                ("seconds", .number(Double(u.nanoseconds) / 1e9))]))
        })
        return o
    }

    // MARK: - Table

    public func table() -> String {
        let name = URL(fileURLWithPath: file.path).lastPathComponent
        var out = "Ridge validate: \(name) (\(file.format.rawValue)\(file.decompression.map { ", gunzipped with \($0)" } ?? "")) on \(profile), engine \(engine)\n"
        if let k = file.kineto { out += "\n" + Self.kernelTable(k) }
        out += "\npredicted vs measured: \(comparisons.count) rows"
        if !excluded.isEmpty { out += " (\(excluded.count) more not costable on \(profile): no host link)" }
        out += "\n"
        guard !comparisons.isEmpty else {
            out += "nothing to compare: no row has a shape Ridge models\n"
            return out + endToEndTable()
        }
        var t = TextTable(["metric", "value"])
        t.add(["MAPE", Format.percent(overall.mape)])
        t.add(["median |error|", Format.percent(overall.medianAbs)])
        t.add(["bias (+: predicted slower)", signed(overall.bias)])
        out += t.render()
        var kinds = TextTable(["kind", "rows", "MAPE", "median |error|", "bias"])
        for (k, s) in byKind { kinds.add([k, "\(s.count)", Format.percent(s.mape), Format.percent(s.medianAbs), signed(s.bias)]) }
        out += "\nby kind:\n" + kinds.render()
        if !worst.isEmpty {
            var w = TextTable(["row", "kind", "shape", "measured", "predicted", "error"], rightAligned: [3, 4, 5])
            for c in worst {
                w.add([String(c.row.name.prefix(60)), c.row.kind, Self.describe(c.row.shape), Format.seconds(c.row.seconds),
                       Format.seconds(c.predicted), signed(c.errorPercent)])
            }
            out += "\nworst \(worst.count) of \(comparisons.count) rows (all rows: --format json):\n" + w.render()
        }
        return out + endToEndTable()
    }

    func signed(_ v: Double) -> String { (v > 0 ? "+" : "") + Format.percent(v) }

    static func kernelTable(_ k: KinetoMeasurements) -> String {
        var out = "measured GPU time by kernel class: \(k.trace.gpuEvents.count) events, \(Format.seconds(Double(k.gpuNanoseconds) / 1e9))\n"
        var t = TextTable(["class", "events", "time", "share", "shape recovered"])
        for c in k.byClass where c.events > 0 {
            t.add([c.kernelClass.rawValue, "\(c.events)", Format.seconds(Double(c.nanoseconds) / 1e9), Format.percent(k.percent(c.nanoseconds)),
                   Format.percent(c.nanoseconds > 0 ? Double(c.shapedNanoseconds) / Double(c.nanoseconds) * 100 : 0)])
        }
        out += t.render()
        out += "joined to a launching CPU op: \(Format.percent(k.joinedPercent)) of GPU time; shape recovered: \(Format.percent(k.shapedPercent)); unknown class: \(Format.percent(k.unknownPercent))\n"
        if !k.unmodelled.isEmpty {
            let ns = k.unmodelled.reduce(Int64(0)) { $0 + $1.nanoseconds }
            let events = k.unmodelled.reduce(0) { $0 + $1.events }
            out += "\nnot modelled: \(events) GPU events, \(Format.seconds(Double(ns) / 1e9)) (\(Format.percent(k.percent(ns))) of GPU time), counted above, not compared:\n"
            var u = TextTable(["op or kernel", "reason", "events", "time"], rightAligned: [2, 3])
            for x in k.unmodelled.prefix(10) { u.add([String(x.name.prefix(70)), x.reason, "\(x.events)", Format.seconds(Double(x.nanoseconds) / 1e9)]) }
            if k.unmodelled.count > 10 { u.add(["… \(k.unmodelled.count - 10) more (--format json)", "", "", ""]) }
            out += u.render()
        }
        return out
    }

    func endToEndTable() -> String {
        guard let e = endToEnd else { return "" }
        let out = "\nend to end: \(e.replayedOps) modelled operators (\(e.replayedEvents) GPU events) replayed through the simulator, per CUDA stream\n"
        var t = TextTable(["", "time", "error"])
        t.add(["replayed operators: measured busy", Format.seconds(e.replayedMeasured), ""])
        t.add(["replayed operators: simulated makespan", Format.seconds(e.simulatedMakespan), e.replayErrorPercent.map(signed) ?? "-"])
        t.add(["GPU busy: measured", Format.seconds(e.measuredBusy), ""])
        t.add(["GPU busy: predicted (unmodelled kernels as measured)", Format.seconds(e.predictedBusy), e.busyErrorPercent.map(signed) ?? "-"])
        t.add(["GPU span: measured (first start to last end)", Format.seconds(e.measuredSpan), ""])
        t.add(["GPU span: predicted (idle gaps as measured too)", Format.seconds(e.predictedSpan), e.spanErrorPercent.map(signed) ?? "-"])
        return out + t.render()
    }
}
