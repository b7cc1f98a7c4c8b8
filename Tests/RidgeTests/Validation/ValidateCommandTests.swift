import Foundation
import XCTest
@testable import Ridge

final class ValidateCommandTests: XCTestCase {
    func json(_ args: [String]) throws -> JSONObject {
        let out = try RidgeCLI.run(args + ["--format", "json"])
        return try JSONParser.parse(out.stdout).objectValue!
    }

    func testKinetoTraceJSONReport() throws {
        let dir = TempDir()
        let path = dir.file("model.pt.trace.json", KinetoFixtures.trace)
        let o = try json(["validate", "--profile", "a100-sxm-40gb", "--measured", path, "--worst", "2"])
        for key in ["rows", "mapePercent", "medianAbsPercentError", "biasPercent", "byKind", "worst", "comparisons", "kernels", "endToEnd"] {
            XCTAssertNotNil(o[key], "missing \(key)")
        }
        XCTAssertEqual(o["format"], .string("Kineto trace"))
        XCTAssertEqual(o["rows"], .number(5))
        let byKind = o["byKind"]!.objectValue!
        XCTAssertEqual(byKind.keys, ["gemm", "attention", "elementwise", "transfer"])
        for (_, v) in byKind.entries { XCTAssertEqual(v.objectValue!.keys, ["rows", "mapePercent", "medianAbsPercentError", "biasPercent"]) }
        XCTAssertEqual(o["worst"]?.arrayValue?.count, 2)

        // Each prediction is the cost model's, on the profile's memories.
        let profile = try ProfileLoader.load("a100-sxm-40gb")
        let comparisons = o["comparisons"]!.arrayValue!.map { $0.objectValue! }
        let gemm = comparisons.first { $0["kind"] == .string("gemm") }!
        XCTAssertEqual(gemm["predictedSeconds"]?.numberValue,
                       CostModel.cost(.gemm(GEMM(m: 8, n: 32, k: 64, precision: .fp32)), on: profile.primaryEngine, in: profile).seconds)
        XCTAssertEqual(gemm["measuredSeconds"]?.numberValue ?? 0, 22.502e-6, accuracy: 1e-15)
        let copy = comparisons.first { $0["kind"] == .string("transfer") }!
        XCTAssertEqual(copy["predictedSeconds"]?.numberValue,
                       CostModel.transfer(Transfer(bytes: 1_048_576, from: "host", to: "hbm"), profile).seconds)
        // MAPE over the rows, as ErrorStats computes it.
        let errors = comparisons.map { abs($0["errorPercent"]!.numberValue!) }
        XCTAssertEqual(o["mapePercent"]!.numberValue!, errors.reduce(0, +) / Double(errors.count), accuracy: 1e-3)

        let kernels = o["kernels"]!.objectValue!
        XCTAssertEqual(kernels["events"], .number(9))
        XCTAssertEqual(kernels["byClass"]?.objectValue?.keys, KernelClass.allCases.map(\.rawValue))
        XCTAssertEqual(kernels["unmodelled"]?.arrayValue?.count, 3)
        let e2e = o["endToEnd"]!.objectValue!
        XCTAssertEqual(e2e["replayedOps"], .number(5))
        // First GPU event at 90 µs, last end at 540 µs.
        XCTAssertEqual(e2e["measuredSpanSeconds"]!.numberValue!, 450e-6, accuracy: 1e-12)
        XCTAssertGreaterThan(e2e["simulatedMakespanSeconds"]!.numberValue!, 0)
    }

    func testTableReportAndDeterminism() throws {
        let dir = TempDir()
        let path = dir.file("model.json", KinetoFixtures.trace)
        let args = ["validate", "--profile", "a100-sxm-40gb", "--measured", path]
        let a = try RidgeCLI.run(args).stdout, b = try RidgeCLI.run(args).stdout
        XCTAssertEqual(a, b)
        for section in ["measured GPU time by kernel class", "not modelled:", "MAPE", "by kind:", "worst 5 of 5 rows", "end to end:",
                        "simulated makespan", "unknown"] {
            XCTAssertTrue(a.contains(section), "table lacks \(section):\n\(a)")
        }
        XCTAssertEqual(try RidgeCLI.run(args + ["--format", "json"]).stdout, try RidgeCLI.run(args + ["--format", "json"]).stdout)
    }

    func testMicrobenchmarkCSV() throws {
        let dir = TempDir()
        let path = dir.file("bench.csv", """
        name,kind,m,n,k,heads,query_length,head_dim,batch,causal,elements,bytes_per_element,flops_per_element,dtype,seconds
        big,gemm,4096,4096,4096,,,,,,,,,bf16,0.0005
        small,gemm,16,4096,4096,,,,,,,,,bf16,0.00005
        ,attention,,,,32,2048,128,2,true,,,,bf16,0.002
        ,elementwise,,,,,,,,,16777216,6,1,bf16,0.00008

        """)
        let o = try json(["validate", "--profile", "a100-sxm-80gb", "--measured", path])
        XCTAssertEqual(o["format"], .string("microbenchmark CSV"))
        XCTAssertEqual(o["rows"], .number(4))
        XCTAssertEqual(o["byKind"]?.objectValue?.keys, ["gemm", "attention", "elementwise"])
        XCTAssertEqual(o["kernels"], .null)
        XCTAssertEqual(o["endToEnd"], .null)
        let profile = try ProfileLoader.load("a100-sxm-80gb")
        let predicted = CostModel.cost(.gemm(GEMM(m: 4096, n: 4096, k: 4096, precision: .bf16)), on: profile.primaryEngine, in: profile).seconds
        let big = o["comparisons"]!.arrayValue![0].objectValue!
        XCTAssertEqual(big["predictedSeconds"]?.numberValue, predicted)
        XCTAssertEqual(big["errorPercent"]!.numberValue!, (predicted - 0.0005) / 0.0005 * 100, accuracy: 1e-3)
        let stats = ErrorStats(predicted: o["comparisons"]!.arrayValue!.map { $0.objectValue!["predictedSeconds"]!.numberValue! },
                               measured: [0.0005, 0.00005, 0.002, 0.00008])
        XCTAssertEqual(o["medianAbsPercentError"]!.numberValue!, stats.medianAbs, accuracy: 1e-3)
        XCTAssertEqual(o["biasPercent"]!.numberValue!, stats.bias, accuracy: 1e-3)
    }

