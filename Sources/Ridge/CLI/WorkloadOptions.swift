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

    /// Limits (see docs/performance.md, "Limits"): large enough for any real deployment, small
    /// enough that no shape product overflows and no trace exhausts memory.
    static let maxBatch = 1 << 20
    static let maxPrompt = 1 << 24
    static let maxGenerate = 1 << 20
    /// Tokens processed by one operator (batch × prompt at prefill).
    static let maxTokensPerStep = 1 << 30
    /// Elements one operator touches (tokens × the widest per-token row, × experts per token).
    static let maxElementsPerOperator = 1 << 60
    /// Operators when the trace is built in memory (about 400 bytes each) …
    static let maxInMemoryOperators = 1 << 25
    /// … and when it is streamed to a JSON Lines file (operator indices are 32-bit).
    static let maxStreamedOperators = 1 << 28

    /// An upper bound on the operators the LLM generator emits for `w`.
    static func operatorBound(_ w: LLMWorkload) -> Int {
        // Per layer at most 16 (12 compute, weight and KV transfers), plus embed, final norm, LM head.
        (w.generate + 1) * (w.model.layers * 16 + 3)
    }

    /// Builds the workload; `profile` (when known) supplies the engine and its memory.
    static func parse(_ args: Arguments, profile: HardwareProfile?, defaults: (String, Int, Int, Int)? = nil,
                      maxOperators: Int = maxInMemoryOperators) throws -> LLMWorkload {
        guard let modelName = args.string("model") ?? defaults?.0 else { throw args.usageError("missing --model") }
        let model = try ModelConfig.load(modelName)
        func required(_ name: String, _ fallback: Int?) throws -> Int {
            let range = name == "generate" ? 0...maxGenerate : 1...(name == "batch" ? maxBatch : maxPrompt)
            if let v = try args.int(name, in: range) { return v }
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
        let tokens = w.batch * w.prompt
        guard tokens <= maxTokensPerStep else {
            throw args.usageError("--batch × --prompt is \(tokens) tokens per step; at most \(maxTokensPerStep) are supported")
        }
        let elements = Double(tokens) * Double(max(1, model.expertsPerToken)) * Double(model.widestRow)
        guard elements <= Double(maxElementsPerOperator) else {
            throw args.usageError("the workload is too large: an operator would touch \(Format.si(elements, "")) elements (batch × prompt × \(model.name)'s widest row); at most 2^60 are supported")
        }
        let ops = operatorBound(w)
        guard ops <= maxOperators else {
            throw args.usageError("the trace would have up to \(ops) operators; at most \(maxOperators) are supported here" +
                                  (maxOperators < maxStreamedOperators ? " (write a JSON Lines trace with `ridge trace llm -o FILE.jsonl` for up to \(maxStreamedOperators))" : ""))
        }
        return w
    }
}
