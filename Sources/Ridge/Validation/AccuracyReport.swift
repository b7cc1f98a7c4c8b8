import Foundation

/// The accuracy table of `docs/validation.md` ("Accuracy") and the per-regime GEMM table of
/// `docs/efficiency.md`, computed from every measured dataset the project has: Vidur's A100 and
/// A40 operator profiles (every model present), LLMCompass's A100 softmax/layernorm/GELU, and the
/// FlashAttention-2 A100 figures in `traces/measured/`. `scripts/accuracy-table.sh` regenerates both.
///
/// For each dataset and kind it reports the error of the profile with datasheet ceilings only
/// (`uncalibrated`: no fitted `byKind`), of the bundled profile (`shipped`: fitted on 80% of the
/// rows), and of a fit on one part of the data judged on the rest (`held out`); then the
/// cross-GPU predictions: parameters fitted on every A100 row applied to the A40's datasheet, and
/// back.
public struct AccuracyReport: Sendable {
    public struct Dataset: Sendable {
        public var name: String
        public var profile: String
        public var data: MeasuredSet
        /// How the held-out column splits this dataset, and in words.
        public var split: HoldoutSplit
        public var splitText: String
    }

    public struct Row: Sendable {
        public var dataset: String
        public var profile: String
        public var kind: String
        public var rows: Int
        public var uncalibrated: ErrorStats
        public var shipped: ErrorStats
        public var heldOut: ErrorStats
        public var trainRows: Int
        public var splitText: String
    }

    public struct Cross: Sendable {
        public var from: String
        public var to: String
        public var kind: String
        public var stats: ErrorStats
    }

    public var rows: [Row] = []
    /// GEMM error per model: `stats` fitted on Llama-2-7B only and judged on this model; `floor`
    /// fitted on this model's own rows and judged on the same rows: the least error the calibrator
    /// finds for the model's form on them, which a fit on other rows is not expected to beat.
    public var perModel: [(profile: String, model: String, stats: ErrorStats, floor: ErrorStats)] = []
    public var cross: [Cross] = []
    /// Shipped A100 on the Vidur GEMMs of Llama-2-7B and Llama-2-70B: (model, op, regime, stats).
    public var regimes: [(model: String, op: String, regime: String, stats: ErrorStats)] = []
    public var regimeTotal = ErrorStats(count: 0, mape: 0, medianAbs: 0, bias: 0)

    /// The profile with only its datasheet ceilings: fitted per-kind parameters and the calibration record removed.
    public static func datasheetOnly(_ profile: HardwareProfile) -> HardwareProfile {
        var p = profile
        for i in p.engines.indices { p.engines[i].efficiency.byKind = [:] }
        p.calibration = nil
        return p
    }

    /// `target` with the fitted per-kind parameters of `source` (same engine id), as when a profile
    /// calibrated on one GPU predicts another.
    public static func transferred(_ source: HardwareProfile, to target: HardwareProfile, kinds: [String]) -> HardwareProfile {
        var p = datasheetOnly(target)
        for i in p.engines.indices {
            guard let s = source.engine(p.engines[i].id) else { continue }
            for k in kinds { p.engines[i].efficiency.byKind[k] = s.efficiency.parameters(for: k) }
        }
        return p
    }

    static func vidurFiles(_ root: String, _ gpu: String) -> [String] {
        let dir = root + "/vidur/profiling/compute/" + gpu
        guard let orgs = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
        var files: [String] = []
        for org in orgs.sorted() {
            guard let models = try? FileManager.default.contentsOfDirectory(atPath: dir + "/" + org) else { continue }
            for m in models.sorted() where FileManager.default.fileExists(atPath: "\(dir)/\(org)/\(m)/mlp.csv") {
                files.append("\(dir)/\(org)/\(m)/mlp.csv")
            }
        }
        return files
    }

