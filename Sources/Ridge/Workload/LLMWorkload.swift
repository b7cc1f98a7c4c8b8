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
