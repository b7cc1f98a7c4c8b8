import Foundation
import Ridge

/// The three figures of issue 8: engine throughput, trace reading speed, and the 1,000-config sweep.
struct Benchmarks {
    var warmup = 1
    var runs = 5
    var jobs = ProcessInfo.processInfo.activeProcessorCount
    var profileName = "a100-sxm-80gb"
    /// The engine figure on a profile where the 70B model spills (A100 80 GB: 129 GiB of weights)
    /// and on one where it fits (MI300X, 192 GB).
    var engineProfiles = ["a100-sxm-80gb", "mi300x"]
    /// Smaller workloads for a quick smoke run (not the published figures).
    var quick = false

    // MARK: (a) engine

    /// Simulated operators per second on a generated llama-2-70b trace (batch 8, prompt 2048,
    /// generate 2048). The trace is generated and compiled once, untimed; each timed run is one
    /// `Simulator.run` over the compiled trace, so only the engine is timed. The end-to-end figure
    /// (compile included, `Simulator.run(trace)`) is printed beside it.
    func engine() throws {
        let model = try ModelConfig.load("llama-2-70b")
        for name in engineProfiles {
            let profile = try ProfileLoader.load(name)
            var w = LLMWorkload(model: model, batch: 8, prompt: 2048, generate: quick ? 128 : 2048)
            w.engine = profile.primaryEngine.id
            w.computeMemory = profile.primaryEngine.memory
            print("(a) engine: llama-2-70b, batch \(w.batch), prompt \(w.prompt), generate \(w.generate) on \(profile.name)")
            let t0 = Clock.now()
            let trace = try LLMTraceGenerator.trace(w)
            let generate = Clock.seconds(since: t0)
            let t1 = Clock.now()
            let compiled = CompiledTrace(trace)
            let compile = Clock.seconds(since: t1)
            let ops = Double(trace.ops.count)
            print(String(format: "  trace: %d operators, %d tensors; generated in %.2f s (%.2f M ops/s), compiled in %.2f s (%.2f M ops/s)",
                         trace.ops.count, trace.tensors.count, generate, ops / generate / 1e6, compile, ops / compile / 1e6))
            let simulator = Simulator(profile: profile)
            var result: SimulationResult?
            let s = try measure(warmup: warmup, runs: runs) { result = try simulator.run(compiled) }
            if let r = result {
                let spilled = r.memories.map { String(format: "%@ peak %.1f GiB of %.0f GiB", $0.id, $0.peakBytes / 1073741824, $0.capacityBytes / 1073741824) }
                print(String(format: "  simulated makespan %.3f s, %.1f tokens/s; ", r.makespanSeconds, r.tokensPerSecond ?? 0) + spilled.joined(separator: ", "))
            }
            report("engine throughput", amount: ops, unit: "ops/s", s, scale: 1e6, scaleUnit: "M simulated ops/s")
            let e = try measure(warmup: 0, runs: max(1, runs / 2)) { _ = try simulator.run(trace) }
            report("end to end (compile + simulate)", amount: ops, unit: "ops/s", e, scale: 1e6, scaleUnit: "M ops/s")
        }
    }

    // MARK: (b) trace reading

