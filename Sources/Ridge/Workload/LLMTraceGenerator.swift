import Foundation

/// Generates the operator trace of LLM inference: prefill of `prompt` tokens for `batch`
/// sequences, then `generate` decode steps, each step one token per sequence.
///
/// Per layer: norm, QKV projection, rotary embedding (RoPE models), KV-cache append, attention
/// (causal prefill attention, or decode attention against the whole growing cache), output
/// projection, residual add, norm, MLP (gated: fused gate+up, SiLU·mul, down; MoE: router and
/// grouped expert GEMMs over the experts the tokens select), residual add. Before the layers the
/// embedding lookup; after them the final norm and the LM head for the last token of each sequence.
/// FLOP and byte counts per operator follow from the shapes (see `docs/trace-format.md`).
/// With `fuseResidualNorm` (the default) each residual add is fused with the norm that follows it,
/// as vLLM's `fused_add_rms_norm` kernel does, so a layer has one fewer elementwise kernel per norm.
/// With `sparseAttention` (SparQ / InstAttention's SparF) decode attention reads `readFraction` of the
/// cache wherever it lives (an offloaded cache crosses its link in page-sized requests) and the cache
/// stores K twice, so its footprint and writes are 1.5× (`SparseAttention`).
public enum LLMTraceGenerator {
    public static func header(_ w: LLMWorkload) -> TraceHeader {
        let m = w.model
        return TraceHeader(name: "\(m.name) b\(w.batch) p\(w.prompt) g\(w.generate)", metadata: JSONObject([
            ("generator", .string("ridge trace llm")), ("model", .string(m.name)), ("batch", .number(Double(w.batch))),
            ("prompt", .number(Double(w.prompt))), ("generate", .number(Double(w.generate))),
            ("dtype", .string(w.precision.rawValue)), ("attention", .string(w.attention.rawValue)),
            ("parameters", .number(m.parameters)),
        ]))
    }

    /// Generates the trace straight into the simulator's compact form, without operator names:
    /// the fast path for sweeps (generate once per workload, simulate on many profiles).
    public static func compiled(_ w: LLMWorkload) throws -> CompiledTrace {
        try TraceBuilder.compile(header(w), keepNames: false) { try generate(w, into: $0) }
    }

    /// Generates the whole trace in memory.
    public static func trace(_ w: LLMWorkload) throws -> Trace {
        try TraceBuilder.collect(header(w)) { try generate(w, into: $0) }
    }

    /// Expected number of distinct experts `T` tokens select when each picks `k` of `E` uniformly:
    /// `E·(1 − (1 − k/E)^T)`.
    static func activeExperts(tokens: Int, experts: Int, perToken: Int) -> Int {
        let e = Double(experts)
        let active = e * (1 - pow(1 - Double(perToken) / e, Double(tokens)))
        return max(perToken, min(experts, Int(active.rounded(.up))))
    }

