/// One machine: engines that compute, memories that hold tensors, links that move bytes.
/// GPUs, FPGAs, flash, computational storage and microcontrollers are all described this way
/// (see `docs/profile-format.md`).
public struct HardwareProfile: Sendable {
    public var name: String
    public var description: String
    public var kind: String
    /// Engines in file order.
    public var engines: [Engine]
    public var memories: [Memory]
    public var links: [Link]
    /// Board / node power cap in watts, if any.
    public var powerCap: Double?
    /// JSON path → citation.
    public var sources: [(path: String, citation: String)]
    public var notes: String?
    /// What the efficiency parameters were fitted on, and the region they cover (`calibration`).
    public var calibration: CalibrationRecord?
    /// The merged JSON this profile was decoded from (after `extends`), for derived profiles.
    public var json: JSONObject

    public func engine(_ id: String) -> Engine? { engines.first { $0.id == id } }
    public func memory(_ id: String) -> Memory? { memories.first { $0.id == id } }
    public func memoryIndex(_ id: String) -> Int? { memories.firstIndex { $0.id == id } }
    public func engineIndex(_ id: String) -> Int? { engines.firstIndex { $0.id == id } }

    /// The link connecting two memories (either direction), if any.
    public func link(between a: String, _ b: String) -> Link? {
        links.first { ($0.from == a && $0.to == b) || ($0.from == b && $0.to == a) }
    }

    /// The engine most operators run on: the first GPU/accelerator, else the first engine.
    public var primaryEngine: Engine {
        engines.first { ["gpu", "fpga", "npu", "mcu"].contains($0.kind) } ?? engines[0]
    }
}

/// Where operators execute: a GPU's SMs, an FPGA's DSP array, a CSD's in-storage compute, an MCU core.
public struct Engine: Sendable {
    public var id: String
    public var kind: String
    /// The memory tier it computes from.
    public var memory: String
    /// Dense matrix throughput per precision, FLOP/s (or OP/s for integers).
    public var peak: [Precision: Double]
    /// Non-matrix (vector / scalar) throughput per precision, FLOP/s.
    public var vectorPeak: [Precision: Double]
    /// The `M` of I/O complexity for GEMM-like reuse (GPU L2, FPGA BRAM+URAM, MCU SRAM), bytes.
    public var onChipBuffer: Double
    /// Per-unit fast memory (GPU shared memory per SM), bytes: FlashAttention's `M`.
    public var localBuffer: Double
    public var computeUnits: Int
    public var launchOverhead: Double
    public var efficiency: Efficiency
    public var power: EnginePower

    /// Matrix peak for `precision`, falling back to the nearest wider precision the engine has
    /// (an fp8 operator on an A100 runs at its fp16 rate).
    public func matrixPeak(_ precision: Precision) -> Double {
        if let p = peak[precision] { return p }
        let wider = Precision.allCases.filter { $0 < precision }.reversed()
        for w in wider { if let p = peak[w] { return p } }
        return peak.values.max() ?? 1
    }

    /// Vector peak for `precision`: the vector table, else fp32 vector, else the lowest matrix peak.
    public func vectorRate(_ precision: Precision) -> Double {
        if let v = vectorPeak[precision] { return v }
        if let v = vectorPeak[.fp32] { return v }
        if let v = vectorPeak.values.max() { return v }
        return peak.values.min() ?? 1
    }
}

/// Engine power: always-on idle power, a busy floor, the board's peak, and dynamic energy per FLOP.
public struct EnginePower: Sendable {
    public var idleWatts: Double
    public var peakWatts: Double?
    /// Extra watts drawn while the engine is busy regardless of work done (clocks, schedulers).
    public var activeWatts: Double
    /// Dynamic joules per FLOP by precision; derived when not given (`docs/efficiency.md`).
    public var energyPerFlop: [Precision: Double]

    public static let none = EnginePower(idleWatts: 0, peakWatts: nil, activeWatts: 0, energyPerFlop: [:])
}

/// A memory tier.
public struct Memory: Sendable {
    public var id: String
    public var kind: String
    public var capacity: Double
    public var readBandwidth: Double
    public var writeBandwidth: Double
    public var latency: Double
    public var energyPerByte: Double
    /// `(requestBytes, bytesPerSecond)`, ascending: read throughput by request size (flash).
    public var requestSizeBandwidth: [(bytes: Double, bandwidth: Double)]
    /// Where overflow goes: a memory id, "none" (this tier never spills), or nil (the linked memory
    /// with the largest capacity).
    public var spillTo: String?

    /// Read bandwidth at a given request size: log-linear interpolation, clamped at the ends.
    public func readBandwidth(requestBytes: Double) -> Double {
        guard let first = requestSizeBandwidth.first, let last = requestSizeBandwidth.last else { return readBandwidth }
        if requestBytes <= first.bytes { return first.bandwidth }
        if requestBytes >= last.bytes { return last.bandwidth }
        for i in 1..<requestSizeBandwidth.count where requestBytes <= requestSizeBandwidth[i].bytes {
            let a = requestSizeBandwidth[i - 1], b = requestSizeBandwidth[i]
            let t = (log(requestBytes) - log(a.bytes)) / (log(b.bytes) - log(a.bytes))
            return a.bandwidth + t * (b.bandwidth - a.bandwidth)
        }
        return last.bandwidth
    }
}

/// A path that moves bytes between two memories.
public struct Link: Sendable {
    public var id: String
    public var from: String
    public var to: String
    /// Bytes/s from `from` to `to`.
    public var bandwidth: Double
    /// Bytes/s from `to` to `from`.
    public var reverseBandwidth: Double
    public var latency: Double
    public var perTransferOverhead: Double
    public var energyPerByte: Double

    public func bandwidth(from source: String) -> Double { source == from ? bandwidth : reverseBandwidth }
}

import Foundation
