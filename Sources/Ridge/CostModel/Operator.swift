/// The operators Ridge knows how to cost. Each carries the shape the cost model needs.
public enum OperatorShape: Sendable, Hashable {
    case gemm(GEMM)
    case attention(Attention)
    case decodeAttention(DecodeAttention)
    case elementwise(Elementwise)
    case embedding(Embedding)
    case conv(Conv)
    case transfer(Transfer)

    /// The kind name used in traces, efficiency tables and reports.
    public var kind: String {
        switch self {
        case .gemm: return "gemm"
        case .attention: return "attention"
        case .decodeAttention: return "decode_attention"
        case .elementwise: return "elementwise"
        case .embedding: return "embedding"
        case .conv: return "conv"
        case .transfer: return "transfer"
        }
    }

    public var precision: Precision {
        switch self {
        case .gemm(let g): return g.precision
        case .attention(let a): return a.precision
        case .decodeAttention(let d): return d.precision
        case .elementwise(let e): return e.precision
        case .embedding(let e): return e.precision
        case .conv(let c): return c.precision
        case .transfer: return .int8
        }
    }

    public static let kinds = ["gemm", "attention", "decode_attention", "elementwise", "embedding", "conv", "transfer"]
}

/// `C[m×n] = A[m×k] · B[k×n]`, `batch` times.
public struct GEMM: Sendable, Hashable {
    public var m: Int, n: Int, k: Int
    public var batch: Int
    public var precision: Precision
    public init(m: Int, n: Int, k: Int, batch: Int = 1, precision: Precision = .bf16) {
        self.m = m; self.n = n; self.k = k; self.batch = batch; self.precision = precision
    }
}

/// Full attention over a sequence: prefill or training.
public struct Attention: Sendable, Hashable {
    public enum Algorithm: String, Sendable, Hashable, CaseIterable { case standard, flash }
    public enum Pass: String, Sendable, Hashable, CaseIterable { case forward, backward, training }
    public var batch: Int
    public var heads: Int
    /// Key/value heads (GQA/MQA when fewer than `heads`).
    public var kvHeads: Int
    public var queryLength: Int
    public var keyLength: Int
    public var headDim: Int
    public var causal: Bool
    public var algorithm: Algorithm
    public var pass: Pass
    public var precision: Precision
    public init(batch: Int, heads: Int, kvHeads: Int? = nil, queryLength: Int, keyLength: Int? = nil, headDim: Int,
                causal: Bool = false, algorithm: Algorithm = .flash, pass: Pass = .forward, precision: Precision = .bf16) {
        self.batch = batch; self.heads = heads; self.kvHeads = kvHeads ?? heads
        self.queryLength = queryLength; self.keyLength = keyLength ?? queryLength; self.headDim = headDim
        self.causal = causal; self.algorithm = algorithm; self.pass = pass; self.precision = precision
    }
}

/// One decode step: `queryLength` new tokens (usually 1) attend to a KV cache of `keyLength`.
public struct DecodeAttention: Sendable, Hashable {
    public var batch: Int
    public var heads: Int
    public var kvHeads: Int
    public var queryLength: Int
    public var keyLength: Int
    public var headDim: Int
    public var precision: Precision
    /// Where the KV cache is read from (`nil`: the engine's own memory).
    public var kvMemory: String?
    public init(batch: Int, heads: Int, kvHeads: Int? = nil, queryLength: Int = 1, keyLength: Int, headDim: Int,
                precision: Precision = .bf16, kvMemory: String? = nil) {
        self.batch = batch; self.heads = heads; self.kvHeads = kvHeads ?? heads; self.queryLength = queryLength
        self.keyLength = keyLength; self.headDim = headDim; self.precision = precision; self.kvMemory = kvMemory
    }
}

/// Elementwise and normalisation kernels: `elements` items, each moving `bytesPerElement`
/// (reads plus writes) and costing `flopsPerElement` on the vector units.
public struct Elementwise: Sendable, Hashable {
    public var elements: Int
    public var bytesPerElement: Double
    public var flopsPerElement: Double
    public var precision: Precision
    public init(elements: Int, bytesPerElement: Double, flopsPerElement: Double, precision: Precision = .bf16) {
        self.elements = elements; self.bytesPerElement = bytesPerElement; self.flopsPerElement = flopsPerElement
        self.precision = precision
    }
}

/// Embedding lookup: gather `tokens` rows of width `hidden`.
public struct Embedding: Sendable, Hashable {
    public var tokens: Int
    public var hidden: Int
    public var precision: Precision
    public init(tokens: Int, hidden: Int, precision: Precision = .bf16) {
        self.tokens = tokens; self.hidden = hidden; self.precision = precision
    }
}

/// 2-D convolution (NHWC, "same" padding): `groups == inChannels` is depthwise.
public struct Conv: Sendable, Hashable {
    public var batch: Int
    public var height: Int, width: Int
    public var inChannels: Int, outChannels: Int
    public var kernel: Int
    public var stride: Int
    public var groups: Int
    public var precision: Precision
    public init(batch: Int = 1, height: Int, width: Int, inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1,
                groups: Int = 1, precision: Precision = .int8) {
        self.batch = batch; self.height = height; self.width = width; self.inChannels = inChannels
        self.outChannels = outChannels; self.kernel = kernel; self.stride = stride; self.groups = groups
        self.precision = precision
    }
    public var outHeight: Int { (height + stride - 1) / stride }
    public var outWidth: Int { (width + stride - 1) / stride }
    public var macs: Double {
        Double(batch) * Double(outHeight * outWidth) * Double(outChannels) * Double(kernel * kernel) * Double(inChannels / max(groups, 1))
    }
}

/// A copy of `bytes` between two memories over the link connecting them.
public struct Transfer: Sendable, Hashable {
    public var bytes: Double
    public var from: String
    public var to: String
    /// Request (chunk) size, for memories whose throughput depends on it (flash). `nil`: one request.
    public var chunkBytes: Double?
    public init(bytes: Double, from: String, to: String, chunkBytes: Double? = nil) {
        self.bytes = bytes; self.from = from; self.to = to; self.chunkBytes = chunkBytes
    }
}
