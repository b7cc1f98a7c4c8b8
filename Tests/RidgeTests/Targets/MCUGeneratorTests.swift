import XCTest
@testable import Ridge

/// The CNN trace generator and patch planner: memory accounting against the simulator, the
/// documented layer-by-layer peaks, halo regions and recompute.
final class MCUGeneratorTests: XCTestCase {
    static let h743 = try! ProfileLoader.load("stm32h743")

    func workload(_ name: String, inPlace: Bool = true, scratch: CNNScratch = .static, patches: Int? = nil,
                  patchLayers: Int? = nil) throws -> CNNWorkload {
        var w = CNNWorkload(model: try CNNModel.load(name))
        w.use(Self.h743)
        w.inPlaceDepthwise = inPlace; w.inPlaceAdd = inPlace
        w.scratch = scratch; w.patches = patches; w.patchLayers = patchLayers
        return w
    }

    func simulate(_ w: CNNWorkload) throws -> (CNNPlanSummary, SimulationResult) {
        let (trace, summary) = try CNNTraceGenerator.trace(w)
        var options = SimulationOptions()
        options.capacityOverrides = ["sram": .infinity, "flash": .infinity]   // report peaks, do not enforce capacity
        return (summary, try Simulator(profile: Self.h743, options: options).run(trace))
    }

    func peak(_ r: SimulationResult, _ memory: String) -> Double { r.memories.first { $0.id == memory }!.peakBytes }

    /// `docs/models.md`: layer by layer with no in-place tricks, peak = input + output (+ held residuals).
    func testPlainLayerByLayerPeaksMatchModelsDoc() throws {
        for (name, bytes) in [("mobilenetv2-w0.35", 311_040.0), ("mobilenetv2-w1.0", 1_505_280), ("mcunet-in1", 92_160),
                              ("mcunet-in0", 46_080), ("mcunet-in2", 332_800), ("mcunet-in3", 340_736), ("mcunet-in4", 422_400),
                              ("tiny-cnn", 256), ("tiny-residual", 576)] {
            let (summary, result) = try simulate(try workload(name, inPlace: false, scratch: .none))
            XCTAssertEqual(summary.peakBytes, bytes, name)
            XCTAssertEqual(peak(result, "sram"), bytes, name)
        }
        // tiny-residual's peak is at b1.dw: 256 in + 256 out + 64 held for b1.add.
        XCTAssertEqual(try CNNTraceGenerator.plan(try workload("tiny-residual", inPlace: false, scratch: .none)).peakOp, "b1.dw")
    }

    /// The generator's books and the simulator's memory tracker agree in every mode, and the
    /// weight memory holds exactly the weights.
    func testGeneratorPeakEqualsSimulatorPeak() throws {
        let configs: [(String, Int?, Int?)] = [
            ("tiny-residual", nil, nil), ("tiny-residual", 2, 5), ("mobilenetv2-w0.35", nil, nil), ("mobilenetv2-w0.35", 4, 13),
            ("mobilenetv2-w0.35", 3, 10), ("mcunet-in1", nil, nil), ("mcunet-in1", 4, 13),
        ]
        for (name, p, n) in configs {
            for scratch in CNNScratch.allCases {
                for inPlace in [true, false] {
                    let w = try workload(name, inPlace: inPlace, scratch: scratch, patches: p, patchLayers: n)
                    let (summary, result) = try simulate(w)
                    let label = "\(name) patches \(p.map(String.init) ?? "-") \(scratch) inPlace \(inPlace)"
                    XCTAssertEqual(peak(result, "sram"), summary.peakBytes, label)
                    XCTAssertEqual(peak(result, "flash"), summary.weightBytes, label)
                    XCTAssertEqual(summary.live.map(\.bytes).max(), summary.peakBytes, label)
                    XCTAssertEqual(result.ops, summary.ops, label)
                }
            }
        }
    }

    /// Weights are read in place from flash: conv operators charge flash traffic.
    func testWeightsAreReadFromFlash() throws {
        let (_, result) = try simulate(try workload("mcunet-in1"))
        let convs = result.operatorClasses.filter { $0.shape.kind == "conv" }
        XCTAssertFalse(convs.isEmpty)
        for c in convs {
            XCTAssertGreaterThan(c.cost.traffic.first { $0.memory == "flash" }?.readBytes ?? 0, 0)
        }
    }

