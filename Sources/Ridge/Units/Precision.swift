/// Numeric precisions an engine computes in and tensors are stored in.
public enum Precision: String, Sendable, CaseIterable, Hashable, Codable, Comparable {
    case fp64, fp32, tf32, bf16, fp16, fp8, int8, int4

    /// Storage bytes per element (tf32 is stored as fp32; int4 packs two per byte).
    public var bytes: Double {
        switch self {
        case .fp64: return 8
        case .fp32, .tf32: return 4
        case .bf16, .fp16: return 2
        case .fp8, .int8: return 1
        case .int4: return 0.5
        }
    }

    public static func < (a: Precision, b: Precision) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
