/// One argument of a recorded PyTorch operator: a tensor's dims and dtype, or a non-tensor value.
public struct OpArgument: Sendable, Hashable {
    /// Dims when the argument is a tensor (`[]` for a 0-d tensor), nil otherwise.
    public var dims: [Int]?
    /// The C++ dtype name as PyTorch records it (`float`, `c10::BFloat16`, `long int`), "" if unknown.
    public var dtype: String
    /// The value of a non-tensor argument as text (`True`, `0.1`, `[1, 1]`), "" if not recorded.
    public var value: String

    public init(dims: [Int]?, dtype: String = "", value: String = "") { self.dims = dims; self.dtype = dtype; self.value = value }

    public var isTensor: Bool { dims != nil }
    /// Elements of a tensor argument (1 for a 0-d tensor), 0 otherwise.
    public var numel: Int {
        guard let dims else { return 0 }
        var n = 1
        for d in dims {
            let (p, overflow) = n.multipliedReportingOverflow(by: max(d, 0))
            if overflow { return 0 }    // not a real tensor; treated as unknown
            n = p
        }
        return n
    }
    public var elementBytes: Double { ATenShapes.elementBytes(dtype) }
}

/// Maps recorded PyTorch operators (an ATen op name with its arguments' dims and dtypes, from a
/// Kineto trace's `Input Dims`/`Input type`/`Concrete Inputs` or an execution trace's
/// `input_shapes`/`input_types`/`inputs`) onto the operator shapes Ridge costs.
///
/// - GEMM: `aten::mm`, `addmm`, `bmm`, `baddbmm`, `matmul`, `linear`, `mv`, `addmv`, `_scaled_mm`,
///   with m, n, k and batch from the operand dims (the signatures in PyTorch's
///   `aten/src/ATen/native/native_functions.yaml`; `matmul` follows `torch.matmul`'s broadcasting).
/// - Attention: the SDPA family (`aten::scaled_dot_product_attention` and its flash, efficient,
///   cuDNN and math back ends, forward and backward), `aten::_flash_attention_forward/backward`,
///   `aten::_efficient_attention_forward/backward` and flash-attn's `flash_attn::_flash_attn_forward/
///   backward`; `is_causal` is read from the recorded scalar at its position in the signature.
/// - Elementwise: pointwise, in-place, fill, copy, normalisation, softmax, dropout and reduction ops,
///   and Inductor's generated `triton_poi_`/`triton_red_`/`triton_per_` kernels, as elements
///   (the largest tensor's numel) and bytes (each tensor argument read once, the output written once).
/// - Embedding: `aten::embedding`.
///
/// Ops it does not know return nil: their kernels are reported as measured but not modelled.
public enum ATenShapes {
    /// Bytes per element of a PyTorch dtype name (the C++ names Kineto writes, with or without the
    /// execution trace's `Tensor(...)` wrapper).
    public static func elementBytes(_ dtype: String) -> Double {
        switch normalisedDType(dtype) {
        case "double", "c10::complex<float>", "long int", "long", "int64_t", "long long": return 8
        case "float", "int", "int32_t", "unsigned int", "c10::qint32": return 4
        case "c10::half", "half", "c10::bfloat16", "bfloat16", "short", "short int", "int16_t": return 2
        case "c10::complex<double>": return 16
        default: return 1    // bool, (un)signed char, fp8 and int8 types; unknown types count one byte
        }
    }

    /// The precision a dtype computes in, for rates (integer types use the fp32 vector rate except int8).
    public static func precision(_ dtype: String) -> Precision? {
        let d = normalisedDType(dtype)
        switch d {
        case "float": return .fp32
        case "double": return .fp64
        case "c10::half", "half": return .fp16
        case "c10::bfloat16", "bfloat16": return .bf16
        case "signed char", "c10::qint8", "c10::quint8", "unsigned char": return .int8
        default:
            if d.hasPrefix("c10::float8") { return .fp8 }
            return nil
        }
    }

    static func normalisedDType(_ dtype: String) -> String {
        var d = dtype.lowercased()
        if d.hasPrefix("tensor("), d.hasSuffix(")") { d = String(d.dropFirst(7).dropLast()) }
        return d
    }

    /// The shape of `op`, or nil when the op is not modelled or its arguments do not fit.
    public static func shape(op name: String, _ args: [OpArgument], outputs: [OpArgument] = []) -> OperatorShape? {
        if let g = gemm(name, args) { return .gemm(g) }
        if let a = attention(name, args) { return .attention(a) }
        if name == "aten::embedding", args.count >= 2, let w = args[0].dims, w.count == 2, args[1].isTensor, args[1].numel > 0, w[1] > 0 {
            return .embedding(Embedding(tokens: args[1].numel, hidden: w[1], precision: precision(args[0].dtype) ?? .fp32))
        }
        if let e = elementwise(name, args, outputs: outputs) { return .elementwise(e) }
        return nil
    }

