import Foundation
import XCTest
@testable import Ridge

/// The support pieces the trace readers stand on: exact decimal numbers and gzip.
final class ExactNumbersAndGzipTests: XCTestCase {
    func testExactDecimals() {
        func ns(_ text: String) -> Int64? { JSONDecimal(text: text, value: Double(text)!).scaledInteger(decimals: 3) }
        XCTAssertEqual(ns("1.76"), 1760)
        XCTAssertEqual(ns("0"), 0)
        XCTAssertEqual(ns("-2.5"), -2500)
        XCTAssertEqual(ns("1.2345"), 1235)
        XCTAssertEqual(ns("1.2344"), 1234)
        XCTAssertEqual(ns("0.0004"), 0)
        XCTAssertEqual(ns("1.5e3"), 1_500_000)
        XCTAssertEqual(ns("15E-1"), 1500)
        XCTAssertEqual(ns("9223372036854775.807"), Int64.max)
        XCTAssertNil(ns("9223372036854775.808"))
        XCTAssertNil(ns("1e30"))
        XCTAssertEqual(JSONDecimal(text: "5.000", value: 5).integerValue, 5)
        XCTAssertEqual(JSONDecimal(text: "5e2", value: 500).integerValue, 500)
        XCTAssertNil(JSONDecimal(text: "5.5", value: 5.5).integerValue)
        XCTAssertEqual(JSONDecimal(text: "1727743122000000001", value: 1.727743122e18).integerValue, 1_727_743_122_000_000_001)
        // The parser keeps the text only when asked, and writes it back verbatim.
        XCTAssertEqual(try JSONParser.parse("[1.50]"), .array([.number(1.5)]))
        let kept = try! JSONParser.parse(Array("[1.50]".utf8), keepNumberText: true)
        XCTAssertEqual(kept, .array([.decimal(JSONDecimal(text: "1.50", value: 1.5))]))
        XCTAssertEqual(JSONWriter.write(kept, pretty: false), "[1.50]")
        XCTAssertEqual(kept.arrayValue?.first?.numberValue, 1.5)
    }

    func testGzipMembersTruncationAndCorruption() throws {
        let plain = Array(#"{"traceEvents":[{"ph":"X","cat":"kernel","name":"ampere_sgemm_32x32_sliced1x4_tn","pid":0,"tid":7,"ts":1.5,"dur":2.25,"args":{"stream":7}}]}"#.utf8)
        // Made with Python's gzip module (mtime 0): one member, and the same bytes in two members.
        let one = "H4sIAAAAAAAC/xWMwQrCMBBE/2XOodhUEXL3HwSRsCRLLTYhJKsUQv7d9fRmhsd0SKXAty9naXCPjvKCwx0GgUTTm2vmXWumxNopFa7s28op+cUei/Vt3wLH+Th7ySqWLcKdDOTPq1J/5+liED8Vzk5WI9VV144mlSmpNsZz/ADTV92ojAAAAA=="
        let two = "H4sIAAAAAAAC/6tWKilKTE51LUvNKylWsoquVirIULJSilDSUUpOLAGyslOL8lJzgNy8xNxUID8RAPKobuYyAAAAH4sIAAAAAAAC/xWKQQqAIBAA/7JnkdQi8C8hkosIbciugRD+PTvNMAxVZAySkSg4250NcpUTk+lraDcoqCWBXxS0n/ukgDd6U5AeBm+1nRo5z/qCNMZIcxvjGB/hVwSLWgAAAA=="
        for encoded in [one, two] {
            let bytes = [UInt8](Data(base64Encoded: encoded)!)
            XCTAssertTrue(Gzip.isGzip(bytes))
            XCTAssertEqual(try Gzip.decompress(bytes, file: "t.gz"), plain)
        }
        var bytes = [UInt8](Data(base64Encoded: one)!)
        assertThrows("truncated", .data("t.gz", at: "of the gzip stream", "truncated")) { _ = try Gzip.decompress(Array(bytes.prefix(bytes.count - 20)), file: "t.gz") }
        assertThrows("limit", .data("t.gz", at: "of the gzip stream", "exceeds")) { _ = try Gzip.decompress(bytes, file: "t.gz", limit: 16) }
        bytes[20] ^= 0xFF
        assertThrows("corrupt", .data("t.gz", at: "of the gzip stream", "corrupt gzip data")) { _ = try Gzip.decompress(bytes, file: "t.gz") }
        XCTAssertFalse(Gzip.isGzip(plain))
        XCTAssertTrue(Gzip.decoderName.hasPrefix("zlib "))
    }
}
