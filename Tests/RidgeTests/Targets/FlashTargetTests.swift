import XCTest
@testable import Ridge

/// "LLM in a flash" (Alizadeh et al., Apple, ACL 2024, arXiv:2312.11514): with about half the model
/// in DRAM, windowing + row-column bundling (with the sparsity predictor) is 4–5× faster than naive
/// loading on the M1 Max CPU and 20–25× on an RTX 4090 (OPT-6.7B, Falcon-7B). docs/targets.md
/// (Flash) describes the mechanism, the setups and every assumption.
///
/// Run: `swift test --skip-build --filter FlashTargetTests`. Decode-only per-token latency after a
/// 128-token prompt, as the paper measures it; four decode steps suffice because the window model
/// is stationary (the paper's flash I/O per token is flat to 1,000 tokens).
final class FlashTargetTests: XCTestCase {
    /// One per-token breakdown: flash I/O, DRAM cache management, everything else (compute).
    struct Token {
        var seconds: Double
        var io: Double
        var memory: Double
        var compute: Double { max(0, seconds - io - memory) }
        var dramBytes: Double
    }

    /// Runs the workload the CLI options describe and splits the decode time per token.
    func token(_ profile: String, _ options: String) throws -> Token {
        let p = try ProfileLoader.load(profile)
        let argv = options.split(separator: " ").map(String.init)
        let args = try Arguments(argv, spec: SimulateCommand.spec, usage: "")
        let w = try WorkloadOptions.parse(args, profile: p)
        var o = SimulationOptions()
        o.recordTimeline = true
        let r = try Simulator(profile: p, options: o).run(LLMTraceGenerator.trace(w))
        XCTAssertEqual(r.swaps, 0, "the placement fits: no spill traffic")
        let steps = Double(w.generate)
        let decode = r.timeline.filter { $0.phase == "decode" }
        func sum(_ suffixes: [String]) -> Double {
            decode.filter { s in suffixes.contains { s.name.hasSuffix($0) } }.reduce(0) { $0 + $1.end - $1.start } / steps
        }
        let dram = r.memories.first { $0.id == w.computeMemory }?.peakBytes ?? 0
        return Token(seconds: try XCTUnwrap(r.timePerOutputToken),
                     io: sum([".load_weights", ".read_weights", ".load_neurons", ".upload_neurons"]),
                     memory: sum([".cache_update"]), dramBytes: dram)
    }

    static let decode = "--batch 1 --prompt 128 --generate 4 --weights flash"
    static let naive = "--dram-fraction 0.5 --prefetch 0"

    func line(_ label: String, _ t: Token, paper: String) -> String {
        func ms(_ s: Double) -> String { String(format: "%6.0f", s * 1000) }
        return "\(label.padding(toLength: 34, withPad: " ", startingAt: 0)) \(ms(t.seconds)) ms  (I/O \(ms(t.io)), cache \(ms(t.memory)), compute \(ms(t.compute)))   paper: \(paper)"
    }

    /// Falcon-7B (relufied, §4.2 of the paper): window 4 and the paper's predictors, rank 256 in the
    /// first 28 layers and 1152 in the last four (4% of the model). Predicted active 16.5%: the relufied
    /// Falcon's FFN is 95% sparse (§3.1; Mirzadeh et al., "ReLU Strikes Back", Table 1) and OPT's
    /// predictor marks 10% for its 3% truly active (§4.1, 97% sparse), i.e. over-predicts 3.3×; the
    /// same activity with OPT's persistence fills the paper's 33% window reservation (a check).
    static let falcon = "--ffn-sparsity 0.835 --window 4 --bundling on --predictor-rank 256x28,1152x4"

