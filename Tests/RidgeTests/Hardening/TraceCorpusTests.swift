import XCTest
@testable import Ridge

/// Malformed operator traces, as JSON documents and as JSON Lines: each exits 65 (66 when
/// unreadable) naming the file, the JSON path or line, and the reason; none leaves an output file.
final class TraceCorpusTests: XCTestCase {
    static let documentCases: [(String, [UInt8], String?, String)] = {
        let j = Valid.traceJSON
        func t(_ s: String) -> [UInt8] { Array(s.utf8) }
        let op0 = "{\"id\": \"a\", \"op\": \"gemm\", \"m\": 64, \"n\": 64, \"k\": 64"
        return [
            ("empty file", [], "line 1, column 1", "empty input"),
            ("truncated", Array(Array(j.utf8).prefix(120)), "line", "truncated"),
            ("not an object", t("\"ops\""), "top level", "expected an object"),
            ("missing ops", t("{\"format\": \"ridge-trace/1\"}"), "ops", "missing required field"),
            ("ops is an object", t("{\"ops\": {}}"), "ops", "expected an array"),
            ("unsupported format", t(j.replacingOnce("ridge-trace/1", with: "ridge-trace/9")), "format", "unsupported trace format"),
            ("unknown top-level key", t(j.replacingOnce("\"name\": \"t\",", with: "\"name\": \"t\", \"extra\": 1,")), "extra", "unknown key"),
            ("unknown operator key", t(j.replacingOnce(op0, with: op0 + ", \"color\": \"red\"")), "ops[0].color", "unknown key"),
            ("wrong type: m is a string", t(j.replacingOnce("\"m\": 64", with: "\"m\": \"64\"")), "ops[0].m", "whole number"),
            ("wrong type: reads is a string", t(j.replacingOnce("\"reads\": [\"w\"]", with: "\"reads\": \"w\"")), "ops[0].reads", "expected an array"),
            ("wrong type: read of a number", t(j.replacingOnce("\"reads\": [\"w\"]", with: "\"reads\": [7]")), "ops[0].reads[0]", "expected a tensor name"),
            ("zero m", t(j.replacingOnce("\"m\": 64", with: "\"m\": 0")), "ops[0].m", "greater than zero"),
            ("negative k", t(j.replacingOnce("\"k\": 64", with: "\"k\": -64")), "ops[0].k", "from 0 to"),
            ("fractional n", t(j.replacingOnce("\"n\": 64", with: "\"n\": 6.5")), "ops[0].n", "whole number"),
            ("2^50 m", t(j.replacingOnce("\"m\": 64", with: "\"m\": 1125899906842624")), "ops[0].m", "from 0 to"),
            ("1e300 elements", t(j.replacingOnce("\"elements\": 4096", with: "\"elements\": 1e300")), "ops[1].elements", "from 0 to"),
            ("negative tensor bytes", t(j.replacingOnce("\"bytes\": 4096}", with: "\"bytes\": -4096}")), "tensors[1].bytes", "negative"),
            ("negative transfer bytes", t(j.replacingOnce("\"bytes\": 4096, \"from\"", with: "\"bytes\": -1, \"from\"")), "ops[2].bytes", "negative"),
            ("NaN", t(j.replacingOnce("\"m\": 64", with: "\"m\": NaN")), "line 3", "NaN and Infinity"),
            ("Infinity", t(j.replacingOnce("\"m\": 64", with: "\"m\": Infinity")), "line 3", "NaN and Infinity"),
            ("1e400", t(j.replacingOnce("\"bytes\": 1048576", with: "\"bytes\": 1e400")), "line 2", "out of range"),
            ("unknown operator", t(j.replacingOnce("\"op\": \"gemm\"", with: "\"op\": \"fft\"")), "ops[0].op", "unknown operator kind \"fft\""),
            ("unknown precision", t(j.replacingOnce("\"m\": 64", with: "\"m\": 64, \"dtype\": \"fp12\"")), "ops[0].dtype", "unknown precision \"fp12\""),
            ("unknown tensor kind", t(j.replacingOnce("\"kind\": \"weight\"", with: "\"kind\": \"bias\"")), "tensors[0].kind", "unknown tensor kind"),
            ("dependency cycle", t(j.replacingOnce(op0, with: op0 + ", \"after\": [\"c\"]")), "ops[", "dependency cycle"),
            ("self dependency", t(j.replacingOnce(op0, with: op0 + ", \"after\": [\"a\"]")), "ops[0].after[0]", "depends on itself"),
            ("dependency on a missing operator", t(j.replacingOnce("\"after\": [\"b\"]", with: "\"after\": [\"zz\"]")), "ops[2].after[0]", "unknown operator id \"zz\""),
            ("positional dependency out of range", t(j.replacingOnce("\"after\": [\"b\"]", with: "\"after\": [99]")), "ops[2].after[0]", "unknown operator id \"#99\""),
            ("negative positional dependency", t(j.replacingOnce("\"after\": [\"b\"]", with: "\"after\": [\"#-1\"]")), "ops[2].after[0]", "unknown operator id \"#-1\""),
            ("dependency -1", t(j.replacingOnce("\"after\": [\"b\"]", with: "\"after\": [-1]")), "ops[2].after[0]", "expected an operator id"),
            ("dependency 1e300", t(j.replacingOnce("\"after\": [\"b\"]", with: "\"after\": [1e300]")), "ops[2].after[0]", "expected an operator id"),
            ("dependency true", t(j.replacingOnce("\"after\": [\"b\"]", with: "\"after\": [true]")), "ops[2].after[0]", "expected an operator id"),
            ("read of a missing tensor", t(j.replacingOnce("\"reads\": [\"w\"]", with: "\"reads\": [\"v\"]")), "ops[0].reads[0]", "unknown tensor \"v\""),
            ("write of a missing tensor", t(j.replacingOnce("\"writes\": [\"x\"]}", with: "\"writes\": [{\"tensor\": \"y\"}]}")), "ops[0].writes[0].tensor", "unknown tensor \"y\""),
            ("tensor in a missing memory", t(j.replacingOnce("\"bytes\": 4096}", with: "\"bytes\": 4096, \"memory\": \"nvme\"}")), "tensor \"x\".memory", "unknown memory \"nvme\""),
            ("transfer from a missing memory", t(j.replacingOnce("\"from\": \"hbm\"", with: "\"from\": \"l3\"")), ".from", "unknown memory \"l3\""),
            ("operator on a missing engine", t(j.replacingOnce(op0, with: op0 + ", \"engine\": \"tpu\"")), ".engine", "unknown engine \"tpu\""),
            ("duplicate operator id", t(j.replacingOnce("\"id\": \"b\"", with: "\"id\": \"a\"")), "ops[1].id", "duplicate operator id \"a\""),
            ("duplicate tensor name", t(j.replacingOnce("{\"name\": \"x\"", with: "{\"name\": \"w\"")), "tensors[1].name", "duplicate tensor name \"w\""),
            ("empty tensor name", t(j.replacingOnce("{\"name\": \"x\"", with: "{\"name\": \"\"")), "tensors[1].name", "must not be empty"),
            ("2^31 layer", t(j.replacingOnce(op0, with: op0 + ", \"layer\": 2147483648")), "ops[0].layer", "from -1 to"),
            ("heads not a multiple of kvHeads", t(j.replacingOnce(op0 + ", \"reads\"", with: "{\"id\": \"a\", \"op\": \"attention\", \"heads\": 6, \"kvHeads\": 4, \"queryLength\": 8, \"headDim\": 64, \"reads\"")),
             "ops[0].kvHeads", "multiple of kvHeads"),
            ("non-UTF-8 id", Array(j.utf8).replacingFirst(Array("\"id\": \"a\"".utf8), with: Array("\"id\": \"".utf8) + [0xC3, 0x28] + [0x22]), "line 3", "not valid UTF-8"),
            ("non-UTF-8 garbage", Array(j.utf8).replacingFirst(Array("\"tensors\"".utf8), with: [0x80, 0x81]), "line 2", "unexpected character"),
            ("a write larger than every memory", t(j.replacingOnce("\"writes\": [\"x\"]}", with: "\"writes\": [{\"tensor\": \"x\", \"bytes\": 1e30}]}")),
             "operator 0 (\"a\")", "does not fit: it needs"),
            ("a weight larger than every memory", t(j.replacingOnce("\"bytes\": 1048576", with: "\"bytes\": 1e30")), "operator 0 (\"a\")", "does not fit"),
        ]
    }()

