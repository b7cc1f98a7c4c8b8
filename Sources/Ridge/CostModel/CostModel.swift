import Foundation

/// The cost of one operator on one engine: FLOPs, bytes per memory tier from I/O-complexity models,
/// and the roofline time with shape-aware efficiency (`docs/efficiency.md` derives every term):
///
/// `t = combine(t_compute, max over tiers of bytes/(bandwidth·η_mem)) + launch + overhead`,
///
/// where `combine` is the roofline's `max` (Williams, Waterman & Patterson, "Roofline: an
/// insightful visual performance model for multicore architectures", CACM 2009, applied per memory
/// level) or, when the profile measured imperfect overlap, the p-norm `(t_c^p + t_m^p)^(1/p)`.
/// The matrix part of `t_compute` is the fastest of the engine's tile configurations (cuBLAS and
/// CUTLASS pick among several, Kerr et al., "CUTLASS: Fast Linear Algebra in CUDA C++", NVIDIA
/// 2017): output-tile padding, waves of tiles over the compute units (wave quantisation, NVIDIA
/// "Matrix Multiplication Background User's Guide"), split-K when there are fewer tiles than units,
/// a per-tile efficiency from the tile's operand intensity, and the share of each tile's write-back
/// that does not overlap its main loop. Small m shrinks the row tile to the next power of two ≥ 16
/// (the tensor-core MMA row granularity), and an optional GEMV ramp `m/(m+smallM)` remains for
/// engines that need it (FlashDecoding++, Hong et al. 2024).
public enum CostModel {
    public static func cost(_ op: OperatorShape, on engine: Engine, in profile: HardwareProfile,
                            placement: Placement = .local) -> OperatorCost {
        if case .transfer(let t) = op { return transfer(t, profile) }
        return finish(prepare(op, on: engine, in: profile, placement: placement), engine: engine, profile: profile)
    }

    /// Everything about an operator that does not depend on the efficiency parameters: its FLOPs,
    /// traffic and the timing terms those parameters scale. `Calibrator` prepares each measured row
    /// once and evaluates `timing` under many parameter sets; `cost` is `finish(prepare(…))`.
    public struct Prepared: Sendable {
        public var kind: String
        public var precision: Precision
        public var flops: Double
        public var traffic: [MemoryTraffic]
        public var lowerBound: Double
        public var timing: OperatorTiming
    }

