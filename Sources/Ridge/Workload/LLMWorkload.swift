/// What to generate: a model, a batch of requests with a prompt length, and decode steps; plus
/// where weights and the KV cache live and how they are streamed when they are not on the engine.
public struct LLMWorkload: Sendable {
    public var model: ModelConfig
    public var batch: Int
    public var prompt: Int
    public var generate: Int
    public var precision: Precision = .bf16
    public var attention: Attention.Algorithm = .flash
    /// Engine that runs the operators.
    public var engine: String = "gpu"
    /// The engine's own memory (where activations live); "" means the profile decides.
    public var computeMemory: String = ""
    /// Home of the weights; equal to `computeMemory` (or "") for resident weights. Otherwise weights
    /// are streamed layer by layer over the copy stream (FlexGen / ZeRO-Inference layer streaming).
    public var weightsMemory: String = ""
    /// Home of the KV cache, as `weightsMemory`.
    public var kvMemory: String = ""
    /// Fraction of the KV cache kept in `kvMemory` when it differs from the compute memory (0…1].
    public var kvOffloadFraction: Double = 1
    /// Memory offloaded KV passes through on its way to and from the engine (FlexGen reads a disk
    /// cache into host memory, then copies it to the GPU); "" means one transfer along the route.
    public var kvStaging: String = ""
    /// Layers whose weights are in flight ahead of the one computing.
    public var prefetchDepth: Int = 1
    /// Engine for decode attention when the KV cache is computed on in place (InstInfer's in-storage
    /// attention); "" means the main engine.
    public var attentionEngine: String = ""
    /// Fuse each residual add with the following norm (vLLM's `fused_add_rms_norm`).
    public var fuseResidualNorm = true
    /// Memory the attention engine computes from when it is not the main engine (q/k/v arrive
    /// there and the attention output leaves from there); "" means `kvMemory` (the cache and the
    /// engine's working memory are the same tier).
    public var attentionMemory: String = ""
    /// Where activations (hidden state, q/k/v, FFN intermediate) live; "" means `computeMemory`.
    /// FlightLLM's always-on-chip decode keeps them in the FPGA's on-chip RAM.
    public var activationsMemory: String = ""
    /// Sparsity and mixed precision of the linear-layer weights (FlightLLM-style compression).
    public var compression = WeightCompression()
    /// Weights in flash with DRAM as a cache ("LLM in a flash"): hybrid residency, FFN neuron
    /// sparsity, windowing and row-column bundling. Inactive unless `weightsMemory` is set.
    public var flash = FlashOffload()
    /// Sparse decode attention that reads only part of the KV cache (SparQ / InstAttention's SparF).
    public var sparseAttention = SparseAttention()

    public init(model: ModelConfig, batch: Int, prompt: Int, generate: Int) {
        self.model = model; self.batch = batch; self.prompt = prompt; self.generate = generate
    }

    public var weightsOffloaded: Bool { !weightsMemory.isEmpty && weightsMemory != computeMemory }
    public var kvOffloaded: Bool { !kvMemory.isEmpty && kvMemory != computeMemory && attentionEngine.isEmpty }
    /// FFN neurons are loaded from `weightsMemory` per token (LLM in a flash) rather than whole layers.
    public var neuronStreaming: Bool { weightsOffloaded && flash.ffnSparsity > 0 && model.experts <= 1 }
}

/// Weight sparsity and mixed precision per group of linear layers. `density` is the fraction of
/// weights kept (N:M structured sparsity keeps N/M along the reduction dimension, so bytes and
/// FLOPs both scale by it, as FlightLLM's sparse DSP chain skips the zeros); `precision` is the
/// storage and compute precision of that group's weights (nil: the workload's precision).
public struct WeightCompression: Sendable, Equatable {
    /// Groups: `q`, `k`, `v` (the fused QKV projection's parts), `o`, `mlp`, `lm_head`.
    public static let groups = ["q", "k", "v", "o", "mlp", "lm_head"]
    public var density: [String: Double] = [:]
    public var precision: [String: Precision] = [:]
    public init(density: [String: Double] = [:], precision: [String: Precision] = [:]) {
        self.density = density; self.precision = precision
    }
    public var isEmpty: Bool { density.isEmpty && precision.isEmpty }
    public func density(_ group: String) -> Double { density[group] ?? 1 }
    public func precision(_ group: String, default p: Precision) -> Precision { precision[group] ?? p }
}