    // MARK: GEMM

    static func gemm(_ name: String, _ t: [OpArgument]) -> GEMM? {
        func dims(_ i: Int) -> [Int]? { i < t.count ? t[i].dims : nil }
        func make(m: Int, n: Int, k: Int, batch: Int = 1, dtypeOf i: Int) -> GEMM? {
            guard m > 0, n > 0, k > 0, batch > 0 else { return nil }
            return GEMM(m: m, n: n, k: k, batch: batch, precision: precision(t[i].dtype) ?? .fp32)
        }
        switch name {
        case "aten::mm", "aten::addmm", "aten::_scaled_mm", "aten::_addmm_activation":
            let a = name == "aten::addmm" || name == "aten::_addmm_activation" ? 1 : 0
            guard let x = dims(a), let w = dims(a + 1), x.count == 2, w.count == 2, x[1] == w[0] else { return nil }
            return make(m: x[0], n: w[1], k: x[1], dtypeOf: a)
        case "aten::bmm", "aten::baddbmm":
            let a = name == "aten::baddbmm" ? 1 : 0
            guard let x = dims(a), let w = dims(a + 1), x.count == 3, w.count == 3, x[0] == w[0], x[2] == w[1] else { return nil }
            return make(m: x[1], n: w[2], k: x[2], batch: x[0], dtypeOf: a)
        case "aten::mv", "aten::addmv":
            let a = name == "aten::addmv" ? 1 : 0
            guard let x = dims(a), let v = dims(a + 1), x.count == 2, v.count == 1, x[1] == v[0] else { return nil }
            return make(m: x[0], n: 1, k: x[1], dtypeOf: a)
        case "aten::linear":
            guard let x = dims(0), let w = dims(1), !x.isEmpty, w.count == 2, x.last == w[1] else { return nil }
            return make(m: x.dropLast().reduce(1, *), n: w[0], k: w[1], dtypeOf: 0)
        case "aten::matmul":
            guard var x = dims(0), var w = dims(1), !x.isEmpty, !w.isEmpty else { return nil }
            // torch.matmul: a 1-D left operand is a row, a 1-D right operand a column.
            if x.count == 1 { x = [1] + x }
            if w.count == 1 { w = w + [1] }
            guard x.last == w[w.count - 2] else { return nil }
            let (m, k, n) = (x[x.count - 2], x[x.count - 1], w[w.count - 1])
            if w.count == 2 { return make(m: x.dropLast().reduce(1, *), n: n, k: k, dtypeOf: 0) }
            // Batched: broadcast the leading dims.
            let bx = Array(x.dropLast(2)), bw = Array(w.dropLast(2))
            var batch = 1
            for i in 0..<max(bx.count, bw.count) {
                let a = i < bx.count ? bx[bx.count - 1 - i] : 1, b = i < bw.count ? bw[bw.count - 1 - i] : 1
                guard a == b || a == 1 || b == 1 else { return nil }
                batch *= max(a, b)
            }
            return make(m: m, n: n, k: k, batch: batch, dtypeOf: 0)
        default:
            return nil
        }
    }

    // MARK: Attention

    /// Where an attention op keeps q and k, their layout, and the position of `is_causal`.
    struct AttentionSignature {
        var query: Int, key: Int
        /// `[B, H, L, D]` (SDPA) or `[B, L, H, D]` (the flash and efficient kernels' own layout).
        var headsBeforeLength: Bool
        var causal: Int?
        /// For `_efficient_attention_*`: `custom_mask_type` (0 none, 1 and 2 causal) instead of a bool.
        var maskType: Int? = nil
        var pass: Attention.Pass
        var algorithm: Attention.Algorithm
    }

