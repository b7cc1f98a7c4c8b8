import XCTest
@testable import Ridge

/// What keeps a streamed trace in bounded memory must not change results: the simulator's
/// read-ahead window (and the compaction it drives) and the JSON Lines reader's id window.
final class BoundedMemoryTests: XCTestCase {
    /// Weights streamed from host memory with prefetch and part of the KV cache offloaded: a copy
    /// stream runs ahead of compute, so operators overlap across streams.
    static let workload = ["--model", "llama-2-7b", "--batch", "2", "--prompt", "16", "--generate", "4", "--profile", "a100-sxm-80gb",
                           "--weights", "host", "--prefetch", "2", "--kv-offload", "0.5"]

    func result(_ source: () throws -> TraceSource, window: Int? = nil) throws -> String {
        let profile = try ProfileLoader.load("a100-sxm-80gb")
        var options = SimulationOptions()
        if let window { options.window = window }
        let r = try Simulator(profile: profile, options: options).runWithCosts(source)
        return withoutWallTime(JSONWriter.write(.object(SimulationReport.json(r))))
    }

    func testTheReadAheadWindowDoesNotChangeResults() throws {
        let dir = try Scratch()
        let path = dir.file("t.jsonl")
        _ = try RidgeCLI.run(["trace", "llm", "-o", path] + Self.workload)
        let trace = try TraceReader.read(path)
        XCTAssertGreaterThan(trace.ops.count, 500, "the trace must be many windows long")
        XCTAssertTrue(Set(trace.ops.map(\.stream)).count > 1, "the trace must have several streams")
        let reference = try result({ InMemoryTraceSource(trace) })
        XCTAssertTrue(reference.contains("\"ops\": \(trace.ops.count)"))
        // The smallest window (16) compacts every few operators and reuses dependency nodes constantly.
        for window in [16, 100] {
            XCTAssertEqual(try result({ try TraceReader.open(path) }, window: window), reference, "streamed, window \(window)")
            XCTAssertEqual(try result({ InMemoryTraceSource(trace) }, window: window), reference, "in memory, window \(window)")
        }
    }

    func testIdsAreRememberedForAWindowOfOperators() throws {
        var lines = ["{\"format\": \"ridge-trace/1\", \"name\": \"ids\"}"]
        for i in 0..<12 { lines.append("{\"id\": \"op\(i)\", \"op\": \"elementwise\", \"elements\": 1, \"bytesPerElement\": 1, \"flopsPerElement\": 1}") }
        func read(_ extra: String, window: Int) throws -> [TraceOp] {
            var source = try JSONLinesTraceSource(bytes: Array((lines + [extra]).joined(separator: "\n").utf8), file: "ids.jsonl", idWindow: window)
            var ops: [TraceOp] = []
            while let r = try source.next() { if case .op(let o) = r { ops.append(o) } }
            return ops
        }
        let late = "{\"id\": \"late\", \"op\": \"elementwise\", \"elements\": 1, \"bytesPerElement\": 1, \"flopsPerElement\": 1, \"after\": [\"op10\", \"#0\"]}"
        XCTAssertEqual(try read(late, window: 4).last?.after, [10, 0], "a recent id and any position resolve")
        XCTAssertEqual(try read(late.replacingOnce("op10", with: "op0"), window: 1 << 20).last?.after, [0, 0])
        assertThrows("an id beyond the window", .data("ids.jsonl", at: "line 14, after[0]", "by position \"#N\"")) {
            _ = try read(late.replacingOnce("op10", with: "op0"), window: 4)
        }
        assertThrows("a duplicate within the window", .data("ids.jsonl", at: "line 14, id", "duplicate operator id \"op9\"")) {
            _ = try read(late.replacingOnce("\"late\"", with: "\"op9\""), window: 4)
        }
    }

    func testRecentNamesKeepAtLeastTheWindow() {
        var names = RecentNames(window: 3)
        for i in 0..<20 {
            XCTAssertTrue(names.insert("n\(i)", Int32(i)))
            for back in 0..<3 where i - back >= 0 { XCTAssertEqual(names["n\(i - back)"], Int32(i - back), "n\(i - back) after inserting n\(i)") }
            XCTAssertFalse(names.insert("n\(i)", 99))
        }
        XCTAssertNil(names["n0"])
    }
}
