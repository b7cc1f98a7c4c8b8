import XCTest
@testable import Ridge

final class FlatArrayTests: XCTestCase {
    func testAppendGrowRemove() {
        var a = FlatArray<Int>()
        for i in 0..<1000 { a.append(i) }
        XCTAssertEqual(a.count, 1000)
        XCTAssertEqual(a[999], 999)
        a[3] = -3
        XCTAssertEqual(a[3], -3)
        a.removeFirst(10)
        XCTAssertEqual(a.count, 990)
        XCTAssertEqual(a[0], 10)
        XCTAssertEqual(a.removeLast(), 999)
        XCTAssertEqual(a.last, 998)
        a.removeAll()
        XCTAssertTrue(a.isEmpty)
    }

    /// Growing by small repeated runs keeps the capacity proportional to the count (it once doubled
    /// on every call and asked for 35 GB on a 70B trace).
    func testRepeatedRunsGrowGeometricallyNotPerCall() {
        var a = FlatArray<Int32>()
        for _ in 0..<100_000 { a.append(repeating: -1, count: 3) }
        XCTAssertEqual(a.count, 300_000)
        XCTAssertEqual(a.array().filter { $0 != -1 }.count, 0)
        let b = FlatArray<Double>(repeating: 2, count: 5)
        XCTAssertEqual(b.array(), [2, 2, 2, 2, 2])
    }
}
