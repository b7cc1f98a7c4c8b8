/// `ridge trace cnn …`: generates a CNN inference trace for a microcontroller-class target,
/// simulates it, and reports whether it fits (exit 0 either way).
enum TraceCNNCommand {
    static let usage = """
    usage: ridge trace cnn --model NAME|PATH [--profile stm32h743] [--resolution R] [--dtype int8]
                           [--patch-based [--patches 4] [--patch-layers N|LAYER|auto]]
                           [--no-inplace] [--scratch static|per-layer|none] [--format table|json] [-o FILE(.json|.jsonl)]

    Generates the operator trace of one inference (batch 1) of a CNN (traces/models/cnn/NAME.json or a file),
    simulates it on the profile and prints latency, energy, peak SRAM and flash against capacity, and whether
    the model fits (a model that does not fit is reported with by how much; the exit code is still 0).
      --model NAME|PATH       bundled CNN (\(CNNModel.bundledNames.joined(separator: ", "))) or a definition file
      --profile P             target (default stm32h743): engine, activation memory (SRAM) and flash come from it
      --resolution R          square input resolution instead of the model's
      --dtype int8            precision of weights and activations
      --patch-based           MCUNetV2 patch-based inference for the first layers
      --patches P             P×P patches (default 4)
      --patch-layers N        layers in the patch stage: a count, the name of its last layer, or auto (default:
                              the stage that minimises peak SRAM, fewest recomputed MACs among near-ties)
      --no-inplace            depthwise convolutions write a new buffer instead of overwriting their input
      --scratch MODE          static (TinyEngine: one buffer for the largest layer, default), per-layer, none
      -o FILE                 also write the trace (then: ridge simulate --profile P --trace FILE)
    """

    static let spec = Arguments.Spec(valued: ["model", "profile", "resolution", "dtype", "patches", "patch-layers", "scratch",
                                              "format", "output"],
                                     flags: ["patch-based", "no-inplace"])

    static func run(_ argv: [String]) throws -> CommandOutput {
        let args = try Arguments(argv, spec: spec, usage: usage)
        if args.wantsHelp { return CommandOutput(usage + "\n") }
        try args.noPositionals()
        let (workload, profile) = try parse(args)
        let format = try args.format()
        let (deployment, trace) = try CNNDeployment.evaluate(workload, on: profile)
        var out = ""
        if let path = args.string("output") {
            try TraceWriter.write(trace, to: path)
        }
        switch format {
        case .json: out = JSONWriter.write(.object(deployment.json())) + "\n"
        case .table:
            out = deployment.table()
            if let path = args.string("output") { out += "wrote \(trace.ops.count) operators and \(trace.tensors.count) tensors to \(path)\n" }
        }
        return CommandOutput(out)
    }

    static func parse(_ args: Arguments) throws -> (CNNWorkload, HardwareProfile) {
        guard let name = args.string("model") else { throw args.usageError("missing --model") }
        var model = try CNNModel.load(name)
        if let r = try args.int("resolution", in: 1...65_536) {
            model = model.resized(to: r)
            do { _ = try model.shapes() } catch let e as RidgeError { throw args.usageError("--resolution \(r): \(e.description)") }
        }
        let profile = try ProfileLoader.load(args.string("profile") ?? "stm32h743")
        var w = CNNWorkload(model: model)
        w.use(profile)
        w.precision = try args.precision(default: .int8)
        w.inPlaceDepthwise = !args.flag("no-inplace")
        if let s = args.string("scratch") {
            guard let mode = CNNScratch(rawValue: s) else {
                throw args.usageError("--scratch must be one of \(CNNScratch.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(s)\"")
            }
            w.scratch = mode
        }
        let patchOptions = ["patches", "patch-layers"].filter { args.string($0) != nil }
        if args.flag("patch-based") {
            w.patches = try args.int("patches", default: 4, in: 1...1024)
            let shapes = try model.shapes()
            switch args.string("patch-layers") {
            case nil, "auto"?: w.patchLayers = nil
            case let text?:
                if let n = Int(text) {
                    guard (1...shapes.count).contains(n) else {
                        throw args.usageError("--patch-layers expects 1 to \(shapes.count) (the model's layers), a layer name or auto, got \"\(text)\"")
                    }
                    w.patchLayers = n
                } else if let i = model.index(of: text), i >= 0 {
                    w.patchLayers = i + 1
                } else {
                    throw args.usageError("--patch-layers: \(model.name) has no layer \"\(text)\"")
                }
            }
            // Validate the stage now, so a bad choice is a usage error with the valid values.
            if let n = w.patchLayers { _ = try CNNPatchPlanner.plan(shapes, patches: w.patches!, lastLayer: n - 1) }
        } else if let first = patchOptions.first {
            throw args.usageError("--\(first) needs --patch-based")
        }
        return (w, profile)
    }
}
