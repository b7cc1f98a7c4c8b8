import Foundation

/// What a profile's efficiency was fitted on (the `calibration` key, `docs/profile-format.md`):
/// per operator kind, the measured files, the train/held-out split and errors, and the region the
/// fit saw (precisions, shape ranges). `coverage(of:)` uses the region to flag predictions that
/// are estimates rather than interpolations of measurements (`docs/efficiency.md`, "Uncertainty").
public struct CalibrationRecord: Sendable, Equatable {
    public struct Dataset: Sendable, Equatable {
        public var file: String
        /// `fnv1a64:` and the hex digest of the file's bytes, so a reader can tell which data it was.
        public var fingerprint: String
        public var rows: Int
        public init(file: String, fingerprint: String, rows: Int) { self.file = file; self.fingerprint = fingerprint; self.rows = rows }
    }

    /// The measured region of one kind: precisions, numeric shape ranges, categorical values.
    public struct Region: Sendable, Equatable {
        public var precisions: [Precision] = []
        public var ranges: [(name: String, low: Double, high: Double)] = []
        public var values: [(name: String, values: [String])] = []
        /// Row groups (e.g. models) the fit saw.
        public var groups: [String] = []
        public init() {}

        public static func == (a: Region, b: Region) -> Bool {
            a.precisions == b.precisions && a.groups == b.groups
                && a.ranges.map { "\($0.name)\($0.low)\($0.high)" } == b.ranges.map { "\($0.name)\($0.low)\($0.high)" }
                && a.values.map { "\($0.name)=\($0.values)" } == b.values.map { "\($0.name)=\($0.values)" }
        }

        /// The region spanned by `shapes` (all of one kind) and their groups.
        public static func spanning(_ shapes: [OperatorShape], groups: [String]) -> Region {
            var r = Region()
            r.precisions = Array(Set(shapes.map(\.precision))).sorted()
            var order: [String] = []
            var lo: [String: Double] = [:], hi: [String: Double] = [:]
            var seen: [String: Set<String>] = [:]
            var valueOrder: [String] = []
            for s in shapes {
                let f = ShapeFeatures(s)
                for (name, v) in f.numbers {
                    if lo[name] == nil { order.append(name); lo[name] = v; hi[name] = v } else { lo[name] = min(lo[name]!, v); hi[name] = max(hi[name]!, v) }
                }
                for (name, v) in f.labels {
                    if seen[name] == nil { valueOrder.append(name) }
                    seen[name, default: []].insert(v)
                }
            }
            r.ranges = order.map { ($0, lo[$0]!, hi[$0]!) }
            r.values = valueOrder.map { ($0, seen[$0]!.sorted()) }
            r.groups = Array(Set(groups.filter { !$0.isEmpty })).sorted()
            return r
        }
    }

    public struct Kind: Sendable, Equatable {
        /// "measured" on this profile, or "transferred" from the profile named in `from`.
        public var basis: String
        public var from: String
        public var measured: [Dataset]
        /// `holdout`/`seed` or `heldOutGroups` of the split (empty: every row trained).
        public var split: JSONObject
        public var train: ErrorStats
        public var heldOut: ErrorStats
        /// The errors of the profile before fitting, on the same rows.
        public var uncalibratedTrain: ErrorStats
        public var uncalibratedHeldOut: ErrorStats
        public var region: Region

        public var isTransferred: Bool { basis == "transferred" }
    }

    public var engine: String
    public var method: String
    /// Kind name → record, in sorted order.
    public var kinds: [(kind: String, record: Kind)]

    public init(engine: String, method: String, kinds: [(kind: String, record: Kind)]) {
        self.engine = engine; self.method = method; self.kinds = kinds.sorted { $0.kind < $1.kind }
    }

    public static func == (a: CalibrationRecord, b: CalibrationRecord) -> Bool {
        a.engine == b.engine && a.method == b.method && a.kinds.map(\.kind) == b.kinds.map(\.kind) && a.kinds.map(\.record) == b.kinds.map(\.record)
    }

    public func kind(_ name: String) -> Kind? { kinds.first { $0.kind == name }?.record }

    // MARK: - JSON

    static func statsJSON(_ s: ErrorStats) -> JSONValue { .object(s.json()) }

