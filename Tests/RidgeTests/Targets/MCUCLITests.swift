import XCTest
@testable import Ridge

/// `ridge trace cnn` and simulating its trace with `ridge simulate`.
final class MCUCLITests: XCTestCase {
    func usageError(_ args: [String]) -> String? {
        do { _ = try RidgeCLI.run(args); return nil } catch let e as RidgeError {
            XCTAssertEqual(e.kind, .usage, e.description)
            return e.description
        } catch { return "\(error)" }
    }

    func testReportSaysByHowMuchItDoesNotFit() throws {
        let out = try RidgeCLI.run(["trace", "cnn", "--model", "mobilenetv2-w0.35", "--profile", "stm32f412"])
        XCTAssertEqual(out.exitCode, 0)
        // 302,120 B (283.5 KiB activations at b2.expand + 11.5 KiB scratch) in 256 KiB.
        XCTAssertTrue(out.stdout.contains("does not fit stm32f412: sram by 39.0 KiB (peak 295.0 KiB > 256.0 KiB)"), out.stdout)
        let patched = try RidgeCLI.run(["trace", "cnn", "--model", "mobilenetv2-w0.35", "--profile", "stm32f412", "--patch-based"])
        XCTAssertEqual(patched.exitCode, 0)
        XCTAssertTrue(patched.stdout.contains("fits stm32f412"), patched.stdout)
        XCTAssertTrue(patched.stdout.contains("patches cut it"), patched.stdout)
        let both = try RidgeCLI.run(["trace", "cnn", "--model", "mcunet-in4", "--profile", "stm32f746"])
        XCTAssertTrue(both.stdout.contains("does not fit stm32f746: sram by") && both.stdout.contains("; flash by"), both.stdout)
    }

    func testJSONReport() throws {
        let out = try RidgeCLI.run(["trace", "cnn", "--model", "mcunet-in1", "--patch-based", "--patches", "2", "--patch-layers", "b2.project",
                                    "--format", "json"])
        guard case .object(let o) = try JSONParser.parse(Array(out.stdout.utf8)) else { return XCTFail("not an object") }
        XCTAssertEqual(o["patches"]?.numberValue, 2)
        XCTAssertEqual(o["patchLayers"]?.numberValue, 6)
        XCTAssertEqual(o["patchStageEnd"]?.stringValue, "b2.project")
        XCTAssertEqual(o["fits"], .bool(true))
        guard case .object(let a)? = o["activations"] else { return XCTFail("no activations") }
        XCTAssertEqual(a["peakBytes"], a["generatorPeakBytes"])
    }

    func testWrittenTraceSimulates() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ridge-mcu-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("cnn.json").path
        let gen = try RidgeCLI.run(["trace", "cnn", "--model", "mcunet-in1", "--profile", "stm32h743", "-o", path])
        XCTAssertTrue(gen.stdout.contains("wrote "), gen.stdout)
        let sim = try RidgeCLI.run(["simulate", "--profile", "stm32h743", "--trace", path, "--format", "json"])
        guard case .object(let o) = try JSONParser.parse(Array(sim.stdout.utf8)),
              case .object(let mem)? = o["memories"], case .object(let sram)? = mem["sram"] else { return XCTFail("bad json") }
        XCTAssertEqual(sram["peakBytes"]?.numberValue, 98_024)   // 92,160 activations + 5,000 sbuf + 864 kbuf
        XCTAssertEqual(sram["fits"], .bool(true))
    }

    func testUsageErrors() {
        XCTAssertTrue(usageError(["trace", "cnn"])?.contains("missing --model") ?? false)
        XCTAssertTrue(usageError(["trace", "cnn", "--model", "tiny-cnn", "--patches", "2"])?.contains("--patches needs --patch-based") ?? false)
        XCTAssertTrue(usageError(["trace", "cnn", "--model", "tiny-cnn", "--scratch", "huge"])?.contains("--scratch must be one of") ?? false)
        let stage = usageError(["trace", "cnn", "--model", "tiny-cnn", "--patch-based", "--patches", "2", "--patch-layers", "5"]) ?? ""
        XCTAssertTrue(stage.contains("dense or global-pool") && stage.contains("Valid --patch-layers values: 1 (conv0), 2 (dw1), 3 (pw1)"), stage)
        XCTAssertTrue(usageError(["trace", "cnn", "--model", "tiny-cnn", "--patch-based", "--patch-layers", "nope"])?.contains("no layer \"nope\"") ?? false)
        XCTAssertNotNil(usageError(["trace", "cnn", "--model", "tiny-cnn", "--bogus"]))
    }
}