    /// The datasets found under `dataRoot` (`../shared/data`) and `traces/measured`.
    public static func datasets(dataRoot: String, measuredRoot: String) throws -> [Dataset] {
        var out: [Dataset] = []
        for (gpu, profile) in [("a100", "a100-sxm-80gb"), ("a40", "a40")] {
            let files = vidurFiles(dataRoot, gpu)
            guard !files.isEmpty else { continue }
            let data = try MeasuredSet.load(files)
            let others = Array(Set(data.rows.map(\.group)).subtracting(["Llama-2-7b-hf"])).sorted()
            out.append(Dataset(name: "Vidur \(gpu.uppercased()) (\(files.count) models)", profile: profile, data: data,
                               split: HoldoutSplit(groups: others), splitText: "fitted on Llama-2-7B, judged on the other models"))
        }
        var compass = MeasuredSet()
        for op in LLMCompassImporter.Operator.allCases {
            let path = "\(dataRoot)/LLMCompass/real_hardware/\(op.rawValue)_A100.csv"
            guard FileManager.default.fileExists(atPath: path) else { continue }
            compass.add(try LLMCompassImporter.load(path, operator: op), file: path, fingerprint: MeasuredSet.fingerprint(try FileIO.readBytes(path)))
        }
        if !compass.rows.isEmpty {
            out.append(Dataset(name: "LLMCompass A100 softmax, layernorm, GELU", profile: "a100-sxm-80gb", data: compass,
                               split: HoldoutSplit(fraction: 0.2, seed: 1), splitText: "20% of rows held out at random (seed 1)"))
        }
        let fa2 = measuredRoot + "/flashattention2-a100.csv"
        if FileManager.default.fileExists(atPath: fa2) {
            let data = try MeasuredSet.load([fa2])
            let hd128 = Array(Set(data.rows.map(\.group).filter { $0.contains("hd128") })).sorted()
            out.append(Dataset(name: "FlashAttention-2 A100 fwd+bwd (measurements.md §1)", profile: "a100-sxm-80gb", data: data,
                               split: HoldoutSplit(groups: hd128), splitText: "fitted on head dim 64, judged on head dim 128"))
        }
        return out
    }

    public static func build(dataRoot: String, measuredRoot: String) throws -> AccuracyReport {
        var report = AccuracyReport()
        let sets = try datasets(dataRoot: dataRoot, measuredRoot: measuredRoot)
        for set in sets {
            let shipped = try ProfileLoader.load(set.profile)
            let datasheet = datasheetOnly(shipped)
            let engine = datasheet.primaryEngine
            let run = CalibrationRun.run(set.data, profile: datasheet, engine: engine, split: set.split)
            let (trainIdx, heldIdx) = set.split.split(set.data.rows)
            for kind in CalibrationRun.fittable(set.data.rows) {
                let all = set.data.rows.filter { $0.kind == kind }
                func stats(_ rows: [MeasuredRow], _ p: HardwareProfile) -> ErrorStats {
                    ErrorStats(predicted: Calibrator.predict(rows, engine: p.primaryEngine, profile: p), measured: rows.map(\.seconds))
                }
                let held = heldIdx.map { set.data.rows[$0] }.filter { $0.kind == kind }
                report.rows.append(Row(dataset: set.name, profile: set.profile, kind: kind, rows: all.count,
                                       uncalibrated: stats(all, datasheet), shipped: stats(all, shipped),
                                       heldOut: stats(held, run.calibrated), trainRows: trainIdx.filter { set.data.rows[$0].kind == kind }.count,
                                       splitText: set.splitText))
                if kind == "gemm", set.name.hasPrefix("Vidur") {
                    for model in Set(held.map(\.group)).sorted() {
                        let own = held.filter { $0.group == model }
                        let itself = Calibrator.fit(own, engine: engine, profile: datasheet, kinds: [kind]).applied(to: datasheet, engine: engine.id)
                        report.perModel.append((set.profile, model, stats(own, run.calibrated), stats(own, itself)))
                    }
                }
            }
        }
        // Cross-GPU: every Vidur row of one GPU fits the parameters; the other GPU's datasheet receives them.
        let vidur = sets.filter { $0.name.hasPrefix("Vidur") }
        for source in vidur {
            for target in vidur where target.profile != source.profile {
                let from = datasheetOnly(try ProfileLoader.load(source.profile))
                let fit = CalibrationRun.run(source.data, profile: from, engine: from.primaryEngine, split: HoldoutSplit())
                let kinds = CalibrationRun.fittable(source.data.rows)
                let to = transferred(fit.calibrated, to: try ProfileLoader.load(target.profile), kinds: kinds)
                for kind in kinds {
                    let rows = target.data.rows.filter { $0.kind == kind }
                    report.cross.append(Cross(from: source.profile, to: target.profile, kind: kind,
                                              stats: ErrorStats(predicted: Calibrator.predict(rows, engine: to.primaryEngine, profile: to), measured: rows.map(\.seconds))))
                }
            }
        }
        // Regimes of the issue's acceptance set: shipped A100 on Llama-2-7B and Llama-2-70B GEMMs.
        if let a100 = vidur.first(where: { $0.profile == "a100-sxm-80gb" }) {
            let profile = try ProfileLoader.load("a100-sxm-80gb")
            let rows = a100.data.rows.filter { $0.kind == "gemm" && ($0.group == "Llama-2-7b-hf" || $0.group == "Llama-2-70b-hf") }
            let predicted = Calibrator.predict(rows, engine: profile.primaryEngine, profile: profile)
            report.regimeTotal = ErrorStats(predicted: predicted, measured: rows.map(\.seconds))
            var buckets: [String: ([Double], [Double])] = [:]
            var keys: [(String, String, String)] = []
            for (row, p) in zip(rows, predicted) {
                guard case .gemm(let g) = row.shape else { continue }
                let op = String(row.name.split(separator: ".").dropFirst().first ?? "")
                for (model, o) in [(row.group, op), (row.group, "all"), ("both", op), ("both", "all")] {
                    let key = "\(model)|\(o)|\(regime(g.m))"
                    if buckets[key] == nil { keys.append((model, o, regime(g.m))) }
                    buckets[key, default: ([], [])].0.append(p)
                    buckets[key]!.1.append(row.seconds)
                }
            }
            for (model, op, r) in keys {
                let b = buckets["\(model)|\(op)|\(r)"]!
                report.regimes.append((model, op, r, ErrorStats(predicted: b.0, measured: b.1)))
            }
        }
        return report
    }

