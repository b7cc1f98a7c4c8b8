import XCTest
@testable import Ridge

/// FlightLLM (Zeng et al., FPGA'24, arXiv:2401.03868): batch-1 decode of LLaMA2-7B on FPGAs with
/// activations kept on chip and compressed weights streamed from HBM. Claims: 6.0× the energy
/// efficiency of a V100S (vLLM, batch 1) on an Alveo U280; 1.2× the throughput of an A100 on a
/// Versal VHK158. docs/targets.md (FPGA) gives the setup and every assumption.
///
/// Run: `swift test --skip-build --filter FPGATargetTests`. Prompt 128, eight decode steps; the
/// figures are per decode token.
final class FPGATargetTests: XCTestCase {
    struct Decode {
        var seconds: Double        // per token
        var joules: Double         // per token, idle power included
        var hbmBytes: Double       // per token, in the engine's memory
        var powered: Bool          // the profile models the engine's power
        var tokensPerSecond: Double { 1 / seconds }
        var tokensPerJoule: Double { 1 / joules }
        var watts: Double { joules / seconds }
    }

    /// FlightLLM's model as its compiled IR stores it (github.com/FlightLLM/flightllm_test_demo,
    /// profile/.compiler_output/ir_output/llama2_decode_token_*.yaml @d355ca4): int8 weights,
    /// activations and KV cache; q and k projections 70% dense (`sparse_ratio: 0.7`), the rest dense.
    static let flightLLM = "--model llama-2-7b --dtype int8 --weight-sparsity q=0.3,k=0.3 --activations on-chip"
    /// The same with FlightLLM's mixed precision as its VHK158 profiler implies it: the profiler's
    /// load unit is busy 6.83 / 7.67 / 8.79 ms per token at contexts 256 / 1024 / 2048
    /// (`profile/.compiler_output/profiler_output/llama2_decode_token_*.csv`), 6.55 ms at context 0,
    /// i.e. at most 6.55 ms × 819.2 GB/s × 0.7 = 3.76 GB of weights per token — not the 6.3 GB of int8
    /// weights. MLP weights in int4 with int8 attention (4.1 GB) is the simple mix closest to that.
    static let mixed = flightLLM + " --weight-dtype mlp=int4"
    /// The GPU baselines: the same model in fp16 (vLLM serves LLaMA2-7B in fp16).
    static let gpu = "--model llama-2-7b --dtype fp16"
    static let steps = 8

    func decode(_ profile: String, _ options: String) throws -> Decode {
        let p = try ProfileLoader.load(profile)
        func run(_ steps: Int) throws -> (SimulationResult, LLMWorkload) {
            let argv = (options + " --batch 1 --prompt 128 --generate \(steps)").split(separator: " ").map(String.init)
            let w = try WorkloadOptions.parse(try Arguments(argv, spec: SimulateCommand.spec, usage: ""), profile: p)
            return (try Simulator(profile: p).run(LLMTraceGenerator.trace(w)), w)
        }
        let (r, w) = try run(Self.steps)
        XCTAssertEqual(r.swaps, 0, "the model fits: no spill traffic")
        let (half, _) = try run(Self.steps / 2)
        let d = try XCTUnwrap(r.phase("decode"))
        // Bytes an operator class moves in the engine's memory, summed over the run; the difference
        // of two runs is what the extra decode steps moved.
        func bytes(_ r: SimulationResult) -> Double {
            r.operatorClasses.filter { $0.shape.kind != "transfer" }.reduce(0) { $0 + Double($1.count) * $1.cost.bytes(in: w.computeMemory) }
        }
        return Decode(seconds: try XCTUnwrap(r.timePerOutputToken), joules: d.energyJoules / Double(Self.steps),
                      hbmBytes: (bytes(r) - bytes(half)) / Double(Self.steps - Self.steps / 2),
                      powered: p.engine(w.engine)?.power.peakWatts != nil)
    }

    func row(_ label: String, _ d: Decode, paper: String) -> String {
        label.padding(toLength: 30, withPad: " ", startingAt: 0)
            + String(format: "%6.2f ms  %6.1f token/s  ", d.seconds * 1000, d.tokensPerSecond)
            + (d.powered ? String(format: "%6.0f W  %6.3f token/J", d.watts, d.tokensPerJoule) : "  power: a gap in the profile")
            + "   paper: \(paper)"
    }