    /// tiny-cnn (8×8 input): conv0 k3 s2 → 4×4, dw1 k3 s1 → 4×4. With 2×2 patches over both
    /// layers, dw1's tile rows [0,2) need conv0 rows [0,3) (−1 clipped), tile [2,4) needs [1,4);
    /// conv0 rows [0,3) need input rows [0,6) and [1,4) need [1,8).
    func testHaloRegionsByHand() throws {
        let shapes = try CNNModel.load("tiny-cnn").shapes()
        let plan = try CNNPatchPlanner.plan(shapes, patches: 2, lastLayer: 1)
        XCTAssertEqual(plan.tiles, 4)
        XCTAssertEqual(plan.regions[0], [CNNRegion(r0: 0, r1: 3, c0: 0, c1: 3), CNNRegion(r0: 0, r1: 2, c0: 0, c1: 2)])
        XCTAssertEqual(plan.regions[3], [CNNRegion(r0: 1, r1: 4, c0: 1, c1: 4), CNNRegion(r0: 2, r1: 4, c0: 2, c1: 4)])
        XCTAssertEqual(plan.inputRegions[0], CNNRegion(r0: 0, r1: 6, c0: 0, c1: 6))
        XCTAssertEqual(plan.inputRegions[3], CNNRegion(r0: 1, r1: 8, c0: 1, c1: 8))
        // conv0 computes 3×3 instead of 2×2 pixels per tile: 4·9·(4·27) MACs instead of 1728.
        let w = try workload("tiny-cnn", patches: 2, patchLayers: 2)
        let s = try CNNTraceGenerator.plan(w)
        XCTAssertEqual(s.executedMACs, Double(4 * 9 * 4 * 27 + 576 + 512 + 80))
        XCTAssertEqual(s.macs, 2896)
        XCTAssertEqual(s.recomputeOverhead, Double(4 * 9 * 4 * 27 - 1728) / 2896, accuracy: 1e-12)
    }

    /// One patch is layer-by-layer inference of the stage: no halo, no recompute.
    func testSinglePatchHasNoRecompute() throws {
        let shapes = try CNNModel.load("mobilenetv2-w0.35").shapes()
        let plan = try CNNPatchPlanner.plan(shapes, patches: 1, lastLayer: 12)
        for (j, r) in plan.regions[0].enumerated() {
            XCTAssertEqual(r, CNNRegion(r0: 0, r1: shapes[j].output.h, c0: 0, c1: shapes[j].output.w))
        }
        let s = try CNNTraceGenerator.plan(try workload("mobilenetv2-w0.35", patches: 1, patchLayers: 13))
        XCTAssertEqual(s.executedMACs, s.macs)
    }

    /// Halo recompute grows with the number of patches.
    func testRecomputeGrowsWithPatches() throws {
        var last = -1.0
        for p in [1, 2, 3, 4, 6] {
            let s = try CNNTraceGenerator.plan(try workload("mobilenetv2-w0.35", patches: p, patchLayers: 13))
            XCTAssertGreaterThan(s.executedMACs, last)
            last = s.executedMACs
        }
    }

    func testInvalidPatchStages() throws {
        let shapes = try CNNModel.load("mobilenetv2-w0.35").shapes()
        let valid = CNNPatchPlanner.validLastLayers(shapes, patches: 4)
        // b3.project (index 8) feeds b3.add, which also reads b2.project: cutting there would split the residual.
        XCTAssertFalse(valid.contains(8))
        XCTAssertTrue(valid.contains(12))   // b4.project
        XCTAssertFalse(valid.contains(shapes.count - 1))
        XCTAssertThrowsError(try CNNPatchPlanner.plan(shapes, patches: 4, lastLayer: shapes.count - 1)) { e in
            XCTAssertTrue("\(e)".contains("dense or global-pool"), "\(e)")
        }
    }

    /// A trace written to a file and read back simulates to the same result.
    func testTraceFileRoundTrip() throws {
        let w = try workload("mobilenetv2-w0.35", patches: 4, patchLayers: 13)
        let (trace, summary) = try CNNTraceGenerator.trace(w)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ridge-mcu-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for ext in ["json", "jsonl"] {
            let path = dir.appendingPathComponent("cnn.\(ext)").path
            try TraceWriter.write(trace, to: path)
            var source = try TraceReader.open(path)
            let fromFile = try Simulator(profile: Self.h743).run(&source)
            let inMemory = try Simulator(profile: Self.h743).run(trace)
            XCTAssertEqual(fromFile.makespanSeconds, inMemory.makespanSeconds, ext)
            XCTAssertEqual(peak(fromFile, "sram"), summary.peakBytes, ext)
        }
    }
}
