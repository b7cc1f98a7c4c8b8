import Foundation

/// Where convolution scratch buffers (TinyEngine's `sbuf` im2col / depthwise buffer and `kbuf`
/// 16-bit kernel copy) live.
public enum CNNScratch: String, Sendable, CaseIterable {
    /// One buffer sized for the largest layer, allocated for the whole run (TinyEngine's static
    /// `sbuf` + `kbuf`): peak = activations + max scratch.
    case `static`
    /// Each operator allocates its own scratch while it runs: peak = max over layers of
    /// (input + output + held residuals + that layer's scratch).
    case perLayer = "per-layer"
    /// Not counted (activations only, as MCUNetV2 reports memory).
    case none
}

/// One CNN inference (batch 1) to turn into a trace.
public struct CNNWorkload: Sendable {
    public var model: CNNModel
    /// Weights and activations (int8 by default, as TinyEngine deploys).
    public var precision: Precision = .int8
    public var engine = "mcu"
    /// Activations (and scratch) live here.
    public var activationMemory = "sram"
    /// Weights live here, read in place (execute-in-place flash on an MCU).
    public var weightMemory = "flash"
    /// TinyEngine's in-place depthwise: the output overwrites the input buffer (a depthwise
    /// layer then needs max(input, output) instead of input + output, plus a small buffer).
    public var inPlaceDepthwise = true
    /// In-place residual add: the layer before an `add` accumulates into the held residual
    /// buffer (MCUNet's peak-memory counter omits the residual there for this reason).
    public var inPlaceAdd = true
    public var scratch: CNNScratch = .static
    /// Patch-based inference: p×p patches (`nil`: layer by layer).
    public var patches: Int?
    /// Layers in the patch stage (`nil`: chosen to minimise peak SRAM; see `CNNTraceGenerator.autoPatchLayers`).
    public var patchLayers: Int?

    public init(model: CNNModel) { self.model = model }

    /// Engine and memory names from a profile: its primary engine, that engine's memory for
    /// activations, and its flash (or else the engine's memory) for weights.
    public mutating func use(_ profile: HardwareProfile) {
        let e = profile.primaryEngine
        engine = e.id
        activationMemory = e.memory
        weightMemory = profile.memories.first { $0.kind == "flash" && $0.id != e.memory }?.id ?? e.memory
    }
}

/// What the generator computed about a deployment, independently of the simulator.
public struct CNNPlanSummary: Sendable {
    public var model: String
    public var resolution: (height: Int, width: Int)
    public var precision: Precision
    /// MACs of the network (each output computed once).
    public var macs: Double
    /// MACs the trace executes (patch-based: including the recomputed halo).
    public var executedMACs: Double
    public var parameters: Double
    /// Bytes of weights (plus biases and requantisation parameters) in the weight memory.
    public var weightBytes: Double
    /// Peak bytes in the activation memory (activations + scratch).
    public var peakBytes: Double
    /// The operator at which the peak is first reached.
    public var peakOp: String
    /// Static scratch included in `peakBytes` (0 unless `scratch == .static`).
    public var staticScratchBytes: Double
    /// Patch plan, when patch-based.
    public var patches: Int?
    public var patchLayers: Int?
    public var patchStageEnd: String?
    public var ops: Int
    /// Live bytes in the activation memory while each operator runs, in program order.
    public var live: [(op: String, bytes: Double)]

    /// Extra MACs from recomputing overlapping patches, as a fraction of the network's MACs.
    public var recomputeOverhead: Double { macs > 0 ? executedMACs / macs - 1 : 0 }
    /// Peak activation bytes without the static scratch.
    public var peakActivationBytes: Double { peakBytes - staticScratchBytes }
}

