import Foundation

/// A CNN on a target: the generator's memory plan, the simulated latency and energy, and whether
/// activations fit the engine's memory (SRAM) and weights the weight memory (flash). A model that
/// does not fit is a result, not an error: the report says by how much.
public struct CNNDeployment: Sendable {
    public var workload: CNNWorkload
    public var profile: String
    public var summary: CNNPlanSummary
    /// The layer-by-layer plan of the same model, when `summary` is patch-based (for the reduction).
    public var baseline: CNNPlanSummary?
    public var simulation: SimulationResult
    public var activationCapacity: Double
    public var weightCapacity: Double

    /// Simulated peaks (the simulator's memory tracker, not the generator's books).
    public var activationPeak: Double { simulation.memories.first { $0.id == workload.activationMemory }?.peakBytes ?? 0 }
    public var weightPeak: Double { simulation.memories.first { $0.id == workload.weightMemory }?.peakBytes ?? 0 }
    /// Bytes over capacity (0 when it fits). Weights and activations share one memory when the
    /// profile has no separate weight memory.
    public var activationOver: Double {
        let shared = workload.activationMemory == workload.weightMemory
        return max(0, (shared ? max(activationPeak, weightPeak) : activationPeak) - activationCapacity)
    }
    public var weightOver: Double { max(0, weightPeak - weightCapacity) }
    public var fits: Bool { activationOver == 0 && weightOver == 0 }
    /// Layer-by-layer peak / patch-based peak.
    public var reduction: Double? { baseline.map { $0.peakBytes / max(summary.peakBytes, 1) } }

    /// Generates the trace, simulates it on `profile` and collects the report.
    public static func evaluate(_ workload: CNNWorkload, on profile: HardwareProfile) throws -> (deployment: CNNDeployment, trace: Trace) {
        let w = try CNNTraceGenerator.resolvePatchLayers(workload)
        for m in [w.activationMemory, w.weightMemory] where profile.memory(m) == nil {
            throw RidgeError.usage("profile \(profile.name) has no memory \"\(m)\" (memories: \(profile.memories.map(\.id).joined(separator: ", ")))")
        }
        guard profile.engine(w.engine) != nil else {
            throw RidgeError.usage("profile \(profile.name) has no engine \"\(w.engine)\" (engines: \(profile.engines.map(\.id).joined(separator: ", ")))")
        }
        let (trace, summary) = try CNNTraceGenerator.trace(w)
        var baseline: CNNPlanSummary?
        if w.patches != nil {
            var b = w
            b.patches = nil; b.patchLayers = nil
            baseline = try CNNTraceGenerator.plan(b)
        }
        // Simulate with unlimited capacity: the report compares the working set with the real
        // capacities itself (an MCU does not spill activations to its flash at run time).
        var options = SimulationOptions()
        options.capacityOverrides = Dictionary(uniqueKeysWithValues: profile.memories.map { ($0.id, Double.infinity) })
        let result = try Simulator(profile: profile, options: options).run(trace)
        let d = CNNDeployment(workload: w, profile: profile.name, summary: summary, baseline: baseline, simulation: result,
                              activationCapacity: profile.memory(w.activationMemory)!.capacity,
                              weightCapacity: profile.memory(w.weightMemory)!.capacity)
        return (d, trace)
    }

    static func kib(_ bytes: Double) -> String { String(format: "%.1f KiB", bytes / 1024) }

    /// The verdict line: fits, or by how much it does not.
    public var verdict: String {
        var problems: [String] = []
        if activationOver > 0 {
            problems.append("\(workload.activationMemory) by \(Self.kib(activationOver)) (peak \(Self.kib(max(activationPeak, workload.activationMemory == workload.weightMemory ? weightPeak : 0))) > \(Self.kib(activationCapacity)))")
        }
        if weightOver > 0 {
            problems.append("\(workload.weightMemory) by \(Self.kib(weightOver)) (weights \(Self.kib(weightPeak)) > \(Self.kib(weightCapacity)))")
        }
        return problems.isEmpty ? "fits \(profile)" : "does not fit \(profile): " + problems.joined(separator: "; ")
    }

