import XCTest
@testable import Ridge

final class SimulatorTests: XCTestCase {
    func simulate(_ profile: HardwareProfile, model: String = "llama-2-7b", batch: Int = 1, prompt: Int, generate: Int,
                  options: SimulationOptions = SimulationOptions()) throws -> SimulationResult {
        var w = LLMWorkload(model: try ModelConfig.load(model), batch: batch, prompt: prompt, generate: generate)
        w.engine = profile.primaryEngine.id
        w.computeMemory = profile.primaryEngine.memory
        return try Simulator(profile: profile, options: options).run(LLMTraceGenerator.trace(w))
    }

    func testDefaultRunPrintsSummary() throws {
        let out = try RidgeCLI.run(["simulate", "--generate", "4"]).stdout
        for needle in ["time to first token", "time per output token", "tokens/s", "makespan", "energy per token", "peak power", "hbm"] {
            XCTAssertTrue(out.contains(needle), needle)
        }
    }

    func testJSONIsDeterministic() throws {
        func run() throws -> String {
            let out = try RidgeCLI.run(["simulate", "--model", "gpt2-medium", "--prompt", "64", "--generate", "8", "--batch", "2", "--format", "json"]).stdout
            guard case .object(var o) = try JSONParser.parse(out) else { return "" }
            XCTAssertNotNil(o["wallSeconds"])
            o["wallSeconds"] = nil      // the machine's speed, not the model's: the one field allowed to vary
            return JSONWriter.write(.object(o))
        }
        let a = try run(), b = try run()
        XCTAssertEqual(a, b)
        let o = try JSONParser.parse(a).objectValue!
        for key in ["profile", "ops", "makespanSeconds", "energyJoules", "timeToFirstTokenSeconds", "timePerOutputTokenSeconds",
                    "tokensPerSecond", "phases", "byKind", "memories", "power"] {
            XCTAssertNotNil(o[key], key)
        }
        XCTAssertNotNil(o["phases"]?.objectValue?["decode"]?.objectValue?["energyJoules"])
        XCTAssertNotNil(o["memories"]?.objectValue?["hbm"]?.objectValue?["peakBytes"])
    }

    /// Decode at batch 1 streams the weights and KV cache once per token: memory-bound, and its
    /// time per token is close to (weights + KV bytes) / effective HBM bandwidth, where the effective
    /// bandwidth is what the weight-streaming GEMVs attain (bytes over time, kernel floors included):
    /// everything else a decode step does (attention, norms, rotary, residuals) adds under 15%.
    func testDecodeIsMemoryBoundNearBandwidthLimit() throws {
        let p = try ProfileLoader.load("h100-sxm")
        let prompt = 512, generate = 8
        let r = try simulate(p, prompt: prompt, generate: generate)
        let model = try ModelConfig.load("llama-2-7b")
        let weights = model.parameters * 2
        let kvPerToken = 2.0 * Double(model.layers * model.kvHeads * model.headDim) * 2
        let kv = kvPerToken * Double(prompt + generate / 2)
        let gemvs = r.operatorClasses.filter { if case .gemm(let g) = $0.shape { return g.m == 1 }; return false }
        XCTAssertFalse(gemvs.isEmpty)
        XCTAssertTrue(gemvs.allSatisfy { $0.cost.bound == .memory("hbm") })
        let effective = gemvs.reduce(0) { $0 + $1.cost.totalBytes * Double($1.count) } / gemvs.reduce(0) { $0 + $1.totalSeconds }
        XCTAssertGreaterThan(effective, 0.6 * p.memory("hbm")!.readBandwidth, "GEMVs stream near the HBM roof")
        let ideal = (weights + kv) / effective
        let tpot = try XCTUnwrap(r.timePerOutputToken)
        XCTAssertEqual(tpot, ideal, accuracy: ideal * 0.15, "TPOT \(tpot) vs (weights+KV)/effective BW \(ideal)")
    }

    func testPrefillIsComputeBound() throws {
        let p = try ProfileLoader.load("h100-sxm")
        let r = try simulate(p, prompt: 2048, generate: 0)
        let gemmTime = r.operatorClasses.filter { $0.shape.kind == "gemm" }
        let compute = gemmTime.filter { $0.cost.bound == .compute }.reduce(0) { $0 + $1.totalSeconds }
        XCTAssertGreaterThan(compute / gemmTime.reduce(0) { $0 + $1.totalSeconds }, 0.9)
        XCTAssertEqual(r.dominantBound, "compute")
    }

    func testDoublingBandwidthSpeedsDecodeNotPrefill() throws {
        let base = try ProfileLoader.load("h100-sxm")
        var json = base.json
        var memories = json["memories"]!.objectValue!
        var hbm = memories["hbm"]!.objectValue!
        hbm["bandwidth"] = .number(2 * base.memory("hbm")!.readBandwidth)
        memories["hbm"] = .object(hbm)
        json["memories"] = .object(memories)
        let fast = try ProfileLoader.decode(json, file: nil)
        let decode0 = try simulate(base, prompt: 128, generate: 8), decode1 = try simulate(fast, prompt: 128, generate: 8)
        XCTAssertGreaterThan(decode0.timePerOutputToken! / decode1.timePerOutputToken!, 1.6)
        let prefill0 = try simulate(base, prompt: 2048, generate: 0), prefill1 = try simulate(fast, prompt: 2048, generate: 0)
        XCTAssertLessThan(prefill0.timeToFirstToken! / prefill1.timeToFirstToken!, 1.2)
    }