/// Generates the operator trace of one CNN inference on a microcontroller-style target.
///
/// Weights are `weight` tensors in `weightMemory` (resident for the whole run; on an MCU, flash
/// read in place, so the cost model charges their reads at flash bandwidth). Activations are
/// allocated in `activationMemory` when their layer starts and freed by the last operator that
/// reads them, so the simulator's peak for that memory is the layer-by-layer peak: input +
/// output + residual tensors held for a later `add` + scratch. conv / depthwise / pointwise
/// become `conv` operators (depthwise: `groups == channels`), dense a `gemm` (m = 1), pools and
/// adds `elementwise`. An `input` operator writes the image into memory first (patch-based: one
/// per patch, writing only the patch's input region — MCUNetV2 decodes the image patch by patch).
/// Integer layers are followed by their requantisation epilogue (`<op>.requant`, elementwise,
/// `requantOpsPerOutput` operations per output element, no memory traffic): TinyEngine fuses it
/// into the kernel, where it turns each int32 accumulator into int8 in registers, but its cost
/// scales with outputs rather than MACs, so it is a separate operator the cost model can time.
public enum CNNTraceGenerator {
    public static func header(_ w: CNNWorkload, summary: CNNPlanSummary? = nil) -> TraceHeader {
        var meta = JSONObject([
            ("generator", .string("ridge trace cnn")), ("model", .string(w.model.name)),
            ("resolution", .number(Double(w.model.inputHeight))), ("dtype", .string(w.precision.rawValue)),
            ("inPlaceDepthwise", .bool(w.inPlaceDepthwise)),
            ("inPlaceAdd", .bool(w.inPlaceAdd)), ("scratch", .string(w.scratch.rawValue)),
        ])
        if let p = w.patches { meta["patches"] = .number(Double(p)) }
        if let s = summary {
            meta["macs"] = .number(s.macs)
            meta["executedMACs"] = .number(s.executedMACs)
            meta["parameters"] = .number(s.parameters)
            if let n = s.patchLayers { meta["patchLayers"] = .number(Double(n)) }
        }
        let mode = w.patches.map { " patch\($0)x\($0)" } ?? ""
        return TraceHeader(name: "\(w.model.name) r\(w.model.inputHeight) \(w.precision.rawValue)\(mode)", metadata: meta)
    }

    /// Generates the whole trace in memory, with the generator's own accounting.
    public static func trace(_ w: CNNWorkload) throws -> (trace: Trace, summary: CNNPlanSummary) {
        let resolved = try resolvePatchLayers(w)
        let summary = try plan(resolved)
        let trace = try TraceBuilder.collect(header(resolved, summary: summary)) { _ = try generate(resolved, into: $0) }
        return (trace, summary)
    }

    /// The generator's accounting without keeping the trace.
    public static func plan(_ w: CNNWorkload) throws -> CNNPlanSummary {
        let resolved = try resolvePatchLayers(w)
        let builder = TraceBuilder(header: header(resolved)) { _ in }
        return try generate(resolved, into: builder)
    }

    /// Fills in `patchLayers` when patch-based inference is on and it was left to choose.
    public static func resolvePatchLayers(_ w: CNNWorkload) throws -> CNNWorkload {
        guard let p = w.patches, w.patchLayers == nil else { return w }
        var r = w
        r.patchLayers = try autoPatchLayers(w, patches: p)
        return r
    }

    /// The patch stage that minimises peak SRAM × executed MACs: deeper stages lower the peak
    /// until the post-stage layers dominate, but their halos grow, so the product trades memory
    /// saved against recompute paid (ties: the shorter stage).
    public static func autoPatchLayers(_ w: CNNWorkload, patches p: Int) throws -> Int {
        let shapes = try w.model.shapes()
        let candidates = CNNPatchPlanner.validLastLayers(shapes, patches: p)
        guard !candidates.isEmpty else {
            throw RidgeError.usage("model \(w.model.name) has no layer that can end a patch stage of \(p)×\(p) patches")
        }
        var best: (layers: Int, score: Double)?
        for j in candidates {
            var c = w
            c.patchLayers = j + 1
            let s = try plan(c)
            let score = s.peakBytes * s.executedMACs
            if best == nil || score < best!.score * (1 - 1e-9) { best = (j + 1, score) }
        }
        return best!.layers
    }

