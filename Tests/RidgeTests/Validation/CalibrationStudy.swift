import XCTest
@testable import Ridge

/// Exploratory: prints the fit on Vidur A100 data when RIDGE_STUDY is set.
final class CalibrationStudy: XCTestCase {
    func testStudy() throws {
        guard let profilePath = ProcessInfo.processInfo.environment["RIDGE_STUDY"] else { throw XCTSkip("set RIDGE_STUDY") }
        let gpu = ProcessInfo.processInfo.environment["RIDGE_GPU"] ?? "a100"
        let root = "/work/shared/data/vidur/profiling/compute/\(gpu)"
        let p = try ProfileLoader.load(profilePath)
        var all: [MeasuredRow] = []
        for m in ["meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-70b-hf", "codellama/CodeLlama-34b-Instruct-hf"] {
            all += try VidurImporter.load("\(root)/\(m)/mlp.csv", group: m)
        }
        let e = p.primaryEngine
        for kind in ["gemm", "elementwise"] {
            let rows = all.filter { $0.kind == kind }
            let s0 = ErrorStats(predicted: Calibrator.predict(rows, engine: e, profile: p), measured: rows.map(\.seconds))
            print("uncalibrated", kind, s0)
        }
        let train = all.filter { $0.group.contains("Llama-2-7b") }
        let test = all.filter { !$0.group.contains("Llama-2-7b") }
        let fit = Calibrator.fit(train, engine: e, profile: p)
        var e2 = e; e2.efficiency = fit.efficiency
        print(fit.efficiency.byKind)
        for kind in ["gemm", "elementwise"] {
            let rows = test.filter { $0.kind == kind }
            print("heldout", kind, ErrorStats(predicted: Calibrator.predict(rows, engine: e2, profile: p), measured: rows.map(\.seconds)), "train", fit.trainStats[kind]!)
        }
        let fitAll = Calibrator.fit(all, engine: e, profile: p)
        print("all", fitAll.efficiency.byKind, fitAll.trainStats)
    }
}
extension CalibrationStudy {
    func testResiduals() throws {
        guard let profilePath = ProcessInfo.processInfo.environment["RIDGE_STUDY"] else { throw XCTSkip("set RIDGE_STUDY") }
        let gpu = ProcessInfo.processInfo.environment["RIDGE_GPU"] ?? "a100"
        let root = "/work/shared/data/vidur/profiling/compute/\(gpu)"
        let p = try ProfileLoader.load(profilePath)
        var all: [MeasuredRow] = []
        for m in ["meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-70b-hf"] { all += try VidurImporter.load("\(root)/\(m)/mlp.csv", group: m) }
        let e = p.primaryEngine
        let rows = all.filter { $0.kind == "gemm" }
        var buckets: [String: [Double]] = [:]
        for r in rows {
            guard case .gemm(let g) = r.shape else { continue }
            let c = CostModel.cost(r.shape, on: e, in: p)
            let err = (c.seconds - r.seconds) / r.seconds * 100
            let b = g.m <= 16 ? "m<=16" : g.m <= 128 ? "m<=128" : g.m <= 512 ? "m<=512" : g.m <= 1024 ? "m<=1024" : "m>1024"
            buckets["\(b) \(c.bound)", default: []].append(err)
        }
        for k in buckets.keys.sorted() { let v = buckets[k]!; print(k, v.count, "mean", v.reduce(0,+)/Double(v.count), "mape", v.map(abs).reduce(0,+)/Double(v.count)) }
    }
}
