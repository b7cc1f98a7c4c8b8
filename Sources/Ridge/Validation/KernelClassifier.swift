/// What a GPU kernel does, judged from its name (and, for copies, its trace category).
public enum KernelClass: String, Sendable, CaseIterable, Hashable {
    case gemm, attention, conv, elementwise, reduction, communication, memcpy, memset, unknown
}

/// Classifies GPU kernels by their demangled names with ordered substring patterns, first match
/// wins. The order matters: attention before GEMM (FlashAttention-3 is a `cutlass::device_kernel`),
/// convolution before GEMM (cuDNN's `implicit_gemm` kernels are convolutions), reductions before
/// the broad elementwise patterns. Matching is case-insensitive and ignores the kernel's parameter
/// list (the trailing `(...)` of a demangled signature), whose argument types would otherwise match
/// (`cublasLtEpilogue_t` in an epilogue kernel's arguments is not a GEMM).
///
/// Sources of the name patterns: `../shared/reference/trace-formats.md` §2.5 (kernel names seen on
/// A100 and H100: HTA samples, vLLM's nsys table, FlashAttention's launch templates, cuDNN SDPA,
/// nsys-ai PR #582 for `nvjet`), PyTorch's ATen kernel names (`at::native::*`), Inductor's prefixes
/// (`triton_poi_`, `triton_red_`, `triton_per_`, `triton_tem_`), NCCL's `ncclKernel_*`/`ncclDevKernel_*`.
/// Kernels that match nothing are `unknown`: reported, never dropped. `docs/validation.md` lists the table.
public enum KernelClassifier {
    /// Ordered (class, patterns) rules; patterns are lower-case substrings.
    public static let rules: [(KernelClass, [String])] = [
        (.communication, ["nccl", "allreduce", "all_reduce", "allgather", "all_gather", "reducescatter", "reduce_scatter",
                          "alltoall", "all_to_all", "sendrecv", "cross_device_reduce", "msccl"]),
        (.attention, ["flash_fwd", "flash_bwd", "flashattn", "flash_attn", "flash::", "fmha", "sdpa", "attention",
                      "attn_fwd", "attn_bwd", "_attn_", "mha_fwd", "mha_bwd"]),
        (.conv, ["fprop", "dgrad", "wgrad", "implicit_gemm", "implicit_precomp", "scudnn", "convolve", "conv2d", "conv3d",
                 "conv_depthwise", "depthwise_conv", "winograd", "fft2d_"]),
        (.gemm, ["nvjet", "gemm", "gemv", "cutlass", "cublas", "matmul", "splitkreduce", "triton_tem_", "dot_kernel"]),
        (.elementwise, ["elementwise", "triton_poi_"]),
        (.reduction, ["reduce", "reduction", "triton_red_", "triton_per_", "softmax", "layer_norm", "layernorm", "rms_norm",
                      "rmsnorm", "batch_norm", "batchnorm", "group_norm", "groupnorm", "_norm_", "pool", "argmax", "argmin",
                      "topk", "moments", "welford", "cumsum", "scan", "cross_entropy", "nll_loss", "sum_kernel", "mean_kernel"]),
        (.elementwise, ["vectorized", "unrolled", "fill", "copy", "index", "gather", "scatter", "cat_", "catarray", "transpose",
                        "permute", "nchwtonhwc", "nhwctonchw", "epilogue", "dropout", "relu", "gelu", "silu", "swiglu",
                        "act_and_mul", "sigmoid", "tanh", "rotary", "rope", "cast", "convert", "reshape_and_cache", "embedding",
                        "where", "masked", "arange", "random", "distribution", "philox", "pointwise", "bias", "add_kernel",
                        "mul_kernel", "clamp", "pad", "upsample", "im2col", "col2im"]),
    ]

    /// The class of a GPU event: copies by category, kernels by name.
    public static func classify(name: String, category: String) -> KernelClass {
        switch category.lowercased() {
        case "gpu_memcpy", "memcpy": return .memcpy
        case "gpu_memset", "memset": return .memset
        default: return classify(kernel: name)
        }
    }

    /// The class of a kernel name.
    public static func classify(kernel name: String) -> KernelClass {
        let base = Array(baseName(name).lowercased().utf8)
        for (i, (kind, _)) in rules.enumerated() where patternBytes[i].contains(where: { contains(base, $0) }) { return kind }
        return .unknown
    }

    static let patternBytes: [[[UInt8]]] = rules.map { $0.1.map { Array($0.utf8) } }

    /// Whether `needle` occurs in `haystack` (bytes; a plain scan, fast for kernel-name lengths and
    /// free of Foundation's bridged string search).
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, needle.count <= haystack.count else { return needle.isEmpty }
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < needle.count && haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }

    static func contains(_ text: String, _ needle: String) -> Bool { contains(Array(text.utf8), Array(needle.utf8)) }

    /// The name without its trailing parameter list: `void f<T>(int, float*)` → `void f<T>`.
    static func baseName(_ name: String) -> String {
        guard name.last == ")" else { return name }
        var depth = 0
        var i = name.endIndex
        while i > name.startIndex {
            i = name.index(before: i)
            switch name[i] {
            case ")": depth += 1
            case "(":
                depth -= 1
                if depth == 0 { return String(name[..<i]) }
            default: break
            }
        }
        return name
    }
}