    /// M1 Max CPU, fp32 (the paper's CPU runs are 32-bit: a bundle is 2 × 4096 × 4 B = 32 KiB).
    /// Two scalars of m1-max-pytorch are calibrated on the paper's OPT-6.7B breakdown (the CPU's
    /// attained rate on its 507 ms compute share, the SSD's 32 KiB rate on its 105 ms of I/O);
    /// naive loading, cache management and all of Falcon-7B are predicted.
    func testCPUWindowingAndBundlingAreFourToFiveTimesFasterThanNaive() throws {
        let cpu = "--engine cpu --dtype fp32 " + Self.decode
        let optModel = cpu + " --model opt-6.7b"
        let naive = try token("m1-max-pytorch", optModel + " " + Self.naive)
        let ours = try token("m1-max-pytorch", optModel + " --ffn-sparsity 0.9 --window 5 --bundling on")
        let falconModel = cpu + " --model falcon-7b"
        let falconNaive = try token("m1-max-pytorch", falconModel + " " + Self.naive)
        let falcon = try token("m1-max-pytorch", falconModel + " " + Self.falcon)
        // Without the calibrations (the M1 Max CPU streaming at its roofline, Fig. 2b's SSD curve) for comparison.
        let rawNaive = try token("m1-max", optModel + " " + Self.naive)
        let rawOurs = try token("m1-max", optModel + " --ffn-sparsity 0.9 --window 5 --bundling on")
        let optBytes = try ModelConfig.load("opt-6.7b").parameters * 4, falconBytes = try ModelConfig.load("falcon-7b").parameters * 4

        let speedup = naive.seconds / ours.seconds, falconSpeedup = falconNaive.seconds / falcon.seconds
        print("""

        LLM in a flash, M1 Max CPU (fp32, m1-max-pytorch), per-token decode latency
        \(line("OPT-6.7B naive (half in DRAM)", naive, paper: "3182 ms"))
        \(line("OPT-6.7B window 5 + bundling", ours, paper: "669 ms (I/O 105, cache 57, compute 507: I/O and compute calibrated)"))
        \(line("Falcon-7B naive (half in DRAM)", falconNaive, paper: "3095 ms"))
        \(line("Falcon-7B window 4 + bundling", falcon, paper: "706 ms"))
        speedup OPT-6.7B   \(String(format: "%.2f", speedup))×   paper: 4.76× (claim 4–5×)
        speedup Falcon-7B  \(String(format: "%.2f", falconSpeedup))×   paper: 4.38× (claim 4–5×)
        uncalibrated m1-max (CPU at its roofline, Fig. 2b curve): OPT-6.7B \(String(format: "%.0f / %.0f ms = %.1f×", rawNaive.seconds * 1000, rawOurs.seconds * 1000, rawNaive.seconds / rawOurs.seconds))
        DRAM in use: OPT \(String(format: "%.1f of %.1f GB (%.1f%%, paper 52.1%%)", ours.dramBytes / 1e9, optBytes / 1e9, 100 * ours.dramBytes / optBytes)), Falcon \(String(format: "%.1f of %.1f GB (%.1f%%, paper 52.93%%)", falcon.dramBytes / 1e9, falconBytes / 1e9, 100 * falcon.dramBytes / falconBytes))

        """)
        // The claim's band, for both models.
        XCTAssertGreaterThanOrEqual(speedup, 4.0, "OPT-6.7B CPU speedup")
        XCTAssertLessThanOrEqual(speedup, 5.0, "OPT-6.7B CPU speedup")
        XCTAssertGreaterThanOrEqual(falconSpeedup, 4.0, "Falcon-7B CPU speedup")
        XCTAssertLessThanOrEqual(falconSpeedup, 5.0, "Falcon-7B CPU speedup")
        // Checks against the paper's absolute latencies (Table 3, arXiv:2312.11514v3).
        XCTAssertEqual(naive.seconds, 3.182, accuracy: 3.182 * 0.1)
        XCTAssertEqual(ours.seconds, 0.669, accuracy: 0.669 * 0.1)
        XCTAssertEqual(falconNaive.seconds, 3.095, accuracy: 3.095 * 0.15)
        XCTAssertEqual(falcon.seconds, 0.706, accuracy: 0.706 * 0.25)
        // About half the model in DRAM (paper: 52.1% and 52.93%).
        XCTAssertEqual(ours.dramBytes / optBytes, 0.521, accuracy: 0.05)
        XCTAssertEqual(falcon.dramBytes / falconBytes, 0.5293, accuracy: 0.05)
    }

    /// RTX 4090 + NVMe, bf16 (a bundle is 2 × 4096 × 2 B = 16 KiB). Flash reads land in host DRAM
    /// and are copied to the GPU; the GPU holds the resident half (naive) or the attention weights
    /// and the neuron cache (ours). Nothing is calibrated.
    func testGPUWindowingAndBundlingAreTwentyToTwentyFiveTimesFasterThanNaive() throws {
        let gpu = "--dtype bf16 --model opt-6.7b " + Self.decode
        let naive = try token("rtx-4090-nvme", gpu + " " + Self.naive)
        let ours = try token("rtx-4090-nvme", gpu + " --ffn-sparsity 0.9 --window 5 --bundling on")
        let speedup = naive.seconds / ours.seconds
        print("""

        LLM in a flash, RTX 4090 + 990 PRO (bf16), per-token decode latency
        \(line("OPT-6.7B naive (half on the GPU)", naive, paper: "2218 ms"))
        \(line("OPT-6.7B window 5 + bundling", ours, paper: "84 ms"))
        speedup \(String(format: "%.1f", speedup))×   paper: 26.4× (claim 20–25×)

        """)
        XCTAssertGreaterThanOrEqual(speedup, 18)
        XCTAssertLessThanOrEqual(speedup, 30)
    }

