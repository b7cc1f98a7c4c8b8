import XCTest
@testable import Ridge

/// The faster paths must give exactly what the plain ones give: streamed and in-memory trace
/// writing, JSON and JSON Lines reading, generated and read-back traces.
final class EquivalenceTests: XCTestCase {
    /// A workload with explicit dependencies (weights streamed from host memory over PCIe).
    func workload() throws -> LLMWorkload {
        var w = LLMWorkload(model: try ModelConfig.load("llama-2-7b"), batch: 2, prompt: 16, generate: 3)
        w.engine = "gpu"
        w.computeMemory = "hbm"
        w.weightsMemory = "host"
        w.prefetchDepth = 2
        return w
    }

    func testStreamedWritingEqualsInMemoryWriting() throws {
        let dir = try Scratch()
        let streamed = dir.file("streamed.jsonl"), whole = dir.file("whole.jsonl")
        _ = try RidgeCLI.run(["trace", "llm", "--model", "llama-2-7b", "--batch", "2", "--prompt", "16", "--generate", "3",
                              "--profile", "a100-sxm-80gb", "--weights", "host", "--prefetch", "2", "-o", streamed])
        let trace = try LLMTraceGenerator.trace(try workload())
        XCTAssertTrue(trace.ops.contains { !$0.after.isEmpty }, "the workload must exercise dependencies")
        try TraceWriter.write(trace, to: whole)
        XCTAssertEqual(try FileIO.readBytes(streamed), try FileIO.readBytes(whole))
        XCTAssertEqual(dir.contents, ["streamed.jsonl", "whole.jsonl"])
    }

    func testRoundTripsThroughBothFormats() throws {
        let dir = try Scratch()
        let trace = try LLMTraceGenerator.trace(try workload())
        let original = TraceWriter.document(trace)
        for name in ["t.json", "t.jsonl"] {
            try TraceWriter.write(trace, to: dir.file(name))
            let back = try TraceReader.read(dir.file(name))
            XCTAssertEqual(TraceWriter.document(back), original, name)
            XCTAssertEqual(back.ops.map(\.after), trace.ops.map(\.after), name)
            XCTAssertEqual(back.ops.map(\.name), trace.ops.map(\.name), name)
        }
    }

    func testPositionalReferencesBeyondTheNameWindow() throws {
        // An operator that depends on one more than `recentNames` operators back is written as `#N`.
        let dir = try Scratch()
        var trace = Trace(header: TraceHeader(name: "far"))
        trace.tensors = [TensorInfo(name: "x", bytes: 8, memory: "")]
        let n = 8
        for i in 0..<n {
            trace.ops.append(TraceOp(name: "op\(i)", shape: .elementwise(Elementwise(elements: 1, bytesPerElement: 1, flopsPerElement: 1)),
                                     engine: "", stream: "s\(i % 2)", after: i == n - 1 ? [0, Int32(n - 2)] : []))
        }
        let path = dir.file("far.jsonl")
        let writer = try TraceWriter.LinesWriter(path: path, header: trace.header, recentNames: 5)
        for t in trace.tensors { try writer.write(.tensor(t)) }
        for op in trace.ops { try writer.write(.op(op)) }
        try writer.commit()
        let text = String(decoding: try FileIO.readBytes(path), as: UTF8.self)
        XCTAssertTrue(text.contains("\"after\":[\"#0\",\"op\(n - 2)\"]"))
        XCTAssertEqual(try TraceReader.read(path).ops.last?.after, [0, Int32(n - 2)])
    }

    func testSimulatingEveryFormGivesTheSameResult() throws {
        let dir = try Scratch()
        let args = ["--model", "llama-2-7b", "--batch", "2", "--prompt", "16", "--generate", "3", "--profile", "a100-sxm-80gb",
                    "--weights", "host", "--prefetch", "2"]
        _ = try RidgeCLI.run(["trace", "llm", "-o", dir.file("t.jsonl")] + args)
        _ = try RidgeCLI.run(["trace", "llm", "-o", dir.file("t.json")] + args)
        let generated = try RidgeCLI.run(["simulate", "--format", "json"] + args).stdout
        let lines = try RidgeCLI.run(["simulate", "--format", "json", "--profile", "a100-sxm-80gb", "--trace", dir.file("t.jsonl")]).stdout
        let document = try RidgeCLI.run(["simulate", "--format", "json", "--profile", "a100-sxm-80gb", "--trace", dir.file("t.json")]).stdout
        XCTAssertEqual(withoutWallTime(lines), withoutWallTime(generated))
        XCTAssertEqual(withoutWallTime(document), withoutWallTime(generated))
    }
}
