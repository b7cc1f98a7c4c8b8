/// `ridge validate --profile P --measured FILE`: predicted vs measured, per row and in aggregate.
enum ValidateCommand {
    static let usage = """
    usage: ridge validate --profile NAME|PATH --measured FILE [--format table|json] [--worst N] [--engine ID]

    Compares Ridge's predictions with measurements. FILE is a microbenchmark CSV, a Vidur operator
    profile (mlp.csv) or a PyTorch profiler / Kineto trace (*.json, *.pt.trace.json.gz); the format is
    detected from the content. Reports MAPE, median absolute percentage error and signed bias (positive:
    Ridge predicts too slow), overall and per operator kind, and the worst rows. For a Kineto trace it also
    reports GPU time per kernel class, what could not be modelled, and replays the modelled operators
    through the simulator to compare end-to-end time. See docs/validation.md.

      --profile P     the hardware the measurements were taken on (bundled name or profile JSON)
      --measured F    the measured file
      --worst N       rows to list, worst first (default 10; 0 for none)
      --engine ID     the engine to cost on (default: the profile's primary engine)
      --format        table (default) or json (every row under "comparisons")
    """

    static let spec = Arguments.Spec(valued: ["profile", "measured", "format", "worst", "engine"])

    static func run(_ argv: [String]) throws -> CommandOutput {
        let args = try Arguments(argv, spec: spec, usage: usage)
        if args.wantsHelp { return CommandOutput(usage + "\n") }
        try args.noPositionals()
        let format = try args.format()
        guard let profileName = args.string("profile") else { throw args.usageError("missing required option --profile") }
        guard let path = args.string("measured") else { throw args.usageError("missing required option --measured") }
        let worst = try args.int("worst", default: 10, in: 0...1_000_000)!
        let profile = try ProfileLoader.load(profileName)
        let engine = try args.engine(in: profile)
        let measured = try MeasuredData.open(path)
        let report = try ValidationReport(measured, profile: profile, engine: engine, worst: worst)
        switch format {
        case .json: return CommandOutput(JSONWriter.write(.object(report.json())) + "\n")
        case .table: return CommandOutput(report.table())
        }
    }
}
