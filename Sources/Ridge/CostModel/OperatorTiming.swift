import Foundation

/// The timing terms of one operator that the efficiency parameters scale (`docs/efficiency.md`):
/// tile options for the matrix part, vector seconds, per-tier memory seconds at full bandwidth, and
/// the engine's launch overhead. `evaluate` applies a parameter set; the cost model and the
/// calibrator share it, so a fitted profile predicts exactly what the fit saw.
public struct OperatorTiming: Sendable {
    /// One tile configuration of the matrix part.
    public struct TileOption: Sendable {
        /// Complete waves of tiles over the compute units, and the fraction of a wave left over.
        public var fullWaves: Double
        public var partialWave: Double
        /// Seconds of one wave at the engine's matrix peak.
        public var waveSeconds: Double
        /// The tile (after shrinking for short m), for its operand intensity.
        public var rows: Double
        public var cols: Double
        /// Seconds to write one wave of output tiles at full bandwidth.
        public var epilogueSeconds: Double
        /// Split-K only: seconds at full bandwidth to write the fp32 partial sums of every split and
        /// read them back in the reduction pass, which runs after the main loop (0 without split-K).
        public var reductionSeconds: Double = 0

        public init(fullWaves: Double, partialWave: Double, waveSeconds: Double, rows: Double, cols: Double,
                    epilogueSeconds: Double, reductionSeconds: Double = 0) {
            self.fullWaves = fullWaves; self.partialWave = partialWave; self.waveSeconds = waveSeconds
            self.rows = rows; self.cols = cols; self.epilogueSeconds = epilogueSeconds; self.reductionSeconds = reductionSeconds
        }
    }

    public struct Tier: Sendable {
        public var memory: String
        /// Reads / read bandwidth + writes / write bandwidth.
        public var seconds: Double
        public var latency: Double
    }

    public var tiles: [TileOption]
    /// Rows for the optional GEMV ramp (`smallM`).
    public var rampRows: Double
    /// Non-matrix FLOPs over the vector rate.
    public var vectorSeconds: Double
    public var tiers: [Tier]
    /// Launch overhead of the engine (the kind's `overhead` is added by `evaluate`).
    public var fixed: Double

    public struct Result: Sendable {
        public var compute: Double
        public var memory: Double
        public var busy: Double
        public var overhead: Double
        public var seconds: Double
        /// The memory tier with the longest time, if any traffic.
        public var slowest: String?
    }

    /// Waves a tile option costs: complete waves, plus a partial last wave charged its fraction and
    /// `waveTail` of the idle remainder.
    @inline(__always)
    static func waves(full: Double, partial: Double, tail: Double) -> Double {
        full + (partial > 0 ? partial + tail * (1 - partial) : 0)
    }

    /// Seconds of one wave: the main loop at the tile's efficiency plus the exposed share of the write-back.
    @inline(__always)
    static func waveTime(_ waveSeconds: Double, _ epilogueSeconds: Double, tileEfficiency: Double, _ p: Efficiency.Parameters) -> Double {
        waveSeconds / (p.compute * tileEfficiency) + p.epilogue * epilogueSeconds / p.memory
    }

    /// Seconds of one tile option: its waves (with the tail) of `waveTime`, then the split-K
    /// reduction pass at the memory efficiency.
    @inline(__always)
    static func optionTime(full: Double, partial: Double, waveSeconds: Double, epilogueSeconds: Double, reductionSeconds: Double,
                           tileEfficiency: Double, _ p: Efficiency.Parameters) -> Double {
        waves(full: full, partial: partial, tail: p.waveTail) * waveTime(waveSeconds, epilogueSeconds, tileEfficiency: tileEfficiency, p)
            + reductionSeconds / p.memory
    }

    /// The GEMV ramp `(m + smallM)/m` on matrix time.
    @inline(__always)
    static func ramp(_ rows: Double, _ p: Efficiency.Parameters) -> Double {
        p.smallM > 0 && rows > 0 ? (rows + p.smallM) / rows : 1
    }

    /// The matrix seconds of the fastest tile configuration under `p`.
    public func matrixSeconds(_ p: Efficiency.Parameters) -> Double {
        guard !tiles.isEmpty else { return 0 }
        var best = Double.infinity
        for t in tiles {
            best = min(best, OperatorTiming.optionTime(full: t.fullWaves, partial: t.partialWave, waveSeconds: t.waveSeconds,
                                                       epilogueSeconds: t.epilogueSeconds, reductionSeconds: t.reductionSeconds,
                                                       tileEfficiency: p.tileEfficiency(rows: t.rows, cols: t.cols), p))
        }
        return best * OperatorTiming.ramp(rampRows, p)
    }