    /// Prepares any operator but a transfer (transfers have no efficiency parameters).
    public static func prepare(_ op: OperatorShape, on engine: Engine, in profile: HardwareProfile,
                               placement: Placement = .local) -> Prepared {
        switch op {
        case .gemm(let g): return gemm(g, engine, profile, placement)
        case .attention(let a): return attention(a, engine, profile, placement)
        case .decodeAttention(let d): return decodeAttention(d, engine, profile, placement)
        case .elementwise(let e): return elementwise(e, engine, profile, placement)
        case .embedding(let e): return embedding(e, engine, profile, placement)
        case .conv(let c): return conv(c, engine, profile, placement)
        case .transfer(let t):
            let c = transfer(t, profile)
            return Prepared(kind: "transfer", precision: .fp32, flops: 0, traffic: c.traffic, lowerBound: c.lowerBoundBytes,
                            timing: OperatorTiming(tiles: [], rampRows: 0, vectorSeconds: 0,
                                                   tiers: [.init(memory: t.from, seconds: c.memorySeconds, latency: 0)], fixed: c.overheadSeconds))
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

    /// The per-tier memory terms of `traffic` at full bandwidth. A tier other than the engine's
    /// own memory is reached over the link between the two (zero-copy access: a GPU reading host
    /// memory over PCIe), so its bandwidth is the smaller of the memory's and the link's in that
    /// direction, and the link latency adds to the access latency; with no link, the memory's own.
    static func tiers(_ traffic: [MemoryTraffic], _ profile: HardwareProfile, engine: Engine) -> [OperatorTiming.Tier] {
        traffic.compactMap { t in
            guard let m = profile.memory(t.memory) else { return nil }
            var read = m.readBandwidth, write = m.writeBandwidth, latency = m.latency
            if t.memory != engine.memory, let link = profile.link(between: t.memory, engine.memory) {
                read = min(read, link.bandwidth(from: t.memory))
                write = min(write, link.bandwidth(from: engine.memory))
                latency += link.latency
            }
            return OperatorTiming.Tier(memory: t.memory, seconds: t.readBytes / read + t.writeBytes / write,
                                       latency: t.total > 0 ? latency : 0)
        }
    }

    /// Combines the prepared terms with the engine's efficiency into time, bound and energy.
    static func finish(_ x: Prepared, engine: Engine, profile: HardwareProfile) -> OperatorCost {
        let p = engine.efficiency.parameters(for: x.kind)
        let t = x.timing.evaluate(p)
        var energy = x.flops * EnergyModel.energyPerFlop(engine, x.precision)
        for tr in x.traffic { energy += tr.total * (profile.memory(tr.memory)?.energyPerByte ?? 0) }
        energy += engine.power.activeWatts * t.seconds
        let bound: Bound = t.overhead > t.busy ? .overhead
            : (t.compute >= t.memory ? .compute : .memory(t.slowest ?? engine.memory))
        return OperatorCost(flops: x.flops, traffic: x.traffic, lowerBoundBytes: x.lowerBound, computeSeconds: t.compute,
                            memorySeconds: t.memory, overheadSeconds: t.overhead, seconds: t.seconds, bound: bound,
                            energyJoules: energy)
    }

    /// The ways the engine can tile an output of `rows × cols` (`batch` times) with reduction depth
    /// `k`: for each tile configuration, the waves over the compute units and the seconds of one
    /// wave at peak. Fewer tiles than units are split along k (split-K) up to `k / 256` ways, as
    /// cuBLAS and CUTLASS do for flat shapes; `outputBytes` per element and the output memory's
    /// write bandwidth give the write-back (epilogue) of one wave.
    static func tileOptions(rows: Double, cols: Double, batch: Double, k: Double, peak: Double, engine: Engine,
                            _ p: Efficiency.Parameters, outputBytes: Double, writeBandwidth: Double) -> [OperatorTiming.TileOption] {
        let units = Double(engine.computeUnits)
        let shortRows = max(16, pow(2, ceil(log2(max(rows, 1)))))
        return p.tiles.map { tile in
            // Kernels with shorter tiles exist for short m: the row tile shrinks to the next power of two ≥ 16.
            let tm = min(Double(tile.m), shortRows), tn = Double(tile.n)
            let tiles = batch * ceil(rows / tm) * ceil(cols / tn)
            var split = 1.0
            if tiles < units { split = max(1, min(floor(units / tiles), ceil(k / 256))) }
            let waves = tiles * split / units
            let full = floor(waves)
            // Split-K writes each split's fp32 partial sums of the m × n output and a reduction pass
            // reads them back (cuBLAS/CUTLASS "split-K serial/parallel reduction", Kerr et al. 2017).
            let reduction = split > 1 ? batch * rows * cols * split * 4 * 2 / writeBandwidth : 0
            return OperatorTiming.TileOption(fullWaves: full, partialWave: waves - full, waveSeconds: 2 * tm * tn * (k / split) / (peak / units),
                                             rows: tm, cols: tn, epilogueSeconds: tm * tn * outputBytes * units / writeBandwidth,
                                             reductionSeconds: reduction)
        }
    }

    // MARK: - Operators

    static func gemm(_ g: GEMM, _ engine: Engine, _ profile: HardwareProfile, _ placement: Placement) -> Prepared {
        let e = g.precision.bytes
        let (m, n, k, b) = (Double(g.m), Double(g.n), Double(g.k), Double(g.batch))
        let buffer = engine.onChipBuffer / e
        let q = IOComplexity.gemm(m: m, n: n, k: k, buffer: buffer)
        var traffic = TrafficBuilder()
        let output = placement.output ?? engine.memory
        traffic.add(placement.input ?? engine.memory, read: b * q.aReads * e)
        traffic.add(placement.weights ?? engine.memory, read: b * q.bReads * e)
        traffic.add(output, write: b * q.cWrites * e)
        let p = engine.efficiency.parameters(for: "gemm")
        let options = tileOptions(rows: m, cols: n, batch: b, k: k, peak: engine.matrixPeak(g.precision), engine: engine, p,
                                  outputBytes: e, writeBandwidth: profile.memory(output)?.writeBandwidth ?? .infinity)
        let lower = b * IOComplexity.gemmLowerBound(m: m, n: n, k: k, buffer: buffer) * e
        return Prepared(kind: "gemm", precision: g.precision, flops: 2 * m * n * k * b, traffic: traffic.items, lowerBound: lower,
                        timing: OperatorTiming(tiles: options, rampRows: m, vectorSeconds: 0, tiers: tiers(traffic.items, profile, engine: engine),
                                               fixed: engine.launchOverhead))
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

    static func attention(_ a: Attention, _ engine: Engine, _ profile: HardwareProfile, _ placement: Placement) -> Prepared {
        let (matrix, vector) = attentionFlops(a)
        let (bytes, lower) = attentionTraffic(a, engine: engine)
        let p = engine.efficiency.parameters(for: "attention")
        // Occupancy: one thread block per (batch, head, query tile), FlashAttention-2's parallelisation
        // (Dao 2023); the query tile is the first tile's rows, padded.
        let units = Double(engine.computeUnits), q = Double(a.queryLength)
        let tm = min(Double(p.tileM), max(16, pow(2, ceil(log2(max(q, 1))))))
        let blocks = Double(a.batch * a.heads) * ceil(q / tm)
        let waves = blocks / units
        let perBlock = matrix / (Double(a.batch * a.heads) * q) * tm
        let option = OperatorTiming.TileOption(fullWaves: floor(waves), partialWave: waves - floor(waves),
                                               waveSeconds: perBlock / (engine.matrixPeak(a.precision) / units),
                                               rows: tm, cols: Double(p.tileN), epilogueSeconds: 0)
        var traffic = TrafficBuilder()
        // Reads dominate; writes are O (and S, P for standard attention): split by the model's write share.
        let writeShare = a.algorithm == .standard ? 0.4 : 0.25
        traffic.add(placement.input ?? engine.memory, read: bytes * (1 - writeShare), write: bytes * writeShare)
        return Prepared(kind: "attention", precision: a.precision, flops: matrix + vector, traffic: traffic.items, lowerBound: lower,
                        timing: OperatorTiming(tiles: [option], rampRows: q, vectorSeconds: vector / engine.vectorRate(a.precision),
                                               tiers: tiers(traffic.items, profile, engine: engine), fixed: engine.launchOverhead))
    }

    /// Decode attention reads the whole KV cache once per step (`2·B·H_kv·L·d` elements), plus q and
    /// the output; FLOPs `4·B·H·q·L·d`. Its lower bound is the same compulsory traffic.
    static func decodeAttention(_ a: DecodeAttention, _ engine: Engine, _ profile: HardwareProfile, _ placement: Placement) -> Prepared {
        let e = a.precision.bytes
        let kv = 2 * Double(a.batch * a.kvHeads) * Double(a.keyLength) * Double(a.headDim) * e
        let qo = 2 * Double(a.batch * a.heads * a.queryLength * a.headDim) * e
        let flops = 4 * Double(a.batch * a.heads * a.queryLength) * Double(a.keyLength) * Double(a.headDim)
        let vector = 5 * Double(a.batch * a.heads * a.queryLength) * Double(a.keyLength)
        var traffic = TrafficBuilder()
        traffic.add(placement.kv ?? a.kvMemory ?? engine.memory, read: kv)
        traffic.add(placement.input ?? engine.memory, read: qo / 2)
        traffic.add(placement.output ?? engine.memory, write: qo / 2)
        return Prepared(kind: "decode_attention", precision: a.precision, flops: flops + vector, traffic: traffic.items, lowerBound: kv + qo,
                        timing: OperatorTiming(tiles: [], rampRows: 0, vectorSeconds: (flops + vector) / engine.vectorRate(a.precision),
                                               tiers: tiers(traffic.items, profile, engine: engine), fixed: engine.launchOverhead))
    }

    static func elementwise(_ x: Elementwise, _ engine: Engine, _ profile: HardwareProfile, _ placement: Placement) -> Prepared {
        let n = Double(x.elements)
        let bytes = n * x.bytesPerElement
        let flops = n * x.flopsPerElement
        var traffic = TrafficBuilder()
        // Typical elementwise kernels read two operands per output: two thirds reads.
        traffic.add(placement.input ?? engine.memory, read: bytes * 2 / 3)
        traffic.add(placement.output ?? engine.memory, write: bytes / 3)
        return Prepared(kind: "elementwise", precision: x.precision, flops: flops, traffic: traffic.items, lowerBound: bytes,
                        timing: OperatorTiming(tiles: [], rampRows: 0, vectorSeconds: flops / engine.vectorRate(x.precision),
                                               tiers: tiers(traffic.items, profile, engine: engine), fixed: engine.launchOverhead))
    }

    static func embedding(_ x: Embedding, _ engine: Engine, _ profile: HardwareProfile, _ placement: Placement) -> Prepared {
        let row = Double(x.tokens * x.hidden) * x.precision.bytes
        var traffic = TrafficBuilder()
        traffic.add(placement.weights ?? engine.memory, read: row)
        traffic.add(placement.output ?? engine.memory, write: row)
        return Prepared(kind: "embedding", precision: x.precision, flops: 0, traffic: traffic.items, lowerBound: 2 * row,
                        timing: OperatorTiming(tiles: [], rampRows: 0, vectorSeconds: 0, tiers: tiers(traffic.items, profile, engine: engine),
                                               fixed: engine.launchOverhead))
    }

    /// Convolution as an implicit GEMM (`M = B·H_out·W_out`, `N = C_out`, `K = k²·C_in/groups`);
    /// depthwise convolutions run on the vector path. Traffic: input, weights and output once each
    /// when the working set fits the buffer, otherwise the tiled-GEMM traffic.
    static func conv(_ c: Conv, _ engine: Engine, _ profile: HardwareProfile, _ placement: Placement) -> Prepared {
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
        var traffic = TrafficBuilder()
        let output = placement.output ?? engine.memory
        traffic.add(placement.input ?? engine.memory, read: aReads)
        traffic.add(placement.weights ?? engine.memory, read: bReads)
        traffic.add(output, write: outBytes)
        let p = engine.efficiency.parameters(for: "conv")
        let options = depthwise ? [] : tileOptions(rows: m, cols: n, batch: 1, k: k, peak: engine.matrixPeak(c.precision), engine: engine, p,
                                                   outputBytes: e, writeBandwidth: profile.memory(output)?.writeBandwidth ?? .infinity)
        return Prepared(kind: "conv", precision: c.precision, flops: flops, traffic: traffic.items,
                        lowerBound: inBytes + wBytes + outBytes,
                        timing: OperatorTiming(tiles: options, rampRows: depthwise ? 0 : m,
                                               vectorSeconds: depthwise ? flops / engine.vectorRate(c.precision) : 0,
                                               tiers: tiers(traffic.items, profile, engine: engine), fixed: engine.launchOverhead))
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
