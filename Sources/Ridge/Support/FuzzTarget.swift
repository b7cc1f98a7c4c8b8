import Foundation

/// The fuzz targets of `scripts/fuzz.sh` (libFuzzer; `docs/hardening.md`). They live in the library
/// so that `FuzzRegressionTests` replays every input the fuzzer ever found through the same code.
///
/// Each target feeds bytes to one reader and checks more than "no crash": whatever is thrown is a
/// `RidgeError` with a message, and a reader's data error names the file and a location (JSON path
/// or line), as the exit-65 contract promises.
enum FuzzTarget: String, CaseIterable, Sendable {
    /// `JSONParser`; a document that parses writes back (pretty and compact) and re-parses equal.
    case json
    /// JSON → `ProfileLoader.decode`; a valid profile then costs every operator kind on every
    /// engine and simulates a small trace.
    case profile
    /// JSON → `TraceReader.decodeDocument`, simulated on `fixedProfile` with every report built.
    case traceJSON = "trace-json"
    /// `JSONLinesTraceSource` streamed into the simulator (`runWithCosts`).
    case traceLines = "trace-jsonl"
    /// A measured file via `MeasuredData.load`; every row is then costed on `fixedProfile`.
    case measured
    /// A model definition, as `ridge simulate --model FILE` (one decode step) and `ridge trace cnn --model FILE` read it.
    case model

    /// Runs the target on `bytes`, using `scratch` (a directory) for targets that read files.
    /// Returns nil when the input was handled: accepted, or rejected with a proper `RidgeError`.
    /// Returns what was wrong otherwise; a crash is a crash.
    func check(_ bytes: [UInt8], scratch: String) -> String? {
        do {
            try run(bytes, scratch: scratch)
            return nil
        } catch let v as Violation {
            return v.description
        } catch let e as RidgeError {
            // Simulation errors (a trace that does not fit) may have no location; reading errors must.
            return Self.problem(with: e, readingError: e.file != nil)
        } catch {
            return "a non-RidgeError escaped (the CLI would exit 70, not 64/65/66): \(error)"
        }
    }

    struct Violation: Error, CustomStringConvertible { var description: String }

    static func problem(with e: RidgeError, readingError: Bool) -> String? {
        if e.message.isEmpty { return "RidgeError with an empty message: \(e)" }
        guard readingError, e.kind == .data else { return nil }
        if e.file == nil { return "data error without a file: \(e.description)" }
        if (e.location ?? "").isEmpty { return "data error without a location: \(e.description)" }
        return nil
    }

    private func run(_ bytes: [UInt8], scratch: String) throws {
        switch self {
        case .json:
            let v = try JSONParser.parse(bytes)
            for pretty in [true, false] {
                let text = JSONWriter.write(v, pretty: pretty)
                let back: JSONValue
                do { back = try JSONParser.parse(text) } catch { throw Violation(description: "JSONWriter output does not parse (\(error)): \(text.prefix(300))") }
                guard back == v else { throw Violation(description: "the JSON round trip changed the value: \(text.prefix(300))") }
            }
        case .profile:
            guard case .object(let o) = try JSONParser.parse(bytes) else { return }
            let profile = try ProfileLoader.decode(o, file: "fuzz.json")
            let probe = Self.probeTrace(for: profile)
            for engine in profile.engines {
                for op in probe.ops {
                    let c = CostModel.cost(op.shape, on: engine, in: profile)
                    if c.seconds.isNaN || c.energyJoules.isNaN { throw Violation(description: "NaN cost for \(op.shape.kind) on \(engine.id)") }
                }
            }
            try Self.simulate(profile) { InMemoryTraceSource(probe) }
        case .traceJSON:
            let trace = try TraceReader.decodeDocument(try JSONParser.parse(bytes), file: "fuzz.json")
            try Self.simulate(Self.fixedProfile) { InMemoryTraceSource(trace, file: "fuzz.json") }
        case .traceLines:
            try Self.simulate(Self.fixedProfile) { try JSONLinesTraceSource(bytes: bytes, file: "fuzz.jsonl") }
        case .measured:
            let path = scratch + "/measured.csv"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            for row in try MeasuredData.load(path) {
                let c = CostModel.cost(row.shape, on: Self.fixedProfile.primaryEngine, in: Self.fixedProfile)
                if c.seconds.isNaN { throw Violation(description: "NaN cost for measured row \(row.name)") }
            }
        case .model:
            let path = scratch + "/config.json"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            for argv in [["simulate", "--model", path, "--batch", "1", "--prompt", "4", "--generate", "1", "--format", "json"],
                         ["trace", "cnn", "--model", path, "--format", "json"]] {
                do { _ = try RidgeCLI.run(argv) } catch let e as RidgeError {
                    if let p = Self.problem(with: e, readingError: e.file == path) { throw Violation(description: p) }
                }
            }
        }
    }

