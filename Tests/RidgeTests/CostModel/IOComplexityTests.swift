import XCTest
@testable import Ridge

final class IOComplexityTests: XCTestCase {
    /// Standard attention, forward, large buffer: Algorithm 0 of Dao et al. 2022 moves 4Nd + 4N² elements per head.
    func testStandardAttentionMatchesHandFormula() throws {
        let p = try testProfile()
        for (b, h, n, d) in [(1, 1, 1024, 64), (8, 16, 2048, 128), (4, 32, 512, 64)] {
            let a = Attention(batch: b, heads: h, queryLength: n, headDim: d, algorithm: .standard, pass: .forward, precision: .bf16)
            let cost = CostModel.cost(.attention(a), on: p.engines[0], in: p)
            let hand = Double(b * h) * (4.0 * Double(n * d) + 4.0 * Double(n * n)) * 2
            XCTAssertEqual(cost.bytes(in: "hbm"), hand, accuracy: hand * 0.10, "N=\(n) d=\(d)")
        }
    }

    /// Standard attention backward (Algorithm 3): 8Nd + 7N² elements per head.
    func testStandardBackwardMatchesHandFormula() throws {
        let p = try testProfile()
        let a = Attention(batch: 2, heads: 8, queryLength: 1024, headDim: 64, algorithm: .standard, pass: .backward)
        let hand = 16.0 * (8.0 * 1024 * 64 + 7.0 * 1024 * 1024) * 2
        XCTAssertEqual(CostModel.cost(.attention(a), on: p.engines[0], in: p).bytes(in: "hbm"), hand, accuracy: hand * 0.10)
    }

    /// FlashAttention forward (Theorem 2): with M the on-chip buffer in elements, B_c = M/4d and
    /// T_c = N/B_c, HBM accesses are 2Nd + N(d+2) + T_c·N(3d+4) ≈ 12N²d²/M.
    func testFlashAttentionMatchesHandFormula() throws {
        let p = try testProfile()          // localBuffer 128 KiB = 65536 bf16 elements
        let m = 65536.0
        for (b, h, n, d) in [(1, 1, 4096, 64), (2, 16, 2048, 128), (16, 12, 1024, 64)] {
            let a = Attention(batch: b, heads: h, queryLength: n, headDim: d, algorithm: .flash, pass: .forward)
            let bc = (m / (4 * Double(d))).rounded(.up)
            let tc = (Double(n) / bc).rounded(.up)
            let hand = Double(b * h) * (2 * Double(n * d) + Double(n) * Double(d + 2) + tc * Double(n) * Double(3 * d + 4)) * 2
            XCTAssertEqual(CostModel.cost(.attention(a), on: p.engines[0], in: p).bytes(in: "hbm"), hand, accuracy: hand * 0.10, "N=\(n) d=\(d)")
            // And the Θ(N²d²/M) form of Theorem 2 is the dominant term for long sequences.
            if n >= 2048 {
                let theta = Double(b * h) * 12 * Double(n * n) * Double(d * d) / m * 2
                XCTAssertEqual(hand, theta, accuracy: theta * 0.35)
            }
        }
    }

    /// FlashAttention moves less than standard attention for long sequences (its point).
    func testFlashMovesLessThanStandard() throws {
        let p = try testProfile()
        let std = Attention(batch: 4, heads: 16, queryLength: 4096, headDim: 64, algorithm: .standard, pass: .training)
        var fa = std; fa.algorithm = .flash
        XCTAssertLessThan(CostModel.cost(.attention(fa), on: p.engines[0], in: p).totalBytes,
                          CostModel.cost(.attention(std), on: p.engines[0], in: p).totalBytes / 3)
    }

    /// Property: modelled traffic never falls below the I/O lower bound, over random shapes and buffers.
    func testNeverBelowLowerBound() throws {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<2000 {
            let buffers: [Double] = [1024, 16_384, 102_400, 233_472, 4_194_304, 52_428_800]
            let buffer = buffers[Int(rng.next() % 6)]
            let p = try testProfile { o in
                var engines = o["engines"]!.objectValue!
                var gpu = engines["gpu"]!.objectValue!
                gpu["onChipBuffer"] = .number(buffer * 4)
                gpu["localBuffer"] = .number(buffer)
                engines["gpu"] = .object(gpu)
                o["engines"] = .object(engines)
            }
            let e = p.engines[0]
            let n = Int(1 + rng.next() % 8192), n2 = Int(1 + rng.next() % 8192)
            let d = [16, 32, 64, 80, 128, 256][Int(rng.next() % 6)]
            let g = GEMM(m: n, n: Int(1 + rng.next() % 16384), k: Int(1 + rng.next() % 16384), batch: Int(1 + rng.next() % 4))
            let gc = CostModel.cost(.gemm(g), on: e, in: p)
            XCTAssertGreaterThanOrEqual(gc.totalBytes, gc.lowerBoundBytes * (1 - 1e-9), "\(g)")
            let a = Attention(batch: Int(1 + rng.next() % 8), heads: 8, queryLength: n, keyLength: max(n, n2), headDim: d,
                              causal: rng.next() % 2 == 0, algorithm: rng.next() % 2 == 0 ? .flash : .standard,
                              pass: [Attention.Pass.forward, .backward, .training][Int(rng.next() % 3)])
            let ac = CostModel.cost(.attention(a), on: e, in: p)
            XCTAssertGreaterThanOrEqual(ac.totalBytes, ac.lowerBoundBytes * (1 - 1e-9), "\(a) buffer \(buffer)")
        }
    }

    func testGEMMTrafficAndBound() throws {
        let p = try testProfile()
        // A tall-skinny GEMV is memory-bound on the weights; a big square GEMM is compute-bound.
        let gemv = CostModel.cost(.gemm(GEMM(m: 1, n: 12288, k: 4096)), on: p.engines[0], in: p)
        XCTAssertEqual(gemv.bound, .memory("hbm"))
        XCTAssertEqual(gemv.bytes(in: "hbm"), 12288.0 * 4096 * 2, accuracy: 12288.0 * 4096 * 2 * 0.01)
        let big = CostModel.cost(.gemm(GEMM(m: 8192, n: 8192, k: 8192)), on: p.engines[0], in: p)
        XCTAssertEqual(big.bound, .compute)
        XCTAssertEqual(big.flops, 2 * 8192.0 * 8192 * 8192)
    }

    /// A GPU reading weights that live in host memory (zero-copy) is limited by the PCIe link, not
    /// by host DRAM bandwidth: a decode-shaped GEMV whose 2·n·k weight bytes sit in `host` takes at
    /// least bytes / link bandwidth.
    func testRemoteReadIsLimitedByTheLink() throws {
        let p = try ProfileLoader.load("a100-sxm-80gb")
        let gpu = p.primaryEngine
        let g = OperatorShape.gemm(GEMM(m: 1, n: 4096, k: 4096))
        let local = CostModel.cost(g, on: gpu, in: p)
        let remote = CostModel.cost(g, on: gpu, in: p, placement: Placement(weights: "host"))
        let link = try XCTUnwrap(p.link(between: "host", gpu.memory))
        let bytes = 2.0 * 4096 * 4096
        XCTAssertGreaterThanOrEqual(remote.memorySeconds, bytes / link.bandwidth(from: "host") * 0.999)
        XCTAssertGreaterThan(remote.seconds, 10 * local.seconds)
    }
}

/// A small deterministic generator for property tests (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", 2014).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
