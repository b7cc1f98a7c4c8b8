import Foundation

/// Fits an engine's efficiency parameters (per operator kind) to measured rows by minimising the
/// mean absolute percentage error. A deterministic pattern search: each continuous parameter is
/// moved by multiplicative steps that shrink when no step improves (Hooke & Jeeves, "Direct search
/// solution of numerical and statistical problems", JACM 1961); tile sizes are searched over
/// powers of two. Bounds keep parameters physical (efficiencies in (0, 1], overheads ≥ 0).
public enum Calibrator {
    public struct Fit: Sendable {
        public var efficiency: Efficiency
        public var trainStats: [String: ErrorStats]
    }

    /// Predicted seconds of each row on `engine`.
    public static func predict(_ rows: [MeasuredRow], engine: Engine, profile: HardwareProfile) -> [Double] {
        rows.map { CostModel.cost($0.shape, on: engine, in: profile).seconds }
    }

    /// Fits `byKind` parameters for every kind present in `rows`, starting from the engine's current ones.
    public static func fit(_ rows: [MeasuredRow], engine: Engine, profile: HardwareProfile,
                           kinds: [String]? = nil) -> Fit {
        var efficiency = engine.efficiency
        var stats: [String: ErrorStats] = [:]
        let present = kinds ?? Array(Set(rows.map(\.kind))).sorted()
        for kind in present where kind != "transfer" {
            let subset = rows.filter { $0.kind == kind }
            guard !subset.isEmpty else { continue }
            var trial = engine
            var params = efficiency.parameters(for: kind)
            func objective(_ p: Efficiency.Parameters) -> Double {
                trial.efficiency.byKind[kind] = p
                var sum = 0.0
                for r in subset { sum += abs(CostModel.cost(r.shape, on: trial, in: profile).seconds - r.seconds) / r.seconds }
                return sum / Double(subset.count)
            }
            var best = objective(params)
            let usesTiles = kind == "gemm" || kind == "attention" || kind == "conv"
            var step = 0.25
            for _ in 0..<60 {
                var improved = false
                for field in 0..<4 {
                    for direction in [1.0 + step, 1.0 / (1.0 + step)] {
                        var p = params
                        switch field {
                        case 0: p.compute = min(1, max(0.01, p.compute * direction))
                        case 1: p.memory = min(1, max(0.01, p.memory * direction))
                        case 2: p.smallM = p.smallM == 0 ? (direction > 1 ? 1 : 0) : min(1e6, p.smallM * direction)
                        default: p.overhead = p.overhead == 0 ? (direction > 1 ? 1e-6 : 0) : min(1, p.overhead * direction)
                        }
                        let v = objective(p)
                        if v < best - 1e-12 { best = v; params = p; improved = true }
                    }
                }
                if usesTiles {
                    for tm in [32, 64, 128, 256] { for tn in [64, 128, 256] {
                        var p = params; p.tileM = tm; p.tileN = tn
                        let v = objective(p)
                        if v < best - 1e-12 { best = v; params = p; improved = true }
                    } }
                }
                if !improved {
                    step /= 2
                    if step < 0.002 { break }
                }
            }
            efficiency.byKind[kind] = params
            trial.efficiency = efficiency
            stats[kind] = ErrorStats(predicted: predict(subset, engine: trial, profile: profile), measured: subset.map(\.seconds))
        }
        return Fit(efficiency: efficiency, trainStats: stats)
    }
}