    static let linesCases: [(String, [UInt8], String?, String)] = {
        let l = Valid.traceLines
        func t(_ s: String) -> [UInt8] { Array(s.utf8) }
        return [
            ("empty file", [], "line 1", "empty file"),
            ("unsupported format in the header", t("{\"format\": \"ridge-trace/2\"}\n"), "line 1, format", "unsupported trace format"),
            ("header is an operator", t("{\"op\": \"gemm\", \"m\": 1, \"n\": 1, \"k\": 1}\n"), "line 1", "first line must be the trace header"),
            ("header with unknown key", t("{\"format\": \"ridge-trace/1\", \"speed\": 1}\n"), "line 1", "unknown key"),
            ("header not an object", t("[]\n"), "line 1", "expected an object"),
            ("truncated last line", Array(Array(l.utf8).dropLast(30)), "line 6", "truncated"),
            ("truncated header", t("{\"format\": \"ridge"), "line 1", "unterminated string"),
            ("line is not an object", t(l.replacingOnce("{\"tensor\": \"x\", \"bytes\": 4096}", with: "[1, 2]")), "line 3", "expected an object"),
            ("two records on one line", t(l.replacingOnce("{\"tensor\": \"x\", \"bytes\": 4096}", with: "{\"tensor\": \"x\", \"bytes\": 4096} {}")), "line 3", "unexpected text"),
            ("wrong type", t(l.replacingOnce("\"m\": 64", with: "\"m\": [64]")), "line 4, m", "whole number"),
            ("unknown key", t(l.replacingOnce("\"m\": 64", with: "\"m\": 64, \"mm\": 1")), "line 4, mm", "unknown key"),
            ("zero k", t(l.replacingOnce("\"k\": 64", with: "\"k\": 0")), "line 4, k", "greater than zero"),
            ("negative tensor bytes", t(l.replacingOnce("\"bytes\": 4096}", with: "\"bytes\": -1}")), "line 3, bytes", "negative"),
            ("NaN", t(l.replacingOnce("\"elements\": 4096", with: "\"elements\": NaN")), "line 5", "NaN and Infinity"),
            ("-Infinity", t(l.replacingOnce("\"elements\": 4096", with: "\"elements\": -Infinity")), "line 5", "NaN and Infinity"),
            ("1e400", t(l.replacingOnce("\"elements\": 4096", with: "\"elements\": 1e400")), "line 5", "out of range"),
            ("unknown operator", t(l.replacingOnce("\"op\": \"elementwise\"", with: "\"op\": \"softmax2\"")), "line 5, op", "unknown operator kind"),
            ("unknown precision", t(l.replacingOnce("\"elements\": 4096", with: "\"elements\": 4096, \"dtype\": \"bf8\"")), "line 5, dtype", "unknown precision"),
            ("dependency on a later line", t(l.replacingOnce("\"id\": \"a\",", with: "\"id\": \"a\", \"after\": [\"c\"],")), "line 4, after[0]", "only depend on earlier lines"),
            ("self dependency", t(l.replacingOnce("\"after\": [\"b\"]", with: "\"after\": [\"c\"]")), "line 6, after[0]", "depends on itself"),
            ("negative positional dependency", t(l.replacingOnce("\"after\": [\"b\"]", with: "\"after\": [\"#-1\"]")), "line 6, after[0]", "unknown operator id \"#-1\""),
            ("positional dependency on itself", t(l.replacingOnce("\"after\": [\"b\"]", with: "\"after\": [2]")), "line 6, after[0]", "unknown operator id \"#2\""),
            ("missing tensor", t(l.replacingOnce("\"reads\": [\"w\"]", with: "\"reads\": [\"q\"]")), "line 4, reads[0]", "unknown tensor \"q\""),
            ("tensor declared after use", t(l.replacingOnce("{\"tensor\": \"w\", \"bytes\": 1048576, \"kind\": \"weight\"}\n", with: "")
                .replacingOnce("\"writes\": [\"x\"]}\n{\"id\": \"b\"", with: "\"writes\": [\"x\"]}\n{\"tensor\": \"w\", \"bytes\": 1}\n{\"id\": \"b\"")),
             "line 3, reads[0]", "unknown tensor \"w\""),
            ("missing memory", t(l.replacingOnce("\"to\": \"host\"", with: "\"to\": \"tape\"")), ".to", "unknown memory \"tape\""),
            ("duplicate id", t(l.replacingOnce("\"id\": \"b\"", with: "\"id\": \"a\"")), "line 5, id", "duplicate operator id"),
            ("duplicate tensor", t(l.replacingOnce("{\"tensor\": \"x\"", with: "{\"tensor\": \"w\"")), "line 3, tensor", "duplicate tensor name"),
            ("non-UTF-8 bytes", Array(l.utf8).replacingFirst(Array("\"id\": \"b\"".utf8), with: Array("\"id\": \"".utf8) + [0xED, 0xA0, 0x80, 0x22]), "line 5", "not valid UTF-8"),
            ("NUL line", Array(l.utf8) + [0x00, 0x0A], "line 7", "unexpected character"),
            ("2 GiB dimension", t(l.replacingOnce("\"m\": 64", with: "\"m\": 2199023255553")), "line 4, m", "from 0 to"),
            ("a write larger than every memory", t(l.replacingOnce("\"writes\": [\"x\"]}", with: "\"writes\": [{\"tensor\": \"x\", \"bytes\": 1e30}]}")),
             "operator 0 (\"a\")", "does not fit: it needs"),
        ]
    }()

