import XCTest
@testable import Ridge

final class ATenShapesTests: XCTestCase {
    func t(_ dims: [Int], _ dtype: String = "float") -> OpArgument { OpArgument(dims: dims, dtype: dtype) }
    func v(_ value: String) -> OpArgument { OpArgument(dims: nil, dtype: "Scalar", value: value) }

    func testGEMMs() {
        XCTAssertEqual(ATenShapes.shape(op: "aten::mm", [t([64, 128], "c10::BFloat16"), t([128, 256], "c10::BFloat16")]),
                       .gemm(GEMM(m: 64, n: 256, k: 128, precision: .bf16)))
        XCTAssertEqual(ATenShapes.shape(op: "aten::addmm", [t([256]), t([64, 128]), t([128, 256]), v("1"), v("1")]),
                       .gemm(GEMM(m: 64, n: 256, k: 128, precision: .fp32)))
        XCTAssertEqual(ATenShapes.shape(op: "aten::bmm", [t([4, 64, 32], "c10::Half"), t([4, 32, 16], "c10::Half")]),
                       .gemm(GEMM(m: 64, n: 16, k: 32, batch: 4, precision: .fp16)))
        // linear: x [..., k] · wᵀ, w [n, k].
        XCTAssertEqual(ATenShapes.shape(op: "aten::linear", [t([2, 10, 512]), t([1024, 512]), t([1024])]),
                       .gemm(GEMM(m: 20, n: 1024, k: 512, precision: .fp32)))
        // matmul: broadcast batch dims, 2-D right operand folds the batch into m, 1-D operands.
        XCTAssertEqual(ATenShapes.shape(op: "aten::matmul", [t([2, 8, 128, 64]), t([2, 8, 64, 128])]),
                       .gemm(GEMM(m: 128, n: 128, k: 64, batch: 16, precision: .fp32)))
        XCTAssertEqual(ATenShapes.shape(op: "aten::matmul", [t([3, 1, 5, 6]), t([4, 6, 7])]),
                       .gemm(GEMM(m: 5, n: 7, k: 6, batch: 12, precision: .fp32)))
        XCTAssertEqual(ATenShapes.shape(op: "aten::matmul", [t([2, 10, 512]), t([512, 64])]),
                       .gemm(GEMM(m: 20, n: 64, k: 512, precision: .fp32)))
        XCTAssertEqual(ATenShapes.shape(op: "aten::matmul", [t([512]), t([512, 64])]), .gemm(GEMM(m: 1, n: 64, k: 512, precision: .fp32)))
        // Inconsistent or empty operands are not shaped.
        XCTAssertNil(ATenShapes.shape(op: "aten::mm", [t([64, 128]), t([127, 256])]))
        XCTAssertNil(ATenShapes.shape(op: "aten::mm", [t([0, 128]), t([128, 256])]))
        XCTAssertNil(ATenShapes.shape(op: "aten::matmul", [t([3, 5, 6]), t([4, 6, 7])]))
        XCTAssertNil(ATenShapes.shape(op: "aten::addmm", []))
    }

    func testAttention() {
        let q = t([2, 16, 1024, 128], "c10::BFloat16"), k = t([2, 4, 1024, 128], "c10::BFloat16")
        XCTAssertEqual(ATenShapes.shape(op: "aten::scaled_dot_product_attention", [q, k, k, v(""), v("0."), v("True")]),
                       .attention(Attention(batch: 2, heads: 16, kvHeads: 4, queryLength: 1024, keyLength: 1024, headDim: 128,
                                            causal: true, algorithm: .flash, pass: .forward, precision: .bf16)))
        XCTAssertEqual(ATenShapes.shape(op: "aten::scaled_dot_product_attention", [q, k, k]),
                       .attention(Attention(batch: 2, heads: 16, kvHeads: 4, queryLength: 1024, headDim: 128, causal: false, precision: .bf16)))
        // The flash kernels' own layout is [B, L, H, D]; backward ops take grad_out first.
        let ql = t([2, 512, 8, 64], "c10::Half"), kl = t([2, 256, 8, 64], "c10::Half")
        let backward = [ql, ql, kl, kl, ql, t([2, 8, 512]), v(""), v(""), v("512"), v("256"), v("0."), v("False")]
        XCTAssertEqual(ATenShapes.shape(op: "aten::_flash_attention_backward", backward),
                       .attention(Attention(batch: 2, heads: 8, queryLength: 512, keyLength: 256, headDim: 64, causal: false,
                                            algorithm: .flash, pass: .backward, precision: .fp16)))
        XCTAssertEqual(ATenShapes.shape(op: "aten::_scaled_dot_product_attention_math", [q, k, k, v(""), v("0."), v("False")]).map { s -> Attention.Algorithm? in
            if case .attention(let a) = s { return a.algorithm }; return nil }, .standard)
        // Heads not a multiple of the KV heads: not a valid attention.
        XCTAssertNil(ATenShapes.shape(op: "aten::scaled_dot_product_attention", [t([1, 6, 8, 8]), t([1, 4, 8, 8]), t([1, 4, 8, 8])]))
    }

