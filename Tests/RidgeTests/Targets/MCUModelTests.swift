import XCTest
@testable import Ridge

/// The CNN definition reader: bundled models, shapes and costs, and error messages.
final class MCUModelTests: XCTestCase {
    /// MACs and parameters as `docs/models.md` tabulates them (computed from the files).
    func testBundledModelsMatchDocumentedCounts() throws {
        let expected: [(String, Int, Int, Int)] = [
            ("mobilenetv2-w0.35", 64, 23_499_152, 744_072), ("mobilenetv2-w1.0", 64, 300_774_272, 3_487_816),
            ("mcunet-in1", 51, 12_790_096, 630_224), ("tiny-cnn", 5, 2_896, 282), ("tiny-residual", 7, 6_240, 590),
        ]
        for (name, layers, macs, params) in expected {
            let m = try CNNModel.load(name)
            let s = try m.shapes()
            XCTAssertEqual(s.count, layers, name)
            XCTAssertEqual(s.reduce(0) { $0 + $1.macs }, macs, name)
            XCTAssertEqual(s.reduce(0) { $0 + $1.parameters }, params, name)
        }
    }

    /// The MCUNet model zoo's MAC counts (mit-han-lab/mcunet README) for the added definitions.
    func testMCUNetDefinitionsMatchModelZooMACs() throws {
        for (name, zoo) in [("mcunet-in0", 6.4e6), ("mcunet-in2", 67.3e6), ("mcunet-in3", 81.8e6), ("mcunet-in4", 125.9e6)] {
            let macs = Double(try CNNModel.load(name).shapes().reduce(0) { $0 + $1.macs })
            XCTAssertEqual(macs / zoo, 1, accuracy: 0.01, name)
        }
    }

    func testTinyCNNShapes() throws {
        let s = try CNNModel.load("tiny-cnn").shapes()
        XCTAssertEqual(s.map(\.output), [CNNTensorShape(h: 4, w: 4, c: 4), CNNTensorShape(h: 4, w: 4, c: 4),
                                         CNNTensorShape(h: 4, w: 4, c: 8), CNNTensorShape(h: 1, w: 1, c: 8),
                                         CNNTensorShape(h: 1, w: 1, c: 10)])
        XCTAssertEqual(s.map(\.macs), [1728, 576, 512, 0, 80])
        XCTAssertEqual(s.map(\.parameters), [112, 40, 40, 0, 90])
    }

    func testResolutionOverride() throws {
        // docs/models.md: the same network at 96 has 10.26 M MACs.
        let m = try CNNModel.load("mobilenetv2-w0.35").resized(to: 96)
        XCTAssertEqual(Double(try m.shapes().reduce(0) { $0 + $1.macs }) / 1e6, 10.26, accuracy: 0.01)
    }

    private func decodeError(_ json: String) -> String {
        do {
            _ = try CNNModel.decode(try JSONParser.parse(Array(json.utf8)), file: "bad.json")
            return "no error"
        } catch let e as RidgeError {
            XCTAssertEqual(e.kind, .data)
            return e.description
        } catch { return "\(error)" }
    }

    func testErrorsNameFileAndPath() {
        let head = #"{"name": "x", "input": {"height": 8, "width": 8, "channels": 3}, "layers": ["#
        let cases: [(String, String)] = [
            (head + #"{"name": "a", "type": "conv", "out": 4, "kernel": 3}, {"name": "b", "type": "depthwize", "kernel": 3}]}"#,
             "bad.json: at layers[1].type: unknown layer type \"depthwize\""),
            (head + #"{"name": "a", "type": "pointwise"}]}"#, "at layers[0].out: missing required field"),
            (head + #"{"name": "a", "type": "pointwise", "out": 4, "kernel": 3}]}"#, "at layers[0].kernel: a pointwise layer takes no \"kernel\""),
            (head + #"{"name": "a", "type": "conv", "out": 4, "kernel": 3}, {"name": "b", "type": "add", "from": "c"}]}"#,
             "at layers[1].from: names \"c\", which is not an earlier layer"),
            (head + #"{"name": "a", "type": "conv", "out": 4, "kernel": 3, "stride": 2}, {"name": "b", "type": "add", "from": "input"}]}"#,
             "at layers[1].from: add \"b\" joins 4×4×4"),
            (head + #"{"name": "a", "type": "conv", "out": 4, "kernel": 3}, {"name": "a", "type": "conv", "out": 4, "kernel": 3}]}"#,
             "at layers[1].name: duplicate layer name \"a\""),
            (head + #"{"name": "a", "type": "conv", "out": 4, "kernel": 3, "dilation": 2}]}"#, "at layers[0].dilation: unknown key"),
            (#"{"input": {"height": 8, "width": 8}, "layers": []}"#, "at input.channels: missing required field"),
            (#"{"input": {"height": 8, "width": 8, "channels": 3}, "layers": []}"#, "at layers: a model needs at least one layer"),
        ]
        for (json, expected) in cases {
            let message = decodeError(json)
            XCTAssertTrue(message.contains(expected), "expected \"\(expected)\" in: \(message)")
            XCTAssertTrue(message.hasPrefix("bad.json"), message)
        }
    }

    func testUnknownBundledModelListsNames() {
        XCTAssertThrowsError(try CNNModel.load("mobilenetv3")) { e in
            let message = (e as? RidgeError)?.description ?? ""
            XCTAssertTrue(message.contains("no bundled CNN model") && message.contains("mcunet-in1"), message)
        }
    }
}