/// Sparse decode attention that reads only part of the KV cache: SparQ (Ribar et al., "SparQ Attention:
/// Bandwidth-Efficient LLM Inference", arXiv:2312.04985) and its flash-aware form SparF (Pan et al.,
/// "InstAttention: In-Storage Attention Offloading for Cost-Effective Long-Context LLM Inference",
/// HPCA 2025, arXiv:2409.04992, §IV-B/C, Algorithm 1).
///
/// Per decode step and head the algorithm takes the `r` largest entries of q, reads those channels of K
/// to approximate the scores, keeps the `k` highest-scoring tokens and reads their full K and V rows;
/// `ratio` is the fraction of the dense cache's entries this needs (the papers' "compression ratio",
/// 1/8 in InstAttention's evaluation). K is indexed both by token and by channel, so it is stored twice:
/// the cache's footprint and its writes are 1.5× the dense cache (K twice, V once; InstAttention §II-B:
/// SparQ "requires 1.5× larger KV cache memory footprints"; SparF stores K in both orientations, §IV-C).
///
/// A cache in flash is read in pages (`pageBytes`, 4 KiB: 16 tokens × 128 channels × FP16 in one page,
/// InstAttention §IV-C). A page is skipped only when none of its entries is needed, so the bytes read
/// are `ratio + (1 − ratio)(1 − pageFilter)` of the dense cache, where `pageFilter` is the share of the
/// unneeded entries the page-level filter still skips. InstAttention measured that its group-based
/// first step "maintains about half sparsity" (§IV-C), hence 0.5; the NAND controller's filters then
/// drop the unneeded entries before the attention kernel. A cache in DRAM/HBM is read at entry
/// granularity: `ratio` of it.
public struct SparseAttention: Sendable, Equatable {
    /// Fraction of the cache's entries decode attention needs; 1 is dense attention.
    public var ratio: Double = 1
    /// Fraction of the unneeded entries that page-granular reads skip (InstAttention: about half).
    public var pageFilter: Double = 0.5
    /// Read granularity of a cache in flash (InstAttention: the 4 KiB flash page).
    public var pageBytes: Double = 4096
    /// The cache lives in memory read in pages (a memory of kind flash, nvme or ufs); set from the
    /// profile when the workload is built.
    public var paged = false

    public init() {}

    public var isDense: Bool { ratio >= 1 }

    /// Bytes stored per dense byte: K indexed by token and by channel (1.5×) when sparse.
    public var footprint: Double { isDense ? 1 : 1.5 }

    /// Fraction of the dense cache's bytes read per decode step: page-granular in flash, entry-granular
    /// elsewhere.
    public var readFraction: Double {
        guard !isDense else { return 1 }
        return paged ? ratio + (1 - ratio) * (1 - pageFilter) : ratio
    }

    /// Cache rows (tokens) decode attention reads at a context of `keys` tokens.
    public func keysRead(_ keys: Int) -> Int {
        isDense ? keys : max(1, min(keys, Int((Double(keys) * readFraction).rounded(.up))))
    }

    /// Memory kinds read in pages.
    public static let pagedKinds: Set<String> = ["flash", "nvme", "ufs"]

    /// Checks the parameters; returns a message for the first that is out of range.
    public func problem() -> String? {
        if !(ratio > 0 && ratio <= 1) { return "sparse-attention ratio must be in (0, 1]" }
        if !(0...1).contains(pageFilter) { return "page filter must be in [0, 1]" }
        if !(pageBytes > 0) { return "KV page size must be positive" }
        return nil
    }
}
