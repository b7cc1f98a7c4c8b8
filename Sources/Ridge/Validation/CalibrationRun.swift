import Foundation

/// Measured rows together with the files they came from (for the calibration record).
public struct MeasuredSet: Sendable {
    public var rows: [MeasuredRow] = []
    /// Index into `files` of each row.
    public var fileOfRow: [Int] = []
    public var files: [(path: String, fingerprint: String)] = []

    public init() {}

    /// Reads each file through `MeasuredData.load` (every format Ridge knows).
    public static func load(_ paths: [String]) throws -> MeasuredSet {
        var set = MeasuredSet()
        for path in paths {
            let rows = try MeasuredData.load(path)
            set.add(rows, file: path, fingerprint: fingerprint(try FileIO.readBytes(path)))
        }
        return set
    }

    public mutating func add(_ rows: [MeasuredRow], file: String, fingerprint: String) {
        files.append((file, fingerprint))
        self.rows += rows
        fileOfRow += Array(repeating: files.count - 1, count: rows.count)
    }

    /// FNV-1a 64-bit digest of a file's bytes (Fowler, Noll & Vo), as `fnv1a64:<hex>`.
    public static func fingerprint(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        let hex = String(h, radix: 16)
        return "fnv1a64:" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// One `ridge calibrate` run: split the rows, fit each kind on the training rows, and measure the
/// error before and after on both sides of the split.
public struct CalibrationRun: Sendable {
    public struct KindResult: Sendable {
        public var kind: String
        public var trainRows: Int
        public var heldOutRows: Int
        public var before: (train: ErrorStats, heldOut: ErrorStats)
        public var after: (train: ErrorStats, heldOut: ErrorStats)
        public var parameters: Efficiency.Parameters
        public var fields: [Calibrator.Field]
    }

    /// A kind present in the data but not fitted: too few training rows for its parameters.
    public struct Skipped: Sendable {
        public var kind: String
        public var rows: Int
        public var needed: Int
    }

    public var profile: HardwareProfile
    public var engine: Engine
    public var split: HoldoutSplit
    public var kinds: [KindResult]
    /// Kinds left at the profile's values because the split left them too few rows.
    public var skipped: [Skipped] = []
    /// All fitted kinds together.
    public var before: (train: ErrorStats, heldOut: ErrorStats)
    public var after: (train: ErrorStats, heldOut: ErrorStats)
    /// `profile` with the fitted efficiency and the calibration record.
    public var calibrated: HardwareProfile

    public static let method = "ridge calibrate: Hooke-Jeeves pattern search minimising the mean absolute percentage error per kind (docs/efficiency.md)"

    /// Kinds whose rows can be fitted (transfers have no efficiency parameters).
    public static func fittable(_ rows: [MeasuredRow]) -> [String] {
        Array(Set(rows.map(\.kind))).filter { !Calibrator.fields(for: $0).isEmpty }.sorted()
    }

    public static func run(_ data: MeasuredSet, profile: HardwareProfile, engine: Engine, split: HoldoutSplit,
                           kinds requested: [String]? = nil) -> CalibrationRun {
        let (trainIdx, heldIdx) = split.split(data.rows)
        var kinds: [String] = [], skipped: [Skipped] = []
        for kind in (requested ?? fittable(data.rows)) where !Calibrator.fields(for: kind).isEmpty {
            let rows = trainIdx.filter { data.rows[$0].kind == kind }.count
            if rows >= Calibrator.minimumRows(for: kind) { kinds.append(kind) }
            else { skipped.append(Skipped(kind: kind, rows: rows, needed: Calibrator.minimumRows(for: kind))) }
        }
        let train = trainIdx.map { data.rows[$0] }.filter { kinds.contains($0.kind) }
        let fit = Calibrator.fit(train, engine: engine, profile: profile, kinds: kinds)
        var fitted = engine
        fitted.efficiency = fit.efficiency
        var calibrated = fit.applied(to: profile, engine: engine.id)

        func predict(_ idx: [Int], _ e: Engine, _ p: HardwareProfile) -> [Double] {
            idx.map { CostModel.cost(data.rows[$0].shape, on: e, in: p).seconds }
        }
        func stats(_ idx: [Int], _ e: Engine, _ p: HardwareProfile) -> ErrorStats {
            ErrorStats(predicted: predict(idx, e, p), measured: idx.map { data.rows[$0].seconds })
        }
        var results: [KindResult] = []
        var records: [(String, CalibrationRecord.Kind)] = profile.calibration?.engine == engine.id ? profile.calibration!.kinds : []
        var allTrain: [Int] = [], allHeld: [Int] = []
        for k in fit.kinds {
            let t = trainIdx.filter { data.rows[$0].kind == k.kind }, h = heldIdx.filter { data.rows[$0].kind == k.kind }
            allTrain += t; allHeld += h
            let result = KindResult(kind: k.kind, trainRows: t.count, heldOutRows: h.count,
                                    before: (stats(t, engine, profile), stats(h, engine, profile)),
                                    after: (stats(t, fitted, calibrated), stats(h, fitted, calibrated)),
                                    parameters: k.parameters, fields: k.fields)
            results.append(result)
            var perFile: [Int: Int] = [:]
            for i in t { perFile[data.fileOfRow[i], default: 0] += 1 }
            let measured = perFile.keys.sorted().map {
                CalibrationRecord.Dataset(file: data.files[$0].path, fingerprint: data.files[$0].fingerprint, rows: perFile[$0]!)
            }
            var splitJSON = JSONObject()
            if !split.groups.isEmpty { splitJSON["heldOutGroups"] = .array(split.groups.map(JSONValue.string)) }
            else if split.fraction > 0 { splitJSON["holdout"] = .number(split.fraction); splitJSON["seed"] = .number(Double(split.seed)) }
            let record = CalibrationRecord.Kind(basis: "measured", from: "", measured: measured, split: splitJSON,
                                                train: result.after.train, heldOut: result.after.heldOut,
                                                uncalibratedTrain: result.before.train, uncalibratedHeldOut: result.before.heldOut,
                                                region: .spanning(t.map { data.rows[$0].shape }, groups: t.map { data.rows[$0].group }))
            records.removeAll { $0.0 == k.kind }
            records.append((k.kind, record))
        }
        calibrated.calibration = CalibrationRecord(engine: engine.id, method: method, kinds: records)
        allTrain.sort(); allHeld.sort()
        return CalibrationRun(profile: profile, engine: engine, split: split, kinds: results, skipped: skipped,
                              before: (stats(allTrain, engine, profile), stats(allHeld, engine, profile)),
                              after: (stats(allTrain, fitted, calibrated), stats(allHeld, fitted, calibrated)),
                              calibrated: calibrated)
    }

    /// What a user should not miss: kinds not fitted, parameters the search left at a bound (the
    /// data do not determine them, or the kind's model does not fit these rows), and fits that are
    /// worse on the held-out rows than the profile was before.
    public var warnings: [String] {
        var out = skipped.map { "\($0.kind) not fitted: \($0.rows) training rows, needs at least \($0.needed) (two per parameter); it keeps the profile's values" }
        for k in kinds {
            // An overhead of 0 is a physical answer (no fixed time), not a search stuck at its bound.
            for f in k.fields where [.compute, .memory, .overhead].contains(f) {
                let v = f.get(k.parameters), b = f.bounds
                guard v >= b.upperBound || (f != .overhead && v <= b.lowerBound) else { continue }
                out.append("\(k.kind) \(f.rawValue) = \(Format.significant(v, 3)) is at its bound: the rows do not determine it, or this kind's model does not describe them")
            }
            if k.after.heldOut.count > 0, k.after.heldOut.mape > k.before.heldOut.mape {
                out.append("\(k.kind) fits the held-out rows worse than the profile did before (\(Format.percent(k.before.heldOut.mape)) → \(Format.percent(k.after.heldOut.mape)))")
            }
        }
        return out
    }

    /// The derived profile: `extends` the original and overrides only the engine's efficiency, with
    /// the calibration record and its sources. No timestamp, so the file is deterministic.
    public func derivedProfile(name: String, extends parent: String) -> JSONObject {
        let fitted = calibrated.engine(engine.id)!.efficiency
        let files = Array(Set(calibrated.calibration?.kinds.flatMap { $0.record.measured.map(\.file) } ?? [])).sorted()
        let rows = kinds.reduce(0) { $0 + $1.trainRows }
        let summary = kinds.map { "\($0.kind) \($0.trainRows) rows" }.joined(separator: ", ")
        let suffix = "; efficiency fitted by ridge calibrate"
        let original = profile.description.isEmpty ? profile.name : profile.description
        let description = original.hasSuffix(suffix) ? original : original + suffix
        return JSONObject([
            ("name", .string(name)),
            ("description", .string(description)),
            ("extends", .string(parent)),
            ("engines", .object(JSONObject([(engine.id, .object(JSONObject([("efficiency", .object(fitted.json()))])))]))),
            ("calibration", .object(calibrated.calibration!.json())),
            ("sources", .object(JSONObject([
                ("engines.\(engine.id).efficiency", .string("fitted by ridge calibrate on \(rows) measured rows (\(summary)) from \(files.joined(separator: ", "))")),
                ("calibration", .string("ridge calibrate: what the fit saw (files, rows, region) and its errors on the rows it saw and the rows held out")),
            ]))),
        ])
    }

    // MARK: - Reports

    public func json(output: String?) -> JSONObject {
        func pair(_ p: (train: ErrorStats, heldOut: ErrorStats)) -> JSONValue {
            .object(JSONObject([("train", .object(p.train.json())), ("heldOut", .object(p.heldOut.json()))]))
        }
        var splitJSON = JSONObject()
        if !split.groups.isEmpty { splitJSON["heldOutGroups"] = .array(split.groups.map(JSONValue.string)) }
        else { splitJSON["holdout"] = .number(split.fraction); splitJSON["seed"] = .number(Double(split.seed)) }
        var o = JSONObject([("profile", .string(profile.name)), ("engine", .string(engine.id))])
        o["output"] = output.map(JSONValue.string) ?? .null
        o["split"] = .object(splitJSON)
        o["kinds"] = .object(JSONObject(kinds.map { k in
            (k.kind, .object(JSONObject([("trainRows", .number(Double(k.trainRows))), ("heldOutRows", .number(Double(k.heldOutRows))),
                                         ("uncalibrated", pair(k.before)), ("calibrated", pair(k.after)),
                                         ("parameters", .object(Efficiency.json(k.parameters))),
                                         ("fitted", .array(k.fields.map { .string($0.rawValue) }))])))
        }))
        o["uncalibrated"] = pair(before)
        o["calibrated"] = pair(after)
        o["warnings"] = .array(warnings.map(JSONValue.string))
        return o
    }

    public func table(output: String?) -> String {
        let how = !split.groups.isEmpty ? "held out: groups \(split.groups.joined(separator: ", "))"
            : split.fraction > 0 ? "held out: \(Format.percent(split.fraction * 100, digits: 0)) of rows at random (seed \(split.seed))"
            : "no rows held out"
        let held = after.heldOut.count, seen = after.train.count
        let counted = split.groups.isEmpty && split.fraction == 0 ? "" : held == 0 ? " (0 of \(seen) rows: too few to hold any out)" : " (\(held) of \(held + seen) rows)"
        var out = "Calibrated \(profile.name) (engine \(engine.id)); \(how)\(counted)\n\n"
        var t = TextTable(["kind", "rows seen", "rows held out", "before: seen", "before: held out", "after: seen", "after: held out", "after: bias held out"])
        func m(_ s: ErrorStats) -> String { s.count == 0 ? "-" : Format.percent(s.mape) }
        for k in kinds {
            t.add([k.kind, "\(k.trainRows)", "\(k.heldOutRows)", m(k.before.train), m(k.before.heldOut), m(k.after.train), m(k.after.heldOut),
                   k.after.heldOut.count == 0 ? "-" : Format.percent(k.after.heldOut.bias)])
        }
        if kinds.count > 1 {
            t.add(["all", "\(after.train.count)", "\(after.heldOut.count)", m(before.train), m(before.heldOut), m(after.train), m(after.heldOut),
                   after.heldOut.count == 0 ? "-" : Format.percent(after.heldOut.bias)])
        }
        out += "mean absolute percentage error, before and after fitting, on the rows the fit saw and the rows it did not\n"
        out += t.render() + "\n"
        var p = TextTable(["kind", "compute", "memory", "overhead", "tileIntensity", "epilogue", "overlap", "waveTail"])
        for k in kinds {
            let q = k.parameters
            func f(_ field: Calibrator.Field, _ s: String) -> String { k.fields.contains(field) ? s : "(\(s))" }
            p.add([k.kind, f(.compute, Format.significant(q.compute, 3)), f(.memory, Format.significant(q.memory, 3)),
                   f(.overhead, q.overhead < 1e-12 ? "0 s" : Format.seconds(q.overhead)), f(.tileIntensity, Format.significant(q.tileIntensity, 3)),
                   f(.epilogue, Format.significant(q.epilogue, 3)), f(.overlap, q.overlap.map { Format.significant($0, 3) } ?? "max"),
                   f(.waveTail, Format.significant(q.waveTail, 3))])
        }
        out += "fitted parameters (values in parentheses were not fitted for that kind)\n" + p.render()
        let warnings = self.warnings
        for w in warnings { out += "\nwarning: \(w)" }
        if !warnings.isEmpty { out += "\n" }
        if let output { out += "\nwrote \(output)\n" }
        return out
    }
}
