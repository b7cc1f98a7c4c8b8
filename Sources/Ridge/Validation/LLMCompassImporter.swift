import Foundation

/// Reads LLMCompass's measured operator throughput (PrincetonUniversity/LLMCompass,
/// `real_hardware/*.csv`, BSD-3-Clause): header-less rows of `M, N, throughput` (softmax,
/// layernorm: G elements/s over an M×N tensor) or `elements, throughput` (gelu). Each becomes an
/// `elementwise` row: fp16 in and out (4 bytes per element), and the FLOPs per element of the
/// operator (softmax 5: max, subtract, exp, sum, divide; layernorm 8: mean, variance, normalise,
/// scale, shift; GELU 8, the tanh form). The operator is named by the caller, never guessed.
public enum LLMCompassImporter {
    public enum Operator: String, CaseIterable, Sendable {
        case softmax, layernorm, gelu
        var flopsPerElement: Double { self == .softmax ? 5 : 8 }
    }

    public static func load(_ path: String, operator op: Operator) throws -> [MeasuredRow] {
        let bytes = try FileIO.readBytes(path)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw RidgeError.data(file: path, at: nil, "not UTF-8 text") }
        let table = try CSVTable.parse(text, file: path, hasHeader: false)
        let columns = op == .gelu ? 2 : 3
        return try table.rows.map { line, fields in
            let values = fields.map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard values.count == columns, values.allSatisfy({ $0 != nil && $0!.isFinite && $0! > 0 }) else {
                throw RidgeError.data(file: path, at: "line \(line)", "expected \(columns) positive numbers (\(op == .gelu ? "elements, throughput" : "M, N, throughput") in G elements/s)")
            }
            let v = values.map { $0! }
            let elements = op == .gelu ? v[0] : v[0] * v[1]
            guard let n = Int(exactly: elements.rounded()), n >= 1 else {
                throw RidgeError.data(file: path, at: "line \(line)", "the element count must be a whole number")
            }
            let shape = OperatorShape.elementwise(Elementwise(elements: n, bytesPerElement: 4, flopsPerElement: op.flopsPerElement, precision: .fp16))
            let label = op == .gelu ? "\(n)" : "\(Int(v[0]))x\(Int(v[1]))"
            return MeasuredRow(name: "\(op.rawValue).\(label)", shape: shape, seconds: elements / (v[columns - 1] * 1e9),
                               origin: "\(path):\(line)", group: op.rawValue)
        }
    }
}
