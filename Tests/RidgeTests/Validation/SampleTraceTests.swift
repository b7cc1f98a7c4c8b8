import XCTest
@testable import Ridge

/// The four real sample traces in `../shared/data/traces/` (HolisticTraceAnalysis test fixtures,
/// A100; see SOURCE.md there). Skipped cleanly when the development data is absent.
final class SampleTraceTests: XCTestCase {
    func kineto(_ name: String) throws -> KinetoMeasurements {
        let file = try MeasuredData.open(try sharedData("data/traces/" + name))
        XCTAssertEqual(file.format, .kineto)
        return try XCTUnwrap(file.kineto)
    }

    func checkClassified(_ m: KinetoMeasurements, _ name: String) {
        XCTAssertLessThan(m.unknownPercent, 5, "\(name): \(Format.percent(m.unknownPercent)) of GPU time in unknown kernels")
        // Every GPU nanosecond is either in a modelled row or listed as unmodelled.
        XCTAssertEqual(m.groups.reduce(Int64(0)) { $0 + $1.nanoseconds } + m.unmodelled.reduce(Int64(0)) { $0 + $1.nanoseconds }, m.gpuNanoseconds, name)
    }

    func testAlexNetGzipped() throws {
        let m = try kineto("hta_alexnet_a100.kineto.json.gz")
        XCTAssertNotNil(m.trace.decompression)
        XCTAssertEqual(m.trace.eventCount, 1408)
        XCTAssertEqual(m.trace.gpuEvents.filter { $0.category == "kernel" }.count, 79)
        XCTAssertEqual(m.trace.gpuEvents.count, 79 + 16 + 3)
        XCTAssertEqual(m.trace.devices.first?.name, "NVIDIA A100-PG509-200")
        // Absolute integer microseconds (2023 format): the first kernel of the reference notes.
        let k = m.trace.gpuEvents.first { $0.name == "cudnn_ampere_scudnn_128x64_relu_xregs_large_nn_v1" }!
        XCTAssertEqual(k.start, 1_695_835_583_881_608_000)
        XCTAssertEqual(k.duration, 1_035_000)
        // Every kernel was launched by cudaLaunchKernel inside a cpu_op (recorded without shapes).
        XCTAssertTrue(m.trace.gpuEvents.allSatisfy { $0.op != nil })
        XCTAssertEqual(m.trace.gpuEvents.filter { $0.join == .none }.count, 0)
        XCTAssertTrue(m.unmodelled.allSatisfy { $0.reason == "op recorded without shapes" })
        checkClassified(m, "alexnet")
    }

    func testTritonExample() throws {
        let m = try kineto("hta_triton_example_a100.kineto.json")
        XCTAssertEqual(m.trace.eventCount, 71)
        XCTAssertEqual(m.trace.baseTimeNanoseconds, 1_727_743_122_000_000_000)
        XCTAssertEqual(m.trace.gpuEvents.count, 1)
        let e = m.trace.gpuEvents[0]
        // ts 2413669097444.592 µs after the base, dur 1.76 µs.
        XCTAssertEqual(e.start, 1_727_743_122_000_000_000 + 2_413_669_097_444_592)
        XCTAssertEqual(e.duration, 1_760)
        XCTAssertEqual(e.kernelClass, .elementwise)
        XCTAssertEqual(e.join, .launchExternalID)
        XCTAssertEqual(e.launch.map { m.trace.launches[$0].name }, "cuLaunchKernel")
        XCTAssertEqual(m.rows.map(\.shape), [.elementwise(Elementwise(elements: 100, bytesPerElement: 12, flopsPerElement: 1, precision: .fp32))])
        checkClassified(m, "triton")
    }

    func testTraceCompareBase() throws {
        let m = try kineto("hta_trace_compare_base.kineto.json")
        XCTAssertEqual(m.trace.eventCount, 33)
        XCTAssertEqual(m.trace.gpuEvents.count, 18)
        XCTAssertEqual(Set(m.trace.gpuEvents.map(\.device)), [1])
        XCTAssertEqual(Set(m.trace.gpuEvents.map(\.stream)), ["7", "16"])
        // Memcpys and memsets are shaped from their bytes; the trimmed trace keeps no enclosing ops.
        XCTAssertEqual(m.rows.count, 12)
        checkClassified(m, "trace_compare")
    }

    func testExecutionTrace() throws {
        let path = try sharedData("data/traces/hta_simple_add.pytorch_et.json")
        let et = try ExecutionTrace.load(path)
        XCTAssertEqual(et.schema, "1.0.1")
        XCTAssertEqual(et.nodes.count, 38)
        let add = et.nodes.first { $0.name == "aten::add" }!
        XCTAssertEqual(add.arguments.map(\.dims), [[256, 256], [256, 256], nil])
        XCTAssertEqual(add.devices, ["cuda:0"])
        let gpu = et.operators.filter(\.onGPU)
        XCTAssertEqual(gpu.map { et.nodes[$0.node].name }, ["aten::rand", "aten::rand", "aten::add", "aten::add"])
        XCTAssertEqual(gpu[2].shape, .elementwise(Elementwise(elements: 65536, bytesPerElement: 12, flopsPerElement: 1, precision: .fp32)))
        // The execution trace has no GPU time; its classifier check is by operator: none unknown.
        XCTAssertEqual(et.unknownOperators.map(\.name), [])
        XCTAssertThrowsError(try MeasuredData.open(path))
    }
}
