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

    /// llama-2-7b bf16, generate 256, on the profile with `memories.hbm.bandwidth` set to each value:
    /// 10 bandwidths × 10 batches × 10 prompts, every operator of every config simulated.
    func sweep() throws {
        let grid = try SweepGrid(profileName: profileName, bandwidthsGBs: quick ? [1000, 2039] : Self.bandwidthsGBs,
                                 batches: quick ? [1, 8] : Self.batches, prompts: quick ? [32, 512] : Self.prompts,
                                 model: "llama-2-7b", generate: quick ? 32 : 256)
        print("(c) sweep: llama-2-7b bf16, generate \(grid.generate), \(grid.bandwidths.count) HBM bandwidths × \(grid.batches.count) batches × \(grid.prompts.count) prompts = \(grid.count) configs on \(profileName), \(jobs) jobs")
        var results: [SweepGrid.Row] = []
        let s = try measure(warmup: warmup, runs: runs) { results = try grid.run(jobs: jobs) }
        let ops = results.reduce(0) { $0 + $1.ops }
        print(String(format: "  %d configs, %d operators simulated in total (%.1f M per run)", results.count, ops, Double(ops) / 1e6))
        report("sweep", amount: Double(grid.count), unit: "configs/s", s)
        report("sweep operators", amount: Double(ops), unit: "ops/s", s, scale: 1e6, scaleUnit: "M simulated ops/s")
        print(String(format: "  wall clock per sweep: median %.3f s (min %.3f, max %.3f); CPU per sweep: median %.3f s over %d jobs",
                     s.median, s.min, s.max, s.cpuMedian, jobs))
        if let first = results.first, let last = results.last {
            print(String(format: "  e.g. %@: %.1f tokens/s; %@: %.1f tokens/s", first.label, first.tokensPerSecond, last.label, last.tokensPerSecond))
        }
    }
}

/// The sweep grid, run directly through the library on all cores. Each (batch, prompt) trace is
/// generated and compiled once and simulated on every bandwidth's profile: the generator reads
/// nothing from the profile but the engine and memory names, which the bandwidth does not change,
/// and a compiled trace holds no profile data (tests check the results equal separate runs).
struct SweepGrid: Sendable {
    struct Row: Sendable {
        var label: String
        var ops: Int
        var makespan: Double
        var tokensPerSecond: Double
    }

    let bandwidths: [Double]
    let batches: [Int]
    let prompts: [Int]
    let generate: Int
    let model: ModelConfig
    let profiles: [HardwareProfile]
    var count: Int { bandwidths.count * batches.count * prompts.count }

    init(profileName: String, bandwidthsGBs: [Double], batches: [Int], prompts: [Int], model: String, generate: Int) throws {
        self.bandwidths = bandwidthsGBs
        self.batches = batches
        self.prompts = prompts
        self.generate = generate
        self.model = try ModelConfig.load(model)
        let base = try ProfileLoader.load(profileName)
        profiles = try bandwidthsGBs.map { bw in
            var json = base.json
            guard case .object(var memories)? = json["memories"], case .object(var hbm)? = memories["hbm"] else {
                throw RidgeError.data(file: profileName, at: "memories.hbm", "the sweep needs a memory called hbm")
            }
            hbm["bandwidth"] = .string("\(JSONWriter.format(number: bw)) GB/s")
            memories["hbm"] = .object(hbm)
            json["memories"] = .object(memories)
            return try ProfileLoader.decode(json, file: profileName)
        }
    }

    /// Runs every config; rows in grid order (bandwidth, batch, prompt), whatever `jobs` is.
    func run(jobs: Int) throws -> [Row] {
        let pairs = batches.flatMap { b in prompts.map { (b, $0) } }
        final class Results: @unchecked Sendable {
            var rows: [[Row]]
            var error: Error?
            let lock = NSLock()
            init(_ n: Int) { rows = Array(repeating: [], count: n) }
        }
        let results = Results(pairs.count)
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, pairs.count))) { _ in
            while true {
                let i = next.increment()
                guard i < pairs.count else { return }
                do {
                    let (batch, prompt) = pairs[i]
                    var w = LLMWorkload(model: model, batch: batch, prompt: prompt, generate: generate)
                    w.engine = profiles[0].primaryEngine.id
                    w.computeMemory = profiles[0].primaryEngine.memory
                    let trace = try TraceBuilder.compile(LLMTraceGenerator.header(w)) { try LLMTraceGenerator.generate(w, into: $0) }
                    var rows: [Row] = []
                    for (j, profile) in profiles.enumerated() {
                        let r = try Simulator(profile: profile).run(trace)
                        rows.append(Row(label: "\(JSONWriter.format(number: bandwidths[j])) GB/s b\(batch) p\(prompt)", ops: r.ops,
                                        makespan: r.makespanSeconds, tokensPerSecond: r.tokensPerSecond ?? 0))
                    }
                    results.lock.lock(); results.rows[i] = rows; results.lock.unlock()
                } catch {
                    results.lock.lock(); results.error = error; results.lock.unlock()
                    return
                }
            }
        }
        if let e = results.error { throw e }
        // Grid order: bandwidth-major.
        var out: [Row] = []
        for j in bandwidths.indices { for i in pairs.indices { out.append(results.rows[i][j]) } }
        return out
    }
}

final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func increment() -> Int {
        lock.lock(); defer { lock.unlock() }
        let v = value
        value += 1
        return v
    }
}
