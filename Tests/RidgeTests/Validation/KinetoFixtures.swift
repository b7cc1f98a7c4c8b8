import Foundation

/// Small hand-written traces for the Kineto and execution-trace tests. The event layout mirrors
/// what PyTorch's profiler writes (`../shared/reference/trace-formats.md` §2.2–2.4); the numbers are
/// made up.
enum KinetoFixtures {
    /// Object container, relative timestamps with `baseTimeNanoseconds`. Events by index:
    ///  1 aten::linear ⊃ 2 aten::addmm ⊃ launches 3 (External id fast path) and 5 (containment);
    ///  4 and 6 their kernels; 7 SDPA ⊃ 8 flash ⊃ 9 cudaLaunchKernelExC → 10 flash kernel;
    ///  11 memcpy ← 12 cudaMemcpyAsync outside any op; 13 kernel with no launch, joined by External id
    ///  to 15 aten::relu; 14 kernel whose External id repeats its correlation (not joined);
    ///  16 unknown kernel; 17 NCCL kernel; 18 a span with string pid; 19 an instant event;
    ///  20 aten::mm ⊃ 21 launch → 22 TF32 GEMM kernel; 23–24 an ac2g flow.
    static let trace = """
    {"schemaVersion": 1, "deviceProperties": [{"id": 0, "name": "Test GPU", "numSms": 100}],
     "baseTimeNanoseconds": 1700000000000000000, "displayTimeUnit": "ms",
     "traceEvents": [
      {"ph": "M", "name": "process_name", "pid": 0, "tid": 0, "args": {"name": "GPU 0"}},
      {"ph": "X", "cat": "cpu_op", "name": "aten::linear", "pid": 10, "tid": 11, "ts": 100.000, "dur": 50.5,
       "args": {"External id": 1, "Input Dims": [[8, 64], [32, 64], [32]], "Input type": ["float", "float", "float"]}},
      {"ph": "X", "cat": "cpu_op", "name": "aten::addmm", "pid": 10, "tid": 11, "ts": 101.5, "dur": 40,
       "args": {"External id": 2, "Input Dims": [[32], [8, 64], [64, 32], [], []], "Input type": ["float", "float", "float", "Scalar", "Scalar"]}},
      {"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 10, "tid": 11, "ts": 102.25, "dur": 5,
       "args": {"External id": 2, "cbid": 211, "correlation": 100}},
      {"ph": "X", "cat": "kernel", "name": "ampere_sgemm_32x32_sliced1x4_tn", "pid": 0, "tid": 7, "ts": 110.125, "dur": 20.002,
       "args": {"External id": 2, "device": 0, "stream": 7, "correlation": 100, "grid": [8, 1, 1], "block": [128, 1, 1]}},
      {"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 10, "tid": 11, "ts": 120, "dur": 4,
       "args": {"cbid": 211, "correlation": 101}},
      {"ph": "X", "cat": "kernel", "name": "void epilogue::impl::globalKernel<float, float, float, true, true>(int, int, long, float*, cublasLtEpilogue_t, int)",
       "pid": 0, "tid": 7, "ts": 131, "dur": 2.5, "args": {"device": 0, "stream": 7, "correlation": 101}},
      {"ph": "X", "cat": "cpu_op", "name": "aten::scaled_dot_product_attention", "pid": 10, "tid": 11, "ts": 200, "dur": 30,
       "args": {"External id": 3, "Input Dims": [[2, 8, 128, 64], [2, 2, 128, 64], [2, 2, 128, 64], [], [], [], []],
                "Input type": ["c10::BFloat16", "c10::BFloat16", "c10::BFloat16", "", "Scalar", "Scalar", ""],
                "Concrete Inputs": ["", "", "", "", "0.", "True", ""]}},
      {"ph": "X", "cat": "cpu_op", "name": "aten::_scaled_dot_product_flash_attention", "pid": 10, "tid": 11, "ts": 201, "dur": 25,
       "args": {"External id": 4, "Input Dims": [[2, 8, 128, 64], [2, 2, 128, 64], [2, 2, 128, 64], [], [], [], []],
                "Input type": ["c10::BFloat16", "c10::BFloat16", "c10::BFloat16", "Scalar", "Scalar", "Scalar", ""],
                "Concrete Inputs": ["", "", "", "0.", "True", "False", ""]}},
      {"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernelExC", "pid": 10, "tid": 11, "ts": 202, "dur": 3, "args": {"correlation": 102}},
      {"ph": "X", "cat": "kernel", "name": "void pytorch_flash::flash_fwd_kernel<Flash_fwd_kernel_traits<64, 128, 128, 4, false, false, cutlass::bfloat16_t>>(pytorch_flash::Flash_fwd_params)",
       "pid": 0, "tid": 7, "ts": 210, "dur": 15, "args": {"device": 0, "stream": 7, "correlation": 102}},
      {"ph": "X", "cat": "gpu_memcpy", "name": "Memcpy HtoD (Pinned -> Device)", "pid": 0, "tid": 7, "ts": 90, "dur": 3,
       "args": {"device": 0, "stream": 7, "correlation": 103, "bytes": 1048576, "memory bandwidth (GB/s)": 349.5}},
      {"ph": "X", "cat": "cuda_runtime", "name": "cudaMemcpyAsync", "pid": 10, "tid": 11, "ts": 85, "dur": 2, "args": {"correlation": 103}},
      {"ph": "X", "cat": "kernel", "name": "void at::native::vectorized_elementwise_kernel<4, at::native::(anonymous namespace)::launch_clamp_scalar(at::TensorIteratorBase&, c10::Scalar, c10::Scalar, at::native::detail::ClampLimits)::{lambda()#1}>(int, float*)",
       "pid": 0, "tid": 7, "ts": 320, "dur": 1.5, "args": {"External id": 7, "device": 0, "stream": 7, "correlation": 999}},
      {"ph": "X", "cat": "kernel", "name": "void at::native::reduce_kernel<512, 1, at::native::ReduceOp<float>>(at::native::ReduceOp<float>)",
       "pid": 0, "tid": 7, "ts": 330, "dur": 2, "args": {"External id": 55, "device": 0, "stream": 7, "correlation": 55}},
      {"ph": "X", "cat": "cpu_op", "name": "aten::relu", "pid": 10, "tid": 11, "ts": 300, "dur": 10,
       "args": {"External id": 7, "Input Dims": [[8, 32]], "Input type": ["float"]}},
      {"ph": "X", "cat": "kernel", "name": "mystery_kernel_v2", "pid": 0, "tid": 7, "ts": 340, "dur": 0.5},
      {"ph": "X", "cat": "kernel", "name": "ncclDevKernel_AllReduce_Sum_f32_RING_LL(ncclDevComm*, unsigned long, ncclWork*)",
       "pid": 0, "tid": 20, "ts": 400, "dur": 12, "args": {"device": 0, "stream": 20}},
      {"ph": "X", "cat": "Trace", "name": "PyTorch Profiler (0)", "pid": "Spans", "tid": "PyTorch Profiler", "ts": 0, "dur": 1000},
      {"ph": "i", "s": "g", "name": "Record Window End", "pid": "", "tid": "", "ts": 1000},
      {"ph": "X", "cat": "cpu_op", "name": "aten::mm", "pid": 10, "tid": 11, "ts": 500, "dur": 20,
       "args": {"External id": 8, "Input Dims": [[128, 256], [256, 512]], "Input type": ["float", "float"]}},
      {"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 10, "tid": 11, "ts": 501, "dur": 3, "args": {"correlation": 104}},
      {"ph": "X", "cat": "kernel", "name": "sm80_xmma_gemm_f32f32_tf32f32_f32_nn_n_tilesize128x128x16_stage4_warpsize2x2x1_tensor16x8x8_kernel",
       "pid": 0, "tid": 7, "ts": 510, "dur": 30, "args": {"device": 0, "stream": 7, "correlation": 104}},
      {"ph": "s", "id": 104, "pid": 10, "tid": 11, "ts": 501, "cat": "ac2g", "name": "ac2g"},
      {"ph": "f", "id": 104, "pid": 0, "tid": 7, "ts": 510, "cat": "ac2g", "name": "ac2g", "bp": "e"}
     ]}
    """

