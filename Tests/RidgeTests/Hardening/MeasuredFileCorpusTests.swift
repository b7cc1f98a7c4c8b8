import XCTest
@testable import Ridge

/// Malformed measured files (Vidur operator profiles, `mlp.csv`): each is a data error naming the
/// file, the line and the reason, never a crash.
final class MeasuredFileCorpusTests: XCTestCase {
    static let header = "n_head,n_kv_head,n_embd,n_expanded_embd,use_gated_mlp,num_tokens,num_tensor_parallel_workers,time_stats.mlp_up_proj.median"
    static let row = "32,32,4096,11008,true,128,1,0.25"

    static let cases: [(String, [UInt8], String?, String)] = {
        func t(_ s: String) -> [UInt8] { Array(s.utf8) }
        let h = header, r = row
        return [
            ("empty file", [], "line 1", "empty CSV"),
            ("missing column", t("n_head,n_kv_head\n32,32\n"), "line 1", "missing column n_embd"),
            ("not a number", t(h + "\n" + r.replacingOnce("4096", with: "big") + "\n"), "line 2", "expected"),
            ("NaN", t(h + "\n" + r.replacingOnce("4096", with: "nan") + "\n"), "line 2", "expected"),
            ("1e400", t(h + "\n" + r.replacingOnce("4096", with: "1e400") + "\n"), "line 2", "expected"),
            ("2^63 tokens", t(h + "\n" + r.replacingOnce(",128,", with: ",9.3e18,") + "\n"), "line 2", "expected"),
            ("zero heads", t(h + "\n" + r.replacingOnce("32,32", with: "0,32") + "\n"), "line 2", "expected"),
            ("zero tensor-parallel workers", t(h + "\n" + r.replacingOnce(",1,0.25", with: ",0,0.25") + "\n"), "line 2", "expected"),
            ("negative tokens", t(h + "\n" + r.replacingOnce(",128,", with: ",-128,") + "\n"), "line 2", "expected"),
            ("short row", t(h + "\n32,32\n"), "line 2", "expected"),
            ("unterminated quote", t(h + "\n\"32,32\n"), "line 2", "unterminated quoted field"),
            ("non-UTF-8", t(h + "\n") + [0xFF, 0xFE, 0x0A], "line 2, column 1", "not UTF-8 text (byte 0xFF)"),
            ("duplicate column", t(h + ",n_head\n" + r + ",8\n"), "line 1, column 9", "duplicate column \"n_head\""),
            ("NUL in a number", t(h + "\n" + r.replacingOnce("4096", with: "4\u{0}96") + "\n"), "line 2", "n_embd"),
        ]
    }()

    /// The microbenchmark CSV (`kind`, shape columns, `dtype`, `seconds`), read through
    /// `MeasuredData.load` as `ridge validate` and `ridge calibrate` read it.
    static let microHeader = "name,kind,m,n,k,dtype,seconds"
    static let microRow = "qkv,gemm,64,128,256,bf16,0.001"

