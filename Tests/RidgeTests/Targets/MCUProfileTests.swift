import XCTest
@testable import Ridge

/// The microcontroller profiles load with full validation (every number has a source) and carry
/// the efficiency the MCU reproduction fitted.
final class MCUProfileTests: XCTestCase {
    func testMCUProfilesValidateWithSources() throws {
        for name in ["stm32h743", "stm32f746", "stm32f412"] {
            let p = try ProfileLoader.load(name)
            let e = try XCTUnwrap(p.engine("mcu"))
            XCTAssertEqual(e.efficiency.base.tileM, 1, name)
            XCTAssertEqual(e.efficiency.base.compute, 0.418, name)
            XCTAssertEqual(e.efficiency.parameters(for: "elementwise").compute, 0.26, name)
            for path in ["engines.mcu.efficiency.compute", "engines.mcu.efficiency.byKind.elementwise.compute", "engines.mcu.vectorPeak.int8"] {
                XCTAssertTrue(p.sources.contains { $0.path == path }, "\(name): no source for \(path)")
            }
            XCTAssertNotNil(p.memory("flash"), name)
        }
    }
}