    /// The same events in the bare array container.
    static var arrayTrace: String {
        let start = trace.range(of: "\"traceEvents\": [")!.upperBound
        let end = trace.range(of: "]}", options: .backwards)!.lowerBound
        return "[" + trace[start..<end] + "]"
    }

    /// A tiny trace and its gzip encodings (made with Python's gzip module, mtime 0): one member,
    /// and the same bytes split over two concatenated members.
    static let tiny = #"{"traceEvents":[{"ph":"X","cat":"kernel","name":"ampere_sgemm_32x32_sliced1x4_tn","pid":0,"tid":7,"ts":1.5,"dur":2.25,"args":{"stream":7}}]}"#
    static let tinyGzip = "H4sIAAAAAAAC/xWMwQrCMBBE/2XOodhUEXL3HwSRsCRLLTYhJKsUQv7d9fRmhsd0SKXAty9naXCPjvKCwx0GgUTTm2vmXWumxNopFa7s28op+cUei/Vt3wLH+Th7ySqWLcKdDOTPq1J/5+liED8Vzk5WI9VV144mlSmpNsZz/ADTV92ojAAAAA=="
    static let tinyGzipTwoMembers = "H4sIAAAAAAAC/6tWKilKTE51LUvNKylWsoquVirIULJSilDSUUpOLAGyslOL8lJzgNy8xNxUID8RAPKobuYyAAAAH4sIAAAAAAAC/xWKQQqAIBAA/7JnkdQi8C8hkosIbciugRD+PTvNMAxVZAySkSg4250NcpUTk+lraDcoqCWBXxS0n/ukgDd6U5AeBm+1nRo5z/qCNMZIcxvjGB/hVwSLWgAAAA=="

