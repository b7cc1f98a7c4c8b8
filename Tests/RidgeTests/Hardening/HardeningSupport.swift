import Foundation
import XCTest
@testable import Ridge

/// A temporary directory for one test, removed afterwards.
final class Scratch {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("ridge-hardening-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `bytes` to `name` in the directory and returns the full path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let p = path + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String { try write(name, Array(text.utf8)) }

    func file(_ name: String) -> String { path + "/" + name }

    /// Every entry in the directory, including hidden temporary files.
    var contents: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
}

/// What a malformed input must produce.
struct Expected {
    var kind: RidgeError.Kind
    /// The file the message must name (a path, or a bundled name for missing bundled resources).
    var file: String?
    /// Text the location (JSON path or line) must contain; nil: no location is required.
    var location: String?
    /// Text the reason must contain (case-insensitive).
    var reason: String

    static func data(_ file: String?, at location: String?, _ reason: String) -> Expected {
        Expected(kind: .data, file: file, location: location, reason: reason)
    }
    static func io(_ file: String?, _ reason: String) -> Expected { Expected(kind: .io, file: file, location: nil, reason: reason) }
    static func usage(_ reason: String) -> Expected { Expected(kind: .usage, file: nil, location: nil, reason: reason) }
}

/// Runs `args` in-process and checks that it fails the expected way: the error kind and exit code,
/// the file, the location and the reason, each also visible in the printed message.
func assertFails(_ args: [String], _ expected: Expected, _ label: String = "", file: StaticString = #filePath, line: UInt = #line) {
    let what = label.isEmpty ? args.joined(separator: " ") : label
    do {
        let out = try RidgeCLI.run(args)
        XCTFail("\(what): expected exit \(expected.kind.exitCode), but the command succeeded:\n\(out.stdout.prefix(400))", file: file, line: line)
    } catch let e as RidgeError {
        check(e, expected, what, file: file, line: line)
    } catch {
        XCTFail("\(what): expected a RidgeError, got \(error)", file: file, line: line)
    }
}

/// Checks a thrown error against what was expected.
func check(_ e: RidgeError, _ expected: Expected, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    let code: Int32
    switch expected.kind { case .usage: code = 64; case .data: code = 65; case .io: code = 66 }
    XCTAssertEqual(e.kind, expected.kind, "\(what): wrong kind; message: \(e.description)", file: file, line: line)
    XCTAssertEqual(e.kind.exitCode, code, "\(what): exit code", file: file, line: line)
    if let f = expected.file {
        XCTAssertEqual(e.file, f, "\(what): the error must name the file; message: \(e.description)", file: file, line: line)
        XCTAssertTrue(e.description.contains(f), "\(what): message does not show the file: \(e.description)", file: file, line: line)
    }
    if let loc = expected.location {
        XCTAssertTrue(e.location?.contains(loc) ?? false,
                      "\(what): location \(e.location ?? "nil") does not contain \"\(loc)\"; message: \(e.description)", file: file, line: line)
        XCTAssertTrue(e.description.contains(loc), "\(what): message does not show the location: \(e.description)", file: file, line: line)
    }
    XCTAssertTrue(e.message.lowercased().contains(expected.reason.lowercased()),
                  "\(what): reason \"\(e.message)\" does not contain \"\(expected.reason)\"", file: file, line: line)
    XCTAssertFalse(e.message.isEmpty, "\(what): empty reason", file: file, line: line)
}

/// Asserts `body` throws a `RidgeError` as expected (library-level checks).
func assertThrows(_ what: String, _ expected: Expected, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
    do {
        try body()
        XCTFail("\(what): expected an error", file: file, line: line)
    } catch let e as RidgeError {
        check(e, expected, what, file: file, line: line)
    } catch {
        XCTFail("\(what): expected a RidgeError, got \(error)", file: file, line: line)
    }
}

/// Small valid inputs the corpus mutates.
enum Valid {
    /// A minimal profile with one engine, HBM and a host memory over a link.
    static let profile = """
    {
      "name": "tiny",
      "engines": {"gpu": {"kind": "gpu", "memory": "hbm", "peak": {"bf16": "100 TFLOP/s"}, "onChipBuffer": "40 MiB",
                          "computeUnits": 100, "launchOverhead": "4 us", "power": {"idle": "50 W", "peak": "400 W"}}},
      "memories": {"hbm": {"capacity": "80 GiB", "bandwidth": "2 TB/s"},
                   "host": {"capacity": "1 TiB", "bandwidth": "400 GB/s"}},
      "links": {"pcie": {"between": ["hbm", "host"], "bandwidth": "25 GB/s", "latency": "2 us"}},
      "sources": {"engines": "test", "memories": "test", "links": "test"}
    }
    """

    /// A small JSON trace: two tensors, three operators.
    static let traceJSON = """
    {"format": "ridge-trace/1", "name": "t",
     "tensors": [{"name": "w", "bytes": 1048576, "kind": "weight"}, {"name": "x", "bytes": 4096}],
     "ops": [{"id": "a", "op": "gemm", "m": 64, "n": 64, "k": 64, "reads": ["w"], "writes": ["x"]},
             {"id": "b", "op": "elementwise", "elements": 4096, "reads": ["x"], "writes": ["x"]},
             {"id": "c", "op": "transfer", "bytes": 4096, "from": "hbm", "to": "host", "after": ["b"], "reads": ["x"]}]}
    """

    /// The same trace as JSON Lines.
    static let traceLines = """
    {"format": "ridge-trace/1", "name": "t"}
    {"tensor": "w", "bytes": 1048576, "kind": "weight"}
    {"tensor": "x", "bytes": 4096}
    {"id": "a", "op": "gemm", "m": 64, "n": 64, "k": 64, "reads": ["w"], "writes": ["x"]}
    {"id": "b", "op": "elementwise", "elements": 4096, "reads": ["x"], "writes": ["x"]}
    {"id": "c", "op": "transfer", "bytes": 4096, "from": "hbm", "to": "host", "after": ["b"], "reads": ["x"]}

    """

    /// A small Llama-like `config.json`.
    static let modelConfig = """
    {"model_type": "llama", "hidden_size": 256, "intermediate_size": 688, "num_attention_heads": 8,
     "num_hidden_layers": 2, "num_key_value_heads": 8, "vocab_size": 1000}
    """
}

extension String {
    /// `self` with exactly one occurrence of `target` replaced (fails loudly when absent).
    func replacingOnce(_ target: String, with replacement: String) -> String {
        guard let r = range(of: target) else { fatalError("corpus template does not contain \(target)") }
        return replacingCharacters(in: r, with: replacement)
    }
}

/// `ridge simulate --format json` output without `wallSeconds`, the one field that measures the
/// machine rather than the model.
func withoutWallTime(_ json: String) -> String {
    json.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("\"wallSeconds\"") }.joined(separator: "\n")
}