    public func table() -> String {
        let s = summary
        var out = "Ridge CNN deployment: \(s.model) @\(s.resolution.height)×\(s.resolution.width) \(s.precision.rawValue) on \(profile)\n"
        if let p = s.patches, let n = s.patchLayers, let end = s.patchStageEnd {
            out += "patch-based: \(p)×\(p) patches over the first \(n == 1 ? "layer" : "\(n) layers") (through \(end)), then layer by layer\n"
        } else {
            out += "layer by layer\n"
        }
        out += "depthwise \(workload.inPlaceDepthwise ? "in place" : "not in place"), scratch \(workload.scratch.rawValue)\n\n"
        var t = TextTable(["metric", "value"])
        var macs = Format.si(s.macs, "MAC")
        if s.executedMACs != s.macs {
            macs += " (executed \(Format.si(s.executedMACs, "MAC")): +\(Format.percent(s.recomputeOverhead * 100)) recompute)"
        }
        t.add(["MACs", macs])
        t.add(["parameters", Format.si(s.parameters, "")])
        t.add(["latency", Format.seconds(simulation.makespanSeconds)])
        t.add(["throughput", "\(Format.significant(s.executedMACs / max(simulation.makespanSeconds, 1e-30) / 1e6, 4)) MMAC/s"])
        t.add(["energy", Format.si(simulation.energyJoules, "J")])
        t.add(["average power", Format.si(simulation.averageWatts, "W")])
        let shared = workload.activationMemory == workload.weightMemory
        t.add(["\(workload.activationMemory) peak\(shared ? " (with weights)" : "")", "\(Self.kib(activationPeak)) of \(Self.kib(activationCapacity)) (\(Format.percent(activationPeak / activationCapacity * 100))) at \(s.peakOp)"])
        if s.staticScratchBytes > 0 {
            t.add(["  activations", Self.kib(s.peakActivationBytes)])
            t.add(["  scratch (static)", Self.kib(s.staticScratchBytes)])
        }
        if let b = baseline, let r = reduction {
            t.add(["layer-by-layer peak", "\(Self.kib(b.peakBytes)) at \(b.peakOp): patches cut it \(Format.significant(r, 3))×"])
        }
        t.add(["\(workload.weightMemory) (weights)", "\(Self.kib(weightPeak)) of \(Self.kib(weightCapacity)) (\(Format.percent(weightPeak / weightCapacity * 100)))"])
        t.add(["operators", "\(s.ops)"])
        t.rightAligned = []
        out += t.render()
        out += "\n\(verdict)\n"
        return out
    }

    public func json() -> JSONObject {
        let s = summary
        var o = JSONObject([
            ("model", .string(s.model)), ("profile", .string(profile)), ("resolution", .number(Double(s.resolution.height))),
            ("dtype", .string(s.precision.rawValue)), ("macs", .number(s.macs)), ("executedMACs", .number(s.executedMACs)),
            ("recomputeOverhead", .number(s.recomputeOverhead)), ("parameters", .number(s.parameters)),
            ("latencySeconds", .number(simulation.makespanSeconds)), ("energyJoules", .number(simulation.energyJoules)),
            ("averageWatts", .number(simulation.averageWatts)),
        ])
        o["patches"] = s.patches.map { .number(Double($0)) } ?? .null
        o["patchLayers"] = s.patchLayers.map { .number(Double($0)) } ?? .null
        o["patchStageEnd"] = s.patchStageEnd.map(JSONValue.string) ?? .null
        o["activations"] = .object(JSONObject([
            ("memory", .string(workload.activationMemory)), ("peakBytes", .number(activationPeak)),
            ("generatorPeakBytes", .number(s.peakBytes)), ("peakAt", .string(s.peakOp)),
            ("staticScratchBytes", .number(s.staticScratchBytes)), ("capacityBytes", .number(activationCapacity)),
            ("overBytes", .number(activationOver)),
        ]))
        if let b = baseline {
            o["layerByLayerPeakBytes"] = .number(b.peakBytes)
            o["reduction"] = .number(reduction ?? 1)
        }
        o["weights"] = .object(JSONObject([
            ("memory", .string(workload.weightMemory)), ("bytes", .number(weightPeak)),
            ("capacityBytes", .number(weightCapacity)), ("overBytes", .number(weightOver)),
        ]))
        o["fits"] = .bool(fits)
        o["verdict"] = .string(verdict)
        return o
    }
}
