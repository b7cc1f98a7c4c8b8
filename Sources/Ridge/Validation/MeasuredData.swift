import Foundation

/// The one entry point for measured files (`ridge validate --measured`, `ridge calibrate --measured`):
/// detects the format and returns the measured rows.
///
/// - a microbenchmark CSV (`kind`, shape columns, `dtype`, `seconds`): `MicrobenchmarkCSV`;
/// - a Vidur operator profile (`mlp.csv` with `time_stats.<op>.median` columns): `VidurImporter`.
///
/// Other formats are added here, so every command that reads measurements accepts all of them.
public enum MeasuredData {
    /// The formats `load` recognises, for messages.
    public static var formats: [String] { ["microbenchmark CSV (kind, dtype, seconds, shape columns)", "Vidur operator profile (mlp.csv)"] }

    public static func load(_ path: String) throws -> [MeasuredRow] {
        let text = try FileIO.readText(path)
        guard !text.isEmpty else { throw RidgeError.data(file: path, at: "line 1", "empty file: expected one of \(formats.joined(separator: "; "))") }
        let firstLine = text.prefix { $0 != "\n" && $0 != "\r\n" }
        let header = try CSVTable.parse(String(firstLine), file: path).header
        if MicrobenchmarkCSV.matches(header: header) { return try MicrobenchmarkCSV.parse(CSVTable.parse(text, file: path), file: path) }
        if header.contains(where: { $0.hasPrefix("time_stats.") }) { return try VidurImporter.load(path) }
        throw RidgeError.data(file: path, at: "line 1", "unrecognised measured file: expected one of \(formats.joined(separator: "; "))")
    }
}