    public func json() -> JSONObject {
        func region(_ r: Region) -> JSONObject {
            JSONObject([("precisions", .array(r.precisions.map { .string($0.rawValue) })),
                        ("ranges", .object(JSONObject(r.ranges.map { ($0.name, .array([.number($0.low), .number($0.high)])) }))),
                        ("values", .object(JSONObject(r.values.map { ($0.name, .array($0.values.map(JSONValue.string))) }))),
                        ("groups", .array(r.groups.map(JSONValue.string)))])
        }
        let kindsJSON = kinds.map { entry -> (String, JSONValue) in
            let k = entry.record
            return (entry.kind, .object(JSONObject([
                ("basis", .string(k.basis)), ("from", .string(k.from)),
                ("measured", .array(k.measured.map { .object(JSONObject([("file", .string($0.file)), ("fingerprint", .string($0.fingerprint)),
                                                                          ("rows", .number(Double($0.rows)))])) })),
                ("split", .object(k.split)),
                ("train", CalibrationRecord.statsJSON(k.train)), ("heldOut", CalibrationRecord.statsJSON(k.heldOut)),
                ("uncalibratedTrain", CalibrationRecord.statsJSON(k.uncalibratedTrain)),
                ("uncalibratedHeldOut", CalibrationRecord.statsJSON(k.uncalibratedHeldOut)),
                ("region", .object(region(k.region))),
            ])))
        }
        return JSONObject([("engine", .string(engine)), ("method", .string(method)), ("kinds", .object(JSONObject(kindsJSON)))])
    }

    /// Reads and validates `calibration`; errors name the JSON path.
    static func read(_ r: ObjectReader, engines: [String]) throws -> CalibrationRecord {
        let engine = try r.requiredString("engine")
        guard engines.contains(engine) else {
            throw r.fail("engine", "names engine \"\(engine)\", which this profile does not define (engines: \(engines.joined(separator: ", ")))")
        }
        let method = try r.string("method") ?? ""
        var kinds: [(String, Kind)] = []
        if let k = try r.object("kinds") {
            for name in k.object.keys {
                guard let e = try k.object(name) else { throw k.fail(name, "expected an object, found null") }
                kinds.append((name, try readKind(e)))
            }
        }
        try r.finish()
        return CalibrationRecord(engine: engine, method: method, kinds: kinds)
    }

    static func readStats(_ r: ObjectReader, _ key: String) throws -> ErrorStats {
        guard let s = try r.object(key) else { return ErrorStats(count: 0, mape: 0, medianAbs: 0, bias: 0) }
        let stats = ErrorStats(count: try s.integer("rows", in: 0...Int(Int32.max)) ?? 0, mape: try s.number("mapePercent") ?? 0,
                               medianAbs: try s.number("medianAbsPercentError") ?? 0, bias: try s.number("biasPercent") ?? 0)
        try s.finish()
        return stats
    }

    static func readKind(_ r: ObjectReader) throws -> Kind {
        let basis = try r.string("basis") ?? "measured"
        guard basis == "measured" || basis == "transferred" else {
            throw r.fail("basis", "expected \"measured\" or \"transferred\", found \"\(basis)\"")
        }
        let from = try r.string("from") ?? ""
        if basis == "transferred", from.isEmpty { throw r.fail("from", "a transferred calibration must name the profile it came from") }
        var measured: [Dataset] = []
        for (i, v) in (try r.array("measured") ?? []).enumerated() {
            let d = try ObjectReader(v, path: r.child("measured") + "[\(i)]", file: r.file)
            measured.append(Dataset(file: try d.requiredString("file"), fingerprint: try d.string("fingerprint") ?? "",
                                    rows: try d.integer("rows", in: 0...Int(Int32.max)) ?? 0))
            try d.finish()
        }
        let split = try r.object("split")
        split?.markAllUsed()
        var region = Region()
        if let g = try r.object("region") {
            for (i, v) in (try g.array("precisions") ?? []).enumerated() {
                guard case .string(let s) = v, let p = Precision(rawValue: s) else {
                    throw RidgeError.data(file: r.file, at: g.child("precisions") + "[\(i)]", "expected a precision (\(Precision.names))")
                }
                region.precisions.append(p)
            }
            if let ranges = try g.object("ranges") {
                for name in ranges.object.keys {
                    guard case .array(let pair)? = ranges.raw(name), pair.count == 2, case .number(let lo) = pair[0],
                          case .number(let hi) = pair[1], lo <= hi else {
                        throw ranges.fail(name, "expected a range [low, high] with low ≤ high")
                    }
                    region.ranges.append((name, lo, hi))
                }
            }
            if let values = try g.object("values") {
                for name in values.object.keys {
                    guard case .array(let list)? = values.raw(name) else { throw values.fail(name, "expected an array of strings") }
                    let strings = list.compactMap(\.stringValue)
                    guard strings.count == list.count else { throw values.fail(name, "expected an array of strings") }
                    region.values.append((name, strings))
                }
            }
            region.groups = (try g.array("groups") ?? []).compactMap(\.stringValue)
            try g.finish()
        }
        let kind = Kind(basis: basis, from: from, measured: measured, split: split?.object ?? JSONObject(),
                        train: try readStats(r, "train"), heldOut: try readStats(r, "heldOut"),
                        uncalibratedTrain: try readStats(r, "uncalibratedTrain"), uncalibratedHeldOut: try readStats(r, "uncalibratedHeldOut"),
                        region: region)
        try r.finish()
        return kind
    }