    /// Integer operations per output element of the requantisation epilogue: rounding doubling
    /// high multiply (2), rounding shift (2), output offset (1), clamp (2), store (1).
    public static let requantOpsPerOutput = 8.0

    /// TinyEngine's scratch for a layer reading an `h × w` input: `sbuf` (2 columns of 16-bit
    /// im2col for conv/pointwise; the in-place depthwise's 16-bit padded channel buffer, or 2·k²·C
    /// when not in place) and `kbuf` (16-bit kernel copy for k > 1 convs). From
    /// mit-han-lab/tinyengine code_generator/operators/{conv2d,depthwiseConv2d}.py `get_sbuf_size`
    /// and `get_kbuf_size`.
    public static func scratch(_ s: CNNLayerShape, h: Int, w: Int, inPlace: Bool) -> (sbuf: Int, kbuf: Int) {
        let l = s.layer, k = l.kernel
        switch l.type {
        case .conv: return (k * k * s.input.c * 4, k > 1 ? s.weights * 2 : 0)
        case .pointwise: return (s.input.c * 4, 0)
        case .depthwise:
            let pad = l.padding
            return (inPlace ? 2 * (h + 2 * pad) * (w + 2 * pad) : 2 * k * k * s.input.c, 0)
        default: return (0, 0)
        }
    }

    /// Bytes a layer's parameters take: weights in the precision; int8 adds TinyEngine's int32
    /// bias and per-channel requantisation multiplier and shift (12 bytes per output channel).
    public static func weightBytes(_ s: CNNLayerShape, _ p: Precision) -> Double {
        if p == .int8 || p == .int4 {
            return Double(s.weights) * p.bytes + Double(s.biases) * 12
        }
        return Double(s.weights + s.biases) * p.bytes
    }

    // MARK: - Generation

    /// A tensor write: the tensor and, for in-place reuse, its new size.
    private struct Write { var tensor: Int32; var bytes: Double? }

    /// An operator before frees are known.
    private struct Pending {
        var name: String
        var shape: OperatorShape
        var phase: String
        var layer: Int
        var reads: [Int32]
        var writes: [Write]
        var scratch: Int32?      // per-layer scratch, freed by this op
    }