    /// Signatures from `native_functions.yaml` (PyTorch 2.x) and flash-attn's `flash_attn_interface.py`.
    static let attentionOps: [String: AttentionSignature] = [
        "aten::scaled_dot_product_attention": .init(query: 0, key: 1, headsBeforeLength: true, causal: 5, pass: .forward, algorithm: .flash),
        "aten::_scaled_dot_product_flash_attention": .init(query: 0, key: 1, headsBeforeLength: true, causal: 4, pass: .forward, algorithm: .flash),
        "aten::_scaled_dot_product_efficient_attention": .init(query: 0, key: 1, headsBeforeLength: true, causal: 6, pass: .forward, algorithm: .flash),
        "aten::_scaled_dot_product_cudnn_attention": .init(query: 0, key: 1, headsBeforeLength: true, causal: 6, pass: .forward, algorithm: .flash),
        "aten::_scaled_dot_product_attention_math": .init(query: 0, key: 1, headsBeforeLength: true, causal: 5, pass: .forward, algorithm: .standard),
        "aten::_scaled_dot_product_flash_attention_backward": .init(query: 1, key: 2, headsBeforeLength: true, causal: 11, pass: .backward, algorithm: .flash),
        "aten::_scaled_dot_product_efficient_attention_backward": .init(query: 1, key: 2, headsBeforeLength: true, causal: 11, pass: .backward, algorithm: .flash),
        "aten::_flash_attention_forward": .init(query: 0, key: 1, headsBeforeLength: false, causal: 8, pass: .forward, algorithm: .flash),
        "aten::_flash_attention_backward": .init(query: 1, key: 2, headsBeforeLength: false, causal: 11, pass: .backward, algorithm: .flash),
        "aten::_efficient_attention_forward": .init(query: 0, key: 1, headsBeforeLength: false, causal: nil, maskType: 9, pass: .forward, algorithm: .flash),
        "flash_attn::_flash_attn_forward": .init(query: 0, key: 1, headsBeforeLength: false, causal: 5, pass: .forward, algorithm: .flash),
        "flash_attn::_flash_attn_backward": .init(query: 1, key: 2, headsBeforeLength: false, causal: 11, pass: .backward, algorithm: .flash),
    ]

    static func attention(_ name: String, _ t: [OpArgument]) -> Attention? {
        guard let s = attentionOps[name], s.query < t.count, s.key < t.count,
              var q = t[s.query].dims, var k = t[s.key].dims, q.count >= 3, q.count == k.count, q.count <= 4 else { return nil }
        if q.count == 3 { q = [1] + q; k = [1] + k }    // unbatched [H, L, D] (or [L, H, D])
        let (h, l) = s.headsBeforeLength ? (1, 2) : (2, 1)
        let batch = q[0], heads = q[h], kvHeads = k[h], queryLength = q[l], keyLength = k[l], headDim = q[3]
        guard batch > 0, heads > 0, kvHeads > 0, heads % kvHeads == 0, queryLength > 0, keyLength > 0, headDim > 0,
              k[0] == batch, k[3] == headDim else { return nil }
        var causal = false
        if let i = s.causal, i < t.count { causal = truthy(t[i].value) }
        if let i = s.maskType, i < t.count, let v = Int(t[i].value) { causal = v != 0 }
        return Attention(batch: batch, heads: heads, kvHeads: kvHeads, queryLength: queryLength, keyLength: keyLength, headDim: headDim,
                         causal: causal, algorithm: s.algorithm, pass: s.pass, precision: precision(t[s.query].dtype) ?? .fp32)
    }

    static func truthy(_ v: String) -> Bool { ["true", "1", "1.0"].contains(v.lowercased()) }

    // MARK: Elementwise

    /// How an elementwise op touches memory.
    enum Access {
        /// Reads every tensor argument once, writes an output as large as the largest.
        case pointwise
        /// Reads every tensor argument once, writes nothing it knows the size of (a reduction's output is small).
        case reduction
        /// Writes its first argument, reads nothing (fill, zero, random initialisation).
        case writeOnly
        /// Reads every tensor argument once (each is an input or an output of a generated kernel).
        case touchedOnce
    }

    /// FLOPs per element: 1 for pointwise arithmetic and comparisons; softmax 5 (max, subtract, exp,
    /// sum, divide: the count `CostModel.attentionFlops` uses per score); layer norm 8 (mean 1,
    /// variance 2, normalise 2, affine 2, plus the reciprocal square root amortised to 1); RMS norm 4
    /// (square-sum 2, scale 1, affine 1). Elementwise kernels are memory-bound on every bundled GPU
    /// by a wide margin, so these counts barely move a prediction; bytes decide it.
    static let flops: [String: Double] = ["softmax": 5, "_softmax": 5, "log_softmax": 5, "_log_softmax": 5, "_softmax_backward_data": 3,
                                          "layer_norm": 8, "native_layer_norm": 8, "native_layer_norm_backward": 8,
                                          "rms_norm": 4, "_fused_rms_norm": 4, "group_norm": 8, "native_group_norm": 8,
                                          "batch_norm": 8, "native_batch_norm": 8, "_native_batch_norm_legit": 8]

