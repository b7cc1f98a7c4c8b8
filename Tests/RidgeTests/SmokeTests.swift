import XCTest
@testable import Ridge
final class SmokeTests: XCTestCase { func testVersion() { XCTAssertFalse(Ridge.version.isEmpty) } }
