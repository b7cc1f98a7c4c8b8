import Foundation

/// The measured formats Ridge reads.
public enum MeasuredFormat: String, Sendable {
    case microbenchmarkCSV = "microbenchmark CSV"
    case vidur = "Vidur operator profile"
    case kineto = "Kineto trace"
}

/// A measured file as read: its format, its rows and, for a Kineto trace, the trace and its groups.
public struct MeasuredFile: Sendable {
    public var path: String
    public var format: MeasuredFormat
    public var rows: [MeasuredRow]
    public var kineto: KinetoMeasurements?
    /// The decompressor, when the file was gzipped.
    public var decompression: String?
}

/// The one entry point for measured files (`ridge validate --measured`, `ridge calibrate --measured`):
/// detects the format from the content and returns the measured rows.
///
/// - a microbenchmark CSV (`kind`, shape columns, `dtype`, `seconds`): `MicrobenchmarkCSV`;
/// - a Vidur operator profile (`mlp.csv` with `time_stats.<op>.median` columns): `VidurImporter`;
/// - a Kineto / Chrome trace (`*.json`, `*.pt.trace.json.gz`: a JSON object with `traceEvents`, or
///   an event array): `KinetoTrace`, rows from `KinetoMeasurements`.
///
/// Gzipped files (any of these) are recognised by the gzip magic number and read with the system
/// zlib (`Gzip`). A PyTorch execution trace is recognised and refused with a clear message: it has
/// no measured times. Other formats are added here, so every command that reads measurements
/// accepts all of them.
public enum MeasuredData {
    /// The formats `load` recognises, for messages.
    public static var formats: [String] {
        ["microbenchmark CSV (kind, dtype, seconds, shape columns)", "Vidur operator profile (mlp.csv)",
         "Kineto / Chrome trace JSON (traceEvents), optionally gzipped"]
    }

    public static func load(_ path: String) throws -> [MeasuredRow] { try open(path).rows }

    /// Reads a measured file of any supported format.
    public static func open(_ path: String) throws -> MeasuredFile {
        let (bytes, decompression) = try readBytes(path)
        guard !bytes.isEmpty else { throw RidgeError.data(file: path, at: "line 1", "empty file: expected one of \(formats.joined(separator: "; "))") }
        if let first = bytes.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }), first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            let value = try parseJSON(bytes, file: path)
            if ExecutionTrace.looksLikeExecutionTrace(value) {
                throw RidgeError.data(file: path, at: nil, "a PyTorch execution trace has operators and shapes but no measured times, so there is nothing to compare predictions with; give the Kineto trace (export_chrome_trace) of the same run, or simulate the operators with `ridge trace import`")
            }
            guard KinetoTrace.looksLikeTrace(value) else {
                throw RidgeError.data(file: path, at: "top level", "unrecognised JSON: expected a Kineto / Chrome trace (an object with \"traceEvents\" or an array of events)")
            }
            var trace = try KinetoTrace.parse(value, file: path)
            trace.decompression = decompression
            guard !trace.gpuEvents.isEmpty else {
                throw RidgeError.data(file: path, at: "traceEvents", "no GPU kernel, memcpy or memset events (complete \"X\" events on a GPU stream), so there is nothing measured to compare predictions with; profile with ProfilerActivity.CUDA")
            }
            let measured = KinetoMeasurements(trace)
            return MeasuredFile(path: path, format: .kineto, rows: measured.rows, kineto: measured, decompression: decompression)
        }
        let text = try FileIO.decodeText(bytes, file: path)
        let firstLine = text.prefix { $0 != "\n" && $0 != "\r\n" }
        let header = try CSVTable.parse(String(firstLine), file: path).header
        if MicrobenchmarkCSV.matches(header: header) {
            return try nonEmpty(MeasuredFile(path: path, format: .microbenchmarkCSV, rows: try MicrobenchmarkCSV.parse(CSVTable.parse(text, file: path), file: path),
                                             kineto: nil, decompression: decompression))
        }
        if header.contains(where: { $0.hasPrefix("time_stats.") }) {
            guard decompression == nil else { throw RidgeError.data(file: path, at: nil, "gunzip Vidur profiles before reading them") }
            return try nonEmpty(MeasuredFile(path: path, format: .vidur, rows: try VidurImporter.load(path), kineto: nil, decompression: nil))
        }
        throw RidgeError.data(file: path, at: "line 1", "unrecognised measured file: expected one of \(formats.joined(separator: "; "))")
    }

    /// A table with a header and no measurement rows is bad data, as a missing file would be
    /// unreadable: every command that reads measurements answers it the same way.
    static func nonEmpty(_ file: MeasuredFile) throws -> MeasuredFile {
        guard file.rows.isEmpty else { return file }
        throw RidgeError.data(file: file.path, at: "line 2", "\(file.format.rawValue) with a header and no measurement rows: nothing to compare predictions with")
    }

    /// A JSON file (gzipped or not) parsed with exact number text, and the decompressor used.
    public static func readJSON(_ path: String) throws -> (value: JSONValue, decompression: String?) {
        let (bytes, decompression) = try readBytes(path)
        return (try parseJSON(bytes, file: path), decompression)
    }

    /// A file's bytes, gunzipped when they are gzip data, and the decompressor used. A `.gz` name
    /// on data that is not gzip is an error rather than a guess.
    public static func readBytes(_ path: String) throws -> (bytes: [UInt8], decompression: String?) {
        let bytes = try FileIO.readBytes(path)
        if Gzip.isGzip(bytes) { return (try Gzip.decompress(bytes, file: path), Gzip.decoderName) }
        if path.hasSuffix(".gz") {
            throw RidgeError.data(file: path, at: "byte 0", "named .gz but not gzip data (no gzip magic number 1f 8b)")
        }
        return (bytes, nil)
    }

    static func parseJSON(_ bytes: [UInt8], file: String) throws -> JSONValue {
        do { return try JSONParser.parse(bytes, keepNumberText: true) } catch let e as RidgeError { throw e.inFile(file) }
    }

    /// `shape` with the placeholder memories of measured copies (`host`, `device`) replaced by
    /// `profile`'s: the engine's memory, and the memory linked to it with the largest capacity (the
    /// host DDR of a GPU). Nil when the profile has no such link: the copy cannot be costed there.
    public static func resolve(_ shape: OperatorShape, for profile: HardwareProfile, engine: Engine) -> OperatorShape? {
        guard case .transfer(var t) = shape else { return shape }
        let device = engine.memory
        let linked = profile.links.compactMap { l -> String? in
            if l.from == device { return l.to }
            if l.to == device { return l.from }
            return nil
        }
        let host = linked.compactMap(profile.memory).max { $0.capacity < $1.capacity }?.id
        func map(_ m: String) -> String? {
            switch m {
            case KinetoMeasurements.deviceMemory: return device
            case KinetoMeasurements.hostMemory: return host
            default: return profile.memory(m) != nil ? m : nil
            }
        }
        guard let from = map(t.from), let to = map(t.to), from != to else { return nil }
        t.from = from; t.to = to
        return .transfer(t)
    }
}
