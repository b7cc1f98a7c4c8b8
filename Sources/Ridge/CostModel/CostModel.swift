import Foundation

/// The cost of one operator on one engine: FLOPs, bytes per memory tier from I/O-complexity models,
/// and the roofline time with shape-aware efficiency:
///
/// `t = max(t_compute, max over tiers of bytes/(bandwidth·η_mem)) + launch + overhead`,
/// `t_compute = FLOPs / (peak · η_compute · utilisation(shape))`.
///
/// The roofline is Williams, Waterman & Patterson, "Roofline: an insightful visual performance
/// model for multicore architectures" (CACM 2009), applied per memory level. Utilisation counts
/// tile padding and wave quantisation (output tiles over compute units, with split-K when there
/// are fewer tiles than units) and a GEMV ramp `m/(m+smallM)` for small m (FlashDecoding++,
/// Hong et al. 2024: flat GEMMs waste most of a padded tile). `docs/efficiency.md` derives it.
public enum CostModel {
    public static func cost(_ op: OperatorShape, on engine: Engine, in profile: HardwareProfile,
                            placement: Placement = .local) -> OperatorCost {
        switch op {
        case .gemm(let g): return gemm(g, engine, profile, placement)
        case .attention(let a): return attention(a, engine, profile, placement)
        case .decodeAttention(let d): return decodeAttention(d, engine, profile, placement)
        case .elementwise(let e): return elementwise(e, engine, profile, placement)
        case .embedding(let e): return embedding(e, engine, profile, placement)
        case .conv(let c): return conv(c, engine, profile, placement)
        case .transfer(let t): return transfer(t, profile)
        }
    }

    // MARK: - Shared roofline

    /// Accumulates traffic per memory tier, keeping first-touch order.
    struct TrafficBuilder {
        var items: [MemoryTraffic] = []
        mutating func add(_ memory: String, read: Double = 0, write: Double = 0) {
            if let i = items.firstIndex(where: { $0.memory == memory }) {
                items[i].readBytes += read
                items[i].writeBytes += write
            } else {
                items.append(MemoryTraffic(memory: memory, readBytes: read, writeBytes: write))
            }
        }
    }

    /// Combines compute time and traffic into the roofline time, bound and energy.
    static func finish(kind: String, flops: Double, computeSeconds: Double, traffic: [MemoryTraffic], lowerBound: Double,
                       engine: Engine, profile: HardwareProfile, precision: Precision) -> OperatorCost {
        let p = engine.efficiency.parameters(for: kind)
        var memorySeconds = 0.0
        var slowest = engine.memory
        var energy = flops * EnergyModel.energyPerFlop(engine, precision)
        for t in traffic {
            guard let m = profile.memory(t.memory) else { continue }
            let s = (t.readBytes / m.readBandwidth + t.writeBytes / m.writeBandwidth) / p.memory + (t.total > 0 ? m.latency : 0)
            if s > memorySeconds { memorySeconds = s; slowest = t.memory }
            energy += t.total * m.energyPerByte
        }
        let overhead = engine.launchOverhead + p.overhead
        let busy = max(computeSeconds, memorySeconds)
        let seconds = busy + overhead
        let bound: Bound = overhead > busy ? .overhead : (computeSeconds >= memorySeconds ? .compute : .memory(slowest))
        energy += engine.power.activeWatts * seconds
        return OperatorCost(flops: flops, traffic: traffic, lowerBoundBytes: lowerBound, computeSeconds: computeSeconds,
                            memorySeconds: memorySeconds, overheadSeconds: overhead, seconds: seconds, bound: bound,
                            energyJoules: energy)
    }

    /// Fraction of the engine's matrix throughput an output of `rows × cols` (`batch` times) keeps
    /// after tile padding and wave quantisation. Fewer tiles than compute units are split along k
    /// (split-K) up to `k / 256` ways, as cuBLAS and CUTLASS do for flat shapes.
    static func utilisation(rows: Double, cols: Double, batch: Double, k: Double, engine: Engine,
                            _ p: Efficiency.Parameters) -> Double {
        let units = Double(engine.computeUnits)
        // Kernels with shorter tiles exist for short m: the tile shrinks to the next power of two ≥ 16.
        let tm = min(Double(p.tileM), max(16, pow(2, ceil(log2(max(rows, 1))))))
        let tn = Double(p.tileN)
        let tiles = batch * ceil(rows / tm) * ceil(cols / tn)
        var work = tiles
        if tiles < units {
            let split = max(1, min(floor(units / tiles), ceil(k / 256)))
            work = tiles * split
        }
        let waves = ceil(work / units)
        let useful = batch * rows * cols * (work / tiles)
        let ramp = p.smallM > 0 ? rows / (rows + p.smallM) : 1
        return min(1, useful / (waves * units * tm * tn)) * ramp
    }