    /// Emits the trace into `b` and returns the generator's accounting.
    @discardableResult
    public static func generate(_ w: CNNWorkload, into b: TraceBuilder) throws -> CNNPlanSummary {
        let shapes = try w.model.shapes()
        let e = w.precision.bytes
        let act = w.activationMemory
        var sizes: [Double] = []          // declared bytes per tensor
        var inActivationMemory: [Bool] = []
        func tensor(_ name: String, _ bytes: Double, memory: String, kind: TensorKind = .activation, resident: Bool? = nil) throws -> Int32 {
            let id = try b.tensor(name, bytes: bytes, memory: memory, kind: kind, resident: resident)
            if Int(id) == sizes.count { sizes.append(bytes); inActivationMemory.append(memory == act) }
            return id
        }
        func bytes(_ s: CNNTensorShape) -> Double { Double(s.elements) * e }
        func regionBytes(_ r: CNNRegion, channels: Int) -> Double { Double(r.area * channels) * e }

        // Weights: resident in the weight memory.
        var weights: [Int32?] = []
        var weightTotal = 0.0
        for s in shapes {
            if s.weights > 0 {
                let wb = weightBytes(s, w.precision)
                weightTotal += wb
                weights.append(try tensor("w.\(s.layer.name)", wb, memory: w.weightMemory, kind: .weight))
            } else {
                weights.append(nil)
            }
        }

        // Patch plan.
        var plan: CNNPatchPlan?
        if let p = w.patches {
            let n = w.patchLayers ?? 0
            guard n >= 1 else { throw RidgeError.usage("--patch-layers must be at least 1") }
            plan = try CNNPatchPlanner.plan(shapes, patches: p, lastLayer: n - 1)
        }
        let firstLayerOp = (plan?.lastLayer ?? -1) + 1

        // Scratch sizes over every operator, for the static buffer.
        var maxSbuf = 0, maxKbuf = 0
        func noteScratch(_ s: CNNLayerShape, h: Int, w width: Int, inPlace: Bool) -> Int {
            let (sb, kb) = scratch(s, h: h, w: width, inPlace: inPlace)
            maxSbuf = max(maxSbuf, sb); maxKbuf = max(maxKbuf, kb)
            return sb + kb
        }

        // Which tensors are read after a given layer (to decide whether in-place is safe).
        var residualSources = Set<Int>()
        for s in shapes { if let r = s.residual { residualSources.insert(r) } }

        var pending: [Pending] = []
        var executedMACs = 0.0
        func perLayerScratch(_ opName: String, _ bytes: Int) throws -> Int32? {
            guard w.scratch == .perLayer, bytes > 0 else { return nil }
            return try tensor("s.\(opName)", Double(bytes), memory: act, kind: .other)
        }

        /// The operator shape of layer `s` computing `outRows × outCols` outputs.
        func shape(_ s: CNNLayerShape, outRows: Int, outCols: Int, inElements: Int) -> OperatorShape {
            let l = s.layer
            switch l.type {
            case .conv, .depthwise, .pointwise:
                // height = outRows·stride makes the conv's output exactly the region computed, so
                // its MACs count every recomputed halo pixel once per patch that computes it.
                let groups = l.type == .depthwise ? s.input.c : 1
                return .conv(Conv(height: outRows * l.stride, width: outCols * l.stride, inChannels: s.input.c,
                                  outChannels: s.output.c, kernel: l.kernel, stride: l.stride, groups: groups, precision: w.precision))
            case .dense:
                return .gemm(GEMM(m: 1, n: s.output.c, k: s.input.elements, precision: w.precision))
            case .avgpool, .maxpool:
                let outElements = outRows * outCols * s.output.c
                let window = l.kernel == 0 ? Double(inElements) : Double(outElements * l.kernel * l.kernel)
                return .elementwise(Elementwise(elements: inElements, bytesPerElement: Double(inElements + outElements) * e / Double(max(inElements, 1)),
                                                flopsPerElement: window / Double(max(inElements, 1)), precision: w.precision))
            case .add:
                // Requantising int8 add: rescale both inputs, add, round, clamp.
                return .elementwise(Elementwise(elements: outRows * outCols * s.output.c, bytesPerElement: 3 * e,
                                                flopsPerElement: 4, precision: w.precision))
            }
        }
        func macs(_ s: CNNLayerShape, outRows: Int, outCols: Int) -> Double {
            guard s.output.h > 0, s.output.w > 0 else { return 0 }
            return Double(s.macs) * Double(outRows * outCols) / Double(s.output.h * s.output.w)
        }
        let integer = w.precision == .int8 || w.precision == .int4
        func requant(_ s: CNNLayerShape, _ opName: String, outElements: Int, output t: Int32, phase: String, layer: Int) {
            guard integer, s.weights > 0 else { return }
            pending.append(Pending(name: opName + ".requant", shape: .elementwise(Elementwise(elements: outElements, bytesPerElement: 0,
                                                                                              flopsPerElement: requantOpsPerOutput, precision: w.precision)),
                                   phase: phase, layer: layer, reads: [t], writes: []))
        }
        func loadInput(_ name: String, _ t: Int32, elements: Int, phase: String) {
            pending.append(Pending(name: name, shape: .elementwise(Elementwise(elements: elements, bytesPerElement: e, flopsPerElement: 0, precision: w.precision)),
                                   phase: phase, layer: -1, reads: [], writes: [Write(tensor: t, bytes: nil)]))
        }

        // Layer outputs of the per-layer part (index → tensor); the patch stage's last output is whole.
        // Residual adds fused into the layer before them (MCUNet/TinyEngine accounting): the
        // producer accumulates its output into the held residual buffer, so it needs no buffer
        // of its own. Producer index → residual source index.
        var fused: [Int: Int] = [:]
        if w.inPlaceAdd {
            for a in shapes.indices where a >= 1 {
                guard let r = shapes[a].residual else { continue }
                let j = a - 1
                let producer = [.conv, .pointwise, .depthwise].contains(shapes[j].layer.type)
                let soleUse = shapes.filter { $0.residual == r }.count == 1
                var ok = producer && r != j && soleUse && !residualSources.contains(j)
                if let plan { ok = ok && j != plan.lastLayer && a != plan.lastLayer }
                if ok { fused[j] = r }
            }
        }

        /// Emits layer `j` computing `region` of its output from `inputRegion` of its input;
        /// `tensors` maps layer index (-1: input) to the tensor holding its output in this scope.
        func emit(_ j: Int, tag: String?, region: CNNRegion, inputRegion: CNNRegion, into target: Int32?,
                  tensors: inout [Int: Int32]) throws {
            let s = shapes[j]
            let opName = tag.map { "\($0).\(s.layer.name)" } ?? s.layer.name
            let suffix = tag.map { "@\($0)" } ?? ""
            let phase = tag == nil ? "layer" : "patch"
            let source = tensors[j - 1]!
            var reads = [source]
            if let r = s.residual, tensors[r]! != source { reads.append(tensors[r]!) }
            let inPlaceDW = w.inPlaceDepthwise && s.layer.type == .depthwise && target == nil && j > 0 && !residualSources.contains(j - 1)
            let sc = noteScratch(s, h: inputRegion.rows, w: inputRegion.cols, inPlace: inPlaceDW)
            let outBytes = regionBytes(region, channels: s.output.c)
            let out: Int32
            let write: Write
            if let target {
                out = target
                write = Write(tensor: out, bytes: nil)
            } else if inPlaceDW {
                out = source
                write = Write(tensor: out, bytes: outBytes)
            } else if let r = fused[j] {
                out = tensors[r]!
                reads.append(out)
                write = Write(tensor: out, bytes: nil)
            } else if s.layer.type == .add && tensors[s.residual!]! == source {
                out = source          // the fused producer already accumulated into the residual
                write = Write(tensor: out, bytes: nil)
            } else {
                out = try tensor("x.\(s.layer.name)\(suffix)", outBytes, memory: act)
                write = Write(tensor: out, bytes: nil)
            }
            if let wt = weights[j] { reads.append(wt) }
            executedMACs += macs(s, outRows: region.rows, outCols: region.cols)
            pending.append(Pending(name: opName, shape: shape(s, outRows: region.rows, outCols: region.cols, inElements: inputRegion.area * s.input.c),
                                   phase: phase, layer: j, reads: reads, writes: [write], scratch: try perLayerScratch(opName, sc)))
            requant(s, opName, outElements: region.area * s.output.c, output: out, phase: phase, layer: j)
            tensors[j] = out
        }
        func whole(_ t: CNNTensorShape) -> CNNRegion { CNNRegion(r0: 0, r1: t.h, c0: 0, c1: t.w) }

        var output: [Int: Int32] = [:]
        if let plan {
            let last = plan.lastLayer
            output[last] = try tensor("x.\(shapes[last].layer.name)", bytes(shapes[last].output), memory: act)
            for t in 0..<plan.tiles {
                let tag = "p\(t / plan.patches)_\(t % plan.patches)"
                let inRegion = plan.inputRegions[t]
                let inputTensor = try tensor("x.input@\(tag)", regionBytes(inRegion, channels: w.model.inputChannels), memory: act)
                loadInput("\(tag).input", inputTensor, elements: inRegion.area * w.model.inputChannels, phase: "patch")
                var local: [Int: Int32] = [-1: inputTensor]
                for j in 0...last {
                    try emit(j, tag: tag, region: plan.regions[t][j], inputRegion: j == 0 ? inRegion : plan.regions[t][j - 1],
                             into: j == last ? output[last]! : nil, tensors: &local)
                }
            }
        } else {
            let input = CNNTensorShape(h: w.model.inputHeight, w: w.model.inputWidth, c: w.model.inputChannels)
            let inputTensor = try tensor("x.input", bytes(input), memory: act)
            loadInput("input", inputTensor, elements: input.elements, phase: "input")
            output[-1] = inputTensor
        }
        for j in firstLayerOp..<shapes.count {
            try emit(j, tag: nil, region: whole(shapes[j].output), inputRegion: whole(shapes[j].input), into: nil, tensors: &output)
        }

        // Static scratch, sized now that every operator is known: allocated for the whole run.
        let staticBytes = Double(maxSbuf + maxKbuf)
        let staticScratch: Int32? = w.scratch == .static ? try tensor("scratch", staticBytes, memory: act, kind: .other, resident: true) : nil

        // Frees: each activation tensor is freed by the last operator that reads or writes it,
        // except the network's final output.
        var lastUse = [Int](repeating: -1, count: sizes.count)
        for (k, op) in pending.enumerated() {
            for t in op.reads + op.writes.map(\.tensor) { lastUse[Int(t)] = k }
        }
        let finalOutput = output[shapes.count - 1]
        var frees = [[Int32]](repeating: [], count: pending.count)
        for t in lastUse.indices where lastUse[t] >= 0 && inActivationMemory[t] && Int32(t) != finalOutput && Int32(t) != staticScratch {
            frees[lastUse[t]].append(Int32(t))
        }

        // Emit, keeping the same books the simulator's memory tracker keeps for the activation memory.
        var allocated = [Double?](repeating: nil, count: sizes.count)
        var current = 0.0
        if let s = staticScratch {
            allocated[Int(s)] = staticBytes
            current = staticBytes
        }
        var peak = current, peakOp = pending.first?.name ?? ""
        var live: [(String, Double)] = []
        for (k, op) in pending.enumerated() {
            var writes = op.writes
            if let s = op.scratch { writes.append(Write(tensor: s, bytes: nil)) }
            // The layer's output (possibly an in-place shrink) before its scratch, which only grows:
            // the simulator applies writes in this order, so its running peak matches.
            for wr in writes where inActivationMemory[Int(wr.tensor)] {
                let t = Int(wr.tensor)
                let new = wr.bytes ?? allocated[t] ?? sizes[t]
                if allocated[t] == nil || wr.bytes != nil {
                    current += new - (allocated[t] ?? 0)
                    allocated[t] = new
                }
            }
            if current > peak { peak = current; peakOp = op.name }
            live.append((op.name, current))
            var opFrees = frees[k]
            if let s = op.scratch { opFrees.append(s) }
            try b.op(TraceOp(name: op.name, shape: op.shape, engine: w.engine, phase: op.phase, layer: op.layer,
                             reads: op.reads, writes: writes.map { TensorWrite($0.tensor, bytes: $0.bytes) }, frees: opFrees))
            for t in opFrees {
                current -= allocated[Int(t)] ?? 0
                allocated[Int(t)] = nil
            }
        }

        let totalMACs = shapes.reduce(0.0) { $0 + Double($1.macs) }
        return CNNPlanSummary(model: w.model.name, resolution: (w.model.inputHeight, w.model.inputWidth), precision: w.precision,
                              macs: totalMACs, executedMACs: executedMACs,
                              parameters: shapes.reduce(0.0) { $0 + Double($1.parameters) }, weightBytes: weightTotal,
                              peakBytes: peak, peakOp: peakOp, staticScratchBytes: staticScratch == nil ? 0 : staticBytes,
                              patches: plan?.patches, patchLayers: plan.map { $0.lastLayer + 1 },
                              patchStageEnd: plan.map { shapes[$0.lastLayer].layer.name }, ops: pending.count, live: live)
    }
}