    static let pointwise: Set<String> = [
        "add", "sub", "rsub", "mul", "div", "true_divide", "floor_divide", "remainder", "fmod", "maximum", "minimum", "where",
        "eq", "ne", "lt", "gt", "le", "ge", "pow", "neg", "abs", "reciprocal", "sqrt", "rsqrt", "exp", "exp2", "expm1",
        "log", "log2", "log1p", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "relu6", "gelu", "silu", "mish", "elu",
        "leaky_relu", "hardtanh", "hardswish", "hardsigmoid", "softplus", "threshold", "threshold_backward", "gelu_backward",
        "silu_backward", "sigmoid_backward", "tanh_backward", "clamp", "clamp_min", "clamp_max", "erf", "sign", "floor",
        "ceil", "round", "trunc", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "logical_and", "logical_or",
        "logical_not", "lerp", "addcmul", "addcdiv", "masked_fill", "masked_scatter", "nan_to_num", "clone", "contiguous",
        "native_dropout", "dropout", "native_dropout_backward", "softmax", "_softmax", "log_softmax", "_log_softmax",
        "_softmax_backward_data", "layer_norm", "native_layer_norm", "native_layer_norm_backward", "rms_norm",
        "_fused_rms_norm", "group_norm", "native_group_norm", "batch_norm", "native_batch_norm", "_native_batch_norm_legit",
        "_to_copy", "tril", "triu", "cumsum", "cumprod",
    ]
    static let reductions: Set<String> = ["sum", "mean", "amax", "amin", "max", "min", "argmax", "argmin", "prod", "norm",
                                          "linalg_vector_norm", "var", "std", "var_mean", "std_mean", "logsumexp", "any", "all"]
    static let writeOnly: Set<String> = ["fill", "zero", "uniform", "normal", "bernoulli", "random", "exponential", "ones_like",
                                         "zeros_like", "full_like", "zeros", "ones", "full", "rand", "randn", "arange"]

    static func elementwise(_ name: String, _ args: [OpArgument], outputs: [OpArgument]) -> Elementwise? {
        let access: Access
        var base: String
        if name.hasPrefix("triton_poi_") || name.hasPrefix("triton_red_") || name.hasPrefix("triton_per_") {
            access = .touchedOnce
            base = "triton"
        } else {
            guard name.hasPrefix("aten::") else { return nil }
            base = String(name.dropFirst(6))
            let inPlace = base.hasSuffix("_") && !base.hasPrefix("_") || (base.hasPrefix("_") && base.hasSuffix("_") && base.count > 2)
            if inPlace { base = String(base.dropLast()) }
            if base == "copy" {
                // copy_(self, src): reads src, writes self.
                guard args.count >= 2, let dst = args[0].dims, args[1].isTensor else { return nil }
                let n = args[0].numel
                guard n > 0, !dst.isEmpty || n == 1 else { return nil }
                let bytes = Double(args[1].numel) * args[1].elementBytes + Double(n) * args[0].elementBytes
                return Elementwise(elements: n, bytesPerElement: bytes / Double(n), flopsPerElement: 0,
                                   precision: precision(args[0].dtype) ?? .fp32)
            }
            if writeOnly.contains(base) { access = .writeOnly }
            else if reductions.contains(base) { access = .reduction }
            else if pointwise.contains(base) { access = .pointwise }    // in place: the output is self
            else { return nil }
        }
        let tensors = args.filter(\.isTensor)
        let writes = outputs.filter(\.isTensor)
        let largest: OpArgument? = (tensors + writes).max { $0.numel < $1.numel }
        guard let big = largest, big.numel > 0 else { return nil }
        let n = big.numel
        var bytes = 0.0
        switch access {
        case .writeOnly:
            let target = writes.first ?? tensors.first ?? big
            bytes = Double(target.numel) * target.elementBytes
        case .touchedOnce:
            bytes = tensors.reduce(0) { $0 + Double($1.numel) * $1.elementBytes }
            if tensors.isEmpty { bytes = writes.reduce(0) { $0 + Double($1.numel) * $1.elementBytes } }
        case .pointwise, .reduction:
            bytes = tensors.reduce(0) { $0 + Double($1.numel) * $1.elementBytes }
            if !writes.isEmpty {
                bytes += writes.reduce(0) { $0 + Double($1.numel) * $1.elementBytes }
            } else if access == .pointwise {
                bytes += Double(n) * big.elementBytes
            }
        }
        guard bytes > 0 else { return nil }
        let p = precision(big.dtype) ?? .fp32
        return Elementwise(elements: n, bytesPerElement: bytes / Double(n), flopsPerElement: flops[base] ?? (access == .writeOnly ? 0 : 1),
                           precision: p)
    }
}