    // MARK: - Operators

    static func gemm(_ g: GEMM, _ engine: Engine, _ profile: HardwareProfile, _ placement: Placement) -> OperatorCost {
        let e = g.precision.bytes
        let (m, n, k, b) = (Double(g.m), Double(g.n), Double(g.k), Double(g.batch))
        let buffer = engine.onChipBuffer / e
        let q = IOComplexity.gemm(m: m, n: n, k: k, buffer: buffer)
        var traffic = TrafficBuilder()
        traffic.add(placement.input ?? engine.memory, read: b * q.aReads * e)
        traffic.add(placement.weights ?? engine.memory, read: b * q.bReads * e)
        traffic.add(placement.output ?? engine.memory, write: b * q.cWrites * e)
        let flops = 2 * m * n * k * b
        let p = engine.efficiency.parameters(for: "gemm")
        let u = utilisation(rows: m, cols: n, batch: b, k: k, engine: engine, p)
        let compute = flops / (engine.matrixPeak(g.precision) * p.compute * u)
        let lower = b * IOComplexity.gemmLowerBound(m: m, n: n, k: k, buffer: buffer) * e
        return finish(kind: "gemm", flops: flops, computeSeconds: compute, traffic: traffic.items, lowerBound: lower,
                      engine: engine, profile: profile, precision: g.precision)
    }

    /// Attention FLOPs: forward `4·N_q·N_k·d` of matmul per (batch, head) (QKᵀ and PV), backward
    /// `8·N_q·N_k·d` (standard) or `10·N_q·N_k·d` (FlashAttention recomputes S), Dao et al. 2022;
    /// plus softmax work on the vector units (5 FLOPs per score forward, 8 backward). FlashAttention
    /// skips masked blocks; standard attention computes them and masks.
    public static func attentionFlops(_ a: Attention) -> (matrix: Double, vector: Double) {
        let nq = Double(a.queryLength), nk = Double(a.keyLength), d = Double(a.headDim)
        let bh = Double(a.batch * a.heads)
        let pairs = nq * nk * (a.causal && a.algorithm == .flash ? IOComplexity.causalPairFraction(queryLength: nq, keyLength: nk) : 1)
        let backwardMatmul = a.algorithm == .flash ? 10.0 : 8.0
        switch a.pass {
        case .forward: return (bh * 4 * pairs * d, bh * 5 * pairs)
        case .backward: return (bh * backwardMatmul * pairs * d, bh * 8 * pairs)
        case .training: return (bh * (4 + backwardMatmul) * pairs * d, bh * 13 * pairs)
        }
    }

    /// Attention HBM traffic per `IOComplexity` (standard or FlashAttention, forward and/or backward)
    /// and its Saha–Ye lower bound, in bytes for the whole batch.
    public static func attentionTraffic(_ a: Attention, engine: Engine) -> (bytes: Double, lowerBound: Double) {
        let e = a.precision.bytes
        let nq = Double(a.queryLength), nk = Double(a.keyLength), d = Double(a.headDim)
        let bh = Double(a.batch * a.heads)
        let large = engine.onChipBuffer / e
        let local = engine.localBuffer / e
        var perHead = 0.0
        var lower = IOComplexity.attentionLowerBound(nq: nq, nk: nk, d: d, buffer: large, causal: a.causal)
        if a.pass == .training { lower *= 2 }
        let forward = a.pass != .backward, backward = a.pass != .forward
        switch a.algorithm {
        case .standard:
            if forward { perHead += IOComplexity.standardForward(nq: nq, nk: nk, d: d, buffer: large) }
            if backward { perHead += IOComplexity.standardBackward(nq: nq, nk: nk, d: d, buffer: large) }
        case .flash:
            if forward { perHead += IOComplexity.flashForward(nq: nq, nk: nk, d: d, buffer: local, causal: a.causal) }
            if backward { perHead += IOComplexity.flashBackward(nq: nq, nk: nk, d: d, buffer: local, causal: a.causal) }
        }
        return (bh * perHead * e, bh * lower * e)
    }