    /// A transfer on the copy stream overlaps compute: makespan < sum of both.
    func testCopyStreamOverlapsCompute() throws {
        let p = try testProfile()
        var trace = Trace(header: TraceHeader(name: "overlap"))
        trace.ops.append(TraceOp(name: "copy", shape: .transfer(Transfer(bytes: 1e9, from: "host", to: "hbm")), engine: "", stream: "copy"))
        trace.ops.append(TraceOp(name: "gemm", shape: .gemm(GEMM(m: 8192, n: 8192, k: 8192)), engine: "gpu"))
        let r = try Simulator(profile: p).run(trace)
        let copy = 1e9 / 25e9 + 2e-6
        let gemm = CostModel.cost(.gemm(GEMM(m: 8192, n: 8192, k: 8192)), on: p.engines[0], in: p).seconds
        XCTAssertEqual(r.makespanSeconds, max(copy, gemm), accuracy: 1e-9)
        XCTAssertLessThan(r.makespanSeconds, copy + gemm)
    }

    /// Two concurrent transfers on one link share it: each takes twice as long as alone.
    func testConcurrentTransfersShareLink() throws {
        let p = try testProfile()
        var trace = Trace(header: TraceHeader(name: "share"))
        trace.ops.append(TraceOp(name: "a", shape: .transfer(Transfer(bytes: 1e9, from: "host", to: "hbm")), engine: "", stream: "copy0"))
        trace.ops.append(TraceOp(name: "b", shape: .transfer(Transfer(bytes: 1e9, from: "host", to: "hbm")), engine: "", stream: "copy1"))
        let r = try Simulator(profile: p).run(trace)
        XCTAssertEqual(r.makespanSeconds, 2e9 / 25e9 + 2e-6, accuracy: 1e-9)
        XCTAssertEqual(r.links.first?.bytes, 2e9)
    }

    func testDependenciesOrderStreams() throws {
        let p = try testProfile()
        var trace = Trace(header: TraceHeader(name: "deps"))
        trace.ops.append(TraceOp(name: "copy", shape: .transfer(Transfer(bytes: 1e9, from: "host", to: "hbm")), engine: "", stream: "copy"))
        trace.ops.append(TraceOp(name: "gemm", shape: .gemm(GEMM(m: 4096, n: 4096, k: 4096)), engine: "gpu", after: [0]))
        let r = try Simulator(profile: p).run(trace)
        let gemm = CostModel.cost(.gemm(GEMM(m: 4096, n: 4096, k: 4096)), on: p.engines[0], in: p).seconds
        XCTAssertEqual(r.makespanSeconds, 1e9 / 25e9 + 2e-6 + gemm, accuracy: 1e-9)
    }

    func testMemoryPeakAndOverflowWarning() throws {
        let p = try ProfileLoader.load("h100-sxm")
        let r = try simulate(p, model: "llama-2-7b", prompt: 128, generate: 2)
        let hbm = try XCTUnwrap(r.memories.first { $0.id == "hbm" })
        XCTAssertGreaterThan(hbm.peakBytes, try ModelConfig.load("llama-2-7b").parameters * 2)
        let out = try RidgeCLI.run(["simulate", "--model", "llama-2-7b", "--prompt", "64", "--generate", "2", "--kv-capacity", "10GiB"]).stdout
        XCTAssertTrue(out.contains("does not fit"), out)
        XCTAssertTrue(out.contains("spill cost"), out)
    }

    func testChromeTraceLoadsAndNestsPerTrack() throws {
        let dir = TempDir()
        let path = dir.path + "/timeline.json"
        _ = try RidgeCLI.run(["simulate", "--model", "gpt2-medium", "--prompt", "32", "--generate", "4", "--weights", "host", "--timeline", path])
        let doc = try FileIO.readJSON(path).objectValue!
        let events = try XCTUnwrap(doc["traceEvents"]?.arrayValue)
        var names: [Int: String] = [:]
        var spans: [Int: [(Double, Double)]] = [:]
        for e in events {
            let o = e.objectValue!
            let tid = Int(o["tid"]!.numberValue!)
            if o["ph"] == .string("M"), o["name"] == .string("thread_name") { names[tid] = o["args"]?.objectValue?["name"]?.stringValue }
            if o["ph"] == .string("X") {
                spans[tid, default: []].append((o["ts"]!.numberValue!, o["ts"]!.numberValue! + o["dur"]!.numberValue!))
            }
        }
        XCTAssertTrue(names.values.contains("gpu/compute"))
        XCTAssertTrue(names.values.contains("xfer/copy"))
        for (tid, list) in spans {
            XCTAssertNotNil(names[tid])
            // One operator at a time per track: spans on a track never overlap.
            let sorted = list.sorted { $0.0 < $1.0 }
            for (a, b) in zip(sorted, sorted.dropFirst()) { XCTAssertLessThanOrEqual(a.1, b.0 + 1e-3) }
        }
    }

    /// The fast path (generate straight into the compiled form, no names; simulate it on several
    /// profiles) gives exactly the results of the named trace.
    func testCompiledFastPathIsExact() throws {
        var w = LLMWorkload(model: try ModelConfig.load("mixtral-8x7b"), batch: 3, prompt: 40, generate: 5)
        w.computeMemory = "hbm"; w.weightsMemory = "host"
        let compiled = try LLMTraceGenerator.compiled(w)
        let named = try LLMTraceGenerator.trace(w)
        for name in ["h100-sxm", "a100-sxm-80gb", "t4"] {
            let p = try ProfileLoader.load(name)
            var a = SimulationReport.json(try Simulator(profile: p).run(compiled)); a["wallSeconds"] = nil
            var b = SimulationReport.json(try Simulator(profile: p).run(named)); b["wallSeconds"] = nil
            XCTAssertEqual(JSONWriter.write(.object(a)), JSONWriter.write(.object(b)), name)
        }
    }
}
