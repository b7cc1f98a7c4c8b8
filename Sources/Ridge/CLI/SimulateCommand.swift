/// `ridge simulate`: replays a trace (from a file or generated from a model) on a profile.
enum SimulateCommand {
    static let usage = """
    usage: ridge simulate [--profile NAME|PATH] [--trace FILE | --model NAME --batch B --prompt P --generate G]
                          [--format table|json] [--timeline out.json] [--kv-capacity BYTES] [--capacity MEMORY=BYTES]

    With no arguments: h100-sxm, llama-2-7b, batch 1, prompt 512, generate 128.
    \(workloadUsage)
      --timeline FILE         write a Chrome Trace Event Format timeline (open in Perfetto or chrome://tracing)
    """

    /// The options that say what to simulate: shared by `simulate`, `plot roofline|timeline` and `report`.
    static let workloadUsage = """
    \(WorkloadOptions.usage)
      --trace FILE            replay a trace file (JSON or JSON Lines) instead of generating one
      --kv-capacity BYTES     pretend only this much of the engine's memory is free (e.g. 20GiB)
      --capacity MEM=BYTES    override any memory's capacity (repeatable)
      --spill POLICY          when a memory overflows: lru (default), fifo, belady, paging, none (fail)
      --block-size BYTES      swap granularity (default 2MiB); --page-size BYTES and --fault-latency TIME for paging
      --power-cap WATTS       board power cap (throttles compute by DVFS); default: the profile's powerCap
    """
    static let workloadValued = ["profile", "trace", "kv-capacity", "spill", "block-size", "page-size", "fault-latency", "power-cap"]
        + WorkloadOptions.valued
    static let workloadRepeatable = ["capacity"]

    static let spec = Arguments.Spec(valued: ["format", "timeline"] + workloadValued, repeatable: workloadRepeatable)

    static let defaultWorkload = ("llama-2-7b", 1, 512, 128)

    static func run(_ argv: [String]) throws -> CommandOutput {
        let args = try Arguments(argv, spec: spec, usage: usage)
        if args.wantsHelp { return CommandOutput(usage + "\n") }
        try args.noPositionals()
        let format = try args.format()
        let (_, result) = try simulate(args) { $0.recordTimeline = args.string("timeline") != nil }
        if let timeline = args.string("timeline") {
            try FileIO.writeAtomically(SimulationReport.chromeTrace(result), to: timeline)
        }
        switch format {
        case .json: return CommandOutput(JSONWriter.write(.object(SimulationReport.json(result))) + "\n")
        case .table: return CommandOutput(SimulationReport.table(result))
        }
    }

    /// Runs what the command line asks for (`--trace FILE`, or the LLM workload with the default
    /// when no model is given) on `--profile` (default h100-sxm); `configure` adjusts the options
    /// (recordings) after the command line has set them.
    static func simulate(_ args: Arguments, configure: (inout SimulationOptions) -> Void = { _ in }) throws -> (HardwareProfile, SimulationResult) {
        let profile = try ProfileLoader.load(args.string("profile") ?? "h100-sxm")
        var options = SimulationOptions()
        options.capacityOverrides = try capacityOverrides(args, profile: profile)
        options.oversubscription = try oversubscription(args)
        configure(&options)
        if let path = args.string("trace") {
            if args.string("model") != nil { throw args.usageError("give either --trace or --model, not both") }
            // The workload options shape a generated trace; a trace file already fixes all of that.
            if let unused = WorkloadOptions.valued.first(where: { args.string($0) != nil }) {
                throw args.usageError("--\(unused) describes a generated workload and has no effect with --trace (the trace file fixes the workload)")
            }
            return (profile, try Simulator(profile: profile, options: options).runWithCosts { try TraceReader.open(path) })
        }
        let workload = try WorkloadOptions.parse(args, profile: profile, defaults: defaultWorkload)
        let trace = try LLMTraceGenerator.trace(workload)
        return (profile, try Simulator(profile: profile, options: options).runWithCosts { InMemoryTraceSource(trace) })
    }

    static func oversubscription(_ args: Arguments) throws -> OversubscriptionOptions {
        var o = OversubscriptionOptions()
        if let text = args.string("spill") {
            guard let p = SpillPolicy(rawValue: text) else {
                throw args.usageError("--spill: unknown policy \"\(text)\" (expected \(SpillPolicy.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            o.policy = p
        }
        if let b = try args.quantity("block-size", .bytes) { o.blockBytes = b }
        if let b = try args.quantity("page-size", .bytes) { o.pageBytes = b }
        if let t = try args.quantity("fault-latency", .time) { o.faultLatency = t }
        o.powerCap = try args.quantity("power-cap", .power)
        return o
    }

    static func capacityOverrides(_ args: Arguments, profile: HardwareProfile) throws -> [String: Double] {
        var out: [String: Double] = [:]
        if let kv = try args.quantity("kv-capacity", .bytes) { out[profile.primaryEngine.memory] = kv }
        for item in args.strings("capacity") {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, profile.memory(parts[0]) != nil else {
                throw args.usageError("--capacity expects MEMORY=BYTES with a memory of \(profile.name) (\(profile.memories.map(\.id).joined(separator: ", "))), got \"\(item)\"")
            }
            do {
                let v = try Quantity.parse(parts[1], as: .bytes)
                guard v > 0 else { throw args.usageError("--capacity \(parts[0]) must be greater than zero") }
                out[parts[0]] = v
            } catch let e as QuantityError { throw args.usageError("--capacity: \(e.message)") }
        }
        return out
    }
}
