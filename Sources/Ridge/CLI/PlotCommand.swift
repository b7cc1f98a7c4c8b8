/// `ridge plot roofline|timeline|sweep … -o FILE.svg`: SVG charts written by Ridge itself.
enum PlotCommand {
    static let usage = """
    usage: ridge plot roofline [--profile P] [--trace FILE | --model M --batch B --prompt P --generate G] [--engine ID] -o roofline.svg
           ridge plot timeline [--profile P] [--trace FILE | --model M …] [--from TIME] [--to TIME] -o timeline.svg
           ridge plot sweep RESULTS.csv --x COL --y COL [--color COL] [--log-x] [--log-y] [--where COL=VALUE] -o sweep.svg
           ridge plot sweep RESULTS.csv --x COL --y COL --z COL [--log-z] [--where COL=VALUE] -o heatmap.svg

    roofline   attainable FLOP/s against operational intensity, one roof per memory level with its ridge
               point; each operator class a point sized by its total time and coloured by kind
    timeline   a Gantt chart per engine/stream, transfer and swap track (bars under half a pixel merge)
    sweep      lines of y against x, one per value of --color; with --z (or --heatmap), a heatmap of z over x × y

    With no workload options roofline and timeline simulate the default (h100-sxm, llama-2-7b, batch 1,
    prompt 512, generate 128).
    \(SimulateCommand.workloadUsage)
      --engine ID             roofline: the engine to draw (default: the one with the most operator time)
      --from TIME --to TIME   timeline: the window to draw (e.g. --from 10ms --to 25ms; default the whole run)
      --x COL --y COL         sweep: columns for the axes (numbers; units of known metrics and profile paths are shown)
      --color COL             sweep: one line per distinct value of COL
      --z COL | --heatmap     sweep: colour cells of the x × y grid by COL (--heatmap needs --z)
      --log-x --log-y --log-z log scales
      --where COL=VALUE       sweep: keep only rows where COL equals VALUE (repeatable)
      --title TEXT            chart title
      --width PX --height PX  canvas size (default 860 × 520)
    """

    static let spec = Arguments.Spec(
        valued: SimulateCommand.workloadValued + ["output", "from", "to", "x", "y", "color", "z", "title", "width", "height"],
        flags: ["log-x", "log-y", "log-z", "heatmap"],
        repeatable: SimulateCommand.workloadRepeatable + ["where"])