    /// U280 against V100S: tokens per joule of batch-1 decode.
    func testU280EnergyEfficiencyAgainstV100S() throws {
        let u280 = try decode("alveo-u280", Self.flightLLM)
        let v100 = try decode("v100s-pcie", Self.gpu)
        let ratio = u280.tokensPerJoule / v100.tokensPerJoule
        // The U280's power is an assumption (the profile derives it from the 225 W board maximum);
        // what the ratio would be at DS963's ~100 W typical board power, and the board power at
        // which the paper's 6.0× would hold.
        let atTypical = (1 / (100 * u280.seconds)) / v100.tokensPerJoule
        // The highest U280 board reading found (58.3 W through XRT's hwmon on a PC2 cluster node;
        // idle-looking cards read 39.2 and 41.4 W): what the ratio would be at that power.
        let atMeasured = (1 / (58.3 * u280.seconds)) / v100.tokensPerJoule
        let breakEven = v100.joules / 6.0 / u280.seconds
        // The paper's other energy claim: 4.2× an A100's (same abstract and §1).
        let a100 = try decode("a100-sxm-80gb", Self.gpu)
        // V100S throughput at which 6.0× would hold with the U280 at the measured 58.3 W and the
        // V100S at its modelled decode power.
        let v100Needed = 1 / (6.0 * 58.3 * u280.seconds / v100.watts)
        let mixed = try decode("alveo-u280", Self.mixed)
        print("""

        FlightLLM, LLaMA2-7B batch-1 decode (prompt 128), U280 vs V100S
        \(row("U280 (int8, q/k 70% dense)", u280, paper: "55 token/s measured (demo README)"))
        \(row("V100S (fp16)", v100, paper: "not stored"))
        energy efficiency U280 / V100S  \(String(format: "%.2f", ratio))×   paper: 6.0×
          = throughput ratio \(String(format: "%.2f", u280.tokensPerSecond / v100.tokensPerSecond)) × power ratio \(String(format: "%.2f", v100.watts / u280.watts))
          at DS963's ~100 W typical U280 board power: \(String(format: "%.2f", atTypical))×; at the highest measured U280 board reading (58.3 W): \(String(format: "%.2f", atMeasured))×
          6.0× needs the U280 at \(String(format: "%.0f", breakEven)) W, or (U280 at 58.3 W) the V100S at \(String(format: "%.0f", v100Needed)) token/s instead of \(String(format: "%.0f", v100.tokensPerSecond))
        energy efficiency U280 / A100  \(String(format: "%.2f", u280.tokensPerJoule / a100.tokensPerJoule))×   paper: 4.2×
        \(row("U280, MLP int4 (sensitivity)", mixed, paper: "55 token/s measured"))
          energy efficiency with MLP int4: \(String(format: "%.2f", mixed.tokensPerJoule / v100.tokensPerJoule))× (its \(String(format: "%.0f", mixed.tokensPerSecond)) token/s overshoots the measured 55)
        HBM bytes per token: U280 \(String(format: "%.2f", u280.hbmBytes / 1e9)) GB, V100S \(String(format: "%.2f", v100.hbmBytes / 1e9)) GB

        """)
        // Throughput check against the measured U280 figure (not fitted): within 15%.
        XCTAssertEqual(u280.tokensPerSecond, 55, accuracy: 55 * 0.15)
        // Not reproduced (docs/targets.md, FPGA): well below 6.0× under the profiles' power models and
        // even at the measured U280 board power. Bounds wide enough for GPU efficiency calibrations.
        XCTAssertGreaterThan(ratio, 0.5)
        XCTAssertLessThan(ratio, 3)
        XCTAssertLessThan(atMeasured, 4)
        XCTAssertLessThan(breakEven, 40, "the paper's 6.0× needs a U280 board power below 40 W in this model")
    }