    func run(_ name: String, _ bytes: [UInt8], ext: String, location: String?, reason: String, in dir: Scratch, index: Int) throws {
        let profile = dir.file("tiny.json")
        let trace = try dir.write("trace\(index).\(ext)", bytes)
        let timeline = dir.file("timeline\(index).json")
        let before = dir.contents
        assertFails(["simulate", "--profile", profile, "--trace", trace, "--timeline", timeline],
                    .data(trace, at: location, reason), "\(ext): \(name)")
        XCTAssertEqual(dir.contents, before, "\(ext): \(name): a failed run must leave no output or temporary file")
    }

    func testMalformedDocuments() throws {
        let dir = try Scratch()
        try dir.write("tiny.json", Valid.profile)
        for (i, c) in Self.documentCases.enumerated() {
            try run(c.0, c.1, ext: "json", location: c.2, reason: c.3, in: dir, index: i)
        }
    }

    func testMalformedLines() throws {
        let dir = try Scratch()
        try dir.write("tiny.json", Valid.profile)
        for (i, c) in Self.linesCases.enumerated() {
            try run(c.0, c.1, ext: "jsonl", location: c.2, reason: c.3, in: dir, index: i)
        }
    }

    func testTemplatesAreValidAndAgree() throws {
        let dir = try Scratch()
        let profile = try dir.write("tiny.json", Valid.profile)
        let a = try dir.write("t.json", Valid.traceJSON)
        let b = try dir.write("t.jsonl", Valid.traceLines)
        let ra = try RidgeCLI.run(["simulate", "--profile", profile, "--trace", a, "--format", "json"]).stdout
        let rb = try RidgeCLI.run(["simulate", "--profile", profile, "--trace", b, "--format", "json"]).stdout
        XCTAssertEqual(withoutWallTime(ra), withoutWallTime(rb))
        XCTAssertTrue(ra.contains("\"ops\": 3"))
    }

    func testUnreadableTraces() throws {
        let dir = try Scratch()
        let profile = try dir.write("tiny.json", Valid.profile)
        for name in ["gone.json", "gone.jsonl"] {
            let path = dir.file(name)
            assertFails(["simulate", "--profile", profile, "--trace", path], .io(path, "no such file"), name)
        }
        let sub = dir.file("sub.jsonl")
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: false)
        assertFails(["simulate", "--profile", profile, "--trace", sub], .io(sub, "cannot read"), "directory as trace")
    }
}
