import XCTest
@testable import Ridge

final class QuantityTests: XCTestCase {
    func testParsesUnitsAndPrefixes() throws {
        let cases: [(String, Ridge.Dimension, Double)] = [
            ("3.35 TB/s", .bandwidth, 3.35e12), ("80 GiB", .bytes, 80 * 1_073_741_824.0), ("989.4 TFLOP/s", .flopRate, 989.4e12),
            ("700 W", .power, 700), ("1.5 us", .time, 1.5e-6), ("1.5 µs", .time, 1.5e-6), ("7 pJ/bit", .energyPerByte, 56e-12),
            ("4 pJ/B", .energyPerByte, 4e-12), ("624 TOPS", .flopRate, 624e12), ("225 MHz", .frequency, 225e6),
            ("500T", .flopRate, 500e12), ("2", .time, 2), ("64 KiB", .bytes, 65536), ("32 Gbit/s", .bandwidth, 4e9),
            ("0.5 pJ/FLOP", .energyPerFlop, 0.5e-12), ("2 ms", .time, 0.002), ("1e3 B", .bytes, 1000), ("5 EB", .bytes, 5e18),
        ]
        for (text, dim, expected) in cases {
            let v = try Quantity.parse(text, as: dim)
            XCTAssertEqual(v, expected, accuracy: abs(expected) * 1e-12, text)
        }
    }

    func testRejectsWrongUnits() {
        for (text, dim) in [("80 GiB", Ridge.Dimension.time), ("3 TB/s", .bytes), ("fast", .bandwidth), ("", .bytes), ("5 Q", .power)] {
            XCTAssertThrowsError(try Quantity.parse(text, as: dim), text)
        }
    }

    func testFormatsHumanUnits() {
        XCTAssertEqual(Format.si(3.35e12, "B/s"), "3.35 TB/s")
        XCTAssertEqual(Format.bytes(80 * 1_073_741_824.0), "80 GiB")
        XCTAssertEqual(Format.seconds(1.5e-6), "1.5 µs")
    }
}
