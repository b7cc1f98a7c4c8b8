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

    /// Concurrent swaps overlap on their link's track; in the Chrome trace they go to further
    /// threads of it, so every thread's slices are disjoint (Perfetto needs slices to nest).
    func testChromeTraceSlicesOfEveryThreadAreDisjoint() throws {
        let r = try run(timeline: true, memory: false, capacity: 12.4 * 1_073_741_824)
        let json = try JSONParser.parse(Array(SimulationReport.chromeTrace(r).utf8))
        let events = try XCTUnwrap(json.objectValue?["traceEvents"]?.arrayValue)
        var names: [Int: String] = [:]
        var slices: [Int: [(Double, Double)]] = [:]
        for e in events {
            let o = try XCTUnwrap(e.objectValue)
            let tid = Int(try XCTUnwrap(o["tid"]?.numberValue))
            if o["ph"] == .string("M"), o["name"] == .string("thread_name") {
                if case .string(let n)? = o["args"]?.objectValue?["name"] { names[tid] = n }
            } else if o["ph"] == .string("X") {
                let ts = try XCTUnwrap(o["ts"]?.numberValue), dur = try XCTUnwrap(o["dur"]?.numberValue)
                slices[tid, default: []].append((ts, ts + dur))
            }
        }
        XCTAssertEqual(slices.values.reduce(0) { $0 + $1.count }, r.timeline.count)
        XCTAssertEqual(names[1], "swap/pcie")
        XCTAssertEqual(names[2], "gpu/compute")
        XCTAssertTrue(names.values.contains("swap/pcie (2)"), "concurrent swaps need a second lane: \(names.values.sorted())")
        for (tid, s) in slices {
            let sorted = s.sorted { $0.0 < $1.0 }
            for (a, b) in zip(sorted, sorted.dropFirst()) {
                XCTAssertLessThanOrEqual(a.1, b.0 + 1e-6, "thread \(names[tid] ?? "?") overlaps")
            }
        }
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
