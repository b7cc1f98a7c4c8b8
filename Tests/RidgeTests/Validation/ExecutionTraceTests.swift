import XCTest
@testable import Ridge

final class ExecutionTraceTests: XCTestCase {
    func parse(_ text: String) throws -> ExecutionTrace {
        try ExecutionTrace.parse(JSONParser.parse(Array(text.utf8), keepNumberText: true), file: "et.json")
    }

    func testOperatorsShapesAndDevices() throws {
        let et = try parse(KinetoFixtures.executionTrace)
        XCTAssertEqual(et.schema, "1.0.1")
        XCTAssertEqual(et.nodes.count, 8)
        let linear = et.nodes.first { $0.name == "aten::linear" }!
        XCTAssertEqual(linear.arguments.map(\.dims), [[4, 128], [16, 128], [16]])
        XCTAssertEqual(linear.outputs.map(\.dims), [[4, 16]])
        XCTAssertEqual(linear.devices, ["cuda:0"])
        XCTAssertEqual(linear.recordFunctionID, 1)
        XCTAssertNil(et.nodes[0].parent, "the root names itself as parent")
        let empty = et.nodes.first { $0.name == "aten::empty" }!
        XCTAssertEqual(empty.arguments.map(\.isTensor), [false, false, false, false, false, false])
        XCTAssertEqual(empty.arguments[4].value, "False")

        // The outermost shaped node: aten::linear, not its aten::addmm; in node-id order.
        let ops = et.operators
        XCTAssertEqual(ops.map { et.nodes[$0.node].name }, ["aten::linear", "aten::softmax", "aten::fill_"])
        XCTAssertEqual(ops.map(\.onGPU), [true, true, false])
        XCTAssertEqual(ops[0].shape, .gemm(GEMM(m: 4, n: 16, k: 128, precision: .bf16)))
        XCTAssertEqual(ops[1].shape, .elementwise(Elementwise(elements: 64, bytesPerElement: 4, flopsPerElement: 5, precision: .bf16)))
        XCTAssertEqual(et.unknownOperators.map(\.name), ["aten::mysterious_op"])

        let trace = et.trace()
        XCTAssertEqual(trace.ops.map(\.name), ["aten::linear@nodes[3]", "aten::softmax@nodes[4]"])
        let profile = try ProfileLoader.load("a100-sxm-40gb")
        XCTAssertGreaterThan(try Simulator(profile: profile).run(trace).makespanSeconds, 0)
    }

    func testValidateRefusesAnExecutionTraceAndImportConvertsIt() throws {
        let dir = TempDir()
        let path = dir.file("et.json", KinetoFixtures.executionTrace)
        assertFails(["validate", "--profile", "a100-sxm-40gb", "--measured", path], .data(path, at: nil, "no measured times"))
        let out = dir.path + "/t.json"
        let result = try RidgeCLI.run(["trace", "import", path, "-o", out, "--profile", "a100-sxm-40gb"])
        XCTAssertTrue(result.stdout.contains("wrote 2 operators"), result.stdout)
        XCTAssertEqual(try TraceReader.read(out).ops.map(\.shape.kind), ["gemm", "elementwise"])
    }

    func testMalformedExecutionTraces() throws {
        let base = KinetoFixtures.executionTrace
        let cases: [(String, String, String, String)] = [
            ("negative dim", base.replacingOnce("\"input_shapes\": [[16, 128]]", with: "\"input_shapes\": [[-16, 128]]"), "nodes[1].input_shapes[0][0]", "dimension"),
            ("missing shape", base.replacingOnce("\"input_shapes\": [[16, 128]]", with: "\"input_shapes\": []"), "nodes[1].input_shapes[0]", "missing the shape"),
            ("duplicate id", base.replacingOnce("\"id\": 3,", with: "\"id\": 2,"), "nodes[3].id", "duplicate node id"),
            ("id not a number", base.replacingOnce("\"id\": 3,", with: "\"id\": \"three\","), "nodes[1].id", "whole number"),
            ("node not an object", base.replacingOnce("{\"name\": \"aten::t\"", with: "7, {\"name\": \"aten::t\""), "nodes[1]", "expected an object"),
            ("types not strings", base.replacingOnce("\"input_types\": [\"Tensor(float)\", \"Int\"]", with: "\"input_types\": [1, \"Int\"]"), "nodes[6].input_types", "type names"),
        ]
        for (label, text, location, reason) in cases {
            assertThrows(label, .data("et.json", at: location, reason)) { _ = try parse(text) }
        }
    }
}
