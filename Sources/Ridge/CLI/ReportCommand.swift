/// `ridge report … -o report.html`: one self-contained HTML page for a simulation.
enum ReportCommand {
    static let usage = """
    usage: ridge report [--profile P] [--trace FILE | --model M --batch B --prompt P --generate G] -o report.html

    One HTML file with inline SVG and CSS (no scripts, nothing fetched): the summary, the roofline,
    the timeline, time by kind and by bound, memory per tier over time, and the spill and power costs.
    With no workload options: h100-sxm, llama-2-7b, batch 1, prompt 512, generate 128.
    \(SimulateCommand.workloadUsage)
    """

    static let spec = Arguments.Spec(valued: SimulateCommand.workloadValued + ["output"], repeatable: SimulateCommand.workloadRepeatable)

    static func run(_ argv: [String]) throws -> CommandOutput {
        let args = try Arguments(argv, spec: spec, usage: usage)
        if args.wantsHelp { return CommandOutput(usage + "\n") }
        try args.noPositionals()
        guard let output = args.string("output") else { throw args.usageError("missing -o FILE.html") }
        let (profile, result) = try SimulateCommand.simulate(args) {
            $0.recordTimeline = true
            $0.recordMemory = true
        }
        let html = HTMLReport.render(result, profile: profile)
        try FileIO.writeAtomically(html, to: output)
        return CommandOutput("wrote \(output) (\(html.utf8.count / 1024) KiB): \(result.trace) on \(result.profile)\n")
    }
}
