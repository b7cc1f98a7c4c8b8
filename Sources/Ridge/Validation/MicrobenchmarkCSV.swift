import Foundation

/// Reads a CSV of microbenchmark measurements: one row per measured kernel, snake_case columns.
///
/// Required on every row: `kind`, `dtype` (a precision: fp32, bf16, fp16, …) and `seconds` (> 0).
/// Optional: `name` (a label for reports) and `group` (e.g. the model a kernel came from, used to
/// hold rows out when calibrating). The shape columns depend on the kind:
///
/// | kind | required | optional (default) |
/// |---|---|---|
/// | `gemm` | `m`, `n`, `k` | `batch` (1) |
/// | `attention` | `batch`, `heads`, `query_length`, `head_dim` | `kv_heads` (heads), `key_length` (query_length), `causal` (false), `algorithm` (flash), `pass` (forward) |
/// | `decode_attention` | `batch`, `heads`, `key_length`, `head_dim` | `kv_heads` (heads), `query_length` (1) |
/// | `elementwise` | `elements`, `bytes_per_element`, `flops_per_element` | |
/// | `embedding` | `tokens`, `hidden` | |
///
/// Unknown columns are ignored, so a benchmark's own extra columns can stay. Errors name the file,
/// the line and the column. Format documented in `docs/validation.md`.
public enum MicrobenchmarkCSV {
    public static let kinds = ["gemm", "attention", "decode_attention", "elementwise", "embedding"]

    /// True when `header` looks like this format (has `kind` and `seconds`).
    public static func matches(header: [String]) -> Bool {
        header.contains("kind") && header.contains("seconds")
    }

    public static func load(_ path: String) throws -> [MeasuredRow] {
        let text = try FileIO.readText(path)
        return try parse(CSVTable.parse(text, file: path), file: path)
    }

    public static func parse(_ table: CSVTable, file: String?) throws -> [MeasuredRow] {
        try table.checkUniqueColumns(file: file)
        for required in ["kind", "dtype", "seconds"] where table.column(required) == nil {
            throw RidgeError.data(file: file, at: "line 1", "missing column \(required) (a microbenchmark CSV needs kind, dtype, seconds and the shape columns of each kind)")
        }
        var rows: [MeasuredRow] = []
        rows.reserveCapacity(table.rows.count)
        for (line, fields) in table.rows {
            let row = Row(table: table, fields: fields, line: line, file: file)
            rows.append(try row.measured())
        }
        return rows
    }

    /// One CSV record with typed, located accessors.
    struct Row {
        let table: CSVTable
        let fields: [String]
        let line: Int
        let file: String?

        func error(_ column: String, _ reason: String) -> RidgeError {
            RidgeError.data(file: file, at: "line \(line), column \(column)", reason)
        }

        func text(_ column: String) -> String? {
            guard let i = table.column(column), i < fields.count else { return nil }
            let v = fields[i].trimmingCharacters(in: .whitespaces)
            return v.isEmpty ? nil : v
        }

        func int(_ column: String, default fallback: Int? = nil) throws -> Int {
            guard let t = text(column) else {
                if let fallback { return fallback }
                throw error(column, "missing value (required for kind \(text("kind") ?? "?"))")
            }
            guard let v = Quantity.number(t).flatMap({ Int(exactly: $0) }), (1...(1 << 40)).contains(v) else {
                throw error(column, "expected a whole number from 1 to 2^40, got \"\(t)\"")
            }
            return v
        }

        func number(_ column: String, positive: Bool) throws -> Double {
            guard let t = text(column) else { throw error(column, "missing value") }
            guard let v = Quantity.number(t), v.isFinite, positive ? v > 0 : v >= 0 else {
                throw error(column, "expected a finite number \(positive ? "greater than zero" : "zero or more"), got \"\(t)\"")
            }
            return v
        }

        func bool(_ column: String) throws -> Bool {
            guard let t = text(column)?.lowercased() else { return false }
            switch t {
            case "true", "1", "yes": return true
            case "false", "0", "no": return false
            default: throw error(column, "expected true or false, got \"\(t)\"")
            }
        }

        func choice<T: RawRepresentable & CaseIterable>(_ column: String, default fallback: T) throws -> T where T.RawValue == String {
            guard let t = text(column) else { return fallback }
            guard let v = T(rawValue: t.lowercased()) else {
                throw error(column, "unknown value \"\(t)\" (expected \(T.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return v
        }

        func measured() throws -> MeasuredRow {
            guard let kind = text("kind") else { throw error("kind", "missing value (expected \(MicrobenchmarkCSV.kinds.joined(separator: ", ")))") }
            guard let dtype = text("dtype") else { throw error("dtype", "missing value (expected \(Precision.names))") }
            guard let p = Precision(rawValue: dtype.lowercased()) else { throw error("dtype", "unknown precision \"\(dtype)\" (expected \(Precision.names))") }
            let shape: OperatorShape
            switch kind {
            case "gemm":
                shape = .gemm(GEMM(m: try int("m"), n: try int("n"), k: try int("k"), batch: try int("batch", default: 1), precision: p))
            case "attention":
                let heads = try int("heads"), q = try int("query_length")
                shape = .attention(Attention(batch: try int("batch"), heads: heads, kvHeads: try int("kv_heads", default: heads),
                                             queryLength: q, keyLength: try int("key_length", default: q), headDim: try int("head_dim"),
                                             causal: try bool("causal"), algorithm: try choice("algorithm", default: .flash),
                                             pass: try choice("pass", default: .forward), precision: p))
            case "decode_attention":
                let heads = try int("heads")
                shape = .decodeAttention(DecodeAttention(batch: try int("batch"), heads: heads, kvHeads: try int("kv_heads", default: heads),
                                                         queryLength: try int("query_length", default: 1), keyLength: try int("key_length"),
                                                         headDim: try int("head_dim"), precision: p))
            case "elementwise":
                shape = .elementwise(Elementwise(elements: try int("elements"), bytesPerElement: try number("bytes_per_element", positive: false),
                                                 flopsPerElement: try number("flops_per_element", positive: false), precision: p))
            case "embedding":
                shape = .embedding(Embedding(tokens: try int("tokens"), hidden: try int("hidden"), precision: p))
            default:
                throw error("kind", "unknown kind \"\(kind)\" (expected \(MicrobenchmarkCSV.kinds.joined(separator: ", ")))")
            }
            let seconds = try number("seconds", positive: true)
            let name = text("name") ?? "\(kind)@line\(line)"
            return MeasuredRow(name: name, shape: shape, seconds: seconds, origin: "\(file ?? "csv"):\(line)", group: text("group") ?? "")
        }
    }
}