    /// Reading speed of both trace formats, in MB/s of file (10^6 bytes) per second.
    func reading() throws {
        let profile = try ProfileLoader.load(profileName)
        var w = LLMWorkload(model: try ModelConfig.load("llama-2-7b"), batch: 1, prompt: 512, generate: quick ? 32 : 256)
        w.engine = profile.primaryEngine.id
        w.computeMemory = profile.primaryEngine.memory
        let trace = try LLMTraceGenerator.trace(w)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ridge-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        print("(b) trace reading: llama-2-7b, batch 1, prompt 512, generate \(w.generate): \(trace.ops.count) operators")
        for ext in ["json", "jsonl"] {
            let path = dir + "/trace.\(ext)"
            try TraceWriter.write(trace, to: path)
            let bytes = Double((try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0)
            var count = 0
            let s = try measure(warmup: warmup, runs: runs) {
                // Streams the records, as `ridge simulate --trace` does; JSON documents are read whole.
                var source = try TraceReader.open(path)
                count = 0
                while let _ = try source.next() { count += 1 }
            }
            precondition(count == trace.ops.count + trace.tensors.count, "read back \(count) records")
            print(String(format: "  %@: %.1f MB, %d records", ext == "json" ? "JSON" : "JSON Lines", bytes / 1e6, count))
            report("read \(ext == "json" ? "JSON" : "JSON Lines")", amount: bytes, unit: "B/s", s, scale: 1e6, scaleUnit: "MB/s")
            report("read \(ext == "json" ? "JSON" : "JSON Lines") operators", amount: Double(trace.ops.count), unit: "ops/s", s,
                   scale: 1e6, scaleUnit: "M ops/s")
        }
    }

    // MARK: (c) sweep

    static let bandwidthsGBs: [Double] = [1000, 1300, 1600, 1800, 2039, 2400, 2800, 3200, 3600, 4000]
    static let batches = [1, 2, 4, 8, 12, 16, 20, 24, 28, 32]
    static let prompts = [32, 64, 128, 256, 384, 512, 768, 1024, 1536, 2048]

    /// `ridge sweep` itself (argument parsing, plan, every configuration simulated operator by
    /// operator, CSV written row by row): llama-2-7b bf16, generate 256, on the profile with
    /// `memories.hbm.bandwidth` set to each value: 10 bandwidths × 10 batches × 10 prompts.
    func sweep() throws {
        let bandwidths = quick ? [1000, 2039] : Self.bandwidthsGBs
        let batches = quick ? [1, 8] : Self.batches, prompts = quick ? [32, 512] : Self.prompts
        let generate = quick ? 32 : 256
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ridge-bench-sweep-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let output = dir + "/sweep.csv"
        let list = { (xs: [String]) in xs.joined(separator: ",") }
        let args = ["sweep", "--profile", profileName, "--model", "llama-2-7b", "--dtype", "bf16", "--generate", "\(generate)",
                    "--vary", "memories.hbm.bandwidth=" + list(bandwidths.map { "\(JSONWriter.format(number: $0))GB/s" }),
                    "--vary", "batch=" + list(batches.map(String.init)), "--vary", "prompt=" + list(prompts.map(String.init)),
                    "-o", output, "--jobs", "\(jobs)", "--no-progress"]
        let count = bandwidths.count * batches.count * prompts.count
        print("(c) sweep: llama-2-7b bf16, generate \(generate), \(bandwidths.count) HBM bandwidths × \(batches.count) batches × \(prompts.count) prompts = \(count) configs on \(profileName), \(jobs) jobs")
        print("  ridge " + args.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " "))
        let s = try measure(warmup: warmup, runs: runs) { _ = try RidgeCLI.run(args) }
        let table = try SweepFile.read(output, format: .csv)
        guard table.rows.count == count, let opsColumn = table.columns.firstIndex(of: "ops"),
              let tps = table.columns.firstIndex(of: "tokensPerSecond"), let error = table.columns.firstIndex(of: "error") else {
            throw RidgeError.data(file: output, at: nil, "expected \(count) rows with ops, tokensPerSecond and error columns")
        }
        if let failed = table.rows.first(where: { $0.cells[error] != .null }) {
            throw RidgeError.data(file: output, at: "line \(failed.line)", "a configuration failed: \(failed.cells[error].csv)")
        }
        let ops = table.rows.reduce(0) { $0 + Int($1.cells[opsColumn].number ?? 0) }
        print(String(format: "  %d configs, %d operators simulated in total (%.1f M per run)", table.rows.count, ops, Double(ops) / 1e6))
        report("sweep", amount: Double(count), unit: "configs/s", s)
        report("sweep operators", amount: Double(ops), unit: "ops/s", s, scale: 1e6, scaleUnit: "M simulated ops/s")
        print(String(format: "  wall clock per sweep: median %.3f s (min %.3f, max %.3f); CPU per sweep: median %.3f s over %d jobs",
                     s.median, s.min, s.max, s.cpuMedian, jobs))
        func label(_ row: [SweepCell]) -> String {
            zip(table.columns[1...3], row[1...3]).map { "\($0)=\($1.csv)" }.joined(separator: " ")
        }
        if let first = table.rows.first?.cells, let last = table.rows.last?.cells {
            print(String(format: "  e.g. %@: %.1f tokens/s; %@: %.1f tokens/s", label(first), first[tps].number ?? 0, label(last), last[tps].number ?? 0))
        }
    }
}