    /// Token-count regimes: memory-bound GEMV, the ridge, and compute-bound.
    public static let regimeNames = ["m ≤ 64", "65–256", "257–1024", "1025–4096"]
    static func regime(_ m: Int) -> String {
        m <= 64 ? regimeNames[0] : m <= 256 ? regimeNames[1] : m <= 1024 ? regimeNames[2] : regimeNames[3]
    }

    // MARK: - Output

    static func cell(_ s: ErrorStats) -> String {
        s.count == 0 ? "–" : "\(Format.percent(s.mape)) (\(s.bias >= 0 ? "+" : "")\(Format.percent(s.bias)))"
    }

    static let opNames = [("attn_pre_proj", "QKV"), ("attn_post_proj", "output"), ("mlp_up_proj", "up (gate+up)"), ("mlp_down_proj", "down"), ("all", "all four")]

    /// The markdown of `docs/validation.md` "Accuracy".
    public func validationMarkdown() -> String {
        var out = "Each cell is the mean absolute percentage error, with the signed bias in parentheses (positive: Ridge predicts too slow).\n"
        out += "*Datasheet only* is the profile with its datasheet numbers and attainable ceilings (MAMF, STREAM) and no fitted per-kind parameters; "
        out += "*shipped* is the bundled profile, fitted on 80% of these rows (`scripts/calibrate-profiles.sh`); *held out* fits the datasheet profile "
        out += "on one part of the dataset and judges it on the rest.\n\n"
        out += "| dataset | profile | kind | rows | datasheet only | shipped | held out | split |\n|---|---|---|---|---|---|---|---|\n"
        for r in rows {
            out += "| \(r.dataset) | `\(r.profile)` | \(r.kind) | \(r.rows) | \(AccuracyReport.cell(r.uncalibrated)) | \(AccuracyReport.cell(r.shipped)) | \(AccuracyReport.cell(r.heldOut)) | \(r.splitText) (\(r.trainRows) rows fitted) |\n"
        }
        if !perModel.isEmpty {
            let profiles = Set(perModel.map(\.profile)).sorted()
            out += "\nVidur GEMMs per held-out model. *Fitted on Llama-2-7B*: the datasheet profile fitted on Llama-2-7B rows only, judged on the model. "
            out += "*Fitted on itself*: fitted on the model's own rows and judged on the same rows, the least error the calibrator finds for this model form on them; "
            out += "a fit on other rows is not expected to beat it.\n\n| model | "
            out += profiles.map { "`\($0)` fitted on Llama-2-7B | `\($0)` fitted on itself" }.joined(separator: " | ") + " |\n"
            out += "|---|" + profiles.map { _ in "---|---|" }.joined() + "\n"
            for model in Set(perModel.map(\.model)).sorted() {
                out += "| \(model) | " + profiles.map { p in
                    perModel.first { $0.profile == p && $0.model == model }.map { AccuracyReport.cell($0.stats) + " | " + AccuracyReport.cell($0.floor) } ?? "– | –"
                }.joined(separator: " | ") + " |\n"
            }
        }
        if !cross.isEmpty {
            out += "\nCross-GPU: parameters fitted on every Vidur row of one GPU, applied to the other GPU's datasheet profile:\n\n"
            out += "| fitted on | predicts | kind | rows | error |\n|---|---|---|---|---|\n"
            for c in cross { out += "| `\(c.from)` | `\(c.to)` | \(c.kind) | \(c.stats.count) | \(AccuracyReport.cell(c.stats)) |\n" }
        }
        return out
    }

