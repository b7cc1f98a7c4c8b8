/// `ridge trace import FILE -o trace.json`: a Ridge trace from a measured PyTorch trace, to simulate
/// on other profiles.
enum TraceImportCommand {
    static let usage = """
    usage: ridge trace import FILE -o OUT(.json|.jsonl) [--profile NAME|PATH]

    Converts a PyTorch trace into a Ridge trace:
      - a Kineto / Chrome trace (*.json, *.pt.trace.json.gz): the operators whose shapes were recovered, one per
        operator at its first GPU event, on a stream per CUDA stream, in stream order (see docs/validation.md);
      - a PyTorch execution trace (ExecutionTraceObserver JSON): its GPU operators in program order, one stream.
    Operators Ridge cannot shape are left out and counted in the summary.

      --profile P   name memories after this profile (host copies run over its host link; default h100-sxm)
    """

    static func run(_ argv: [String]) throws -> CommandOutput {
        let args = try Arguments(argv, spec: .init(valued: ["profile", "output"]), usage: usage)
        if args.wantsHelp { return CommandOutput(usage + "\n") }
        guard let input = args.positional.first else { throw args.usageError("missing the trace FILE to import") }
        guard args.positional.count == 1 else { throw args.usageError("unexpected argument \"\(args.positional[1])\"") }
        guard let output = args.string("output") else { throw args.usageError("missing -o FILE") }
        let profile = try ProfileLoader.load(args.string("profile") ?? "h100-sxm")
        let (value, _) = try MeasuredData.readJSON(input)
        let trace: Trace
        let summary: String
        if ExecutionTrace.looksLikeExecutionTrace(value) {
            let et = try ExecutionTrace.parse(value, file: input)
            let ops = et.operators
            trace = et.trace()
            summary = "execution trace: \(et.nodes.count) nodes, \(ops.count) costed operators (\(ops.filter { !$0.onGPU }.count) on the CPU, left out), \(et.unknownOperators.count) unknown"
        } else if KinetoTrace.looksLikeTrace(value) {
            let k = KinetoMeasurements(try KinetoTrace.parse(value, file: input))
            let (t, groups) = k.replayTrace(for: profile, engine: profile.primaryEngine)
            trace = t
            let events = groups.reduce(0) { $0 + k.groups[$1].events.count }
            summary = "Kineto trace: \(events) of \(k.trace.gpuEvents.count) GPU events modelled (\(Format.percent(k.shapedPercent)) of GPU time)"
        } else {
            throw RidgeError.data(file: input, at: "top level", "expected a Kineto / Chrome trace (traceEvents) or a PyTorch execution trace (nodes, schema)")
        }
        guard !trace.ops.isEmpty else {
            throw RidgeError.data(file: input, at: nil, "no operator Ridge can model, so no trace was written (\(summary))")
        }
        if TraceReader.isJSONLines(output) {
            let writer = try TraceWriter.LinesWriter(path: output, header: trace.header)
            for op in trace.ops { try writer.write(.op(op)) }
            try writer.commit()
        } else {
            try TraceWriter.write(trace, to: output)
        }
        return CommandOutput("wrote \(trace.ops.count) operators to \(output) (\(summary))\n")
    }
}
