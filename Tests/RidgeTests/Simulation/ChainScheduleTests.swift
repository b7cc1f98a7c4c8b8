import Foundation
import XCTest
@testable import Ridge

/// A chain schedule recorded on one profile times the same trace on another exactly as a full
/// simulation does (byte-identical JSON), and is refused where it would not.
final class ChainScheduleTests: XCTestCase {
    func json(_ r: SimulationResult) -> String { JSONWriter.write(.object(SimulationReport.json(r, includeWall: false))) }

    /// `base` with numeric fields set (paths as in `ridge sweep --vary`).
    func variant(_ base: HardwareProfile, _ fields: [(String, Double)]) throws -> HardwareProfile {
        var json = base.json
        var sources = json["sources"]!.objectValue!
        for (path, value) in fields {
            json = SweepPlan.setting(json, ProfileFields.components(path)[...], .number(value))
            sources[path] = .string("test variant")
        }
        json["sources"] = .object(sources)
        return try ProfileLoader.decode(json, file: base.name)
    }

    func llm(_ model: String, batch: Int, prompt: Int, generate: Int, on profile: HardwareProfile,
             _ configure: (inout LLMWorkload) -> Void = { _ in }) throws -> CompiledTrace {
        var w = LLMWorkload(model: try ModelConfig.load(model), batch: batch, prompt: prompt, generate: generate)
        w.engine = profile.primaryEngine.id
        w.computeMemory = profile.primaryEngine.memory
        configure(&w)
        return try LLMTraceGenerator.compiled(w)
    }

    /// Records on `base`, then checks every variant: replayed equals simulated.
    func assertReplayEqualsSimulation(_ trace: CompiledTrace, base: HardwareProfile, variants: [(HardwareProfile, SimulationOptions)],
                                      _ label: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let (recorded, recording) = try Simulator(profile: base).runRecordingSchedule(trace)
        guard let schedule = recording.schedule else { return XCTFail("\(label): no schedule recorded", file: file, line: line) }
        XCTAssertEqual(schedule.operators, trace.count)
        XCTAssertEqual(json(recorded), json(try Simulator(profile: base).run(trace)), "\(label): recording changes nothing", file: file, line: line)
        for (i, (profile, options)) in variants.enumerated() {
            let simulator = Simulator(profile: profile, options: options)
            guard let replayed = simulator.run(trace, schedule: schedule) else {
                XCTFail("\(label) variant \(i): schedule refused", file: file, line: line); continue
            }
            XCTAssertEqual(json(replayed), json(try simulator.run(trace)), "\(label) variant \(i)", file: file, line: line)
            let costed = try simulator.runWithCosts(trace, schedule: schedule)
            XCTAssertEqual(costed.map(json), json(try simulator.runWithCosts(trace)), "\(label) variant \(i) with costs", file: file, line: line)
        }
    }

    func testLLMDecodeOnBandwidthPeakPowerAndCapacityVariants() throws {
        let a100 = try ProfileLoader.load("a100-sxm-80gb")
        let trace = try llm("llama-2-7b", batch: 4, prompt: 64, generate: 8, on: a100)
        var capped = SimulationOptions()
        capped.oversubscription.powerCap = 180
        var roomy = SimulationOptions()
        roomy.capacityOverrides = ["hbm": 20 * 1_073_741_824]
        let variants: [(HardwareProfile, SimulationOptions)] = [
            (try variant(a100, [("memories.hbm.bandwidth", 1e12)]), SimulationOptions()),
            (try variant(a100, [("memories.hbm.bandwidth", 4.8e12), ("engines.gpu.peak.bf16", 1e15)]), SimulationOptions()),
            (try variant(a100, [("engines.gpu.launchOverhead", 1e-6), ("engines.gpu.efficiency.memory", 0.6)]), SimulationOptions()),
            (try variant(a100, [("engines.gpu.power.peak", 300), ("engines.gpu.power.idle", 40)]), SimulationOptions()),
            (a100, capped),
            (try variant(a100, [("memories.hbm.bandwidth", 3e12)]), capped),
            (try variant(a100, [("memories.hbm.capacity", 40 * 1_073_741_824)]), roomy),
            (try variant(a100, [("engines.gpu.onChipBuffer", 8 * 1_048_576)]), SimulationOptions()),
        ]
        try assertReplayEqualsSimulation(trace, base: a100, variants: variants, "llama-2-7b")
        XCTAssertTrue(try Simulator(profile: a100, options: capped).run(trace).throttledOps > 0, "the power cap must throttle")
    }