    public static func generate(_ w: LLMWorkload, into b: TraceBuilder) throws {
        let m = w.model
        let e = w.precision.bytes
        let h = m.hidden, d = m.headDim, H = m.heads, Hkv = m.kvHeads
        let qkvN = (H + 2 * Hkv) * d
        let mlpUpN = (m.gatedMLP ? 2 : 1) * m.intermediate
        let engine = w.engine
        let home = w.computeMemory
        let p = w.precision
        let c = w.compression
        let fl = w.flash
        let neurons = w.neuronStreaming

        // Weight compression (FlightLLM): N:M sparsity keeps `density` of each group's weights along
        // the reduction dimension (bytes and FLOPs scale together); a group's precision sets its bytes.
        let pQKV = c.precision("qkv", default: p), pO = c.precision("o", default: p)
        let pMLP = c.precision("mlp", default: p), pHead = c.precision("lm_head", default: p)
        let qkvDensity = (Double(H) * c.density("q") + Double(Hkv) * (c.density("k") + c.density("v"))) / Double(H + 2 * Hkv)
        func reduced(_ k: Int, _ density: Double) -> Int { density == 1 ? k : max(1, Int((Double(k) * density).rounded())) }
        let kQKV = reduced(h, qkvDensity), kO = reduced(H * d, c.density("o"))
        let kUp = reduced(h, c.density("mlp")), kDown = reduced(m.intermediate, c.density("mlp")), kHead = reduced(h, c.density("lm_head"))

        // Weights: per layer QKV, O, MLP (and router); embedding and LM head.
        let wQKV = Double(kQKV * qkvN) * pQKV.bytes, wO = Double(kO * h) * pO.bytes
        let wExpert = Double(kUp * mlpUpN + kDown * h) * pMLP.bytes
        let wRouter = m.experts > 1 ? Double(h * m.experts) * e : 0
        let attnWeights = wQKV + wO
        let layerWeights = attnWeights + wExpert * Double(m.experts) + wRouter
        let weightsHome = w.weightsOffloaded ? w.weightsMemory : home
        let embed = try b.tensor("w.embed", bytes: Double(m.vocab * h) * e, memory: home, kind: .weight)
        let lmHead = m.tiedEmbeddings ? embed : try b.tensor("w.lm_head", bytes: Double(m.vocab * kHead) * pHead.bytes, memory: home, kind: .weight)
        var layerTensor: [Int32] = []
        // Neuron streaming keeps attention weights in the compute memory and the FFN in flash; the
        // hybrid scheme keeps `dramFraction` of every layer resident and streams the rest.
        let streamedFraction = neurons ? 0 : 1 - fl.dramFraction
        let streamedBytes = layerWeights * streamedFraction
        for l in 0..<m.layers {
            if neurons {
                layerTensor.append(try b.tensor("w.L\(l).attn", bytes: attnWeights, memory: home, kind: .weight))
            } else {
                layerTensor.append(try b.tensor("w.L\(l)", bytes: w.weightsOffloaded ? streamedBytes : layerWeights, memory: weightsHome, kind: .weight))
                if w.weightsOffloaded && fl.dramFraction > 0 {
                    try b.tensor("w.L\(l).resident", bytes: layerWeights - streamedBytes, memory: home, kind: .weight)
                }
            }
        }
        // Staging buffers in the compute memory for streamed weights (depth + 1 slots; depth 0
        // loads a layer only after the previous one has finished).
        let slots = max(0, w.prefetchDepth) + 1
        var staging: [Int32] = []
        if w.weightsOffloaded && !neurons {
            for s in 0..<slots {
                staging.append(try b.tensor("wbuf.\(s)", bytes: layerWeights, memory: home, kind: .activation))
            }
        }
        // Hybrid streaming through a staging memory (flash → host DRAM → GPU): one host buffer.
        let hostBuffer = w.weightsOffloaded && !neurons && !fl.staging.isEmpty && fl.staging != home && fl.staging != w.weightsMemory
            ? try b.tensor("hostbuf", bytes: 0, memory: fl.staging, kind: .activation) : -1
        // LLM in a flash: per layer the FFN in flash, the DRAM neuron cache, the predictor.
        let ffnLayerBytes = wExpert
        let bundle = Double(FlashOffload.bundleElements(m))
        let ranks = neurons ? (0..<m.layers).map { fl.predictorRank(m, layer: $0) } : []
        var ffnFlash: [Int32] = [], ffnCache: [Int32] = [], predictor: [Int32] = []
        var neuronBuffer: Int32 = -1, prefillBuffer: Int32 = -1
        if neurons {
            for l in 0..<m.layers {
                ffnFlash.append(try b.tensor("w.L\(l).ffn", bytes: ffnLayerBytes, memory: w.weightsMemory, kind: .weight))
                ffnCache.append(try b.tensor("ffncache.L\(l)", bytes: ffnLayerBytes * fl.cacheFraction, memory: home, kind: .weight))
                if ranks[l] > 0 {
                    predictor.append(try b.tensor("w.L\(l).predictor", bytes: Double(ranks[l] * (h + m.intermediate)) * e, memory: home, kind: .weight))
                }
            }
            if !fl.staging.isEmpty && fl.staging != home {
                neuronBuffer = try b.tensor("neuronbuf", bytes: 0, memory: fl.staging, kind: .activation)
            }
            prefillBuffer = try b.tensor("ffnbuf", bytes: 0, memory: home, kind: .activation)
        }
        // Sparse decode attention (SparQ / SparF) reads `readFraction` of the cache and stores K twice.
        let sparse = w.sparseAttention
        let kvPerToken = 2 * Double(w.batch * Hkv * d) * e
        let kvStored = kvPerToken * sparse.footprint
        let kvRows = sparse.isDense ? 2 : 3                // K and V rows written per token (K twice when sparse)
        let kvOffloaded = w.kvOffloaded
        let inStorage = !w.attentionEngine.isEmpty
        let kvHome = kvOffloaded || inStorage ? w.kvMemory : home
        let attnMemory = w.attentionMemory.isEmpty ? w.kvMemory : w.attentionMemory
        var kv: [Int32] = []
        for l in 0..<m.layers { kv.append(try b.tensor("kv.L\(l)", bytes: 0, memory: kvHome, kind: .kv)) }
        let kvStage = kvOffloaded ? try b.tensor("kvbuf", bytes: 0, memory: home, kind: .activation) : -1
        let kvRelay = kvOffloaded && !w.kvStaging.isEmpty && w.kvStaging != home && w.kvStaging != w.kvMemory
            ? try b.tensor("kvrelay", bytes: 0, memory: w.kvStaging, kind: .activation) : -1
        let actHome = w.activationsMemory.isEmpty ? home : w.activationsMemory
        let x = try b.tensor("act.x", bytes: 0, memory: actHome)
        let qkv = try b.tensor("act.qkv", bytes: 0, memory: actHome)
        let ffn = try b.tensor("act.ffn", bytes: 0, memory: actHome)

        var layerEnd: [Int32] = Array(repeating: -1, count: m.layers)   // last compute op of each layer, this step
        var transferOf: [Int32] = Array(repeating: -1, count: m.layers)
        var lastLayerEnds: [Int32] = []                                  // previous layers' ends in streaming order

        // Names are built only when the builder keeps them (sweeps and benchmarks do not).
        let keepNames = b.keepNames
        @discardableResult func op(_ name: @autoclosure () -> String, _ shape: OperatorShape, phase: String, layer: Int, reads: [Int32] = [],
                                   writes: [TensorWrite] = [], after: [Int32] = [], engineOverride: String? = nil,
                                   stream: String = "compute") throws -> Int32 {
            try b.op(TraceOp(name: keepNames ? name() : "", shape: shape, engine: engineOverride ?? engine, stream: stream, phase: phase,
                             layer: layer, reads: reads, writes: writes, after: after.contains { $0 < 0 } ? after.filter { $0 >= 0 } : after))
        }
        func elementwise(_ elements: Int, bytes: Double, flops: Double) -> OperatorShape {
            .elementwise(Elementwise(elements: elements, bytesPerElement: bytes * e, flopsPerElement: flops, precision: p))
        }

        /// LLM in a flash, one layer's FFN: the predictor picks the active neurons, the ones not
        /// already cached are read from flash in bundle-sized requests (through the staging memory
        /// when there is one), and the cache is updated in place (insert, and delete by moving the
        /// last row into the freed slot, §3.3 of the paper). Prefill reads the layer's whole FFN. Returns the
        /// weights to compute from, the neurons computed, and the operator the FFN must wait for.
        func flashNeurons(name: String, layer l: Int, phase: String, prefill: Bool, T: Int) throws -> (weights: Int32, active: Int, ready: Int32) {
            if prefill {
                let t = try op("\(name).load_ffn", .transfer(Transfer(bytes: ffnLayerBytes, from: w.weightsMemory, to: home)), phase: phase,
                               layer: l, reads: [ffnFlash[l]], writes: [TensorWrite(prefillBuffer, bytes: ffnLayerBytes)], stream: "copy")
                return (prefillBuffer, m.intermediate, t)
            }
            // Sequences in a batch select neurons independently: the union is loaded and computed.
            let union = { (f: Double) in 1 - pow(1 - f, Double(w.batch)) }
            let active = max(1, Int((union(fl.activeFraction) * Double(m.intermediate)).rounded()))
            let loadedNeurons = union(fl.loadFraction) * Double(m.intermediate)
            let loadBytes = loadedNeurons * bundle * pMLP.bytes * c.density("mlp")
            var ready: Int32 = -1
            if ranks[l] > 0 {
                try op("\(name).predictor_down", .gemm(GEMM(m: T, n: ranks[l], k: h, precision: p)), phase: phase, layer: l, reads: [x, predictor[l]])
                ready = try op("\(name).predictor_up", .gemm(GEMM(m: T, n: m.intermediate, k: ranks[l], precision: p)), phase: phase, layer: l,
                               reads: [predictor[l]])
            } else {
                ready = b.last(engine: engine, stream: "compute") ?? -1
            }
            let chunk = fl.chunkBytes(m, bytesPerElement: pMLP.bytes)
            var arrived: Int32
            if neuronBuffer >= 0 {
                let read = try op("\(name).load_neurons", .transfer(Transfer(bytes: loadBytes, from: w.weightsMemory, to: fl.staging, chunkBytes: chunk)),
                                  phase: phase, layer: l, reads: [ffnFlash[l]], writes: [TensorWrite(neuronBuffer, bytes: loadBytes)],
                                  after: [ready], stream: "copy")
                arrived = try op("\(name).upload_neurons", .transfer(Transfer(bytes: loadBytes, from: fl.staging, to: home)), phase: phase,
                                 layer: l, reads: [neuronBuffer], writes: [TensorWrite(ffnCache[l])], after: [read], stream: "copy")
            } else {
                arrived = try op("\(name).load_neurons", .transfer(Transfer(bytes: loadBytes, from: w.weightsMemory, to: home, chunkBytes: chunk)),
                                 phase: phase, layer: l, reads: [ffnFlash[l]], writes: [TensorWrite(ffnCache[l])], after: [ready], stream: "copy")
            }
            if fl.window > 0 {
                // Insert the new neurons and delete as many evicted ones: two row copies per neuron.
                let elements = Int((2 * loadedNeurons * bundle * c.density("mlp")).rounded())
                arrived = try op("\(name).cache_update", elementwise(max(1, elements), bytes: 2 * pMLP.bytes / e, flops: 0), phase: phase,
                                 layer: l, reads: [ffnCache[l]], writes: [TensorWrite(ffnCache[l])], after: [arrived])
            }
            return (ffnCache[l], active, arrived)
        }

        for step in 0...w.generate {
            let prefill = step == 0
            let phase = prefill ? "prefill" : "decode"
            let tokensPerSeq = prefill ? w.prompt : 1
            let T = w.batch * tokensPerSeq
            let context = w.prompt + step          // KV length after this step's append
            let tag = prefill ? "prefill" : "d\(step)"
            try op("\(tag).embed", .embedding(Embedding(tokens: T, hidden: h, precision: p)), phase: phase, layer: -1,
                   reads: [embed], writes: [TensorWrite(x, bytes: Double(T * h) * e)])
            for l in 0..<m.layers {
                let name = keepNames ? "\(tag).L\(l)" : ""
                var weights = layerTensor[l]
                var firstAfter: [Int32] = []
                if w.weightsOffloaded && !neurons {
                    // Slot reuse: this layer's copy waits until the layer that last used the slot is done.
                    let slot = (step * m.layers + l) % slots
                    let waitFor = lastLayerEnds.count >= slots ? lastLayerEnds[lastLayerEnds.count - slots] : -1
                    var t: Int32
                    if hostBuffer >= 0 {
                        // Read into the staging memory, then copy to the engine (no overlap between the two).
                        let read = try op("\(name).read_weights", .transfer(Transfer(bytes: streamedBytes, from: w.weightsMemory, to: fl.staging)),
                                          phase: phase, layer: l, reads: [layerTensor[l]], writes: [TensorWrite(hostBuffer, bytes: streamedBytes)],
                                          after: [waitFor], stream: "copy")
                        t = try op("\(name).load_weights", .transfer(Transfer(bytes: streamedBytes, from: fl.staging, to: home)),
                                   phase: phase, layer: l, reads: [hostBuffer], writes: [TensorWrite(staging[slot])], after: [read], stream: "copy")
                    } else {
                        t = try op("\(name).load_weights", .transfer(Transfer(bytes: streamedBytes, from: w.weightsMemory, to: home)),
                                   phase: phase, layer: l, reads: [layerTensor[l]], writes: [TensorWrite(staging[slot])],
                                   after: [waitFor], stream: "copy")
                    }
                    transferOf[l] = t
                    weights = staging[slot]
                    firstAfter = [t]
                }
                if l == 0 || !w.fuseResidualNorm {
                    try op("\(name).norm1", elementwise(T * h, bytes: 2, flops: 4), phase: phase, layer: l, reads: [x], writes: [TensorWrite(x)],
                           after: firstAfter)
                } else {
                    // vLLM's fused_add_rms_norm: the previous layer's residual add and this norm in one kernel.
                    try op("\(name).add_norm1", elementwise(T * h, bytes: 4, flops: 5), phase: phase, layer: l, reads: [x], writes: [TensorWrite(x)],
                           after: firstAfter)
                }
                try op("\(name).qkv", .gemm(GEMM(m: T, n: qkvN, k: kQKV, precision: pQKV)), phase: phase, layer: l, reads: [x, weights],
                       writes: [TensorWrite(qkv, bytes: Double(T * qkvN) * e)])
                if m.rotary {
                    try op("\(name).rope", elementwise(T * (H + Hkv) * d, bytes: 2, flops: 3), phase: phase, layer: l, reads: [qkv], writes: [TensorWrite(qkv)])
                }
                let kvBytes = kvStored * Double(context)   // the cache's footprint after this step's append
                let prefillAttention: OperatorShape = .attention(Attention(batch: w.batch, heads: H, kvHeads: Hkv, queryLength: tokensPerSeq,
                                                                           keyLength: context, headDim: d, causal: true, algorithm: w.attention,
                                                                           pass: .forward, precision: p))
                if inStorage && prefill {
                    // InstInfer: the GPU runs prefill attention; the prompt's K/V are then written to the
                    // cache's home, where decode attention will read them.
                    let a = try op("\(name).attention", prefillAttention, phase: phase, layer: l, reads: [qkv], writes: [TensorWrite(qkv)])
                    try op("\(name).store_kv", .transfer(Transfer(bytes: kvBytes, from: home, to: w.kvMemory)), phase: phase, layer: l,
                           reads: [qkv], writes: [TensorWrite(kv[l], bytes: kvBytes)], after: [a], stream: "copy")
                } else if inStorage {
                    // In-storage attention (InstInfer): q/k/v go to the drive, attention runs next to the KV cache.
                    let qBytes = Double(T * qkvN) * e
                    let send = try op("\(name).send_qkv", .transfer(Transfer(bytes: qBytes, from: home, to: attnMemory)), phase: phase, layer: l,
                                      reads: [qkv], writes: [TensorWrite(kv[l], bytes: kvBytes)], stream: "copy")
                    if attnMemory != w.kvMemory {
                        // The new token's K/V are appended to the cache in flash (off the critical path of this step).
                        try op("\(name).append_kv", .transfer(Transfer(bytes: kvStored, from: attnMemory, to: w.kvMemory)), phase: phase, layer: l,
                               after: [send], stream: "append")
                    }
                    // Sparse attention reads `keysRead` rows' worth of the cache; the FLOPs are counted on the
                    // rows read (an upper bound: the drive's filters drop the unneeded entries of read pages).
                    let attnShape: OperatorShape = .decodeAttention(DecodeAttention(batch: w.batch, heads: H, kvHeads: Hkv, queryLength: 1,
                                                                                    keyLength: sparse.keysRead(context), headDim: d, precision: p,
                                                                                    kvMemory: w.kvMemory))
                    let a = try op("\(name).attention", attnShape, phase: phase, layer: l, reads: [kv[l]], after: [send],
                                   engineOverride: w.attentionEngine)
                    try op("\(name).recv_attn", .transfer(Transfer(bytes: Double(T * H * d) * e, from: attnMemory, to: home)), phase: phase, layer: l,
                           writes: [TensorWrite(qkv)], after: [a], stream: "copy")
                } else {
                    try op("\(name).kv_append", elementwise(T * kvRows * Hkv * d, bytes: 2, flops: 0), phase: phase, layer: l, reads: [qkv],
                           writes: [TensorWrite(kvOffloaded ? kvStage : kv[l], bytes: kvBytes)])
                    var kvRead = kv[l]
                    var attnAfter: [Int32] = []
                    if kvOffloaded && !prefill {
                        // FlexGen-style: the offloaded part of the cache crosses the link every step (with sparse
                        // attention only the part it reads, in page-sized requests from a paged cache).
                        let moved = kvPerToken * Double(context - 1) * w.kvOffloadFraction * sparse.readFraction
                        let staged = kvPerToken * Double(context) * sparse.readFraction
                        let chunk: Double? = !sparse.isDense && sparse.paged ? sparse.pageBytes : nil
                        var load: Int32
                        if kvRelay >= 0 {
                            // Through host memory: read from the drive, then copy to the engine (FlexGen's disk path).
                            let read = try op("\(name).read_kv", .transfer(Transfer(bytes: moved, from: w.kvMemory, to: w.kvStaging, chunkBytes: chunk)),
                                              phase: phase, layer: l, reads: [kv[l]], writes: [TensorWrite(kvRelay, bytes: moved)], stream: "copy")
                            load = try op("\(name).load_kv", .transfer(Transfer(bytes: moved, from: w.kvStaging, to: home)), phase: phase, layer: l,
                                          reads: [kvRelay], writes: [TensorWrite(kvStage, bytes: staged)], after: [read], stream: "copy")
                        } else {
                            load = try op("\(name).load_kv", .transfer(Transfer(bytes: moved, from: w.kvMemory, to: home, chunkBytes: chunk)),
                                          phase: phase, layer: l, reads: [kv[l]], writes: [TensorWrite(kvStage, bytes: staged)], stream: "copy")
                        }
                        kvRead = kvStage
                        attnAfter = [load]
                    }
                    let attnShape: OperatorShape = prefill ? prefillAttention
                        : .decodeAttention(DecodeAttention(batch: w.batch, heads: H, kvHeads: Hkv, queryLength: 1, keyLength: sparse.keysRead(context),
                                                           headDim: d, precision: p))
                    let a = try op("\(name).attention", attnShape, phase: phase, layer: l, reads: [qkv, kvRead], writes: [TensorWrite(qkv)], after: attnAfter)
                    if kvOffloaded {
                        // New entries (prefill: the whole prompt's cache) go back to the KV home.
                        let back = prefill ? kvStored * Double(context) * w.kvOffloadFraction : kvStored * w.kvOffloadFraction
                        if kvRelay >= 0 {
                            let copy = try op("\(name).unload_kv", .transfer(Transfer(bytes: back, from: home, to: w.kvStaging)), phase: phase, layer: l,
                                              reads: [kvStage], writes: [TensorWrite(kvRelay, bytes: back)], after: [a], stream: "copy")
                            try op("\(name).store_kv", .transfer(Transfer(bytes: back, from: w.kvStaging, to: w.kvMemory)), phase: phase, layer: l,
                                   reads: [kvRelay], writes: [TensorWrite(kv[l], bytes: kvBytes * w.kvOffloadFraction)], after: [copy], stream: "copy")
                        } else {
                            try op("\(name).store_kv", .transfer(Transfer(bytes: back, from: home, to: w.kvMemory)), phase: phase, layer: l,
                                   reads: [kvStage], writes: [TensorWrite(kv[l], bytes: kvBytes * w.kvOffloadFraction)], after: [a], stream: "copy")
                        }
                    }
                }
                try op("\(name).o_proj", .gemm(GEMM(m: T, n: h, k: kO, precision: pO)), phase: phase, layer: l, reads: [qkv, weights], writes: [TensorWrite(x)])
                if w.fuseResidualNorm {
                    try op("\(name).add_norm2", elementwise(T * h, bytes: 4, flops: 5), phase: phase, layer: l, reads: [x], writes: [TensorWrite(x)])
                } else {
                    try op("\(name).residual1", elementwise(T * h, bytes: 3, flops: 1), phase: phase, layer: l, reads: [x], writes: [TensorWrite(x)])
                    try op("\(name).norm2", elementwise(T * h, bytes: 2, flops: 4), phase: phase, layer: l, reads: [x], writes: [TensorWrite(x)])
                }
                if m.experts > 1 {
                    try op("\(name).router", .gemm(GEMM(m: T, n: m.experts, k: h, precision: p)), phase: phase, layer: l, reads: [x, weights])
                    let active = activeExperts(tokens: T, experts: m.experts, perToken: m.expertsPerToken)
                    let rows = Int((Double(T * m.expertsPerToken) / Double(active)).rounded(.up))
                    try op("\(name).experts_up", .gemm(GEMM(m: rows, n: mlpUpN, k: kUp, batch: active, precision: pMLP)), phase: phase, layer: l,
                           reads: [x, weights], writes: [TensorWrite(ffn, bytes: Double(rows * active * mlpUpN) * e)])
                    try op("\(name).act", elementwise(rows * active * m.intermediate, bytes: m.gatedMLP ? 3 : 2, flops: m.gatedMLP ? 6 : 5),
                           phase: phase, layer: l, reads: [ffn], writes: [TensorWrite(ffn)])
                    try op("\(name).experts_down", .gemm(GEMM(m: rows, n: h, k: kDown, batch: active, precision: pMLP)), phase: phase,
                           layer: l, reads: [ffn, weights], writes: [TensorWrite(x)])
                } else {
                    var ffnWeights = weights
                    var upN = mlpUpN, downK = kDown, activeNeurons = m.intermediate
                    var upAfter: [Int32] = []
                    if neurons {
                        let loaded = try flashNeurons(name: name, layer: l, phase: phase, prefill: prefill, T: T)
                        ffnWeights = loaded.weights
                        activeNeurons = loaded.active
                        upN = (m.gatedMLP ? 2 : 1) * activeNeurons
                        downK = reduced(activeNeurons, c.density("mlp"))
                        upAfter = [loaded.ready]
                    }
                    try op("\(name).mlp_up", .gemm(GEMM(m: T, n: upN, k: kUp, precision: pMLP)), phase: phase, layer: l, reads: [x, ffnWeights],
                           writes: [TensorWrite(ffn, bytes: Double(T * upN) * e)], after: upAfter)
                    try op("\(name).act", elementwise(T * activeNeurons, bytes: m.gatedMLP ? 3 : 2, flops: m.gatedMLP ? 6 : 5), phase: phase, layer: l,
                           reads: [ffn], writes: [TensorWrite(ffn)])
                    try op("\(name).mlp_down", .gemm(GEMM(m: T, n: h, k: downK, precision: pMLP)), phase: phase, layer: l, reads: [ffn, ffnWeights],
                           writes: [TensorWrite(x)])
                }
                let end = w.fuseResidualNorm ? b.opCount - 1
                    : try op("\(name).residual2", elementwise(T * h, bytes: 3, flops: 1), phase: phase, layer: l, reads: [x], writes: [TensorWrite(x)])
                layerEnd[l] = end
                lastLayerEnds.append(end)
                if lastLayerEnds.count > slots + 1 { lastLayerEnds.removeFirst() }
            }
            try op("\(tag).final_norm", elementwise(T * h, bytes: w.fuseResidualNorm ? 4 : 2, flops: w.fuseResidualNorm ? 5 : 4), phase: phase,
                   layer: -1, reads: [x], writes: [TensorWrite(x)])
            try op("\(tag).lm_head", .gemm(GEMM(m: w.batch, n: m.vocab, k: kHead, precision: pHead)), phase: phase, layer: -1, reads: [x, lmHead])
        }
        _ = layerEnd; _ = transferOf

    }
}
