/// Engine power: `P(t) = idle + active·busy(t) + e_flop·FLOP/s(t) + Σ e_byte·B/s(t)`.
///
/// Where a profile gives only idle and peak (TDP), the rest is derived so that an engine running
/// its attainable GEMM rate reaches TDP:
/// - `active = activeFraction × (peak − idle)`: the floor a busy engine draws whatever it computes
///   (clocks, schedulers, on-chip data movement). `activeFraction = 0.3` is calibrated on one
///   measurement, the A100's token phase in Splitwise (Patel et al., ISCA 2024: idle 63 W, token
///   ≈250 W), given HBM2e at 6 pJ/bit moving 1.7 TB/s; it is then applied unchanged to every engine.
/// - `e_flop(p) = (peak − idle − active) / (matrixPeak(p) × compute efficiency)`.
/// See `docs/efficiency.md`.
public enum EnergyModel {
    public static let activeFraction = 0.3

    static func completed(_ power: EnginePower, explicitActive: Double?, peak: [Precision: Double],
                          efficiency: Efficiency.Parameters) -> EnginePower {
        var p = power
        guard let peakW = power.peakWatts else {
            p.activeWatts = explicitActive ?? 0
            return p
        }
        let dynamic = max(0, peakW - power.idleWatts)
        p.activeWatts = explicitActive ?? activeFraction * dynamic
        let budget = max(0, peakW - power.idleWatts - p.activeWatts)
        for (precision, rate) in peak where p.energyPerFlop[precision] == nil {
            p.energyPerFlop[precision] = budget / (rate * efficiency.compute)
        }
        return p
    }

    /// Dynamic energy per FLOP for a precision (nearest wider precision when absent).
    static func energyPerFlop(_ engine: Engine, _ precision: Precision) -> Double {
        if let e = engine.power.energyPerFlop[precision] { return e }
        for w in Precision.allCases.filter({ $0 < precision }).reversed() {
            if let e = engine.power.energyPerFlop[w] { return e }
        }
        return engine.power.energyPerFlop.values.min() ?? 0
    }
}
