import Foundation

/// One cell of a sweep row: a JSON scalar.
public enum SweepCell: Sendable, Hashable {
    case null
    case number(Double)
    case bool(Bool)
    case string(String)

    public init(_ json: JSONValue?) {
        switch json {
        case .number(let d)?: self = .number(d)
        case .bool(let b)?: self = .bool(b)
        case .string(let s)?: self = .string(s)
        default: self = .null
        }
    }

    public var json: JSONValue {
        switch self {
        case .null: return .null
        case .number(let d): return .number(d)
        case .bool(let b): return .bool(b)
        case .string(let s): return .string(s)
        }
    }

    public var number: Double? { if case .number(let d) = self { return d }; return nil }

    /// The cell as CSV text: numbers as JSON writes them, `true`/`false`, strings quoted when they
    /// hold a comma or a quote (line breaks become spaces: one row is one line); null is empty.
    /// Reading the text back (`init(csv:)`) and writing it again gives the same text.
    public var csv: String {
        switch self {
        case .null: return ""
        case .number(let d): return JSONWriter.format(number: d)
        case .bool(let b): return b ? "true" : "false"
        case .string(let s):
            let flat = s.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
            if flat.contains(",") || flat.contains("\"") {
                return "\"" + flat.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return flat
        }
    }

    /// Reads a CSV field (already unquoted): empty is null, `true`/`false` booleans, text that is a
    /// number in JSON's shortest form a number, anything else a string.
    public init(csv text: String) {
        if text.isEmpty { self = .null; return }
        if text == "true" { self = .bool(true); return }
        if text == "false" { self = .bool(false); return }
        if let d = Double(text), d.isFinite, JSONWriter.format(number: d) == text { self = .number(d); return }
        self = .string(text)
    }
}

/// The two output formats and how a row is written in each.
public enum SweepFormat: String, Sendable {
    case csv, jsonl

    /// From an output path's extension (`.csv`, `.jsonl`/`.ndjson`); nil for anything else.
    public init?(path: String) {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") { self = .csv }
        else if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") { self = .jsonl }
        else { return nil }
    }

    /// The first line of a file (CSV only).
    public func header(_ columns: [String]) -> String? {
        self == .csv ? columns.map { SweepCell.string($0).csv }.joined(separator: ",") + "\n" : nil
    }

    /// One row, ending in a newline.
    public func line(_ cells: [SweepCell], columns: [String]) -> String {
        switch self {
        case .csv: return cells.map(\.csv).joined(separator: ",") + "\n"
        case .jsonl:
            let object = JSONObject(zip(columns, cells).map { ($0, $1.json) })
            return JSONWriter.write(.object(object), pretty: false) + "\n"
        }
    }
}

/// The rows of a sweep output file: columns and complete rows, with where each came from.
public struct SweepFile {
    public var path: String
    public var format: SweepFormat
    public var columns: [String]
    public var rows: [(line: Int, cells: [SweepCell])]
    /// Byte length of the complete lines (a truncated last line, if any, starts here).
    public var completeBytes: Int
    /// Whether a truncated last line (no newline) was left out.
    public var truncated: Bool

    /// Reads a sweep output. Only lines ending in a newline count: a last line without one is what
    /// a kill mid-write leaves, and is reported as `truncated`, not as an error. A file holding not
    /// even a complete header is an empty sweep (`columns` empty).
    public static func read(_ path: String, format: SweepFormat) throws -> SweepFile {
        let bytes = try FileIO.readBytes(path)
        let end = (bytes.lastIndex(of: 0x0A).map { $0 + 1 }) ?? 0
        var file = SweepFile(path: path, format: format, columns: [], rows: [], completeBytes: end, truncated: end < bytes.count)
        guard end > 0 else { return file }
        guard let text = String(validating: bytes[..<end], as: UTF8.self) else {
            throw RidgeError.data(file: path, at: nil, "not UTF-8 text: this is not a sweep output")
        }
        switch format {
        case .csv:
            let table = try CSVTable.parse(text, file: path)
            file.columns = table.header
            for (line, fields) in table.rows {
                guard fields.count == file.columns.count else {
                    throw RidgeError.data(file: path, at: "line \(line)", "expected \(file.columns.count) fields as in the header, found \(fields.count)")
                }
                file.rows.append((line, fields.map { SweepCell(csv: $0) }))
            }
        case .jsonl:
            var lineNumber = 0
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                lineNumber += 1
                if line.allSatisfy({ $0 == " " || $0 == "\r" }) { continue }
                let value: JSONValue
                do { value = try JSONParser.parse(String(line)) } catch let e as RidgeError {
                    throw RidgeError.data(file: path, at: "line \(lineNumber)", e.message)
                }
                guard case .object(let o) = value else {
                    throw RidgeError.data(file: path, at: "line \(lineNumber)", "expected a row object, found \(value.typeName)")
                }
                if file.columns.isEmpty { file.columns = o.keys }
                guard o.keys == file.columns else {
                    throw RidgeError.data(file: path, at: "line \(lineNumber)", "the row's keys differ from the first row's")
                }
                file.rows.append((lineNumber, o.entries.map { SweepCell($0.value) }))
            }
        }
        return file
    }

    /// The column holding config ids.
    public func idColumn() throws -> Int {
        guard let i = columns.firstIndex(of: "config") else {
            throw RidgeError.data(file: path, at: "line 1", "no \"config\" column: this is not a sweep output")
        }
        return i
    }
}
