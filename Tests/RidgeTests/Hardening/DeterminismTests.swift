import Foundation
import XCTest
@testable import Ridge

/// The same inputs give byte-identical outputs: across runs, across worker counts, and whether a
/// trace is generated, compiled straight from the generator, or read back from a file.
final class DeterminismTests: XCTestCase {
    func testCommandOutputsAreByteIdenticalAcrossRuns() throws {
        let dir = try Scratch()
        let workload = ["--model", "llama-2-7b", "--batch", "2", "--prompt", "32", "--generate", "4", "--profile", "a100-sxm-80gb",
                        "--weights", "host"]
        var outputs: [[String]] = []
        for run in 0..<2 {
            let t = dir.file("t\(run).jsonl"), d = dir.file("t\(run).json"), timeline = dir.file("timeline\(run).json")
            _ = try RidgeCLI.run(["trace", "llm", "-o", t] + workload)
            _ = try RidgeCLI.run(["trace", "llm", "-o", d] + workload)
            let table = try RidgeCLI.run(["simulate", "--timeline", timeline] + workload).stdout
            let json = try RidgeCLI.run(["simulate", "--format", "json", "--profile", "a100-sxm-80gb", "--trace", t]).stdout
            outputs.append([String(decoding: try FileIO.readBytes(t), as: UTF8.self), String(decoding: try FileIO.readBytes(d), as: UTF8.self),
                            String(decoding: try FileIO.readBytes(timeline), as: UTF8.self), table, withoutWallTime(json)])
        }
        for (i, name) in ["JSON Lines trace", "JSON trace", "timeline", "table", "JSON result"].enumerated() {
            XCTAssertEqual(outputs[0][i], outputs[1][i], name)
            XCTAssertFalse(outputs[0][i].isEmpty, name)
        }
    }

    /// A small grid simulated with 1, 2 and 4 workers in any interleaving gives the same results,
    /// in grid order, as one worker: runs share nothing mutable.
    func testResultsDoNotDependOnTheNumberOfWorkers() throws {
        let base = try ProfileLoader.load("a100-sxm-80gb")
        let model = try ModelConfig.load("llama-2-7b")
        var configs: [(HardwareProfile, LLMWorkload)] = []
        for bw in ["1000 GB/s", "3200 GB/s"] {
            var json = base.json
            var memories = json["memories"]!.objectValue!, hbm = memories["hbm"]!.objectValue!
            hbm["bandwidth"] = .string(bw)
            memories["hbm"] = .object(hbm)
            json["memories"] = .object(memories)
            let profile = try ProfileLoader.decode(json, file: "a100-sxm-80gb")
            for (batch, prompt) in [(1, 32), (4, 64), (8, 16)] {
                var w = LLMWorkload(model: model, batch: batch, prompt: prompt, generate: 4)
                w.engine = "gpu"; w.computeMemory = "hbm"
                configs.append((profile, w))
            }
        }
        func runAll(jobs: Int) throws -> [String] {
            final class Slots: @unchecked Sendable {
                var out: [String]; var error: Error?; let lock = NSLock()
                init(_ n: Int) { out = Array(repeating: "", count: n) }
            }
            let slots = Slots(configs.count)
            let items = configs
            DispatchQueue.concurrentPerform(iterations: jobs) { worker in
                for i in stride(from: worker, to: items.count, by: jobs) {
                    do {
                        let (profile, w) = items[i]
                        let r = try Simulator(profile: profile).run(LLMTraceGenerator.trace(w))
                        let text = JSONWriter.write(.object(SimulationReport.json(r, includeWall: false)))
                        slots.lock.lock(); slots.out[i] = text; slots.lock.unlock()
                    } catch { slots.lock.lock(); slots.error = error; slots.lock.unlock() }
                }
            }
            if let e = slots.error { throw e }
            return slots.out
        }
        let one = try runAll(jobs: 1)
        XCTAssertEqual(try runAll(jobs: 2), one)
        XCTAssertEqual(try runAll(jobs: 4), one)
        XCTAssertEqual(Set(one).count, one.count, "every config differs")
    }

    /// Generating straight into a compiled trace (the sweep's path) and compiling once for many
    /// profiles give what generating and simulating each config separately gives.
    func testCompiledOnceEqualsSimulatedSeparately() throws {
        var w = LLMWorkload(model: try ModelConfig.load("llama-2-7b"), batch: 2, prompt: 32, generate: 4)
        w.engine = "gpu"; w.computeMemory = "hbm"
        let compiled = try TraceBuilder.compile(LLMTraceGenerator.header(w)) { try LLMTraceGenerator.generate(w, into: $0) }
        for name in ["a100-sxm-80gb", "h100-sxm", "l4"] {
            let profile = try ProfileLoader.load(name)
            let separate = try Simulator(profile: profile).run(LLMTraceGenerator.trace(w))
            let shared = try Simulator(profile: profile).run(compiled)
            XCTAssertEqual(JSONWriter.write(.object(SimulationReport.json(shared, includeWall: false))),
                           JSONWriter.write(.object(SimulationReport.json(separate, includeWall: false))), name)
        }
    }
}