    /// An execution trace: a root, aten::linear (⊃ aten::t, aten::addmm) and aten::softmax on the
    /// GPU, an op Ridge does not know, a CPU fill and an allocation.
    static let executionTrace = """
    {"schema": "1.0.1", "pid": 1, "time": "2024-01-01 00:00:00", "start_ts": 0, "finish_ts": 10,
     "nodes": [
      {"name": "[pytorch|profiler|execution_trace|process]", "id": 1, "rf_id": 0, "parent": 1, "tid": 0,
       "inputs": [], "input_shapes": [], "input_types": [], "outputs": [], "output_shapes": [], "output_types": []},
      {"name": "aten::t", "id": 3, "rf_id": 2, "parent": 2, "tid": 1,
       "inputs": [[12, 13, 0, 2048, 2, "cuda:0"]], "input_shapes": [[16, 128]], "input_types": ["Tensor(c10::BFloat16)"],
       "outputs": [[16, 13, 0, 2048, 2, "cuda:0"]], "output_shapes": [[128, 16]], "output_types": ["Tensor(c10::BFloat16)"]},
      {"name": "aten::addmm", "id": 4, "rf_id": 3, "parent": 2, "tid": 1,
       "inputs": [[17, 18, 0, 16, 2, "cuda:0"], [10, 11, 0, 512, 2, "cuda:0"], [16, 13, 0, 2048, 2, "cuda:0"], 1, 1],
       "input_shapes": [[16], [4, 128], [128, 16], [], []],
       "input_types": ["Tensor(c10::BFloat16)", "Tensor(c10::BFloat16)", "Tensor(c10::BFloat16)", "Int", "Int"],
       "outputs": [[14, 15, 0, 64, 2, "cuda:0"]], "output_shapes": [[4, 16]], "output_types": ["Tensor(c10::BFloat16)"]},
      {"name": "aten::linear", "id": 2, "rf_id": 1, "parent": 1, "tid": 1,
       "inputs": [[10, 11, 0, 512, 2, "cuda:0"], [12, 13, 0, 2048, 2, "cuda:0"], [17, 18, 0, 16, 2, "cuda:0"]],
       "input_shapes": [[4, 128], [16, 128], [16]],
       "input_types": ["Tensor(c10::BFloat16)", "Tensor(c10::BFloat16)", "Tensor(c10::BFloat16)"],
       "outputs": [[14, 15, 0, 64, 2, "cuda:0"]], "output_shapes": [[4, 16]], "output_types": ["Tensor(c10::BFloat16)"]},
      {"name": "aten::softmax", "id": 5, "rf_id": 4, "parent": 1, "tid": 1,
       "inputs": [[14, 15, 0, 64, 2, "cuda:0"], -1, "<None>"], "input_shapes": [[4, 16], [], []],
       "input_types": ["Tensor(c10::BFloat16)", "Int", "None"],
       "outputs": [[19, 20, 0, 64, 2, "cuda:0"]], "output_shapes": [[4, 16]], "output_types": ["Tensor(c10::BFloat16)"]},
      {"name": "aten::mysterious_op", "id": 6, "rf_id": 5, "parent": 1, "tid": 1,
       "inputs": [[21, 22, 0, 3, 4, "cuda:0"]], "input_shapes": [[3]], "input_types": ["Tensor(float)"],
       "outputs": [], "output_shapes": [], "output_types": []},
      {"name": "aten::fill_", "id": 7, "rf_id": 6, "parent": 1, "tid": 1,
       "inputs": [[23, 24, 0, 100, 4, "cpu"], 0], "input_shapes": [[100], []], "input_types": ["Tensor(float)", "Int"],
       "outputs": [[23, 24, 0, 100, 4, "cpu"]], "output_shapes": [[100]], "output_types": ["Tensor(float)"]},
      {"name": "aten::empty", "id": 8, "rf_id": 7, "parent": 1, "tid": 1,
       "inputs": [[4, 4], 6, "<None>", "cuda", false, "<None>"], "input_shapes": [[[], []], [], [], [], [], []],
       "input_types": ["GenericList[Int,Int]", "Int", "None", "Device", "Bool", "None"],
       "outputs": [[25, 26, 0, 16, 4, "cuda:0"]], "output_shapes": [[4, 4]], "output_types": ["Tensor(float)"]}
     ]}
    """
}