    /// The markdown of `docs/efficiency.md`: shipped A100 per model, operator and token regime.
    public func efficiencyMarkdown() -> String {
        var out = "Shipped `a100-sxm-80gb` on the Vidur A100 GEMMs of Llama-2-7B and Llama-2-70B (all token counts 1–4096, tensor-parallel 1, 2, 4, 8; \(regimeTotal.count) rows): "
        out += "**\(Format.percent(regimeTotal.mape)) MAPE**, median \(Format.percent(regimeTotal.medianAbs)), bias \(Format.percent(regimeTotal.bias)). Cells: MAPE (bias).\n\n"
        out += "| model | GEMM | " + AccuracyReport.regimeNames.map { "m \($0.replacingOccurrences(of: "m ", with: ""))" }.joined(separator: " | ") + " |\n"
        out += "|---|---|" + AccuracyReport.regimeNames.map { _ in "---|" }.joined() + "\n"
        for model in ["Llama-2-7b-hf", "Llama-2-70b-hf", "both"] {
            for (op, label) in AccuracyReport.opNames {
                let cells = AccuracyReport.regimeNames.map { r in regimes.first { $0.model == model && $0.op == op && $0.regime == r }.map { AccuracyReport.cell($0.stats) } ?? "–" }
                out += "| \(model == "both" ? "both" : model) | \(label) | " + cells.joined(separator: " | ") + " |\n"
            }
        }
        return out
    }

    public func json() -> JSONObject {
        JSONObject([
            ("rows", .array(rows.map { r in .object(JSONObject([
                ("dataset", .string(r.dataset)), ("profile", .string(r.profile)), ("kind", .string(r.kind)), ("rows", .number(Double(r.rows))),
                ("uncalibrated", .object(r.uncalibrated.json())), ("shipped", .object(r.shipped.json())), ("heldOut", .object(r.heldOut.json())),
                ("trainRows", .number(Double(r.trainRows))), ("split", .string(r.splitText))])) })),
            ("perModel", .array(perModel.map { .object(JSONObject([("profile", .string($0.profile)), ("model", .string($0.model)), ("stats", .object($0.stats.json())),
                                                    ("fittedOnItself", .object($0.floor.json()))])) })),
            ("cross", .array(cross.map { .object(JSONObject([("from", .string($0.from)), ("to", .string($0.to)), ("kind", .string($0.kind)), ("stats", .object($0.stats.json()))])) })),
            ("regimes", .array(regimes.map { .object(JSONObject([("model", .string($0.model)), ("op", .string($0.op)), ("regime", .string($0.regime)), ("stats", .object($0.stats.json()))])) })),
        ])
    }
}