    func testUsageAndFileErrors() throws {
        let dir = TempDir()
        let path = dir.file("m.json", KinetoFixtures.trace)
        assertFails(["validate", "--measured", path], .usage("missing required option --profile"))
        assertFails(["validate", "--profile", "a100-sxm-40gb"], .usage("missing required option --measured"))
        assertFails(["validate", "--profile", "a100-sxm-40gb", "--measured", path, "--worst", "-1"], .usage("--worst"))
        assertFails(["validate", "--profile", "a100-sxm-40gb", "--measured", path, "--engine", "npu"], .usage("no engine"))
        assertFails(["validate", "--profile", "a100-sxm-40gb", "--measured", dir.path + "/none.json"], .io(dir.path + "/none.json", "no such file"))
    }

    /// Malformed Kineto traces: a data error (exit 65) naming the file, the JSON path and the reason.
    func testMalformedTraces() throws {
        let dir = TempDir()
        let base = KinetoFixtures.trace
        let kernel = #""ts": 110.125, "dur": 20.002"#
        let cases: [(String, String, String, String)] = [
            ("missing dur", base.replacingOnce(kernel, with: #""ts": 110.125"#), "traceEvents[4].dur", "missing required field"),
            ("dur as text", base.replacingOnce(kernel, with: #""ts": 110.125, "dur": "20""#), "traceEvents[4].dur", "expected microseconds"),
            ("negative dur", base.replacingOnce(kernel, with: #""ts": 110.125, "dur": -1"#), "traceEvents[4].dur", "must not be negative"),
            ("huge ts", base.replacingOnce(kernel, with: #""ts": 1e30, "dur": 20.002"#), "traceEvents[4].ts", "out of range"),
            ("ts overflows with the base", base.replacingOnce(kernel, with: #""ts": 9000000000000000, "dur": 20.002"#), "traceEvents[4].ts", "baseTimeNanoseconds"),
            ("no phase", base.replacingOnce(#"{"ph": "M", "name": "process_name""#, with: #"{"name": "process_name""#), "traceEvents[0].ph", "missing required field"),
            ("event not an object", base.replacingOnce(#"{"ph": "M", "name": "process_name", "pid": 0, "tid": 0, "args": {"name": "GPU 0"}}"#, with: "42"), "traceEvents[0]", "expected an object"),
            ("kernel without a name", base.replacingOnce(#""name": "ampere_sgemm_32x32_sliced1x4_tn", "#, with: ""), "traceEvents[4].name", "missing required field"),
            ("correlation as text", base.replacingOnce(#""correlation": 100}}"#, with: #""correlation": "x"}}"#), "traceEvents[3].args.correlation", "whole number"),
            ("fractional correlation", base.replacingOnce(#""correlation": 100}}"#, with: #""correlation": 100.5}}"#), "traceEvents[3].args.correlation", "whole number"),
            ("dims entry not a list", base.replacingOnce("[[8, 64], [32, 64], [32]]", with: "[8, [32, 64], [32]]"), "traceEvents[1].args.Input Dims[0]", "list of dims"),
            ("negative dim", base.replacingOnce("[[8, 64], [32, 64], [32]]", with: "[[8, -64], [32, 64], [32]]"), "traceEvents[1].args.Input Dims[0][1]", "dimension"),
            ("pid a boolean", base.replacingOnce(#""name": "aten::linear", "pid": 10"#, with: #""name": "aten::linear", "pid": true"#), "traceEvents[1].pid", "process or thread id"),
            ("traceEvents not an array", #"{"traceEvents": {}}"#, "traceEvents", "expected an array"),
            ("bad base time", base.replacingOnce("1700000000000000000", with: "\"soon\""), "baseTimeNanoseconds", "whole number"),
            ("duplicate key", base.replacingOnce(#""dur": 2.5,"#, with: #""dur": 2.5, "dur": 3,"#), "line", "duplicate key"),
            ("truncated", String(base.prefix(900)), "line", "truncated"),
            ("other JSON", #"{"ops": []}"#, "top level", "unrecognised JSON"),
        ]
        for (i, (label, text, location, reason)) in cases.enumerated() {
            let path = dir.file("bad\(i).json", text)
            assertThrows(label, .data(path, at: location, reason)) { _ = try MeasuredData.open(path) }
        }
        // In the array container the path starts at the array.
        let array = dir.file("array.json", KinetoFixtures.arrayTrace.replacingOnce(kernel, with: #""ts": 110.125"#))
        assertThrows("array container", .data(array, at: "[4].dur", "missing required field")) { _ = try MeasuredData.open(array) }
        // Through the command: exit 65, the location in the message, no output.
        assertFails(["validate", "--profile", "a100-sxm-40gb", "--measured", array], .data(array, at: "[4].dur", "missing required field"))
    }
}