    /// Each technique cuts the latency for the reason the paper gives: sparsity cuts bytes,
    /// windowing cuts bytes again, bundling doubles the request size and so raises flash throughput.
    func testEachTechniqueActsThroughItsMechanism() throws {
        let cpu = "--engine cpu --dtype fp32 --model opt-6.7b " + Self.decode
        let hybrid = try token("m1-max-pytorch", cpu + " " + Self.naive)
        let predictor = try token("m1-max-pytorch", cpu + " --ffn-sparsity 0.9")
        let window = try token("m1-max-pytorch", cpu + " --ffn-sparsity 0.9 --window 5")
        let bundled = try token("m1-max-pytorch", cpu + " --ffn-sparsity 0.9 --window 5 --bundling on")
        print("""

        LLM in a flash ablation, OPT-6.7B on the M1 Max CPU (the paper's final configuration: I/O 105 ms per token)
        \(line("hybrid (half in DRAM)", hybrid, paper: "3182 ms"))
        \(line("+ predictor (10% active)", predictor, paper: "-"))
        \(line("+ window 5", window, paper: "-"))
        \(line("+ row-column bundling", bundled, paper: "669 ms, I/O 105"))

        """)
        XCTAssertLessThan(predictor.io, hybrid.io / 2)
        XCTAssertLessThan(window.io, predictor.io / 3)
        XCTAssertLessThan(bundled.io, window.io)
        // Bundling moves the same bytes in requests twice as large: I/O time shrinks by the ratio of
        // the flash curve at 16 and 32 KiB.
        let flash = try XCTUnwrap(try ProfileLoader.load("m1-max-pytorch").memory("flash"))
        let gain = flash.readBandwidth(requestBytes: 32768) / flash.readBandwidth(requestBytes: 16384)
        XCTAssertEqual(window.io / bundled.io, gain, accuracy: 0.03)

        // The activity model reproduces the paper's statistics for OPT-6.7B (10% predicted active,
        // window 5): 2.4% of the FFN loaded per token (fitted) and a 24% cache (check: 22.6%).
        var f = FlashOffload()
        f.ffnSparsity = 0.9; f.window = 5
        XCTAssertEqual(f.loadFraction, 0.024, accuracy: 0.001)
        XCTAssertEqual(f.cacheFraction, 0.24, accuracy: 0.02)
        f.window = 0
        XCTAssertEqual(f.loadFraction, 0.1, accuracy: 1e-12)
        // Falcon-7B: window 4 and 16.5% active give the paper's 33% cache.
        f.ffnSparsity = 0.835; f.window = 4
        XCTAssertEqual(f.cacheFraction, 0.33, accuracy: 0.01)
        // The paper's Falcon predictors (rank 256, 1152 in the last four layers) are 4% of the model (§4.2).
        let falcon = try ModelConfig.load("falcon-7b")
        let p = try ProfileLoader.load("m1-max")
        let argv = ("--engine cpu --dtype fp32 --model falcon-7b --batch 1 --prompt 16 --generate 1 --weights flash " + Self.falcon)
            .split(separator: " ").map(String.init)
        let w = try WorkloadOptions.parse(try Arguments(argv, spec: SimulateCommand.spec, usage: ""), profile: p)
        let ranks = (0..<falcon.layers).map { w.flash.predictorRank(falcon, layer: $0) }
        XCTAssertEqual(ranks.prefix(28).allSatisfy { $0 == 256 } && ranks.suffix(4).allSatisfy { $0 == 1152 }, true)
        let predictorParameters = ranks.reduce(0.0) { $0 + Double($1 * (falcon.hidden + falcon.intermediate)) }
        XCTAssertEqual(predictorParameters / falcon.parameters, 0.04, accuracy: 0.002)
    }

    /// `--predictor-rank` accepts one rank or runs that cover the model's layers exactly.
    func testPredictorRankOption() throws {
        let p = try ProfileLoader.load("m1-max")
        func parse(_ option: String) throws -> LLMWorkload {
            let argv = ("--engine cpu --dtype fp32 --model opt-6.7b --batch 1 --prompt 16 --generate 1 --weights flash --ffn-sparsity 0.9 " + option)
                .split(separator: " ").map(String.init)
            return try WorkloadOptions.parse(try Arguments(argv, spec: SimulateCommand.spec, usage: ""), profile: p)
        }
        let m = try ModelConfig.load("opt-6.7b")
        XCTAssertEqual(try parse("--predictor-rank 128").flash.predictorRank(m, layer: 31), 128)
        XCTAssertEqual(try parse("--predictor-rank 128x28,1024x4").flash.predictorRank(m, layer: 28), 1024)
        XCTAssertEqual(try parse("").flash.predictorRank(m, layer: 5), try parse("").flash.predictorRank(m, layer: 0), "default: one rank")
        for bad in ["--predictor-rank 0", "--predictor-rank 128x30", "--predictor-rank 128x28,1024x5", "--predictor-rank x4", "--predictor-rank 128x28,"] {
            XCTAssertThrowsError(try parse(bad), bad) { XCTAssertTrue("\($0)".contains("--predictor-rank"), "\(bad): \($0)") }
        }
    }