    func testElementwiseBytes() {
        // Out of place: reads both inputs, writes an output as large as the largest (broadcast).
        XCTAssertEqual(ATenShapes.shape(op: "aten::add", [t([1024, 64], "c10::BFloat16"), t([64], "c10::BFloat16"), v("1")]),
                       .elementwise(Elementwise(elements: 65536, bytesPerElement: (65536.0 * 2 + 64 * 2 + 65536 * 2) / 65536, flopsPerElement: 1, precision: .bf16)))
        // In place: self is read and written.
        XCTAssertEqual(ATenShapes.shape(op: "aten::relu_", [t([100])]),
                       .elementwise(Elementwise(elements: 100, bytesPerElement: 8, flopsPerElement: 1, precision: .fp32)))
        // Fill writes only; copy reads the source and writes the destination.
        XCTAssertEqual(ATenShapes.shape(op: "aten::fill_", [t([100]), v("0")]),
                       .elementwise(Elementwise(elements: 100, bytesPerElement: 4, flopsPerElement: 0, precision: .fp32)))
        XCTAssertEqual(ATenShapes.shape(op: "aten::copy_", [t([100], "c10::Half"), t([100], "float"), v("False")]),
                       .elementwise(Elementwise(elements: 100, bytesPerElement: 6, flopsPerElement: 0, precision: .fp16)))
        // Softmax and norms count their FLOPs; a reduction writes a small output it does not size.
        XCTAssertEqual(ATenShapes.shape(op: "aten::_softmax", [t([8, 128]), v("-1"), v("False")]),
                       .elementwise(Elementwise(elements: 1024, bytesPerElement: 8, flopsPerElement: 5, precision: .fp32)))
        XCTAssertEqual(ATenShapes.shape(op: "aten::sum", [t([8, 128]), v("[1]")]),
                       .elementwise(Elementwise(elements: 1024, bytesPerElement: 4, flopsPerElement: 1, precision: .fp32)))
        // Execution traces know the outputs.
        XCTAssertEqual(ATenShapes.shape(op: "aten::sum", [t([8, 128])], outputs: [t([8])]),
                       .elementwise(Elementwise(elements: 1024, bytesPerElement: (4096.0 + 32) / 1024, flopsPerElement: 1, precision: .fp32)))
        // Inductor kernels: every pointer argument touched once.
        XCTAssertEqual(ATenShapes.shape(op: "triton_poi_fused_add_0", [t([10, 10]), t([10, 10]), t([10, 10]), OpArgument(dims: nil, dtype: "Scalar")]),
                       .elementwise(Elementwise(elements: 100, bytesPerElement: 12, flopsPerElement: 1, precision: .fp32)))
        XCTAssertEqual(ATenShapes.shape(op: "aten::embedding", [t([32000, 4096], "c10::BFloat16"), t([4, 512], "long int")]),
                       .embedding(Embedding(tokens: 2048, hidden: 4096, precision: .bf16)))
        XCTAssertNil(ATenShapes.shape(op: "aten::cudnn_convolution", [t([1, 3, 224, 224]), t([64, 3, 7, 7])]))
        XCTAssertNil(ATenShapes.shape(op: "aten::_foreach_add_", [t([10])]))
        XCTAssertNil(ATenShapes.shape(op: "aten::add", [v("1"), v("2")]))
    }

    func testDTypes() {
        XCTAssertEqual(ATenShapes.elementBytes("Tensor(c10::BFloat16)"), 2)
        XCTAssertEqual(ATenShapes.elementBytes("long int"), 8)
        XCTAssertEqual(ATenShapes.elementBytes("bool"), 1)
        XCTAssertEqual(ATenShapes.precision("c10::Float8_e4m3fn"), .fp8)
        XCTAssertEqual(ATenShapes.precision("double"), .fp64)
        XCTAssertNil(ATenShapes.precision("long int"))
    }
}
