/// The LLM workload options shared by `trace llm`, `simulate`, `sweep` and `report`.
enum WorkloadOptions {
    static let valued = ["model", "batch", "prompt", "generate", "dtype", "attention", "weights", "kv", "kv-offload", "prefetch",
                         "kv-staging", "engine", "weight-sparsity", "weight-dtype", "activations",
                         "dram-fraction", "ffn-sparsity", "window", "bundling", "persistence", "staging", "predictor-rank",
                         "sparse-attention", "kv-page-filter", "kv-page"]
    static let usage = """
      --model NAME|PATH       bundled model (traces/models) or a Hugging Face config.json
      --batch B --prompt P --generate G
      --dtype bf16            precision of weights, activations and KV cache
      --attention flash|standard
      --engine ID             engine that runs the model (default: the profile's GPU/accelerator)
      --weights MEMORY        where weights live (e.g. host, nvme, flash); streamed layer by layer when not on the engine
      --kv MEMORY             where the KV cache lives (e.g. host, nvme); --kv-offload F keeps fraction F there;
                              --kv csd keeps it in a computational-storage drive's flash and runs decode attention there
      --kv-staging MEMORY     offloaded KV passes through MEMORY (FlexGen's disk → host → GPU), two copies per layer
      --prefetch N            layers of weights in flight ahead of compute (default 1; 0 loads each layer after the last finished)
      --sparse-attention R    decode attention reads only the fraction R of the KV cache it needs (SparQ / SparF, e.g. 0.125);
                              K is stored twice (token- and channel-indexed), so the cache takes 1.5× the space
      --kv-page-filter H      for a cache in flash, read in pages: share of the unneeded entries whole-page skips avoid
                              (default 0.5, InstAttention's measurement); --kv-page BYTES is the page (default 4KiB)
     FPGA-style compression (FlightLLM):
      --weight-sparsity S     fraction of linear-layer weights pruned (N:M), or per group: q=0.3,k=0.3,v=0,o=0,mlp=0.5,lm_head=0
      --weight-dtype P        weight precision, or per group: qkv=int8,o=int8,mlp=int4,lm_head=int8 (mixed precision)
      --activations on-chip   keep activations in the engine's on-chip RAM (a memory of kind sram), or name a memory
     Weights in flash (LLM in a flash; with --weights flash):
      --dram-fraction F       hybrid: keep F of every layer in DRAM, read the rest from flash each token
      --ffn-sparsity S        fraction of FFN neurons predicted inactive per token: load only the active ones
      --window K              keep neurons active in the last K tokens cached in DRAM (load only new ones)
      --persistence P         P(neuron active next token | active now) for the window model (default 0.73, OPT-6.7B)
      --bundling on|off       store each neuron's up column and down row together: one request per neuron
      --staging MEMORY        memory flash reads land in before the engine's (default: the one between them, e.g. host)
      --predictor-rank R      rank of the low-rank neuron predictors, or runs RANKxLAYERS in layer order (256x28,1152x4);
                              default: 1.25% of the parameters
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
        // Per layer at most 32 (the compute operators, weight, neuron and KV transfers: about 24 with
        // every option on), plus embed, final norm and LM head per step.
        (w.generate + 1) * (w.model.layers * 32 + 3)
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
        var engine = profile?.primaryEngine
        if let id = args.string("engine") {
            if let profile {
                guard let e = profile.engine(id) else {
                    throw args.usageError("--engine: profile \(profile.name) has no engine \"\(id)\" (engines: \(profile.engines.map(\.id).joined(separator: ", ")))")
                }
                engine = e
            }
            w.engine = id
        } else {
            w.engine = engine?.id ?? "gpu"
        }
        w.computeMemory = engine?.memory ?? "hbm"
        func memoryOption(_ name: String) throws -> String {
            guard let m = args.string(name) else { return "" }
            if m == "csd" && name == "kv" { return "" }
            if let profile {
                guard profile.memory(m) != nil else {
                    throw args.usageError("--\(name): profile \(profile.name) has no memory \"\(m)\" (memories: \(profile.memories.map(\.id).joined(separator: ", ")))")
                }
            }
            return m == "hbm" ? w.computeMemory : m
        }
        w.weightsMemory = try memoryOption("weights")
        w.kvMemory = try memoryOption("kv")
        if args.string("kv") == "csd" {
            // InstInfer: the cache lives in the drive's flash; the drive's engine computes decode
            // attention from its own memory, reading the flash over the drive's internal channels.
            guard let profile, let csd = profile.engines.first(where: { $0.kind == "csd" }) else {
                throw args.usageError("--kv csd needs a profile with a computational-storage engine (e.g. a6000-smartssd)")
            }
            let flashKinds: Set<String> = ["flash", "nvme", "ufs"]
            let linked = profile.links.compactMap { l -> String? in
                l.from == csd.memory ? l.to : l.to == csd.memory ? l.from : nil
            }
            guard let flash = linked.first(where: { flashKinds.contains(profile.memory($0)?.kind ?? "") }) else {
                throw args.usageError("--kv csd: profile \(profile.name) has no flash memory linked to \(csd.memory)")
            }
            w.attentionEngine = csd.id
            w.attentionMemory = csd.memory
            w.kvMemory = flash
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
        if args.string("kv-staging") != nil {
            guard w.kvOffloaded else { throw args.usageError("--kv-staging needs --kv MEMORY (an offloaded cache)") }
            w.kvStaging = try memoryOption("kv-staging")
        }
        w.prefetchDepth = try args.int("prefetch", default: 1, in: 0...1000)!
        w.compression = try compression(args)
        if let a = args.string("activations") {
            if a == "on-chip" || a == "onchip" {
                guard let profile else { throw args.usageError("--activations on-chip needs --profile") }
                guard let sram = profile.memories.first(where: { $0.kind == "sram" && $0.id != w.computeMemory }) else {
                    throw args.usageError("--activations on-chip: profile \(profile.name) has no on-chip memory (a memory of kind sram)")
                }
                w.activationsMemory = sram.id
            } else {
                w.activationsMemory = try memoryOption("activations")
            }
        }
        w.flash = try flashOffload(args, workload: w, profile: profile)
        w.sparseAttention = try sparseAttention(args, workload: w, profile: profile)
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

    /// `--weight-sparsity` and `--weight-dtype`: one value for every group, or `group=value` pairs.
    static func compression(_ args: Arguments) throws -> WeightCompression {
        var c = WeightCompression()
        func pairs(_ name: String, groups: [String], all: [String]) throws -> [(String, String)] {
            guard let text = args.string(name) else { return [] }
            if !text.contains("=") { return all.map { ($0, text) } }
            return try text.split(separator: ",").map { item in
                let kv = item.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
                guard kv.count == 2, groups.contains(kv[0]) else {
                    throw args.usageError("--\(name) expects VALUE or GROUP=VALUE pairs with groups \(groups.joined(separator: ", ")), got \"\(item)\"")
                }
                return (kv[0], kv[1])
            }
        }
        for (g, v) in try pairs("weight-sparsity", groups: WeightCompression.groups, all: ["q", "k", "v", "o", "mlp"]) {
            guard let s = Double(v), s >= 0, s < 1 else { throw args.usageError("--weight-sparsity \(g): expected a fraction in [0, 1), got \"\(v)\"") }
            c.density[g] = 1 - s
        }
        for (g, v) in try pairs("weight-dtype", groups: ["qkv", "o", "mlp", "lm_head"], all: ["qkv", "o", "mlp", "lm_head"]) {
            guard let p = Precision(rawValue: v.lowercased()) else {
                throw args.usageError("--weight-dtype \(g): unknown precision \"\(v)\" (expected one of \(Precision.names))")
            }
            c.precision[g] = p
        }
        return c
    }

    /// `--sparse-attention`, `--kv-page-filter`, `--kv-page`: sparse decode attention (SparQ / SparF).
    static func sparseAttention(_ args: Arguments, workload w: LLMWorkload, profile: HardwareProfile?) throws -> SparseAttention {
        var a = SparseAttention()
        if let text = args.string("sparse-attention") {
            guard let v = Double(text), v > 0, v <= 1 else {
                throw args.usageError("--sparse-attention expects the fraction of the KV cache decode attention reads, in (0, 1], got \"\(text)\"")
            }
            a.ratio = v
        }
        if let text = args.string("kv-page-filter") {
            guard let v = Double(text), (0...1).contains(v) else {
                throw args.usageError("--kv-page-filter expects a fraction in [0, 1], got \"\(text)\"")
            }
            a.pageFilter = v
        }
        if let bytes = try args.quantity("kv-page", .bytes) { a.pageBytes = bytes }
        if let used = ["kv-page-filter", "kv-page"].first(where: { args.string($0) != nil }), args.string("sparse-attention") == nil {
            throw args.usageError("--\(used) needs --sparse-attention RATIO")
        }
        // Where the cache lives decides the read granularity: pages in flash, entries elsewhere.
        let home = w.kvMemory.isEmpty ? w.computeMemory : w.kvMemory
        let kind = profile?.memory(home)?.kind ?? home
        a.paged = SparseAttention.pagedKinds.contains(kind)
        if let problem = a.problem() { throw args.usageError(problem) }
        return a
    }

    /// The LLM-in-a-flash options.
    static func flashOffload(_ args: Arguments, workload w: LLMWorkload, profile: HardwareProfile?) throws -> FlashOffload {
        var f = FlashOffload()
        func fraction(_ name: String, _ range: ClosedRange<Double>) throws -> Double? {
            guard let text = args.string(name) else { return nil }
            guard let v = Double(text), range.contains(v) else {
                throw args.usageError("--\(name) expects a number from \(range.lowerBound) to \(range.upperBound), got \"\(text)\"")
            }
            return v
        }
        if let v = try fraction("dram-fraction", 0...1) { f.dramFraction = v }
        if let v = try fraction("ffn-sparsity", 0...0.999) { f.ffnSparsity = v }
        if let v = try fraction("persistence", 0...1) { f.persistence = v }
        f.window = try args.int("window", default: 0, in: 0...100_000)!
        if let b = args.string("bundling") {
            switch b.lowercased() {
            case "on", "yes", "true": f.bundling = true
            case "off", "no", "false": f.bundling = false
            default: throw args.usageError("--bundling expects on or off, got \"\(b)\"")
            }
        }
        if let text = args.string("predictor-rank") {
            f.predictorRanks = try predictorRanks(text, layers: w.model.layers, args)
        }
        let used = ["dram-fraction", "ffn-sparsity", "window", "bundling", "persistence", "staging", "predictor-rank"].filter { args.string($0) != nil }
        if !used.isEmpty && !w.weightsOffloaded {
            throw args.usageError("--\(used[0]) needs --weights MEMORY (where the weights live, e.g. flash)")
        }
        if let problem = f.problem() { throw args.usageError(problem) }
        if let s = args.string("staging") {
            if let profile, profile.memory(s) == nil {
                throw args.usageError("--staging: profile \(profile.name) has no memory \"\(s)\"")
            }
            f.staging = s
        } else if let profile, !used.isEmpty, profile.link(between: w.weightsMemory, w.computeMemory) == nil {
            // Flash reads land in the memory that links the weights' home to the engine's (host DRAM).
            let near = { (a: String) in Set(profile.links.compactMap { $0.from == a ? $0.to : $0.to == a ? $0.from : nil }) }
            f.staging = profile.memories.map(\.id).first { near(w.weightsMemory).contains($0) && near(w.computeMemory).contains($0) } ?? ""
        }
        return f
    }

    /// `--predictor-rank R` (every layer) or `R1xN1,R2xN2,…` (runs in layer order, covering every layer).
    static func predictorRanks(_ text: String, layers: Int, _ args: Arguments) throws -> [Int] {
        if let r = Int(text), r >= 1 { return Array(repeating: r, count: layers) }
        var ranks: [Int] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "x", maxSplits: 1)
            guard parts.count == 2, let r = Int(parts[0]), let n = Int(parts[1]), r >= 1, n >= 1, n <= layers - ranks.count else {
                throw args.usageError("--predictor-rank expects RANK or RANKxLAYERS runs covering the model's \(layers) layers (e.g. 256x28,1152x4), got \"\(text)\"")
            }
            ranks += Array(repeating: r, count: n)
        }
        guard ranks.count == layers else {
            throw args.usageError("--predictor-rank runs cover \(ranks.count) of the model's \(layers) layers, got \"\(text)\"")
        }
        return ranks
    }
}
