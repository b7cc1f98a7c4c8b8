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
    /// Layers whose weights are in flight ahead of the one computing.
    public var prefetchDepth: Int = 1
    /// Engine for decode attention when the KV cache is computed on in place (InstInfer's in-storage
    /// attention); "" means the main engine.
    public var attentionEngine: String = ""
    /// Fuse each residual add with the following norm (vLLM's `fused_add_rms_norm`).
    public var fuseResidualNorm = true

    public init(model: ModelConfig, batch: Int, prompt: Int, generate: Int) {
        self.model = model; self.batch = batch; self.prompt = prompt; self.generate = generate
    }

    public var weightsOffloaded: Bool { !weightsMemory.isEmpty && weightsMemory != computeMemory }
    public var kvOffloaded: Bool { !kvMemory.isEmpty && kvMemory != computeMemory && attentionEngine.isEmpty }
}
