import Foundation

/// `ridge accuracy`: the accuracy tables of `docs/validation.md` and `docs/efficiency.md`, computed
/// from the measured datasets (`AccuracyReport`). `scripts/accuracy-table.sh` splices its output
/// into the docs.
enum AccuracyCommand {
    static let usage = """
    usage: ridge accuracy [--data DIR] [--section validation|efficiency] [--format markdown|json]

    Compares the bundled A100 and A40 profiles with every measured dataset found: Vidur operator
    profiles (DIR/vidur), LLMCompass A100 softmax/layernorm/GELU (DIR/LLMCompass) and the
    FlashAttention-2 A100 figures (traces/measured). Reports the error with datasheet ceilings only,
    with the shipped profile, on held-out rows after fitting, and across GPUs (A100 → A40, A40 → A100).

      --data DIR       the development data folder (default: $RIDGE_SHARED/data, else ../shared/data
                       beside the checkout)
      --section S      validation (the docs/validation.md "Accuracy" tables, default) or efficiency
                       (the per-regime GEMM table of docs/efficiency.md)
    """

    static let spec = Arguments.Spec(valued: ["data", "section", "format"])

    static func run(_ argv: [String]) throws -> CommandOutput {
        let args = try Arguments(argv, spec: spec, usage: usage)
        if args.wantsHelp { return CommandOutput(usage + "\n") }
        try args.noPositionals()
        let section = args.string("section") ?? "validation"
        guard ["validation", "efficiency"].contains(section) else { throw args.usageError("--section must be validation or efficiency, got \"\(section)\"") }
        let format = args.string("format") ?? "markdown"
        guard ["markdown", "json"].contains(format) else { throw args.usageError("--format must be markdown or json, got \"\(format)\"") }
        let shared = ProcessInfo.processInfo.environment["RIDGE_SHARED"].map { $0 + "/data" } ?? ResourceLocator.home + "/../shared/data"
        let data = args.string("data") ?? shared
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: data, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RidgeError(.io, file: data, "cannot read the measured data folder (give --data DIR or set RIDGE_SHARED)")
        }
        let report = try AccuracyReport.build(dataRoot: data, measuredRoot: ResourceLocator.home + "/traces/measured")
        guard !report.rows.isEmpty else { throw RidgeError(.io, file: data, "no measured datasets found (expected vidur/ or LLMCompass/ in it)") }
        if format == "json" { return CommandOutput(JSONWriter.write(.object(report.json())) + "\n") }
        return CommandOutput(section == "validation" ? report.validationMarkdown() : report.efficiencyMarkdown())
    }
}
