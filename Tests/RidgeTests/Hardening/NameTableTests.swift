import XCTest
@testable import Ridge

/// The JSON Lines reader's compact id table must behave exactly like a dictionary.
final class NameTableTests: XCTestCase {
    func testMatchesADictionary() {
        var table = NameTable()
        var reference: [String: Int32] = [:]
        for i in 0..<20_000 {
            let name = i % 3 == 0 ? "d\(i).L\(i % 80).mlp_down" : "#\(i)"
            XCTAssertEqual(table.insert(name, Int32(i)), reference[name] == nil)
            if reference[name] == nil { reference[name] = Int32(i) }
        }
        XCTAssertEqual(table.count, reference.count)
        for (k, v) in reference { XCTAssertEqual(table[k], v) }
        XCTAssertNil(table["d1.L1.mlp_dow"])
        XCTAssertNil(table[""])
        XCTAssertTrue(table.insert("", 7))
        XCTAssertEqual(table[""], 7)
        XCTAssertFalse(table.insert("", 8))
        XCTAssertTrue(table.insert("é", 9))
        XCTAssertEqual(table["é"], 9)
        XCTAssertNil(table["e"])
    }
}