    static func attention(_ a: Attention, _ engine: Engine, _ profile: HardwareProfile, _ placement: Placement) -> OperatorCost {
        let (matrix, vector) = attentionFlops(a)
        let (bytes, lower) = attentionTraffic(a, engine: engine)
        let p = engine.efficiency.parameters(for: "attention")
        // Occupancy: one thread block per (batch, head, query tile) (FlashAttention-2's parallelisation).
        let u = utilisation(rows: Double(a.queryLength), cols: Double(p.tileN), batch: Double(a.batch * a.heads),
                            k: 0, engine: engine, p)
        let compute = matrix / (engine.matrixPeak(a.precision) * p.compute * u)
            + vector / (engine.vectorRate(a.precision) * p.compute)
        var traffic = TrafficBuilder()
        // Reads dominate; writes are O (and S, P for standard attention): split by the model's write share.
        let writeShare = a.algorithm == .standard ? 0.4 : 0.25
        traffic.add(placement.input ?? engine.memory, read: bytes * (1 - writeShare), write: bytes * writeShare)
        return finish(kind: "attention", flops: matrix + vector, computeSeconds: compute, traffic: traffic.items,
                      lowerBound: lower, engine: engine, profile: profile, precision: a.precision)
    }

    /// Decode attention reads the whole KV cache once per step (`2·B·H_kv·L·d` elements), plus q and
    /// the output; FLOPs `4·B·H·q·L·d`. Its lower bound is the same compulsory traffic.
    static func decodeAttention(_ a: DecodeAttention, _ engine: Engine, _ profile: HardwareProfile, _ placement: Placement) -> OperatorCost {
        let e = a.precision.bytes
        let kv = 2 * Double(a.batch * a.kvHeads) * Double(a.keyLength) * Double(a.headDim) * e
        let qo = 2 * Double(a.batch * a.heads * a.queryLength * a.headDim) * e
        let flops = 4 * Double(a.batch * a.heads * a.queryLength) * Double(a.keyLength) * Double(a.headDim)
        let vector = 5 * Double(a.batch * a.heads * a.queryLength) * Double(a.keyLength)
        let p = engine.efficiency.parameters(for: "decode_attention")
        let compute = flops / (engine.vectorRate(a.precision) * p.compute) + vector / (engine.vectorRate(a.precision) * p.compute)
        var traffic = TrafficBuilder()
        traffic.add(placement.kv ?? a.kvMemory ?? engine.memory, read: kv)
        traffic.add(placement.input ?? engine.memory, read: qo / 2)
        traffic.add(placement.output ?? engine.memory, write: qo / 2)
        return finish(kind: "decode_attention", flops: flops + vector, computeSeconds: compute, traffic: traffic.items,
                      lowerBound: kv + qo, engine: engine, profile: profile, precision: a.precision)
    }

    static func elementwise(_ x: Elementwise, _ engine: Engine, _ profile: HardwareProfile, _ placement: Placement) -> OperatorCost {
        let n = Double(x.elements)
        let bytes = n * x.bytesPerElement
        let flops = n * x.flopsPerElement
        let p = engine.efficiency.parameters(for: "elementwise")
        let compute = flops / (engine.vectorRate(x.precision) * p.compute)
        var traffic = TrafficBuilder()
        // Typical elementwise kernels read two operands per output: two thirds reads.
        traffic.add(placement.input ?? engine.memory, read: bytes * 2 / 3)
        traffic.add(placement.output ?? engine.memory, write: bytes / 3)
        return finish(kind: "elementwise", flops: flops, computeSeconds: compute, traffic: traffic.items, lowerBound: bytes,
                      engine: engine, profile: profile, precision: x.precision)
    }

