import XCTest
@testable import Ridge

final class ProfileValidationTests: XCTestCase {
    /// Writes the test profile with one edit and runs `ridge cost gemm` on it: it must exit 65 and name the path.
    func check(_ edit: String, replacing original: String, path expectedPath: String, reason: String,
               file: StaticString = #filePath, line: UInt = #line) {
        let dir = TempDir()
        XCTAssertTrue(testProfileJSON.contains(original), "fixture lacks \(original)", file: file, line: line)
        let p = dir.file("bad.json", testProfileJSON.replacingOccurrences(of: original, with: edit))
        guard let e = expectRidgeError(["cost", "gemm", "--profile", p, "--m", "8", "--n", "8", "--k", "8"], file: file, line: line) else { return }
        XCTAssertEqual(e.kind.exitCode, 65, e.description, file: file, line: line)
        XCTAssertEqual(e.file, p, file: file, line: line)
        XCTAssertEqual(e.location, expectedPath, e.description, file: file, line: line)
        XCTAssertTrue(e.message.contains(reason), "\(e.description) should mention \(reason)", file: file, line: line)
    }

    func testValidProfileLoads() throws {
        let p = try testProfile()
        XCTAssertEqual(p.engines.first?.peak[.bf16], 300e12)
        XCTAssertEqual(p.memory("hbm")?.capacity, 80 * 1_073_741_824.0)
        XCTAssertEqual(p.link(between: "host", "hbm")?.bandwidth, 25e9)
    }

    func testUnknownKey() {
        check(#""computeUnits": 100, "color": "green""#, replacing: #""computeUnits": 100"#, path: "engines.gpu.color", reason: "unknown key")
    }
    func testWrongType() {
        check(#""bf16": true"#, replacing: #""bf16": "300 TFLOP/s""#, path: "engines.gpu.peak.bf16", reason: "expected throughput")
    }
    func testWrongUnit() {
        check(#""bf16": "300 GiB""#, replacing: #""bf16": "300 TFLOP/s""#, path: "engines.gpu.peak.bf16", reason: "not a unit of throughput")
    }
    func testMissingRequired() {
        check(#""hbm": { "bandwidth": "2 TB/s""#, replacing: #""hbm": { "capacity": "80 GiB", "bandwidth": "2 TB/s""#,
              path: "memories.hbm.capacity", reason: "missing required field")
    }
    func testZeroCapacity() {
        check(#""capacity": 0"#, replacing: #""capacity": "80 GiB""#, path: "memories.hbm.capacity", reason: "greater than zero")
    }
    func testNegativeBandwidth() {
        check(#""bandwidth": "-2 TB/s""#, replacing: #""bandwidth": "2 TB/s""#, path: "memories.hbm.bandwidth", reason: "greater than zero")
    }
    func testNaNString() {
        check(#""bandwidth": "NaN TB/s""#, replacing: #""bandwidth": "2 TB/s""#, path: "memories.hbm.bandwidth", reason: "not a quantity")
    }
    func testInfiniteNumber() {
        let dir = TempDir()
        let p = dir.file("bad.json", testProfileJSON.replacingOccurrences(of: #""capacity": "80 GiB""#, with: #""capacity": 1e400"#))
        let e = expectRidgeError(["cost", "gemm", "--profile", p, "--m", "8", "--n", "8", "--k", "8"])
        XCTAssertEqual(e?.kind.exitCode, 65)
        XCTAssertTrue(e?.message.contains("out of range") ?? false)
        XCTAssertTrue(e?.location?.hasPrefix("line") ?? false)
    }
    func testLinkToMissingMemory() {
        check(#""between": ["hbm", "nvme"]"#, replacing: #""between": ["hbm", "host"]"#, path: "links.pcie.between[1]", reason: "does not define")
    }
    func testEngineOnMissingMemory() {
        check(#""memory": "sram""#, replacing: #""memory": "hbm""#, path: "engines.gpu.memory", reason: "does not define")
    }
    func testUnknownPrecision() {
        check(#""bf17": "300 TFLOP/s""#, replacing: #""bf16": "300 TFLOP/s""#, path: "engines.gpu.peak.bf17", reason: "unknown precision")
    }
    func testEfficiencyOutOfRange() {
        check(#""compute": 1.5"#, replacing: #""compute": 0.8"#, path: "engines.gpu.efficiency.compute", reason: "from 0.001 to 1")
    }
    func testNumberWithoutSource() {
        check(#""sources": { "engines": "test values", "memories": "test values" }"#,
              replacing: #""sources": { "engines": "test values", "memories": "test values", "links": "test values" }"#,
              path: "links.pcie.bandwidth", reason: "no source")
    }

    func testExtendsOverridesFields() throws {
        let dir = TempDir()
        _ = dir.file("base.json", testProfileJSON)
        let child = dir.file("child.json", #"{"extends": "base.json", "memories": {"hbm": {"bandwidth": "4 TB/s"}}, "sources": {"memories.hbm.bandwidth": "what-if"}}"#)
        let p = try ProfileLoader.load(child)
        XCTAssertEqual(p.name, "child")
        XCTAssertEqual(p.memory("hbm")?.readBandwidth, 4e12)
        XCTAssertEqual(p.memory("hbm")?.capacity, 80 * 1_073_741_824.0)
    }

    func testExtendsCycle() {
        let dir = TempDir()
        _ = dir.file("a.json", #"{"extends": "b.json"}"#)
        let b = dir.file("b.json", #"{"extends": "a.json"}"#)
        let e = expectRidgeError(["cost", "gemm", "--profile", b, "--m", "8", "--n", "8", "--k", "8"])
        XCTAssertEqual(e?.kind.exitCode, 65)
        XCTAssertTrue(e?.message.contains("extends cycle") ?? false)
    }

    func testUnreadableAndUnknownProfiles() {
        XCTAssertEqual(expectRidgeError(["cost", "gemm", "--profile", "/nonexistent/x.json", "--m", "1", "--n", "1", "--k", "1"])?.kind.exitCode, 66)
        XCTAssertEqual(expectRidgeError(["cost", "gemm", "--profile", "no-such-gpu", "--m", "1", "--n", "1", "--k", "1"])?.kind.exitCode, 66)
    }

    func testEveryBundledProfileLoadsWithSources() throws {
        XCTAssertGreaterThanOrEqual(ProfileLoader.bundledNames.count, 12)
        for name in ["h100-sxm", "h100-pcie", "h200-sxm", "a100-sxm-80gb", "a100-sxm-40gb", "a6000", "a40", "v100s-pcie", "t4", "l4", "rtx-4090", "mi300x"] {
            let p = try ProfileLoader.load(name)
            XCTAssertFalse(p.sources.isEmpty, name)
            XCTAssertNotNil(p.memory("host"), "\(name) includes its host")
            XCTAssertNotNil(p.links.first { [$0.from, $0.to].contains("host") }, "\(name) links to its host")
        }
        for name in ProfileLoader.bundledNames { XCTAssertNoThrow(try ProfileLoader.load(name), name) }
    }

    func testProfilesCommandListsThemAsJSON() throws {
        let out = try RidgeCLI.run(["profiles", "--format", "json"]).stdout
        let rows = try JSONParser.parse(out).arrayValue ?? []
        XCTAssertEqual(rows.count, ProfileLoader.bundledNames.count)
        let h100 = rows.first { $0.objectValue?["name"] == .string("h100-sxm") }?.objectValue
        XCTAssertEqual(h100?["ridgePointFlopsPerByte"]?.numberValue ?? 0, 989.4e12 / 3.35e12, accuracy: 1)
    }
}