    // MARK: - Coverage

    /// How much a prediction of `shape` on `engine` rests on measurements.
    public enum Status: String, Sendable, CaseIterable {
        /// Inside the region measured on this profile.
        case calibrated
        /// Inside the region measured on the profile the parameters were transferred from.
        case transferred
        /// The kind was measured, but not this precision or a shape this far out.
        case extrapolated
        /// The kind was never measured on this profile or the one it was transferred from.
        case uncalibrated
    }

    public struct Coverage: Sendable, Equatable {
        public var status: Status
        /// Why, in one line ("k = 65536 above the measured 512–28672").
        public var detail: String
    }

    /// Coverage of one operator, or nil for transfers (they have no efficiency parameters).
    public static func coverage(of shape: OperatorShape, on engine: Engine, in profile: HardwareProfile) -> Coverage? {
        if case .transfer = shape { return nil }
        let kind = shape.kind
        guard let record = profile.calibration, record.engine == engine.id, let k = record.kind(kind) else {
            return Coverage(status: .uncalibrated, detail: "\(kind) was never measured on \(profile.name) (efficiency is a datasheet-based estimate)")
        }
        let origin = k.isTransferred ? "on \(k.from)" : "on \(profile.name)"
        let p = shape.precision
        // A precision counts as measured when a measured one has the same width and, for the matrix kinds,
        // the same peak on this engine (fp16 and bf16 on an A100 run the same kernels at the same rate);
        // the other kinds are fitted on bandwidth only, so the width is what matters.
        let matrix = kind == "gemm" || kind == "conv" || kind == "attention"
        let covered = k.region.precisions.isEmpty || k.region.precisions.contains(p)
            || k.region.precisions.contains { $0.bytes == p.bytes && (!matrix || engine.matrixPeak($0) == engine.matrixPeak(p)) }
        if !covered {
            return Coverage(status: .extrapolated, detail: "\(kind) in \(p.rawValue) was never measured \(origin) (measured: \(k.region.precisions.map(\.rawValue).joined(separator: ", ")))")
        }
        let f = ShapeFeatures(shape)
        for (name, v) in f.numbers {
            guard let range = k.region.ranges.first(where: { $0.name == name }) else { continue }
            if v < range.low || v > range.high {
                return Coverage(status: .extrapolated,
                                detail: "\(kind) \(name) = \(Format.significant(v, 6)) \(v < range.low ? "below" : "above") the range measured \(origin) (\(Format.significant(range.low, 6))–\(Format.significant(range.high, 6)))")
            }
        }
        for (name, v) in f.labels {
            guard let known = k.region.values.first(where: { $0.name == name }) else { continue }
            if !known.values.contains(v) {
                return Coverage(status: .extrapolated, detail: "\(kind) \(name) = \(v) was never measured \(origin) (measured: \(known.values.joined(separator: ", ")))")
            }
        }
        if k.isTransferred {
            return Coverage(status: .transferred, detail: "efficiency transferred from \(k.from); shape inside the region measured there")
        }
        return Coverage(status: .calibrated, detail: "inside the region measured on \(profile.name)")
    }
}

/// The shape features a calibration region records: numbers (ranges) and labels (sets).
public struct ShapeFeatures {
    public var numbers: [(String, Double)] = []
    public var labels: [(String, String)] = []

    public init(_ shape: OperatorShape) {
        func n(_ name: String, _ v: Int) { numbers.append((name, Double(v))) }
        switch shape {
        case .gemm(let g): n("m", g.m); n("n", g.n); n("k", g.k); n("batch", g.batch)
        case .attention(let a):
            n("batch", a.batch); n("heads", a.heads); n("queryLength", a.queryLength); n("keyLength", a.keyLength); n("headDim", a.headDim)
            labels = [("algorithm", a.algorithm.rawValue), ("pass", a.pass.rawValue), ("causal", a.causal ? "true" : "false")]
        case .decodeAttention(let d):
            n("batch", d.batch); n("heads", d.heads); n("keyLength", d.keyLength); n("headDim", d.headDim)
        case .elementwise(let e): n("elements", e.elements)
        case .embedding(let e): n("tokens", e.tokens); n("hidden", e.hidden)
        case .conv(let c):
            n("batch", c.batch); n("height", c.height); n("width", c.width); n("inChannels", c.inChannels); n("outChannels", c.outChannels)
            n("kernel", c.kernel); n("stride", c.stride)
            labels = [("depthwise", c.groups > 1 ? "true" : "false")]
        case .transfer(let t): numbers = [("bytes", t.bytes)]
        }
    }
}
