import Foundation
import XCTest
@testable import Ridge

/// Replays every input the fuzzer found (`Tests/fuzz-findings/<target>/`) through the fuzz target
/// that found it, and checks the targets themselves on valid and broken inputs: a target that
/// rejected valid files or let a bad one through would make the fuzzing meaningless.
final class FuzzRegressionTests: XCTestCase {
    static let findings = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fuzz-findings").path

    func testEveryFindingIsHandled() throws {
        let dir = try Scratch()
        var replayed = 0
        for target in FuzzTarget.allCases {
            let folder = Self.findings + "/" + target.rawValue
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted() {
                let bytes = try FileIO.readBytes(folder + "/" + name)
                XCTAssertNil(target.check(bytes, scratch: dir.path), "\(target.rawValue)/\(name)")
                replayed += 1
            }
        }
        XCTAssertGreaterThan(replayed, 0, "no findings under \(Self.findings)")
    }

    func testTargetsAcceptValidInputs() throws {
        let dir = try Scratch()
        let cases: [(FuzzTarget, String)] = [
            (.json, Valid.profile), (.profile, Valid.profile), (.traceJSON, Valid.traceJSON), (.traceLines, Valid.traceLines),
            (.measured, "kind,dtype,seconds,m,n,k\ngemm,bf16,0.001,64,64,64\n"), (.model, Valid.modelConfig),
        ]
        for (target, text) in cases { XCTAssertNil(target.check(Array(text.utf8), scratch: dir.path), target.rawValue) }
        for name in ["h100-sxm", "a6000-smartssd", "stm32h743"] {
            let merged = JSONWriter.write(.object(try ProfileLoader.load(name).json))
            XCTAssertNil(FuzzTarget.profile.check(Array(merged.utf8), scratch: dir.path), name)
        }
    }

    func testTargetsRejectBrokenInputsProperly() throws {
        let dir = try Scratch()
        for target in FuzzTarget.allCases {
            for bytes in [[], Array("{\"".utf8), [0xFF, 0x0A, 0x00]] as [[UInt8]] {
                XCTAssertNil(target.check(bytes, scratch: dir.path), "\(target.rawValue): \(bytes)")
            }
        }
        // The checks themselves: an error without a location is reported, a located one is not.
        XCTAssertNotNil(FuzzTarget.problem(with: RidgeError.data(file: "f", at: nil, "bad"), readingError: true))
        XCTAssertNil(FuzzTarget.problem(with: RidgeError.data(file: "f", at: "line 1", "bad"), readingError: true))
        XCTAssertNotNil(FuzzTarget.problem(with: RidgeError.data(file: "f", at: "x", ""), readingError: false))
    }
}
