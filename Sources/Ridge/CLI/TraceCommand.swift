/// `ridge trace llm …`: writes a generated operator trace.
enum TraceCommand {
    static let usage = """
    usage: ridge trace llm --model NAME|PATH --batch B --prompt P --generate G [--profile P] -o FILE(.json|.jsonl)
           ridge trace cnn …       a CNN inference trace (ridge trace cnn --help)
           ridge trace import …    a measured PyTorch/Kineto trace as an operator trace (ridge trace import --help)
    \(WorkloadOptions.usage)
      --profile P             take engine and memory names from this profile (default: engine gpu, memory hbm)
    """

    static func run(_ argv: [String]) throws -> CommandOutput {
        // Other generators parse their own options.
        if let what = argv.first, what != "llm", let other = RidgeCLI.traceGenerators[what] { return try other(Array(argv.dropFirst())) }
        let args = try Arguments(argv, spec: .init(valued: ["profile", "output"] + WorkloadOptions.valued), usage: usage)
        if args.wantsHelp { return CommandOutput(usage + "\n") }
        let generators = (["llm"] + RidgeCLI.traceGenerators.keys.sorted()).joined(separator: ", ")
        guard let what = args.positional.first else { throw args.usageError("missing generator (generators: \(generators))") }
        guard args.positional.count == 1 else { throw args.usageError("unexpected argument \"\(args.positional[1])\"") }
        guard what == "llm" else {
            if let other = RidgeCLI.traceGenerators[what] { return try other(Array(argv.filter { $0 != what })) }
            throw args.usageError("unknown generator \"\(what)\" (generators: \(generators))")
        }
        guard let output = args.string("output") else { throw args.usageError("missing -o FILE") }
        let profile = try args.string("profile").map(ProfileLoader.load)
        let streamed = TraceReader.isJSONLines(output)
        let workload = try WorkloadOptions.parse(args, profile: profile,
                                                 maxOperators: streamed ? WorkloadOptions.maxStreamedOperators : WorkloadOptions.maxInMemoryOperators)
        if streamed {
            // JSON Lines: each record goes to the file as it is generated (bounded memory).
            let header = LLMTraceGenerator.header(workload)
            let writer = try TraceWriter.LinesWriter(path: output, header: header)
            let builder = TraceBuilder(header: header) { try writer.write($0) }
            try LLMTraceGenerator.generate(workload, into: builder)
            try writer.commit()
            return CommandOutput("wrote \(builder.opCount) operators and \(builder.tensors.count) tensors to \(output)\n")
        }
        let trace = try LLMTraceGenerator.trace(workload)
        try TraceWriter.write(trace, to: output)
        return CommandOutput("wrote \(trace.ops.count) operators and \(trace.tensors.count) tensors to \(output)\n")
    }
}