    /// VHK158 against A100-80GB: decode throughput. The VHK158 figure in the paper comes from
    /// FlightLLM's profiler, whose load time implies mixed-precision weights (see `mixed`); the
    /// int8-only variant is printed for comparison.
    func testVHK158ThroughputAgainstA100() throws {
        let vhk = try decode("versal-vhk158", Self.mixed)
        let vhkInt8 = try decode("versal-vhk158", Self.flightLLM)
        let a100 = try decode("a100-sxm-80gb", Self.gpu)
        let ratio = vhk.tokensPerSecond / a100.tokensPerSecond
        // The paper's own figures (FlightLLM demo README, prompt 128, 512 decode tokens):
        // VHK158 simulated 4946.4 ms, A100 vLLM 0.1.7 measured 5727.0 ms.
        let paperVHK = 4946.4 / 512, paperA100 = 5727.0 / 512
        print("""

        FlightLLM, LLaMA2-7B batch-1 decode (prompt 128), VHK158 vs A100
        \(row("VHK158 (MLP int4, q/k 70%)", vhk, paper: String(format: "%.2f ms (FlightLLM's simulator)", paperVHK)))
        \(row("VHK158 (int8 only)", vhkInt8, paper: "-"))
        \(row("A100-80GB (fp16)", a100, paper: String(format: "%.2f ms (vLLM 0.1.7, measured)", paperA100)))
        throughput VHK158 / A100  \(String(format: "%.2f", ratio))× (int8 only: \(String(format: "%.2f", vhkInt8.tokensPerSecond / a100.tokensPerSecond))×)   paper: 1.2× (its table: \(String(format: "%.2f", paperA100 / paperVHK))×)
        weights + KV read per token: \(String(format: "%.2f", vhk.hbmBytes / 1e9)) GB (int8 only: \(String(format: "%.2f", vhkInt8.hbmBytes / 1e9)) GB; FlightLLM's profiler: ≤ 3.76 GB of weights)
        A100 decode power \(String(format: "%.0f", a100.watts)) W (Splitwise measured token phase: ~250 W)

        """)
        // Checks (not fitted): VHK158 within 20% of FlightLLM's simulator, A100 within 20% of vLLM.
        XCTAssertEqual(vhk.seconds, paperVHK / 1000, accuracy: paperVHK / 1000 * 0.2)
        XCTAssertEqual(a100.seconds, paperA100 / 1000, accuracy: paperA100 / 1000 * 0.2)
        XCTAssertEqual(a100.watts, 250, accuracy: 50)
        // Like FlightLLM's profiler (matrix-vector unit busy 8.89 of 9.43 ms at context 256), Ridge's
        // VHK158 decode is bound by the matrix-vector array, not by HBM, once the MLP is int4.
        let p = try ProfileLoader.load("versal-vhk158")
        let up = CostModel.cost(.gemm(GEMM(m: 1, n: 2 * 11008, k: 4096, precision: .int4)), on: try XCTUnwrap(p.engine("fpga")), in: p)
        XCTAssertGreaterThan(up.computeSeconds, up.memorySeconds)
        // Ridge's figure (wide enough for the A100 efficiency calibration happening elsewhere: a slower
        // modelled A100 raises the ratio toward the paper's table, 1.16×, or above).
        XCTAssertGreaterThan(ratio, 0.95)
        XCTAssertLessThan(ratio, 1.6)
    }

    /// The mechanisms: decode streams the (compressed) weights from HBM once per token, so sparsity
    /// and narrower weights shrink HBM bytes and time in proportion; activations on chip take the
    /// remaining activation traffic off HBM.
    func testSparsityMixedPrecisionAndOnChipActivations() throws {
        let dense = try decode("alveo-u280", "--model llama-2-7b --dtype int8")
        let onChip = try decode("alveo-u280", "--model llama-2-7b --dtype int8 --activations on-chip")
        let sparse = try decode("alveo-u280", Self.flightLLM)
        let mixed = try decode("alveo-u280", Self.flightLLM + " --weight-dtype qkv=int8,o=int8,mlp=int4,lm_head=int8")
        print("""

        FlightLLM mechanisms on the U280 (per decode token)
        \(row("int8, activations in HBM", dense, paper: "-"))
        \(row("+ activations on chip", onChip, paper: "-"))
        \(row("+ q/k 70% dense", sparse, paper: "-"))
        \(row("+ MLP weights int4", mixed, paper: "-"))
        HBM bytes: \([dense, onChip, sparse, mixed].map { String(format: "%.3f GB", $0.hbmBytes / 1e9) }.joined(separator: " → "))

        """)
        let m = try ModelConfig.load("llama-2-7b")
        let h = Double(m.hidden), i = Double(m.intermediate), layers = Double(m.layers)
        // Activations on chip: HBM traffic is the weights and the KV cache only.
        XCTAssertLessThan(onChip.hbmBytes, dense.hbmBytes)
        // q/k pruning removes 30% of 2·h² int8 bytes per layer.
        XCTAssertEqual(onChip.hbmBytes - sparse.hbmBytes, layers * 0.3 * 2 * h * h, accuracy: 1e6)
        // int4 MLP halves 3·h·i bytes per layer.
        XCTAssertEqual(sparse.hbmBytes - mixed.hbmBytes, layers * 3 * h * i / 2, accuracy: 1e6)
        // Memory-bound decode: time falls with the bytes.
        XCTAssertLessThan(mixed.seconds, sparse.seconds)
        XCTAssertEqual(sparse.seconds / mixed.seconds, sparse.hbmBytes / mixed.hbmBytes, accuracy: 0.1)
    }
}