    static func run(_ argv: [String]) throws -> CommandOutput {
        let args = try Arguments(argv, spec: spec, usage: usage)
        if args.wantsHelp { return CommandOutput(usage + "\n") }
        guard let what = args.positional.first else { throw args.usageError("missing chart: roofline, timeline or sweep") }
        let workloadOnly = ["from", "to", "x", "y", "color", "z", "where", "log-x", "log-y", "log-z", "heatmap"]
        let sweepOnly = ["x", "y", "color", "z", "where", "log-x", "log-y", "log-z", "heatmap"]
        let used = { (names: [String]) in names.first { args.string($0) != nil || args.flag($0) || !args.strings($0).isEmpty } }
        let width = Double(try args.int("width", default: 860, in: 200...10_000)!)
        let height = Double(try args.int("height", default: 520, in: 150...10_000)!)
        let title = args.string("title")
        let svg: SVGDocument
        switch what {
        case "roofline":
            if let extra = args.positional.dropFirst().first { throw args.usageError("unexpected argument \"\(extra)\"") }
            if let o = used(workloadOnly) { throw args.usageError("--\(o) is not an option of plot roofline") }
            let output = try outputPath(args)
            let (profile, result) = try SimulateCommand.simulate(args)
            var engine: String?
            if let id = args.string("engine") {
                guard profile.engine(id) != nil else {
                    throw args.usageError("--engine: profile \(profile.name) has no engine \"\(id)\" (engines: \(profile.engines.map(\.id).joined(separator: ", ")))")
                }
                engine = id
            }
            let model = Roofline(result: result, profile: profile, engine: engine)
            guard !model.points.isEmpty else {
                throw RidgeError.data(file: args.string("trace"), at: nil, "no operator with FLOPs and memory traffic ran on engine \(model.engine): nothing to draw")
            }
            svg = model.document(title: title ?? "Roofline: \(result.trace) on \(result.profile) (\(model.engine), \(model.precision.rawValue))",
                                 colors: TimelinePlot.kindColors(result), width: width, height: height)
            try FileIO.writeAtomically(svg.renderStandalone(), to: output)
            return CommandOutput("wrote \(output): \(model.roofs.count) roofs (\(model.roofs.map(\.memory).joined(separator: ", "))), \(model.points.count) operator classes\n")
        case "timeline":
            if let extra = args.positional.dropFirst().first { throw args.usageError("unexpected argument \"\(extra)\"") }
            if let o = used(sweepOnly) { throw args.usageError("--\(o) is not an option of plot timeline") }
            if args.string("height") != nil { throw args.usageError("--height is not an option of plot timeline (its height follows the tracks)") }
            let output = try outputPath(args)
            let from = try time(args, "from"), to = try time(args, "to")
            if let from, let to, to <= from { throw args.usageError("--to (\(Format.seconds(to))) must be later than --from (\(Format.seconds(from)))") }
            let (profile, result) = try SimulateCommand.simulate(args) { $0.recordTimeline = true }
            if let from, from >= result.makespanSeconds {
                throw args.usageError("--from \(Format.seconds(from)) is after the end of the run (\(Format.seconds(result.makespanSeconds)))")
            }
            let chart = TimelinePlot.gantt(result, profile: profile, from: from, to: to,
                                           title: title ?? "Timeline: \(result.trace) on \(result.profile)", width: width)
            svg = chart.document().withFootnote(TimelinePlot.footnote(result, from: from, to: to))
            try FileIO.writeAtomically(svg.renderStandalone(), to: output)
            return CommandOutput("wrote \(output): \(chart.resolvedTracks.count) track\(chart.resolvedTracks.count == 1 ? "" : "s") (\(chart.resolvedTracks.joined(separator: ", "))), \(chart.bars.count) spans\n")
        case "sweep":
            guard args.positional.count >= 2 else { throw args.usageError("plot sweep needs the results file (a CSV from ridge sweep)") }
            if args.positional.count > 2 { throw args.usageError("unexpected argument \"\(args.positional[2])\"") }
            if let o = used(SimulateCommand.workloadValued + SimulateCommand.workloadRepeatable + ["from", "to"]) {
                throw args.usageError("--\(o) is not an option of plot sweep")
            }
            guard let xName = args.string("x") else { throw args.usageError("plot sweep needs --x COL") }
            guard let yName = args.string("y") else { throw args.usageError("plot sweep needs --y COL") }
            if args.flag("heatmap") && args.string("z") == nil { throw args.usageError("--heatmap needs --z COL (the value that colours each cell)") }
            if args.string("z") != nil, let o = used(["color", "log-x", "log-y"]) { throw args.usageError("--\(o) does not apply to a heatmap (--z)") }
            if args.string("z") == nil && args.flag("log-z") { throw args.usageError("--log-z needs --z COL") }
            let output = try outputPath(args)
            if args.positional[1].hasSuffix(".jsonl") || args.positional[1].hasSuffix(".json") {
                throw args.usageError("plot sweep reads CSV: write the sweep with -o results.csv (got \(args.positional[1]))")
            }
            var table = try SweepTable.load(args.positional[1])
            for w in args.strings("where") {
                let parts = w.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw args.usageError("--where expects COL=VALUE, got \"\(w)\"") }
                table = table.filtered(column: try table.column(parts[0], option: "where"), equals: parts[1])
                if table.rows.isEmpty { throw args.usageError("--where \(w): no row of \(table.file) matches") }
            }
            let x = try table.column(xName, option: "x"), y = try table.column(yName, option: "y")
            if let zName = args.string("z") {
                let z = try table.column(zName, option: "z")
                let h = try SweepPlot.heatmap(table, x: x, y: y, z: z, logZ: args.flag("log-z"), title: title, width: width, height: height)
                svg = h.document()
                try FileIO.writeAtomically(svg.renderStandalone(), to: output)
                return CommandOutput("wrote \(output): heatmap of \(zName), \(h.xCategories.count) × \(h.yCategories.count) cells\n")
            }
            let color = try args.string("color").map { try table.column($0, option: "color") }
            let chart = try SweepPlot.lines(table, x: x, y: y, color: color, logX: args.flag("log-x"), logY: args.flag("log-y"),
                                            title: title, width: width, height: height)
            svg = chart.document()
            try FileIO.writeAtomically(svg.renderStandalone(), to: output)
            return CommandOutput("wrote \(output): \(chart.series.count) line\(chart.series.count == 1 ? "" : "s"), \(chart.series.reduce(0) { $0 + $1.points.count }) points\n")
        default:
            throw args.usageError("unknown chart \"\(what)\": expected roofline, timeline or sweep")
        }
    }

    static func outputPath(_ args: Arguments) throws -> String {
        guard let output = args.string("output") else { throw args.usageError("missing -o FILE.svg") }
        return output
    }

    static func time(_ args: Arguments, _ name: String) throws -> Double? {
        guard let text = args.string(name) else { return nil }
        do {
            let v = try Quantity.parse(text, as: .time)
            guard v >= 0 else { throw args.usageError("--\(name) must not be negative, got \"\(text)\"") }
            return v
        } catch let e as QuantityError {
            throw args.usageError("--\(name): \(e.message)")
        }
    }
}