    static func embedding(_ x: Embedding, _ engine: Engine, _ profile: HardwareProfile, _ placement: Placement) -> OperatorCost {
        let row = Double(x.tokens * x.hidden) * x.precision.bytes
        var traffic = TrafficBuilder()
        traffic.add(placement.weights ?? engine.memory, read: row)
        traffic.add(placement.output ?? engine.memory, write: row)
        return finish(kind: "embedding", flops: 0, computeSeconds: 0, traffic: traffic.items, lowerBound: 2 * row,
                      engine: engine, profile: profile, precision: x.precision)
    }

    /// Convolution as an implicit GEMM (`M = B·H_out·W_out`, `N = C_out`, `K = k²·C_in/groups`);
    /// depthwise convolutions run on the vector path. Traffic: input, weights and output once each
    /// when the working set fits the buffer, otherwise the tiled-GEMM traffic.
    static func conv(_ c: Conv, _ engine: Engine, _ profile: HardwareProfile, _ placement: Placement) -> OperatorCost {
        let e = c.precision.bytes
        let flops = 2 * c.macs
        let inBytes = Double(c.batch * c.height * c.width * c.inChannels) * e
        let outBytes = Double(c.batch * c.outHeight * c.outWidth * c.outChannels) * e
        let wBytes = Double(c.kernel * c.kernel * (c.inChannels / max(c.groups, 1)) * c.outChannels) * e
        let m = Double(c.batch * c.outHeight * c.outWidth), n = Double(c.outChannels)
        let k = Double(c.kernel * c.kernel * (c.inChannels / max(c.groups, 1)))
        let depthwise = c.groups > 1
        var aReads = inBytes, bReads = wBytes
        if !depthwise {
            let q = IOComplexity.gemm(m: m, n: n, k: k, buffer: engine.onChipBuffer / e)
            // im2col duplicates input k² times; the tiled model counts the re-reads of that matrix.
            aReads = max(inBytes, q.aReads * e / Double(c.kernel * c.kernel))
            bReads = max(wBytes, q.bReads * e)
        }
        let p = engine.efficiency.parameters(for: "conv")
        let rate = depthwise ? engine.vectorRate(c.precision) : engine.matrixPeak(c.precision)
        let u = depthwise ? 1 : utilisation(rows: m, cols: n, batch: 1, k: k, engine: engine, p)
        let compute = flops / (rate * p.compute * u)
        var traffic = TrafficBuilder()
        traffic.add(placement.input ?? engine.memory, read: aReads)
        traffic.add(placement.weights ?? engine.memory, read: bReads)
        traffic.add(placement.output ?? engine.memory, write: outBytes)
        return finish(kind: "conv", flops: flops, computeSeconds: compute, traffic: traffic.items,
                      lowerBound: inBytes + wBytes + outBytes, engine: engine, profile: profile, precision: c.precision)
    }

    /// A copy over the link between two memories: `latency + perTransferOverhead·⌈bytes/chunk⌉ +
    /// bytes / min(link, source read at the chunk size, destination write)`.
    public static func transfer(_ t: Transfer, _ profile: HardwareProfile) -> OperatorCost {
        let link = profile.link(between: t.from, t.to)
        let source = profile.memory(t.from), destination = profile.memory(t.to)
        let chunk = t.chunkBytes ?? t.bytes
        var bandwidth = link?.bandwidth(from: t.from) ?? source?.readBandwidth ?? 1
        if let source { bandwidth = min(bandwidth, source.readBandwidth(requestBytes: chunk)) }
        if let destination { bandwidth = min(bandwidth, destination.writeBandwidth) }
        let chunks = max(1, ceil(t.bytes / max(chunk, 1)))
        let overhead = (link?.latency ?? 0) + (link?.perTransferOverhead ?? 0) * chunks
        let seconds = t.bytes / bandwidth + overhead
        let energy = t.bytes * ((link?.energyPerByte ?? 0) + (source?.energyPerByte ?? 0) + (destination?.energyPerByte ?? 0))
        let traffic = [MemoryTraffic(memory: t.from, readBytes: t.bytes, writeBytes: 0),
                       MemoryTraffic(memory: t.to, readBytes: 0, writeBytes: t.bytes)]
        return OperatorCost(flops: 0, traffic: traffic, lowerBoundBytes: 2 * t.bytes, computeSeconds: 0, memorySeconds: seconds - overhead,
                            overheadSeconds: overhead, seconds: seconds, bound: link.map { .link($0.id) } ?? .memory(t.from),
                            energyJoules: energy)
    }
}