    public func evaluate(_ p: Efficiency.Parameters) -> Result {
        let compute = matrixSeconds(p) + vectorSeconds / p.compute
        var memory = 0.0
        var slowest: String? = nil
        for t in tiers {
            let s = t.seconds / p.memory + t.latency
            if s > memory { memory = s; slowest = t.memory }
        }
        let busy = p.combine(compute, memory)
        let overhead = fixed + p.overhead
        return Result(compute: compute, memory: memory, busy: busy, overhead: overhead, seconds: busy + overhead, slowest: slowest)
    }

    /// Seconds under `p` (the calibrator's inner loop).
    public func seconds(_ p: Efficiency.Parameters) -> Double { evaluate(p).seconds }
}

/// Many operators' timing terms in flat arrays, for the calibrator's inner loop: `seconds(p)`
/// evaluates every row with the same formulas as `OperatorTiming.evaluate` (the shared static
/// helpers), without per-row allocation, so a fit over thousands of rows stays fast.
public struct TimingBatch: Sendable {
    var optionStart: [Int] = [0]          // row r's options are optionStart[r] ..< optionStart[r + 1]
    var full: [Double] = [], partial: [Double] = [], waveSeconds: [Double] = [], epilogue: [Double] = [], reduction: [Double] = []
    var intensity: [Double] = []
    var rampRows: [Double] = [], vectorSeconds: [Double] = [], fixed: [Double] = []
    var tierStart: [Int] = [0]
    var tierSeconds: [Double] = [], tierLatency: [Double] = []

    public init(_ timings: [OperatorTiming]) {
        for t in timings {
            for o in t.tiles {
                full.append(o.fullWaves); partial.append(o.partialWave); waveSeconds.append(o.waveSeconds)
                epilogue.append(o.epilogueSeconds); reduction.append(o.reductionSeconds); intensity.append(o.rows * o.cols / (o.rows + o.cols))
            }
            optionStart.append(full.count)
            for tier in t.tiers { tierSeconds.append(tier.seconds); tierLatency.append(tier.latency) }
            tierStart.append(tierSeconds.count)
            rampRows.append(t.rampRows); vectorSeconds.append(t.vectorSeconds); fixed.append(t.fixed)
        }
    }

    public var count: Int { rampRows.count }

    /// Predicted seconds of every row under `p`, written into `out`.
    public func seconds(_ p: Efficiency.Parameters, into out: inout [Double]) {
        if out.count != count { out = Array(repeating: 0, count: count) }
        let largest = p.largestTileIntensity
        let intensityScale = p.tileIntensity > 0 ? 1 + p.tileIntensity / largest : 1
        full.withUnsafeBufferPointer { full in
        partial.withUnsafeBufferPointer { partial in
        waveSeconds.withUnsafeBufferPointer { waveSeconds in
        epilogue.withUnsafeBufferPointer { epilogue in
        reduction.withUnsafeBufferPointer { reduction in
        intensity.withUnsafeBufferPointer { intensity in
        tierSeconds.withUnsafeBufferPointer { tierSeconds in
        tierLatency.withUnsafeBufferPointer { tierLatency in
        out.withUnsafeMutableBufferPointer { out in
            for r in 0..<count {
                var matrix = 0.0
                let a = optionStart[r], b = optionStart[r + 1]
                if a < b {
                    var best = Double.infinity
                    for o in a..<b {
                        let eff = p.tileIntensity > 0 ? intensityScale / (1 + p.tileIntensity / intensity[o]) : 1
                        best = min(best, OperatorTiming.optionTime(full: full[o], partial: partial[o], waveSeconds: waveSeconds[o],
                                                                   epilogueSeconds: epilogue[o], reductionSeconds: reduction[o],
                                                                   tileEfficiency: eff, p))
                    }
                    matrix = best * OperatorTiming.ramp(rampRows[r], p)
                }
                let compute = matrix + vectorSeconds[r] / p.compute
                var memory = 0.0
                for t in tierStart[r]..<tierStart[r + 1] { memory = max(memory, tierSeconds[t] / p.memory + tierLatency[t]) }
                out[r] = p.combine(compute, memory) + fixed[r] + p.overhead
            }
        }}}}}}}}}
    }
}
