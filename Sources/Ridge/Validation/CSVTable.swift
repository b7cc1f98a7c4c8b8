/// A minimal RFC 4180 CSV reader: quoted fields, embedded commas and quotes, CRLF.
public struct CSVTable: Sendable {
    public var header: [String]
    /// Rows with their 1-based line numbers in the file.
    public var rows: [(line: Int, fields: [String])]

    public static func parse(_ text: String, file: String?, hasHeader: Bool = true) throws -> CSVTable {
        var records: [(Int, [String])] = []
        var field = "", fields: [String] = []
        var inQuotes = false, line = 1, recordLine = 1, fieldStarted = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty) { records.append((recordLine, fields)) }
            field = ""; fields = []; fieldStarted = false
        }
        while let c = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = next }
                    } else { inQuotes = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where !fieldStarted: inQuotes = true; fieldStarted = true
            case ",": fields.append(field); field = ""; fieldStarted = false
            case "\r": break
            case "\n": endRecord(); line += 1; recordLine = line
            default: field.unicodeScalars.append(c); fieldStarted = true
            }
        }
        if inQuotes { throw RidgeError.data(file: file, at: "line \(recordLine)", "unterminated quoted field") }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        guard hasHeader else { return CSVTable(header: [], rows: records) }
        guard let first = records.first else { throw RidgeError.data(file: file, at: "line 1", "empty CSV: expected a header row") }
        return CSVTable(header: first.1.map { $0.trimmingCharacters(in: .whitespaces) }, rows: Array(records.dropFirst()))
    }

    public func column(_ name: String) -> Int? { header.firstIndex(of: name) }

    /// Throws when a (non-empty) column name appears twice: which one a reader looks up would be
    /// arbitrary. Readers that find columns by name call this.
    public func checkUniqueColumns(file: String?) throws {
        var seen = Set<String>()
        for (i, name) in header.enumerated() where !name.isEmpty && !seen.insert(name).inserted {
            throw RidgeError.data(file: file, at: "line 1, column \(i + 1)", "duplicate column \"\(name)\"")
        }
    }
}

import Foundation
