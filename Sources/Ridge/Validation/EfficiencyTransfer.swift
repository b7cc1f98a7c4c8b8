import Foundation

/// Sets the efficiency of a GPU that was never measured from a measured sibling
/// (`ridge calibrate --transfer-from`, `docs/efficiency.md` "Other GPUs"). What transfers is
/// expressed against datasheet quantities, so it carries over:
///
/// - per kind, `compute` and `memory` are fractions of the datasheet peak and bandwidth; they are
///   scaled by the ratio of the two GPUs' attainable ceilings (the profile's base `compute` =
///   MAMF / peak, base `memory` = STREAM / bandwidth) where both GPUs have one, else copied;
/// - the shape terms (tile set, tile intensity, epilogue share, overlap, wave tail) and the fixed
///   times (launch overhead, per-kind overhead) are properties of the kernel library and are copied;
/// - a target without a measured ceiling takes the sibling's ceilings scaled the same way (none).
///
/// The target keeps its own datasheet numbers (peaks, bandwidths, SM count, L2), so wave
/// quantisation, the ridge point and the memory-bound regime are its own.
public enum EfficiencyTransfer {
    /// A base ceiling of 1 (the default) means none was measured for that GPU.
    static func known(_ v: Double) -> Bool { v < 1 }

    public static func apply(from sibling: HardwareProfile, to target: HardwareProfile) throws -> HardwareProfile {
        let source = sibling.engine(target.primaryEngine.id) ?? sibling.primaryEngine
        guard let record = sibling.calibration, record.engine == source.id, !record.kinds.isEmpty else {
            throw RidgeError.data(file: sibling.name, at: "calibration", "\(sibling.name) has no calibration record to transfer (fit it with ridge calibrate --measured first)")
        }
        var out = target
        let i = target.engineIndex(target.primaryEngine.id)!
        var engine = out.engines[i]
        let s = source.efficiency.base, t = engine.efficiency.base
        let computeRatio = known(s.compute) && known(t.compute) ? t.compute / s.compute : 1
        let memoryRatio = known(s.memory) && known(t.memory) ? t.memory / s.memory : 1
        var efficiency = engine.efficiency
        if !known(t.compute) { efficiency.base.compute = s.compute }
        if !known(t.memory) { efficiency.base.memory = s.memory }
        efficiency.base.tiles = s.tiles
        var kinds: [(String, CalibrationRecord.Kind)] = []
        for (kind, k) in record.kinds {
            var p = source.efficiency.parameters(for: kind)
            p.compute = min(1, Calibrator.round(p.compute * computeRatio))
            p.memory = min(1, Calibrator.round(p.memory * memoryRatio))
            efficiency.byKind[kind] = p
            var moved = k
            moved.basis = "transferred"
            moved.from = k.isTransferred ? k.from : sibling.name
            kinds.append((kind, moved))
        }
        engine.efficiency = efficiency
        engine.launchOverhead = source.launchOverhead
        out.engines[i] = engine
        out.calibration = CalibrationRecord(engine: engine.id, method: "transferred by ridge calibrate --transfer-from \(sibling.name) (docs/efficiency.md)", kinds: kinds)
        return out
    }

    /// The profile JSON that overrides the target with the transferred values.
    public static func derivedProfile(_ transferred: HardwareProfile, original: HardwareProfile, sibling: HardwareProfile, name: String,
                                      extends parent: String) -> JSONObject {
        let engine = transferred.primaryEngine
        // The rule in words, independent of the values, so transferring again gives the same file.
        let rule = "each kind's compute and memory = the sibling's x (this GPU's ceiling / the sibling's ceiling) where this GPU has a measured ceiling (base compute = MAMF / peak, base memory = STREAM / bandwidth), otherwise the sibling's fraction and ceiling; tiles, tile intensity, epilogue, overlap, wave tail and fixed times copied"
        return JSONObject([
            ("name", .string(name)),
            ("extends", .string(parent)),
            ("engines", .object(JSONObject([(engine.id, .object(JSONObject([
                ("launchOverhead", .number(engine.launchOverhead)),
                ("efficiency", .object(engine.efficiency.json())),
            ])))]))),
            ("calibration", .object(transferred.calibration!.json())),
            ("sources", .object(JSONObject([
                ("engines.\(engine.id).efficiency", .string("transferred from the fitted profile \(sibling.name) by ridge calibrate --transfer-from: \(rule)")),
                ("engines.\(engine.id).launchOverhead", .string("transferred from \(sibling.name) (measured floor of the Vidur kernel times there)")),
                ("calibration", .string("ridge calibrate --transfer-from \(sibling.name): the region and errors are those measured on \(sibling.name)")),
            ]))),
        ])
    }
}