    /// Simulates as `ridge simulate --timeline` does, with every report built.
    static func simulate(_ profile: HardwareProfile, _ source: () throws -> TraceSource) throws {
        var options = SimulationOptions()
        options.recordTimeline = true
        let r = try Simulator(profile: profile, options: options).runWithCosts(source)
        for (name, v) in [("makespan", r.makespanSeconds), ("energy", r.energyJoules), ("peak power", r.peakWatts)] where v.isNaN || v < 0 {
            throw Violation(description: "simulation result \(name) is \(v)")
        }
        _ = JSONWriter.write(.object(SimulationReport.json(r)))
        _ = SimulationReport.table(r)
        _ = SimulationReport.chromeTrace(r)
    }

    /// A small machine: a GPU and a CPU, 64 MiB of HBM (so traces spill), host memory and NVMe.
    static let fixedProfile: HardwareProfile = {
        let json = """
        {"name": "fuzz", "engines": {"gpu": {"kind": "gpu", "memory": "hbm", "peak": {"bf16": "100 TFLOP/s", "fp32": "20 TFLOP/s", "int8": "200 TFLOP/s"},
           "onChipBuffer": "40 MiB", "computeUnits": 100, "launchOverhead": "4 us", "power": {"idle": "50 W", "peak": "400 W"}},
           "cpu": {"kind": "cpu", "memory": "host", "peak": {"fp32": "2 TFLOP/s"}, "onChipBuffer": "32 MiB"}},
         "memories": {"hbm": {"capacity": "64 MiB", "bandwidth": "2 TB/s"}, "host": {"capacity": "1 GiB", "bandwidth": "400 GB/s"},
                      "nvme": {"kind": "flash", "capacity": "1 TiB", "bandwidth": "7 GB/s", "requestSizeBandwidth": [["4 KiB", "1 GB/s"], ["1 MiB", "7 GB/s"]]}},
         "links": {"pcie": {"between": ["hbm", "host"], "bandwidth": "25 GB/s", "latency": "2 us"},
                   "nvme": {"between": ["host", "nvme"], "bandwidth": "7 GB/s", "latency": "20 us", "perTransferOverhead": "5 us"}},
         "powerCap": "300 W",
         "sources": {"engines": "fuzz fixture", "memories": "fuzz fixture", "links": "fuzz fixture", "powerCap": "fuzz fixture"}}
        """
        do { return try ProfileLoader.decode(try JSONParser.parse(json).objectValue!, file: "fuzz-profile.json") } catch {
            fatalError("the fuzz fixture profile is invalid: \(error)")
        }
    }()

    /// One operator of every kind on the profile's primary engine and memory, and a transfer over
    /// its first link.
    static func probeTrace(for profile: HardwareProfile) -> Trace {
        var t = Trace(header: TraceHeader(name: "probe"))
        t.tensors = [TensorInfo(name: "w", bytes: 1_048_576, memory: "", kind: .weight, resident: true),
                     TensorInfo(name: "x", bytes: 65536, memory: ""), TensorInfo(name: "kv", bytes: 65536, memory: "", kind: .kv)]
        let p = profile.primaryEngine.peak.keys.sorted { $0.rawValue < $1.rawValue }.first ?? .bf16
        let shapes: [OperatorShape] = [
            .gemm(GEMM(m: 64, n: 128, k: 256, precision: p)),
            .attention(Attention(batch: 1, heads: 4, kvHeads: 2, queryLength: 64, keyLength: 64, headDim: 32, causal: true,
                                 algorithm: .flash, pass: .training, precision: p)),
            .decodeAttention(DecodeAttention(batch: 2, heads: 4, kvHeads: 4, queryLength: 1, keyLength: 100, headDim: 32, precision: p)),
            .elementwise(Elementwise(elements: 4096, bytesPerElement: 4, flopsPerElement: 2, precision: p)),
            .embedding(Embedding(tokens: 8, hidden: 64, precision: p)),
            .conv(Conv(batch: 1, height: 16, width: 16, inChannels: 8, outChannels: 8, kernel: 3, stride: 1, groups: 1, precision: p)),
        ]
        for (i, s) in shapes.enumerated() {
            t.ops.append(TraceOp(name: "op\(i)", shape: s, engine: "", reads: [0, 1, 2], writes: [TensorWrite(1, bytes: 65536 + Double(i))]))
        }
        if let l = profile.links.first {
            t.ops.append(TraceOp(name: "copy", shape: .transfer(Transfer(bytes: 1_048_576, from: l.from, to: l.to, chunkBytes: 65536)),
                                 engine: "", stream: "copy", reads: [1], frees: [2], after: [0]))
        }
        return t
    }
}
