import Foundation

/// `ridge calibrate`: fits a profile's efficiency parameters to measurements and writes a derived
/// profile that extends the original (`docs/validation.md`, "Calibration").
enum CalibrateCommand {
    static let usage = """
    usage: ridge calibrate --profile P --measured FILE [--measured FILE …] -o calibrated.json
                           [--holdout 0.2] [--seed N] [--holdout-group GROUP …] [--kinds gemm,elementwise]
                           [--engine ID] [--name NAME] [--fresh] [--inline] [--format table|json]
           ridge calibrate --profile P --transfer-from SIBLING -o transferred.json [--inline]

    Fits the engine's efficiency parameters per operator kind (compute and memory efficiency,
    overhead, tile intensity, epilogue, overlap, wave tail; docs/efficiency.md) on the measured rows
    and writes a profile that extends P with the fitted values and a record of what they were
    fitted on. Reports the error on the rows the fit saw beside the error on the rows it did not.

      --measured FILE       a measured file (microbenchmark CSV, Vidur mlp.csv, …); repeatable
      --holdout F           hold out this fraction of rows at random (0 ≤ F < 1; default 0.2)
      --seed N              seed of the random split (default 1); same seed, same split, same output
      --holdout-group G     hold out every row of group G (e.g. a model: Llama-2-70b-hf); repeatable;
                            replaces the random split
      --kinds K,K           fit only these kinds (default: every kind in the data)
      --name NAME           name of the derived profile (default: the output file's name)
      --transfer-from S     no measurements of P: take the fitted efficiency of the measured profile S,
                            scaled by the two GPUs' attainable ceilings (docs/efficiency.md)
      --fresh               start from the profile's datasheet ceilings only, ignoring fitted per-kind
                            values, so the result depends on the data and the datasheet alone
      --inline              write a standalone profile (the original with the fitted values merged in)
                            instead of one that extends it; scripts/calibrate-profiles.sh uses this to
                            regenerate the bundled A100 and A40 profiles
    """

    static let spec = Arguments.Spec(valued: ["profile", "output", "holdout", "seed", "kinds", "engine", "name", "format", "transfer-from"],
                                     flags: ["inline", "fresh"], repeatable: ["measured", "holdout-group"])

    static func run(_ argv: [String]) throws -> CommandOutput {
        let args = try Arguments(argv, spec: spec, usage: usage)
        if args.wantsHelp { return CommandOutput(usage + "\n") }
        try args.noPositionals()
        guard let profileArg = args.string("profile") else { throw args.usageError("missing required option --profile") }
        let measured = args.strings("measured")
        guard let output = args.string("output") else { throw args.usageError("missing required option -o (the calibrated profile to write)") }
        if let sibling = args.string("transfer-from") {
            guard measured.isEmpty else { throw args.usageError("give either --measured or --transfer-from, not both") }
            return try transfer(args, profileArg: profileArg, sibling: sibling, output: output)
        }
        guard !measured.isEmpty else { throw args.usageError("missing required option --measured (or --transfer-from)") }
        let format = try args.format()
        let split = try HoldoutSplit.parse(args)
        let loaded = try ProfileLoader.load(profileArg)
        let profile = args.flag("fresh") ? AccuracyReport.datasheetOnly(loaded) : loaded
        let engine = try engineOption(args, profile)
        let data = try MeasuredSet.load(measured)
        let present = CalibrationRun.fittable(data.rows)
        var kinds = present
        if let list = args.string("kinds") {
            kinds = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            for k in kinds where !present.contains(k) {
                throw args.usageError("--kinds: no \(k) rows to fit in the measured data (present: \(present.joined(separator: ", ")))")
            }
        }
        guard !kinds.isEmpty else {
            throw RidgeError.data(file: measured.joined(separator: ", "), at: nil, "no rows of a kind with efficiency parameters to fit")
        }
        let groups = Set(data.rows.map(\.group))
        for g in split.groups where !groups.contains(g) {
            throw args.usageError("--holdout-group: no rows of group \"\(g)\" (groups: \(groups.sorted().joined(separator: ", ")))")
        }
        let (train, _) = split.split(data.rows)
        guard train.contains(where: { kinds.contains(data.rows[$0].kind) }) else {
            throw args.usageError("the split leaves no rows to fit on (\(data.rows.count) rows, all held out)")
        }
        let run = CalibrationRun.run(data, profile: profile, engine: engine, split: split, kinds: kinds)
        // Too few rows for a kind's parameters: an error when the kind was asked for by name or
        // nothing is left to fit; otherwise the kind keeps its values and the report says so.
        if !run.skipped.isEmpty, run.kinds.isEmpty || args.string("kinds") != nil {
            let why = run.skipped.map { "\($0.kind): \($0.rows) training rows, needs at least \($0.needed) (two per fitted parameter)" }
            throw RidgeError.data(file: measured.joined(separator: ", "), at: nil, "too few rows to fit: " + why.joined(separator: "; "))
        }
        let name = args.string("name") ?? URL(fileURLWithPath: output).deletingPathExtension().lastPathComponent
        let parent = extendsReference(profileArg, output: output)
        let derived = run.derivedProfile(name: name, extends: parent)
        // The derived profile must load like any other before it is written.
        let (merged, _) = try ProfileLoader.resolveChild(derived, at: output)
        _ = try ProfileLoader.decode(merged, file: output)
        try FileIO.writeAtomically(JSONWriter.write(.object(args.flag("inline") ? merged : derived)) + "\n", to: output)
        switch format {
        case .json: return CommandOutput(JSONWriter.write(.object(run.json(output: output))) + "\n")
        case .table: return CommandOutput(run.table(output: output))
        }
    }

