import XCTest
@testable import Ridge

/// The simulator's optional recordings: timeline spans (with swaps) and memory samples.
final class RecordingTests: XCTestCase {
    func trace() throws -> Trace {
        try LLMTraceGenerator.trace(LLMWorkload(model: try ModelConfig.load("llama-2-7b"), batch: 1, prompt: 128, generate: 4))
    }

    func run(timeline: Bool, memory: Bool, capacity: Double? = nil) throws -> SimulationResult {
        var o = SimulationOptions()
        o.recordTimeline = timeline
        o.recordMemory = memory
        if let capacity { o.capacityOverrides["hbm"] = capacity }
        let t = try trace()
        return try Simulator(profile: try ProfileLoader.load("h100-sxm"), options: o).runWithCosts { InMemoryTraceSource(t) }
    }

    func testRecordingsAreOffByDefaultAndChangeNoResult() throws {
        let plain = try run(timeline: false, memory: false, capacity: 12.4 * 1_073_741_824)
        XCTAssertTrue(plain.timeline.isEmpty)
        XCTAssertTrue(plain.memorySamples.isEmpty)
        let recorded = try run(timeline: true, memory: true, capacity: 12.4 * 1_073_741_824)
        XCTAssertEqual(JSONWriter.write(.object(SimulationReport.json(plain, includeWall: false))),
                       JSONWriter.write(.object(SimulationReport.json(recorded, includeWall: false))))
    }

    func testSwapsAppearOnTheTimelineOfTheirLink() throws {
        let r = try run(timeline: true, memory: false, capacity: 12.4 * 1_073_741_824)
        XCTAssertGreaterThan(r.swaps, 0)
        let swaps = r.timeline.filter { $0.track == "swap/pcie" }
        XCTAssertEqual(swaps.count, r.swaps, "one span per swap")
        XCTAssertEqual(Set(swaps.map(\.kind)), ["swap hbm→host", "swap host→hbm"])
        XCTAssertEqual(r.timeline.count - swaps.count, r.ops, "and one per operator")
        for s in swaps {
            XCTAssertGreaterThan(s.end, s.start)
            XCTAssertTrue(s.name.hasPrefix("swap ") && s.name.contains(" for "), s.name)
        }
        let fits = try run(timeline: true, memory: false)
        XCTAssertFalse(fits.timeline.contains { $0.track.hasPrefix("swap/") })
    }

    func testMemorySamplesReachEachTiersPeak() throws {
        let r = try run(timeline: false, memory: true, capacity: 12.4 * 1_073_741_824)
        for m in r.memories where m.peakBytes > 0 {
            let samples = r.memorySamples.filter { $0.memory == m.id }
            XCTAssertFalse(samples.isEmpty, m.id)
            XCTAssertEqual(samples.map(\.bytes).max()!, m.peakBytes, accuracy: 1, m.id)
            XCTAssertTrue(zip(samples, samples.dropFirst()).allSatisfy { $0.time <= $1.time }, "\(m.id) in time order")
        }
    }
}
