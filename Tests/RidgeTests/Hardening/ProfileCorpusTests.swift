import XCTest
@testable import Ridge

/// Malformed hardware profiles: each one exits 65 (or 66 for unreadable files) with the file,
/// the JSON path or line, and the reason.
final class ProfileCorpusTests: XCTestCase {
    /// (case name, file bytes, expected location, expected reason)
    static let cases: [(String, [UInt8], String?, String)] = {
        let p = Valid.profile
        func t(_ s: String) -> [UInt8] { Array(s.utf8) }
        let valid = Array(p.utf8)
        return [
            ("empty file", [], "line 1, column 1", "empty input"),
            ("whitespace only", t("  \n\t \n"), "line 3", "empty input"),
            ("truncated", Array(valid.prefix(valid.count / 2)), "line", "truncated"),
            ("truncated after key", t("{\"name\": "), "line 1", "truncated"),
            ("array at top level", t("[1, 2]"), "top level", "expected a profile object"),
            ("trailing text", t(p + " x"), "line 9, column 3", "unexpected text after the JSON value"),
            ("trailing comma", t(p.replacingOnce("\"links\": \"test\"", with: "\"links\": \"test\",")), "line", "expected a string key"),
            ("wrong type: capacity is a boolean", t(p.replacingOnce("\"capacity\": \"80 GiB\"", with: "\"capacity\": true")),
             "memories.hbm.capacity", "expected bytes"),
            ("wrong type: engines is an array", t(p.replacingOnce("\"engines\": {\"gpu\"", with: "\"engines\": [{\"gpu\"")
                .replacingOnce("\"power\": {\"idle\": \"50 W\", \"peak\": \"400 W\"}}},", with: "\"power\": {\"idle\": \"50 W\", \"peak\": \"400 W\"}}}],")),
             "engines", "expected an object"),
            ("wrong type: name is a number", t(p.replacingOnce("\"name\": \"tiny\"", with: "\"name\": 7")), "name", "expected a string"),
            ("wrong unit", t(p.replacingOnce("\"bandwidth\": \"2 TB/s\"", with: "\"bandwidth\": \"2 TB\"")), "memories.hbm.bandwidth", "is not a unit of bandwidth"),
            ("unparseable quantity", t(p.replacingOnce("\"80 GiB\"", with: "\"lots\"")), "memories.hbm.capacity", "is not a quantity"),
            ("unknown top-level key", t(p.replacingOnce("\"name\": \"tiny\",", with: "\"name\": \"tiny\", \"colour\": \"red\",")), "colour", "unknown key"),
            ("unknown engine key", t(p.replacingOnce("\"kind\": \"gpu\",", with: "\"kind\": \"gpu\", \"turbo\": true,")), "engines.gpu.turbo", "unknown key"),
            ("unknown memory key", t(p.replacingOnce("\"capacity\": \"1 TiB\"", with: "\"capacity\": \"1 TiB\", \"ecc\": 1")), "memories.host.ecc", "unknown key"),
            ("negative capacity", t(p.replacingOnce("\"80 GiB\"", with: "-80")), "memories.hbm.capacity", "greater than zero"),
            ("zero bandwidth", t(p.replacingOnce("\"2 TB/s\"", with: "0")), "memories.hbm.bandwidth", "greater than zero"),
            ("zero peak", t(p.replacingOnce("\"100 TFLOP/s\"", with: "\"0 TFLOP/s\"")), "engines.gpu.peak.bf16", "greater than zero"),
            ("negative latency", t(p.replacingOnce("\"latency\": \"2 us\"", with: "\"latency\": \"-2 us\"")), "links.pcie.latency", "negative"),
            ("zero compute units", t(p.replacingOnce("\"computeUnits\": 100", with: "\"computeUnits\": 0")), "engines.gpu.computeUnits", "from 1 to"),
            ("2^31 compute units", t(p.replacingOnce("\"computeUnits\": 100", with: "\"computeUnits\": 2147483648")), "engines.gpu.computeUnits", "from 1 to"),
            ("fractional compute units", t(p.replacingOnce("\"computeUnits\": 100", with: "\"computeUnits\": 1.5")), "engines.gpu.computeUnits", "whole number"),
            ("NaN", t(p.replacingOnce("\"2 TB/s\"", with: "NaN")), "line 5", "NaN and Infinity"),
            ("Infinity", t(p.replacingOnce("\"2 TB/s\"", with: "Infinity")), "line 5", "NaN and Infinity"),
            ("-Infinity", t(p.replacingOnce("\"2 TB/s\"", with: "-Infinity")), "line 5", "NaN and Infinity"),
            ("1e400", t(p.replacingOnce("\"2 TB/s\"", with: "1e400")), "line 5", "out of range"),
            ("1e400 in a quantity string", t(p.replacingOnce("\"2 TB/s\"", with: "\"1e400 TB/s\"")), "memories.hbm.bandwidth", "finite"),
            ("nan in a quantity string", t(p.replacingOnce("\"2 TB/s\"", with: "\"nan TB/s\"")), "memories.hbm.bandwidth", "not a quantity"),
            ("unknown precision", t(p.replacingOnce("\"bf16\": \"100 TFLOP/s\"", with: "\"bf17\": \"100 TFLOP/s\"")), "engines.gpu.peak.bf17", "unknown precision"),
            ("unknown engine kind", t(p.replacingOnce("\"kind\": \"gpu\",", with: "\"kind\": \"quantum\",")), "engines.gpu.kind", "unknown engine kind"),
            ("engine on a missing memory", t(p.replacingOnce("\"memory\": \"hbm\"", with: "\"memory\": \"sram\"")), "engines.gpu.memory", "does not define"),
            ("link to a missing memory", t(p.replacingOnce("[\"hbm\", \"host\"]", with: "[\"hbm\", \"nvme\"]")), "links.pcie.between[1]", "does not define"),
            ("link to itself", t(p.replacingOnce("[\"hbm\", \"host\"]", with: "[\"hbm\", \"hbm\"]")), "links.pcie.between", "two different memories"),
            ("missing memories", t(p.replacingOnce("\"memories\"", with: "\"memoirs\"")), "memories", "missing required field"),
            ("missing sources", t(p.replacingOnce("\"sources\": {\"engines\": \"test\", \"memories\": \"test\", \"links\": \"test\"}", with: "\"notes\": \"\"")),
             "sources", "missing required field"),
            ("number without a source", t(p.replacingOnce("\"links\": \"test\"", with: "\"links.pcie.bandwidth\": \"test\"")), "links.pcie.latency", "no source"),
            ("duplicate key", t(p.replacingOnce("\"name\": \"tiny\",", with: "\"name\": \"tiny\", \"name\": \"tiny\",")), "line 2", "duplicate key \"name\""),
            ("idle above peak power", t(p.replacingOnce("\"idle\": \"50 W\"", with: "\"idle\": \"500 W\"")), "engines.gpu.power.peak", "below idle"),
            ("non-UTF-8 in a string", Array(p.utf8).replacingFirst(Array("tiny".utf8), with: [0x74, 0xFF, 0xFE, 0x79]), "line 2", "not valid UTF-8"),
            ("non-UTF-8 outside strings", [0xFF, 0xFE] + valid, "line 1, column 1", "unexpected character '\\xFF'"),
            ("UTF-16 file", [0xFF, 0xFE] + Array(p.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }), "line 1, column 1", "unexpected character"),
            ("NUL byte", valid.replacingFirst(Array("tiny".utf8), with: [0x74, 0x00, 0x79]), "line 2", "control character"),
            ("unpaired surrogate", t(p.replacingOnce("\"tiny\"", with: "\"\\ud800x\"")), "line 2", "surrogate"),
            ("bad escape", t(p.replacingOnce("\"tiny\"", with: "\"\\q\"")), "line 2", "invalid escape"),
            ("leading zero", t(p.replacingOnce("\"computeUnits\": 100", with: "\"computeUnits\": 0100")), "line 4", "leading zeros"),
            ("nesting 100000 deep", Array(repeating: UInt8(ascii: "["), count: 100_000), "line 1", "nesting deeper"),
            ("ascending request sizes", t(p.replacingOnce("\"bandwidth\": \"400 GB/s\"", with: "\"bandwidth\": \"400 GB/s\", \"requestSizeBandwidth\": [[\"32 KiB\", \"1 GB/s\"], [\"4 KiB\", \"2 GB/s\"]]")),
             "memories.host.requestSizeBandwidth[1]", "ascending"),
            ("request size pair of three", t(p.replacingOnce("\"bandwidth\": \"400 GB/s\"", with: "\"bandwidth\": \"400 GB/s\", \"requestSizeBandwidth\": [[1, 2, 3]]")),
             "memories.host.requestSizeBandwidth[0]", "pair"),
            ("efficiency above 1", t(p.replacingOnce("\"computeUnits\": 100", with: "\"computeUnits\": 100, \"efficiency\": {\"compute\": 1.5}")),
             "engines.gpu.efficiency.compute", "from 0.001 to 1"),
        ]
    }()

    func testMalformedProfiles() throws {
        let dir = try Scratch()
        for (i, (name, bytes, location, reason)) in Self.cases.enumerated() {
            let path = try dir.write("profile\(i).json", bytes)
            assertFails(["cost", "gemm", "--m", "64", "--n", "64", "--k", "64", "--profile", path],
                        .data(path, at: location, reason), name)
        }
    }

    func testTheTemplateIsValid() throws {
        let dir = try Scratch()
        let path = try dir.write("tiny.json", Valid.profile)
        let out = try RidgeCLI.run(["cost", "gemm", "--m", "64", "--n", "64", "--k", "64", "--profile", path])
        XCTAssertEqual(out.exitCode, 0)
    }

    func testUnreadableProfiles() throws {
        let dir = try Scratch()
        let missing = dir.file("missing.json")
        assertFails(["cost", "gemm", "--m", "1", "--n", "1", "--k", "1", "--profile", missing], .io(missing, "no such file"), "missing file")
        assertFails(["cost", "gemm", "--m", "1", "--n", "1", "--k", "1", "--profile", dir.path + "/"], .io(dir.path + "/", "directory"), "a directory")
        assertFails(["cost", "gemm", "--m", "1", "--n", "1", "--k", "1", "--profile", "no-such-gpu"], .io("no-such-gpu", "no bundled profile"), "unknown bundled name")
    }

    func testExtendsCycleAndMissingParent() throws {
        let dir = try Scratch()
        let a = try dir.write("a.json", "{\"extends\": \"b.json\", \"name\": \"a\"}")
        try dir.write("b.json", "{\"extends\": \"a.json\", \"name\": \"b\"}")
        assertFails(["cost", "gemm", "--m", "1", "--n", "1", "--k", "1", "--profile", a], .data(a, at: "extends", "extends cycle"), "extends cycle")
        let c = try dir.write("c.json", "{\"extends\": \"gone.json\", \"name\": \"c\"}")
        assertFails(["cost", "gemm", "--m", "1", "--n", "1", "--k", "1", "--profile", c], .io(dir.file("gone.json"), "no such file"), "missing parent")
        let d = try dir.write("d.json", "{\"extends\": 3, \"name\": \"d\"}")
        assertFails(["cost", "gemm", "--m", "1", "--n", "1", "--k", "1", "--profile", d], .data(d, at: "extends", "expected the name or path"), "extends a number")
    }
}

extension Array where Element == UInt8 {
    func replacingFirst(_ target: [UInt8], with replacement: [UInt8]) -> [UInt8] {
        for i in 0...(count - target.count) where Array(self[i..<i + target.count]) == target {
            return Array(self[..<i]) + replacement + Array(self[(i + target.count)...])
        }
        fatalError("corpus template does not contain the target bytes")
    }
}
