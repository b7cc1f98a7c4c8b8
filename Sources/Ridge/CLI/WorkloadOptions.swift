/// The LLM workload options shared by `trace llm`, `simulate`, `sweep` and `report`.
enum WorkloadOptions {
    static let valued = ["model", "batch", "prompt", "generate", "dtype", "attention", "weights", "kv", "kv-offload", "prefetch"]
    static let usage = """
      --model NAME|PATH       bundled model (traces/models) or a Hugging Face config.json
      --batch B --prompt P --generate G
      --dtype bf16            precision of weights, activations and KV cache
      --attention flash|standard
      --weights MEMORY        where weights live (e.g. host, nvme); streamed layer by layer when not on the engine
      --kv MEMORY             where the KV cache lives (e.g. host, nvme, csd); --kv-offload F keeps fraction F there
      --prefetch N            layers of weights in flight ahead of compute (default 1)
    """

    /// Builds the workload; `profile` (when known) supplies the engine and its memory.
    static func parse(_ args: Arguments, profile: HardwareProfile?, defaults: (String, Int, Int, Int)? = nil) throws -> LLMWorkload {
        guard let modelName = args.string("model") ?? defaults?.0 else { throw args.usageError("missing --model") }
        let model = try ModelConfig.load(modelName)
        func required(_ name: String, _ fallback: Int?) throws -> Int {
            if let v = try args.int(name, in: name == "generate" ? 0...10_000_000 : 1...10_000_000) { return v }
            if let fallback { return fallback }
            throw args.usageError("missing --\(name)")
        }
        var w = LLMWorkload(model: model, batch: try required("batch", defaults?.1), prompt: try required("prompt", defaults?.2),
                            generate: try required("generate", defaults?.3))
        w.precision = try args.precision()
        w.attention = try args.choice("attention", default: Attention.Algorithm.flash)
        let engine = profile?.primaryEngine
        w.engine = engine?.id ?? "gpu"
        w.computeMemory = engine?.memory ?? "hbm"
        func memoryOption(_ name: String) throws -> String {
            guard let m = args.string(name) else { return "" }
            if let profile {
                if m == "csd" || m == "flash", let csd = profile.engines.first(where: { $0.kind == "csd" }), name == "kv" {
                    return csd.memory
                }
                guard profile.memory(m) != nil else {
                    throw args.usageError("--\(name): profile \(profile.name) has no memory \"\(m)\" (memories: \(profile.memories.map(\.id).joined(separator: ", ")))")
                }
            }
            return m == "hbm" ? w.computeMemory : m
        }
        w.weightsMemory = try memoryOption("weights")
        w.kvMemory = try memoryOption("kv")
        if args.string("kv") == "csd" {
            guard let csd = profile?.engines.first(where: { $0.kind == "csd" }) else {
                throw args.usageError("--kv csd needs a profile with a computational-storage engine (e.g. a6000-smartssd)")
            }
            w.attentionEngine = csd.id
        }
        if let f = args.string("kv-offload") {
            guard let v = Double(f), v > 0, v <= 1 else { throw args.usageError("--kv-offload expects a fraction in (0, 1], got \"\(f)\"") }
            w.kvOffloadFraction = v
            if w.kvMemory.isEmpty {
                guard let host = profile?.memories.first(where: { $0.id == "host" }) ?? profile?.memories.first(where: { $0.id != w.computeMemory }) else {
                    throw args.usageError("--kv-offload needs a memory to offload to (give --kv MEMORY)")
                }
                w.kvMemory = host.id
            }
        }
        w.prefetchDepth = try args.int("prefetch", default: 1, in: 0...1000)!
        return w
    }
}