    func testOtherModelsAndEngines() throws {
        let mi300x = try ProfileLoader.load("mi300x")
        let moe = try llm("mixtral-8x7b", batch: 2, prompt: 32, generate: 3, on: mi300x)
        let hbm = mi300x.primaryEngine.memory, gpu = mi300x.primaryEngine.id
        try assertReplayEqualsSimulation(moe, base: mi300x, variants: [
            (try variant(mi300x, [("memories.\(hbm).bandwidth", 2e12)]), SimulationOptions()),
            (try variant(mi300x, [("engines.\(gpu).peak.bf16", 5e14), ("engines.\(gpu).computeUnits", 66)]), SimulationOptions()),
        ], "mixtral-8x7b")
        let h100 = try ProfileLoader.load("h100-sxm")
        let standard = try llm("llama-2-7b", batch: 2, prompt: 256, generate: 2, on: h100) { $0.attention = .standard }
        try assertReplayEqualsSimulation(standard, base: h100, variants: [
            (try variant(h100, [("engines.gpu.onChipBuffer", 4 * 1_048_576)]), SimulationOptions()),
        ], "standard attention")
        // An FPGA keeping activations in on-chip RAM: placements other than the engine's own memory.
        let fpga = try ProfileLoader.load("versal-vhk158")
        let onChip = try RidgeCLI.run(["trace", "llm", "--model", "llama-2-7b", "--batch", "1", "--prompt", "16", "--generate", "3",
                                       "--profile", "versal-vhk158", "--activations", "on-chip", "--weight-dtype", "int8",
                                       "-o", NSTemporaryDirectory() + "ridge-chain-\(UUID()).jsonl"])
        let path = String(onChip.stdout.split(separator: " ").last!.dropLast())
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fpgaTrace = CompiledTrace(try TraceReader.read(path))
        let bandwidthPath = "memories." + fpga.primaryEngine.memory + ".bandwidth"
        try assertReplayEqualsSimulation(fpgaTrace, base: fpga, variants: [
            (try variant(fpga, [(bandwidthPath, fpga.memory(fpga.primaryEngine.memory)!.readBandwidth / 2)]), SimulationOptions()),
        ], "FPGA on-chip activations")
    }

    func testCNNOnAMicrocontroller() throws {
        let dir = try Scratch()
        _ = try RidgeCLI.run(["trace", "cnn", "--model", "mcunet-in1", "--profile", "stm32h743", "-o", dir.file("cnn.jsonl")])
        let trace = CompiledTrace(try TraceReader.read(dir.file("cnn.jsonl")))
        let mcu = try ProfileLoader.load("stm32h743")
        let engine = mcu.primaryEngine
        let peaks = engine.peak.map { ("engines.\(engine.id).peak.\($0.key.rawValue)", $0.value * 2) }
        try assertReplayEqualsSimulation(trace, base: mcu, variants: [
            (try variant(mcu, peaks.isEmpty ? [] : [peaks[0]]), SimulationOptions()),
            (try variant(mcu, [("engines.\(engine.id).launchOverhead", 2e-6)]), SimulationOptions()),
        ], "mcunet-in1")
    }

    func testNoScheduleWhereTheOrderOrOccupancyCouldChange() throws {
        let a100 = try ProfileLoader.load("a100-sxm-80gb")
        // Weights streamed from host memory: copies overlap compute on another stream.
        let streamed = try llm("llama-2-7b", batch: 1, prompt: 16, generate: 2, on: a100) { $0.weightsMemory = "host" }
        guard case .notAChain = try Simulator(profile: a100).runRecordingSchedule(streamed).1 else { return XCTFail("transfers and a second stream") }
        // A run that spills records nothing; a profile too small for the recorded peak is refused.
        let trace = try llm("llama-2-7b", batch: 1, prompt: 16, generate: 2, on: a100)
        var tight = SimulationOptions()
        tight.capacityOverrides = ["hbm": 12 * 1_073_741_824]
        guard case .notThisRun = try Simulator(profile: a100, options: tight).runRecordingSchedule(trace).1 else { return XCTFail("spilled") }
        let schedule = try Simulator(profile: a100).runRecordingSchedule(trace).1.schedule!
        XCTAssertNil(Simulator(profile: a100, options: tight).run(trace, schedule: schedule), "capacity below the peak")
        var timeline = SimulationOptions()
        timeline.recordTimeline = true
        XCTAssertNil(Simulator(profile: a100, options: timeline).run(trace, schedule: schedule), "a timeline needs the full run")
        // Another machine with the same memories and engines reuses it (its capacities hold the peaks).
        let h100 = Simulator(profile: try ProfileLoader.load("h100-sxm"))
        XCTAssertEqual(h100.run(trace, schedule: schedule).map(json), json(try h100.run(trace)))
        let other = try llm("llama-2-7b", batch: 1, prompt: 32, generate: 2, on: a100)
        XCTAssertEqual(other.count, trace.count)
        XCTAssertNil(Simulator(profile: a100).run(other, schedule: schedule), "another trace of the same length")
        XCTAssertNil(Simulator(profile: try ProfileLoader.load("stm32h743")).run(trace, schedule: schedule), "other memories")
    }
}
