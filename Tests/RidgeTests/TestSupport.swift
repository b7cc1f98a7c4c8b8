import Foundation
import XCTest
@testable import Ridge

/// A scratch directory per test case, removed afterwards.
final class TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "ridge-test-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String, _ contents: String) -> String {
        let p = path + "/" + name
        FileManager.default.createFile(atPath: p, contents: Data(contents.utf8))
        return p
    }
    func file(_ name: String, bytes: [UInt8]) -> String {
        let p = path + "/" + name
        FileManager.default.createFile(atPath: p, contents: Data(bytes))
        return p
    }
    var contents: [String] { (try? FileManager.default.contentsOfDirectory(atPath: path))?.sorted() ?? [] }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs a CLI command in-process and returns the error it throws (fails when it succeeds).
func expectRidgeError(_ args: [String], file: StaticString = #filePath, line: UInt = #line) -> RidgeError? {
    do {
        _ = try RidgeCLI.run(args)
        XCTFail("expected \(args) to fail", file: file, line: line)
        return nil
    } catch let e as RidgeError {
        return e
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
        return nil
    }
}

/// A small, fully specified profile for unit tests (numbers are illustrative).
let testProfileJSON = """
{
  "name": "test-gpu", "kind": "gpu",
  "engines": { "gpu": { "kind": "gpu", "memory": "hbm", "onChipBuffer": "40 MiB", "localBuffer": "128 KiB", "computeUnits": 100,
                        "peak": { "bf16": "300 TFLOP/s", "fp32": "20 TFLOP/s" }, "vectorPeak": { "fp32": "20 TFLOP/s" },
                        "launchOverhead": "2 us", "efficiency": { "compute": 0.8, "memory": 0.8 },
                        "power": { "idle": "60 W", "peak": "400 W" } } },
  "memories": { "hbm": { "capacity": "80 GiB", "bandwidth": "2 TB/s", "energyPerByte": "6 pJ/bit" },
                "host": { "capacity": "512 GiB", "bandwidth": "200 GB/s" } },
  "links": { "pcie": { "between": ["hbm", "host"], "bandwidth": "25 GB/s", "latency": "2 us" } },
  "sources": { "engines": "test values", "memories": "test values", "links": "test values" }
}
"""

func testProfile(_ patch: (inout JSONObject) -> Void = { _ in }) throws -> HardwareProfile {
    guard case .object(var o) = try JSONParser.parse(testProfileJSON) else { fatalError() }
    patch(&o)
    return try ProfileLoader.decode(o, file: "test-gpu.json")
}

/// The package's root directory (two levels above `Tests/RidgeTests`).
let packageRoot: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// A file or folder of the project's development data, `../shared` beside the package (or
/// `$RIDGE_SHARED`): measured datasets that may not be committed (see `../shared/data/README.md`).
/// Tests that need it call this and skip cleanly, saying what is missing, on a clone without it.
func sharedData(_ relative: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
    let root = ProcessInfo.processInfo.environment["RIDGE_SHARED"] ?? (packageRoot + "/../shared")
    let path = URL(fileURLWithPath: root + "/" + relative).standardizedFileURL.path
    guard FileManager.default.fileExists(atPath: path) else {
        throw XCTSkip("development data \(relative) not found at \(path) (set RIDGE_SHARED to the shared folder); skipped")
    }
    return path
}
