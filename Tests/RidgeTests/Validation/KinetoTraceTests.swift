import Foundation
import XCTest
@testable import Ridge

final class KinetoTraceTests: XCTestCase {
    func parse(_ text: String, file: String = "fixture.json") throws -> KinetoTrace {
        try KinetoTrace.parse(JSONParser.parse(Array(text.utf8), keepNumberText: true), file: file)
    }

    func event(_ t: KinetoTrace, _ index: Int) -> KinetoTrace.GPUEvent { t.gpuEvents.first { $0.event == index }! }

    func testTimestampsAreExactNanoseconds() throws {
        let t = try parse(KinetoFixtures.trace)
        XCTAssertEqual(t.container, .object)
        XCTAssertEqual(t.baseTimeNanoseconds, 1_700_000_000_000_000_000)
        // 1.7e18 + 110.125 µs: 19 significant digits, beyond a double (its spacing there is 256 ns).
        XCTAssertEqual(event(t, 4).start, 1_700_000_000_000_110_125)
        XCTAssertEqual(event(t, 4).duration, 20_002)
        XCTAssertEqual(event(t, 6).duration, 2_500)
        XCTAssertEqual(event(t, 16).duration, 500)
        XCTAssertEqual(t.ops.first { $0.name == "aten::linear" }!.end - t.ops.first { $0.name == "aten::linear" }!.start, 50_500)
        // Absolute epoch microseconds with a nanosecond fraction (2023-style traces, no base).
        let abs = try parse(#"[{"ph":"X","cat":"kernel","name":"k","pid":0,"tid":7,"ts":1695835583881608.123,"dur":1035}]"#)
        XCTAssertEqual(abs.gpuEvents[0].start, 1_695_835_583_881_608_123)
        XCTAssertEqual(abs.gpuEvents[0].duration, 1_035_000)
        XCTAssertNotEqual(Int64(1695835583881608.123 * 1000), 1_695_835_583_881_608_123, "a double could not have held this")
    }

    func testBothContainersGiveTheSameEvents() throws {
        let object = try parse(KinetoFixtures.trace)
        let array = try parse(KinetoFixtures.arrayTrace)
        XCTAssertEqual(array.container, .array)
        XCTAssertNil(array.baseTimeNanoseconds)
        XCTAssertEqual(object.gpuEvents.count, 9)
        XCTAssertEqual(array.gpuEvents.map(\.name), object.gpuEvents.map(\.name))
        XCTAssertEqual(array.gpuEvents.map(\.duration), object.gpuEvents.map(\.duration))
        XCTAssertEqual(array.gpuEvents.map { $0.start + 1_700_000_000_000_000_000 }, object.gpuEvents.map(\.start))
        XCTAssertEqual(array.gpuEvents.map(\.op), object.gpuEvents.map(\.op))
        XCTAssertEqual(array.gpuEvents.map(\.join), object.gpuEvents.map(\.join))
        XCTAssertEqual(object.devices.first?.computeUnits, 100)
    }

    func testJoinsByCorrelationEnclosingOpAndExternalID() throws {
        let t = try parse(KinetoFixtures.trace)
        func op(_ e: Int) -> String? { event(t, e).op.map { t.ops[$0].name } }
        // The launch's External id names the enclosing op (fast path).
        XCTAssertEqual(event(t, 4).join, .launchExternalID)
        XCTAssertEqual(op(4), "aten::addmm")
        // No External id on the launch: the innermost op enclosing it on its thread.
        XCTAssertEqual(event(t, 6).join, .launchContainment)
        XCTAssertEqual(op(6), "aten::addmm")
        XCTAssertEqual(op(10), "aten::_scaled_dot_product_flash_attention")
        XCTAssertEqual(event(t, 10).launch.map { t.launches[$0].name }, "cudaLaunchKernelExC")
        // Launched outside any op.
        XCTAssertNotNil(event(t, 11).launch)
        XCTAssertNil(event(t, 11).op)
        // No launch in the trace: the kernel's own External id.
        XCTAssertEqual(event(t, 13).join, .externalID)
        XCTAssertEqual(op(13), "aten::relu")
        // External id equal to the correlation (older Kineto) is not trusted.
        XCTAssertEqual(event(t, 14).join, .none)
        XCTAssertNil(op(14))
        // Nesting.
        let addmm = t.ops.firstIndex { $0.name == "aten::addmm" }!
        XCTAssertEqual(t.ops[addmm].parent.map { t.ops[$0].name }, "aten::linear")
        XCTAssertEqual(t.ancestry(of: addmm).map { t.ops[$0].name }, ["aten::addmm", "aten::linear"])
    }

    func testGroupsRecoverShapesAndKeepEveryKernel() throws {
        let m = KinetoMeasurements(try parse(KinetoFixtures.trace))
        let rows = m.rows
        XCTAssertEqual(rows.map(\.kind), ["transfer", "gemm", "attention", "elementwise", "gemm"])
        // aten::linear is the outermost op with a shape: its GEMM and epilogue kernels together.
        XCTAssertEqual(rows[1].shape, .gemm(GEMM(m: 8, n: 32, k: 64, precision: .fp32)))
        XCTAssertEqual(rows[1].seconds, 22.502e-6, accuracy: 1e-15)
        XCTAssertEqual(rows[1].name, "aten::linear → ampere_sgemm_32x32_sliced1x4_tn (+1 more)")
        XCTAssertTrue(rows[1].origin.hasSuffix("fixture.json:traceEvents[1]"))
        XCTAssertEqual(rows[2].shape, .attention(Attention(batch: 2, heads: 8, kvHeads: 2, queryLength: 128, keyLength: 128, headDim: 64,
                                                          causal: true, algorithm: .flash, pass: .forward, precision: .bf16)))
        XCTAssertEqual(rows[0].shape, .transfer(Transfer(bytes: 1_048_576, from: "host", to: "device")))
        XCTAssertEqual(rows[3].shape, .elementwise(Elementwise(elements: 256, bytesPerElement: 8, flopsPerElement: 1, precision: .fp32)))
        // A TF32 kernel for fp32 operands.
        XCTAssertEqual(rows[4].shape, .gemm(GEMM(m: 128, n: 512, k: 256, precision: .tf32)))
        // Nothing is dropped: unmodelled kernels are listed with their reason.
        XCTAssertEqual(Set(m.unmodelled.map(\.reason)), ["no launching CPU op found"])
        XCTAssertEqual(m.unmodelled.reduce(0) { $0 + $1.events }, 3)
        let modelled = m.groups.reduce(Int64(0)) { $0 + $1.nanoseconds }, rest = m.unmodelled.reduce(Int64(0)) { $0 + $1.nanoseconds }
        XCTAssertEqual(modelled + rest, m.gpuNanoseconds)
        let classes = Dictionary(uniqueKeysWithValues: m.byClass.map { ($0.kernelClass, $0.events) })
        XCTAssertEqual(classes, [.gemm: 2, .attention: 1, .conv: 0, .elementwise: 2, .reduction: 1, .communication: 1, .memcpy: 1, .memset: 0, .unknown: 1])
        XCTAssertEqual(m.unknownPercent, 500.0 / Double(m.gpuNanoseconds) * 100, accuracy: 1e-9)
    }

    func testReplayKeepsStreamOrder() throws {
        let m = KinetoMeasurements(try parse(KinetoFixtures.trace))
        let profile = try ProfileLoader.load("a100-sxm-40gb")
        let (trace, groups) = m.replayTrace(for: profile, engine: profile.primaryEngine)
        XCTAssertEqual(groups.count, 5)
        XCTAssertEqual(trace.ops.map(\.stream), Array(repeating: "d0.s7", count: 5))
        XCTAssertEqual(trace.ops.map(\.after), [[], [0], [1], [2], [3]])
        XCTAssertEqual(trace.ops[0].shape, .transfer(Transfer(bytes: 1_048_576, from: "host", to: "hbm")))
        XCTAssertEqual(trace.ops[1].name, "aten::linear@traceEvents[1]")
        let result = try Simulator(profile: profile).run(trace)
        let costs = trace.ops.map { CostModel.cost($0.shape, on: profile.primaryEngine, in: profile).seconds }
        XCTAssertEqual(result.makespanSeconds, costs.reduce(0, +), accuracy: 1e-12, "one stream: the operators run back to back")
    }

    func testGzipReadsOneOrSeveralMembersAndRejectsDamage() throws {
        let dir = TempDir()
        for (label, encoded) in [("one member", KinetoFixtures.tinyGzip), ("two members", KinetoFixtures.tinyGzipTwoMembers)] {
            let bytes = [UInt8](Data(base64Encoded: encoded)!)
            XCTAssertEqual(try Gzip.decompress(bytes, file: nil), Array(KinetoFixtures.tiny.utf8), label)
            let path = dir.file("t.pt.trace.json.gz", bytes: bytes)
            let file = try MeasuredData.open(path)
            XCTAssertEqual(file.format, .kineto, label)
            XCTAssertEqual(file.decompression, Gzip.decoderName)
            XCTAssertEqual(file.kineto?.trace.gpuEvents.first?.duration, 2_250)
        }
        var bytes = [UInt8](Data(base64Encoded: KinetoFixtures.tinyGzip)!)
        let truncated = dir.file("cut.json.gz", bytes: Array(bytes.prefix(bytes.count - 20)))
        assertThrows("truncated gzip", .data(truncated, at: "of the gzip stream", "truncated")) { _ = try MeasuredData.open(truncated) }
        bytes[20] ^= 0xFF
        let corrupt = dir.file("bad.json.gz", bytes: bytes)
        assertThrows("corrupt gzip", .data(corrupt, at: "of the gzip stream", "corrupt gzip data")) { _ = try MeasuredData.open(corrupt) }
        let fake = dir.file("plain.json.gz", KinetoFixtures.tiny)
        assertThrows("not gzip", .data(fake, at: "byte 0", "not gzip data")) { _ = try MeasuredData.open(fake) }
    }

    func testClassifierNamesKernels() {
        let cases: [(String, KernelClass)] = [
            ("nvjet_tst_256x128_64x4_1x2_h_bz_coopA_NNT", .gemm),
            ("sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x128x64_warpgroupsize1x1x1_execute_segment_k_off_kernel__5x_cublas", .gemm),
            ("ampere_fp16_s16816gemm_fp16_128x128_ldg8_f2f_stages_32x5_tn", .gemm),
            ("void cutlass::Kernel2<cutlass_80_tensorop_bf16_s16816gemm_relu_bf16_128x64_32x6_tn_align8>(T1::Params)", .gemm),
            ("ampere_sgemm_32x32_sliced1x4_tn", .gemm),
            ("void cutlass::device_kernel<flash::enable_sm90_or_later<flash::FlashAttnFwdSm90<flash::CollectiveMainloop>>>(T1::Params)", .attention),
            ("void flash::flash_bwd_dq_dk_dv_loop_seqk_parallel_kernel<Flash_bwd_kernel_traits<128>>(flash::Flash_bwd_params)", .attention),
            ("fmha_cutlassF_bf16_aligned_64x128_rf_sm80", .attention),
            ("cudnn_generated_fort_native_sdpa_sm90_flash_fprop_wgmma_f16_knob_7_64x128x128_4x1x1_cga1x1x1_kernel0_0", .attention),
            ("sm80_xmma_fprop_implicit_gemm_indexed_tf32f32_tf32f32_f32_nhwckrsc_nchw_tilesize128x128x16_stage4", .conv),
            ("cudnn_ampere_scudnn_128x64_relu_xregs_large_nn_v1", .conv),
            ("void at::native::vectorized_elementwise_kernel<4, at::native::CUDAFunctor_add<float>, at::detail::Array<char*, 3> >(int, at::native::CUDAFunctor_add<float>, at::detail::Array<char*, 3>)", .elementwise),
            ("triton_poi_fused_add_cos_sin_0", .elementwise),
            ("triton_red_fused_sum_1", .reduction),
            ("void at::native::(anonymous namespace)::vectorized_layer_norm_kernel<float, float>(int, float, float const*)", .reduction),
            ("void at::native::(anonymous namespace)::max_pool_forward_nchw<float, float>(int, float const*)", .reduction),
            ("ncclKernel_AllReduce_RING_LL_Sum_float(ncclDevComm*, unsigned long, ncclWork*)", .communication),
            ("vllm::act_and_mul_kernel<c10::BFloat16>", .elementwise),
            ("void epilogue::impl::globalKernel<float, float, float, true, true>(int, cublasLtEpilogue_t)", .elementwise),
            ("void cask_cudnn::computeOffsetsKernel<false, false>(cask_cudnn::ComputeOffsetsParams)", .unknown),
        ]
        for (name, expected) in cases { XCTAssertEqual(KernelClassifier.classify(kernel: name), expected, name) }
        XCTAssertEqual(KernelClassifier.classify(name: "Memcpy DtoD (Device -> Device)", category: "gpu_memcpy"), .memcpy)
        XCTAssertEqual(KernelClassifier.classify(name: "Memset (Device)", category: "Memset"), .memset)
        XCTAssertEqual(KernelClassifier.baseName("void f<a(b)>(int, g(h))"), "void f<a(b)>")
    }
}