    static func transfer(_ args: Arguments, profileArg: String, sibling siblingArg: String, output: String) throws -> CommandOutput {
        let target = try ProfileLoader.load(profileArg)
        let sibling = try ProfileLoader.load(siblingArg)
        let moved = try EfficiencyTransfer.apply(from: sibling, to: target)
        let name = args.string("name") ?? URL(fileURLWithPath: output).deletingPathExtension().lastPathComponent
        let derived = EfficiencyTransfer.derivedProfile(moved, original: target, sibling: sibling, name: name,
                                                        extends: extendsReference(profileArg, output: output))
        let (merged, _) = try ProfileLoader.resolveChild(derived, at: output)
        _ = try ProfileLoader.decode(merged, file: output)
        try FileIO.writeAtomically(JSONWriter.write(.object(args.flag("inline") ? merged : derived)) + "\n", to: output)
        var t = TextTable(["kind", "compute", "memory", "from \(sibling.name)"])
        for (kind, _) in moved.calibration!.kinds {
            let p = moved.primaryEngine.efficiency.parameters(for: kind), q = sibling.primaryEngine.efficiency.parameters(for: kind)
            t.add([kind, Format.significant(p.compute, 4), Format.significant(p.memory, 4),
                   "\(Format.significant(q.compute, 4)), \(Format.significant(q.memory, 4))"])
        }
        let text = "Transferred efficiency from \(sibling.name) to \(target.name)\n\n" + t.render() + "\nwrote \(output)\n"
        if try args.format() == .json {
            return CommandOutput(JSONWriter.write(.object(JSONObject([("profile", .string(target.name)), ("from", .string(sibling.name)),
                                                                      ("output", .string(output)),
                                                                      ("efficiency", .object(moved.primaryEngine.efficiency.json()))]))) + "\n")
        }
        return CommandOutput(text)
    }

    static func engineOption(_ args: Arguments, _ profile: HardwareProfile) throws -> Engine {
        guard let id = args.string("engine") else { return profile.primaryEngine }
        guard let e = profile.engine(id) else {
            throw args.usageError("profile \(profile.name) has no engine \"\(id)\" (engines: \(profile.engines.map(\.id).joined(separator: ", ")))")
        }
        return e
    }

    /// What the derived profile `extends`: a bundled name as given, a path relative to the output.
    static func extendsReference(_ profileArg: String, output: String) -> String {
        guard profileArg.contains("/") || profileArg.hasSuffix(".json") else { return profileArg }
        let target = URL(fileURLWithPath: profileArg).standardizedFileURL.pathComponents
        let base = URL(fileURLWithPath: output).standardizedFileURL.deletingLastPathComponent().pathComponents
        var common = 0
        while common < min(target.count, base.count), target[common] == base[common] { common += 1 }
        let ups = Array(repeating: "..", count: base.count - common)
        let rest = Array(target[common...])
        let relative = (ups + rest).joined(separator: "/")
        return relative.contains("/") || relative.hasSuffix(".json") ? relative : "./" + relative
    }
}

extension HoldoutSplit {
    /// `--holdout F`, `--seed N`, `--holdout-group G …`.
    static func parse(_ args: Arguments) throws -> HoldoutSplit {
        var split = HoldoutSplit(fraction: 0.2, seed: 1)
        if let text = args.string("holdout") {
            guard let f = Double(text), f >= 0, f < 1 else { throw args.usageError("--holdout expects a fraction from 0 to below 1, got \"\(text)\"") }
            split.fraction = f
        }
        if let text = args.string("seed") {
            guard let s = UInt64(text) else { throw args.usageError("--seed expects a whole number ≥ 0, got \"\(text)\"") }
            split.seed = s
        }
        let groups = args.strings("holdout-group")
        if !groups.isEmpty {
            if args.string("holdout") != nil { throw args.usageError("give either --holdout or --holdout-group, not both") }
            split.groups = groups
            split.fraction = 0
        }
        return split
    }
}