    /// The flash profiles of part 1: each loads, carries sources, and models flash as flash (reads
    /// faster than writes where both are given, throughput rising with request size).
    func testFlashProfilesDescribeRequestSizeAndAsymmetry() throws {
        for name in ["m1-max", "m1-max-pytorch", "rtx-4090-nvme", "pm9a3", "samsung-990pro", "ufs-4", "a6000-nvme", "smartssd"] {
            let p = try ProfileLoader.load(name)
            XCTAssertFalse(p.sources.isEmpty, name)
            let flash = p.memories.filter { ["flash", "nvme", "ufs"].contains($0.kind) }
            XCTAssertFalse(flash.isEmpty, "\(name) has a flash memory")
            for m in flash {
                XCTAssertGreaterThanOrEqual(m.readBandwidth, m.writeBandwidth, "\(name).\(m.id) reads at least as fast as it writes")
                let curve = m.requestSizeBandwidth
                if curve.count >= 2 {
                    XCTAssertLessThan(m.readBandwidth(requestBytes: 4096), m.readBandwidth(requestBytes: 128 * 1024), "\(name).\(m.id)")
                }
            }
        }
    }

    /// The trace carries the paper's data movement: per layer and decode token one flash read of
    /// `loadFraction × intermediate` neuron bundles in bundle-sized requests, no read of the
    /// attention weights, and (hybrid) half of every layer in one request.
    func testTraceCarriesTheFlashTraffic() throws {
        let p = try ProfileLoader.load("m1-max")
        func trace(_ options: String) throws -> (Trace, LLMWorkload) {
            let argv = ("--engine cpu --dtype fp32 --model opt-6.7b --batch 1 --prompt 16 --generate 2 --weights flash " + options)
                .split(separator: " ").map(String.init)
            let w = try WorkloadOptions.parse(try Arguments(argv, spec: SimulateCommand.spec, usage: ""), profile: p)
            return (try LLMTraceGenerator.trace(w), w)
        }
        let (t, w) = try trace("--ffn-sparsity 0.9 --window 5 --bundling on")
        let m = w.model
        let loads = t.ops.filter { $0.phase == "decode" && $0.name.hasSuffix(".load_neurons") }
        XCTAssertEqual(loads.count, 2 * m.layers)
        guard case .transfer(let x) = try XCTUnwrap(loads.first).shape else { return XCTFail("not a transfer") }
        let bundle = Double(2 * m.hidden) * 4
        XCTAssertEqual(x.chunkBytes, bundle)
        XCTAssertEqual(x.bytes, w.flash.loadFraction * Double(m.intermediate) * bundle, accuracy: 1)
        XCTAssertEqual(x.from, "flash")
        // The FFN computes only the predicted-active neurons.
        let up = try XCTUnwrap(t.ops.first { $0.phase == "decode" && $0.name.hasSuffix(".mlp_up") })
        guard case .gemm(let g) = up.shape else { return XCTFail("not a GEMM") }
        XCTAssertEqual(g.n, Int((0.1 * Double(m.intermediate)).rounded()))
        // Without bundling the same bytes move in requests half the size.
        let (u, _) = try trace("--ffn-sparsity 0.9 --window 5")
        guard case .transfer(let y) = try XCTUnwrap(u.ops.first { $0.name.hasSuffix(".load_neurons") }).shape else { return XCTFail() }
        XCTAssertEqual(y.chunkBytes, bundle / 2)
        XCTAssertEqual(y.bytes, x.bytes)
        // Hybrid: half of every layer, one request, each token.
        let (h, hw) = try trace("--dram-fraction 0.5 --prefetch 0")
        let layerLoads = h.ops.filter { $0.phase == "decode" && $0.name.hasSuffix(".load_weights") }
        XCTAssertEqual(layerLoads.count, 2 * m.layers)
        guard case .transfer(let z) = layerLoads[0].shape else { return XCTFail() }
        let layerBytes = (m.parameters - Double(m.vocab * m.hidden)) / Double(m.layers) * 4
        XCTAssertEqual(z.bytes, layerBytes / 2, accuracy: layerBytes * 0.01)
        XCTAssertNil(z.chunkBytes)
        XCTAssertEqual(hw.flash.dramFraction, 0.5)
    }
}