    static let microCases: [(String, [UInt8], String?, String)] = {
        func t(_ s: String) -> [UInt8] { Array(s.utf8) }
        let h = microHeader, r = microRow
        func row(_ target: String, _ replacement: String) -> [UInt8] { t(h + "\n" + r.replacingOnce(target, with: replacement) + "\n") }
        return [
            ("empty file", [], "line 1", "empty file"),
            ("blank line only", t("\n"), "line 1", "empty CSV"),
            ("unrecognised header", t("a,b\n1,2\n"), "line 1", "unrecognised measured file"),
            ("truncated in a quoted field", t(h + "\n" + r.replacingOnce(",0.001", with: ",\"0.001")), "line 2", "unterminated quoted field"),
            ("truncated row", t(h + "\nqkv,gemm,64,128"), "line 2, column dtype", "missing value"),
            ("missing column", t("kind,seconds,m,n,k\ngemm,0.1,4,4,4\n"), "line 1", "missing column dtype"),
            ("wrong type", row("64", "sixty-four"), "line 2, column m", "whole number"),
            ("fractional size", row("64", "64.5"), "line 2, column m", "whole number"),
            ("zero size", row("128", "0"), "line 2, column n", "whole number from 1"),
            ("negative size", row("256", "-256"), "line 2, column k", "whole number from 1"),
            ("2^41 size", row("256", "2199023255552"), "line 2, column k", "from 1 to 2^40"),
            ("NaN size", row("256", "nan"), "line 2, column k", "whole number"),
            ("zero seconds", row("0.001", "0"), "line 2, column seconds", "greater than zero"),
            ("negative seconds", row("0.001", "-0.001"), "line 2, column seconds", "greater than zero"),
            ("NaN seconds", row("0.001", "NaN"), "line 2, column seconds", "finite"),
            ("Infinity seconds", row("0.001", "inf"), "line 2, column seconds", "finite"),
            ("1e400 seconds", row("0.001", "1e400"), "line 2, column seconds", "finite"),
            ("unknown kind", row("gemm", "fft"), "line 2, column kind", "unknown kind \"fft\""),
            ("unknown precision", row("bf16", "bf17"), "line 2, column dtype", "unknown precision \"bf17\""),
            ("duplicate column", t(h + ",m\n" + r + ",32\n"), "line 1, column 8", "duplicate column \"m\""),
            ("NUL in a field", t(h + "\n") + t("qkv,gemm,6") + [0] + t("4,128,256,bf16,0.001\n"), "line 2, column m", "whole number"),
            ("non-UTF-8", t(h + "\n") + t("qkv,gemm,") + [0xC3, 0x28] + t(",128,256,bf16,0.001\n"), "line 2, column 10", "not UTF-8 text (byte 0xC3)"),
            ("header only", t(h + "\n"), "line 2", "a header and no measurement rows"),
            ("Kineto trace without GPU events", t("{\"traceEvents\": []}"), "traceEvents", "no GPU kernel, memcpy or memset events"),
            ("UTF-16", [0xFF, 0xFE] + Array(h.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }), "line 1, column 1", "not UTF-8 text (byte 0xFF)"),
        ]
    }()

    /// Each case written to its own file must be rejected by `load` as a data error as expected.
    func assertRejected(_ cases: [(String, [UInt8], String?, String)], _ load: (String) throws -> [MeasuredRow]) throws {
        let dir = try Scratch()
        for (i, (name, bytes, location, reason)) in cases.enumerated() {
            let path = try dir.write("case\(i).csv", bytes)
            assertThrows(name, .data(path, at: location, reason)) { _ = try load(path) }
        }
    }

    func testMalformedMicrobenchmarkFiles() throws { try assertRejected(Self.microCases, MeasuredData.load) }

    func testMicrobenchmarkTemplateIsValidWithOrWithoutAByteOrderMark() throws {
        let dir = try Scratch()
        let plain = try dir.write("bench.csv", Self.microHeader + "\n" + Self.microRow + "\n")
        let bom = try dir.write("bom.csv", [0xEF, 0xBB, 0xBF] + Array((Self.microHeader + "\r\n" + Self.microRow + "\r\n").utf8))
        for path in [plain, bom] {
            let rows = try MeasuredData.load(path)
            XCTAssertEqual(rows.map(\.shape), [.gemm(GEMM(m: 64, n: 128, k: 256, precision: .bf16))], path)
            XCTAssertEqual(rows.first?.seconds, 0.001)
        }
    }

    func testMalformedVidurProfiles() throws {
        try assertRejected(Self.cases) { try VidurImporter.load($0) }
    }

    func testTemplateIsValid() throws {
        let dir = try Scratch()
        let path = try dir.write("mlp.csv", Self.header + "\n" + Self.row + "\n")
        let rows = try VidurImporter.load(path)
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(rows.first?.seconds ?? 0, 0.25e-3, accuracy: 1e-12)
    }

    func testUnreadable() throws {
        let dir = try Scratch()
        let path = dir.file("gone.csv")
        assertThrows("missing measured file", .io(path, "no such file")) { _ = try VidurImporter.load(path) }
        assertThrows("missing measured file", .io(path, "no such file")) { _ = try MeasuredData.load(path) }
        assertThrows("a directory", .io(dir.path, "is a directory")) { _ = try MeasuredData.load(dir.path) }
    }
}
