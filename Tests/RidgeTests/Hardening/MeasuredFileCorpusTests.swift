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
            ("non-UTF-8", t(h + "\n") + [0xFF, 0xFE, 0x0A], nil, "not UTF-8"),
        ]
    }()

    func testMalformedVidurProfiles() throws {
        let dir = try Scratch()
        for (i, (name, bytes, location, reason)) in Self.cases.enumerated() {
            let path = try dir.write("mlp\(i).csv", bytes)
            assertThrows(name, .data(path, at: location, reason)) { _ = try VidurImporter.load(path) }
        }
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
    }
}
