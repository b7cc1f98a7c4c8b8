import XCTest
@testable import Ridge

final class JSONTests: XCTestCase {
    func testParsesAndKeepsKeyOrder() throws {
        let v = try JSONParser.parse(#"{"b": 1, "a": [true, null, "x\u00e9\n"], "c": -2.5e3}"#)
        XCTAssertEqual(v.objectValue?.keys, ["b", "a", "c"])
        XCTAssertEqual(v.objectValue?["c"], .number(-2500))
        XCTAssertEqual(v.objectValue?["a"]?.arrayValue?[2], .string("xé\n"))
    }

    func testRejectsMalformedWithLineAndColumn() {
        let cases: [(String, String)] = [
            ("", "empty input"), ("{\"a\": 1", "truncated"), ("{\"a\": NaN}", "NaN"), ("[1e400]", "out of range"),
            ("{\"a\": 1, \"a\": 2}", "duplicate key"), ("[01]", "leading zeros"), ("{\"a\": 1} x", "after the JSON value"),
            ("\n\n  {\"a\" 1}", "expected ':'"), ("[Infinity]", "NaN and Infinity"), ("[-Infinity]", "NaN and Infinity"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try JSONParser.parse(text), text) { error in
                let e = error as! RidgeError
                XCTAssertEqual(e.kind, .data)
                XCTAssertTrue(e.message.contains(expected), "\(text): \(e.message)")
                XCTAssertTrue(e.location?.hasPrefix("line ") ?? false)
            }
        }
        XCTAssertEqual(try? JSONParser.parse("\n\n  {\"a\" 1}"), nil)
        do { _ = try JSONParser.parse("\n\n  {\"a\" 1}") } catch let e as RidgeError { XCTAssertEqual(e.location, "line 3, column 8") } catch {}
    }

    func testRejectsInvalidUTF8() {
        var bytes = Array("{\"a\": \"".utf8)
        bytes += [0xFF, 0xFE]
        bytes += Array("\"}".utf8)
        XCTAssertThrowsError(try JSONParser.parse(bytes)) { XCTAssertTrue(($0 as! RidgeError).message.contains("UTF-8")) }
    }

    func testRejectsDeepNesting() {
        XCTAssertThrowsError(try JSONParser.parse(String(repeating: "[", count: 10_000)))
    }

    func testWriterRoundTrips() throws {
        let text = #"{"name":"x","n":3,"f":0.25,"list":[1,2,{"k":"\"q\""}],"t":true,"z":null}"#
        let v = try JSONParser.parse(text)
        XCTAssertEqual(JSONWriter.write(v, pretty: false), text)
        XCTAssertEqual(try JSONParser.parse(JSONWriter.write(v)), v)
    }

    func testMergeOverlaysObjects() throws {
        let base = try JSONParser.parse(#"{"a": {"x": 1, "y": 2}, "b": 1}"#).objectValue!
        let top = try JSONParser.parse(#"{"a": {"y": 3}, "c": 4}"#).objectValue!
        XCTAssertEqual(JSONWriter.write(.object(base.merged(with: top)), pretty: false), #"{"a":{"x":1,"y":3},"b":1,"c":4}"#)
    }
}
