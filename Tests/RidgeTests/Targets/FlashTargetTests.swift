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

    /// M1 Max CPU, fp32 (the paper's CPU runs are 32-bit: a bundle is 2 × 4096 × 4 B = 32 KiB).
    /// The CPU's attained rate is the one calibrated scalar (m1-max-pytorch, fitted on the compute
    /// share of the paper's own 669 ms); flash I/O, cache management and naive compute are predicted.
    func testCPUWindowingAndBundlingAreFourToFiveTimesFasterThanNaive() throws {
        let cpu = "--engine cpu --dtype fp32 " + Self.decode
        let optModel = cpu + " --model opt-6.7b"
        let naive = try token("m1-max-pytorch", optModel + " " + Self.naive)
        let ours = try token("m1-max-pytorch", optModel + " --ffn-sparsity 0.9 --window 5 --bundling on")
        // Falcon-7B (relufied): window 4; a predicted-active 16.5% with OPT's persistence gives the
        // paper's 33% FFN cache (§4.2). Its latencies are not in the stored material, only the claim.
        let falconModel = cpu + " --model falcon-7b"
        let falconNaive = try token("m1-max-pytorch", falconModel + " " + Self.naive)
        let falcon = try token("m1-max-pytorch", falconModel + " --ffn-sparsity 0.835 --window 4 --bundling on")
        // Without the calibration (the M1 Max CPU streaming at its roofline) for comparison.
        let rawNaive = try token("m1-max", optModel + " " + Self.naive)
        let rawOurs = try token("m1-max", optModel + " --ffn-sparsity 0.9 --window 5 --bundling on")

        let speedup = naive.seconds / ours.seconds, falconSpeedup = falconNaive.seconds / falcon.seconds
        print("""

        LLM in a flash, M1 Max CPU (fp32, m1-max-pytorch), per-token decode latency
        \(line("OPT-6.7B naive (half in DRAM)", naive, paper: "3182 ms"))
        \(line("OPT-6.7B window 5 + bundling", ours, paper: "669 ms (I/O 105, cache 57, compute 507 = calibrated)"))
        \(line("Falcon-7B naive (half in DRAM)", falconNaive, paper: "not stored"))
        \(line("Falcon-7B window 4 + bundling", falcon, paper: "not stored"))
        speedup OPT-6.7B   \(String(format: "%.2f", speedup))×   paper: 4.76× (claim 4–5×)
        speedup Falcon-7B  \(String(format: "%.2f", falconSpeedup))×   paper: claim 4–5×
        uncalibrated m1-max (CPU at its roofline): OPT-6.7B \(String(format: "%.0f / %.0f ms = %.1f×", rawNaive.seconds * 1000, rawOurs.seconds * 1000, rawNaive.seconds / rawOurs.seconds))
        DRAM in use: OPT \(String(format: "%.1f", ours.dramBytes / 1e9)) GB of 26.7 GB fp32 (paper: 52%), Falcon \(String(format: "%.1f", falcon.dramBytes / 1e9)) GB of 28.9 GB

        """)
        XCTAssertEqual(speedup, 4.5, accuracy: 0.6, "OPT-6.7B CPU speedup")
        XCTAssertEqual(falconSpeedup, 4.0, accuracy: 0.6, "Falcon-7B CPU speedup")
        // Checks against the paper's absolute latencies (not fitted except the compute share).
        XCTAssertEqual(naive.seconds, 3.182, accuracy: 0.35)
        XCTAssertEqual(ours.seconds, 0.669, accuracy: 0.15)
        // About half the model in DRAM.
        XCTAssertEqual(ours.dramBytes / (6.66e9 * 4), 0.5, accuracy: 0.1)
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
        let flash = try XCTUnwrap(try ProfileLoader.load("m1-max").memory("flash"))
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
