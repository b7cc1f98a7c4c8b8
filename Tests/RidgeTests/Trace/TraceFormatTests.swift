import XCTest
@testable import Ridge

final class TraceFormatTests: XCTestCase {
    func smallTrace() throws -> Trace {
        var w = LLMWorkload(model: try ModelConfig.load("gpt2-medium"), batch: 2, prompt: 16, generate: 3)
        w.weightsMemory = "host"
        w.computeMemory = "hbm"
        return try LLMTraceGenerator.trace(w)
    }

    func testRoundTripsJSONAndJSONLines() throws {
        let dir = TempDir()
        let trace = try smallTrace()
        for name in ["t.json", "t.jsonl"] {
            let path = dir.path + "/" + name
            try TraceWriter.write(trace, to: path)
            let back = try TraceReader.read(path)
            XCTAssertEqual(back.ops.count, trace.ops.count)
            XCTAssertEqual(back.tensors.count, trace.tensors.count)
            XCTAssertEqual(JSONWriter.write(.object(TraceWriter.document(back))), JSONWriter.write(.object(TraceWriter.document(trace))), name)
            let p = try testProfile()
            let a = try Simulator(profile: p).run(trace), b = try Simulator(profile: p).run(back)
            XCTAssertEqual(a.makespanSeconds, b.makespanSeconds)
        }
        XCTAssertEqual(dir.contents, ["t.json", "t.jsonl"], "no temporary files left")
    }

    func expectTraceError(_ text: String, name: String = "bad.json", location: String, reason: String,
                          file: StaticString = #filePath, line: UInt = #line) {
        let dir = TempDir()
        let p = dir.file(name, text)
        do {
            var source = try TraceReader.open(p)
            _ = try Simulator(profile: try testProfile()).run(&source)
            XCTFail("expected an error", file: file, line: line)
        } catch let e as RidgeError {
            XCTAssertEqual(e.kind.exitCode, 65, e.description, file: file, line: line)
            XCTAssertEqual(e.file, p, file: file, line: line)
            XCTAssertEqual(e.location, location, e.description, file: file, line: line)
            XCTAssertTrue(e.message.contains(reason), e.description, file: file, line: line)
        } catch { XCTFail("\(error)", file: file, line: line) }
    }

    func testErrorsNameOperatorAndField() {
        expectTraceError(#"{"ops": [{"op": "gemm", "m": 1, "n": 1, "k": 1}, {"op": "convolve"}]}"#, location: "ops[1].op", reason: "unknown operator kind")
        expectTraceError(#"{"ops": [{"op": "gemm", "m": -4, "n": 1, "k": 1}]}"#, location: "ops[0].m", reason: "from 0 to")
        expectTraceError(#"{"ops": [{"op": "gemm", "m": 4, "n": 1, "k": 1, "after": ["nope"]}]}"#, location: "ops[0].after[0]", reason: "unknown operator id")
        expectTraceError(#"{"ops": [{"id": "a", "op": "gemm", "m": 4, "n": 1, "k": 1, "after": ["b"]}, {"id": "b", "op": "gemm", "m": 4, "n": 1, "k": 1, "after": ["a"]}]}"#,
                         location: "ops[0]", reason: "dependency cycle")
        expectTraceError(#"{"ops": [{"op": "gemm", "m": 4, "n": 1, "k": 1, "reads": ["w"]}]}"#, location: "ops[0].reads[0]", reason: "unknown tensor")
        expectTraceError(#"{"tensors": [{"name": "w", "bytes": -1}], "ops": []}"#, location: "tensors[0].bytes", reason: "negative")
        expectTraceError(#"{"ops": [{"id": "a", "op": "gemm", "m": 4, "n": 1, "k": 1}, {"id": "a", "op": "gemm", "m": 4, "n": 1, "k": 1}]}"#,
                         location: "ops[1].id", reason: "duplicate operator id")
        expectTraceError(#"{"ops": [{"op": "gemm", "m": 4, "n": 1, "k": 1, "engine": "tpu"}]}"#, location: "operator 0 (\"#0\").engine", reason: "unknown engine")
        expectTraceError(#"{"tensors": [{"name": "w", "bytes": 4, "memory": "sram"}], "ops": []}"#, location: "tensor \"w\".memory", reason: "unknown memory")
        expectTraceError(#"{"ops": [{"op": "transfer", "bytes": 4, "from": "host", "to": "disk"}]}"#, location: "operator 0 (\"#0\").to", reason: "unknown memory")
    }

    func testJSONLinesErrorsNameLine() {
        expectTraceError("{\"format\": \"ridge-trace/1\"}\n{\"op\": \"gemm\", \"m\": 1, \"n\": 1, \"k\": 1}\n{\"op\": \"gemm\", \"m\": 1, \"n\": 1, \"k\": 1, \"dtype\": \"fp7\"}\n",
                         name: "bad.jsonl", location: "line 3, dtype", reason: "unknown precision")
        expectTraceError("{\"format\": \"ridge-trace/1\"}\n{\"op\": \"gemm\", \"m\": 1, \n", name: "bad.jsonl", location: "line 2, column 24", reason: "truncated")
        expectTraceError("{\"format\": \"ridge-trace/1\"}\n{\"id\": \"x\", \"op\": \"gemm\", \"m\": 1, \"n\": 1, \"k\": 1, \"after\": [\"y\"]}\n{\"id\": \"y\", \"op\": \"gemm\", \"m\": 1, \"n\": 1, \"k\": 1}\n",
                         name: "bad.jsonl", location: "line 2, after[0]", reason: "earlier lines")
    }

    func testForwardDependenciesAreReordered() throws {
        let dir = TempDir()
        let p = dir.file("t.json", #"{"ops": [{"id": "b", "op": "gemm", "m": 64, "n": 64, "k": 64, "stream": "s1", "after": ["a"]}, {"id": "a", "op": "gemm", "m": 64, "n": 64, "k": 64, "stream": "s2"}]}"#)
        let t = try TraceReader.read(p)
        XCTAssertEqual(t.ops.map(\.name), ["a", "b"])
        XCTAssertEqual(t.ops[1].after, [0])
    }
}
