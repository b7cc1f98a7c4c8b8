/// MCUNetV2 patch-based inference planning (Lin et al., "MCUNetV2: Memory-Efficient Patch-based
/// Inference for Tiny Deep Learning", NeurIPS 2021).
///
/// The first layers of the network (the *patch stage*, layers `0...lastLayer`) run once per
/// spatial patch: the output of `lastLayer` is cut into p×p non-overlapping tiles, and for each
/// tile the region every earlier layer must produce is found by propagating the receptive field
/// backwards (a k×k, stride-s layer needs input rows `[a·s − pad, (b−1)·s − pad + k)` for output
/// rows `[a, b)`, clipped to the feature map). Neighbouring tiles' regions overlap (the *halo*):
/// those pixels are computed once per tile that needs them, which is the recompute cost.
/// Only `lastLayer`'s full output and one tile's intermediate regions are live at a time.
public struct CNNPatchPlan: Sendable {
    /// Patches per side (p×p tiles).
    public var patches: Int
    /// Index of the last layer of the patch stage.
    public var lastLayer: Int
    /// Per tile (row-major), the output region of every layer `0...lastLayer`.
    public var regions: [[CNNRegion]]
    /// Per tile, the region of the network input it reads.
    public var inputRegions: [CNNRegion]

    public var tiles: Int { regions.count }
}

/// A half-open rectangle `[r0, r1) × [c0, c1)` of a feature map.
public struct CNNRegion: Sendable, Hashable, CustomStringConvertible {
    public var r0: Int, r1: Int, c0: Int, c1: Int
    public init(r0: Int, r1: Int, c0: Int, c1: Int) { self.r0 = r0; self.r1 = r1; self.c0 = c0; self.c1 = c1 }
    public var rows: Int { r1 - r0 }
    public var cols: Int { c1 - c0 }
    public var area: Int { rows * cols }
    /// The smallest rectangle holding both.
    public func hull(_ o: CNNRegion) -> CNNRegion {
        CNNRegion(r0: min(r0, o.r0), r1: max(r1, o.r1), c0: min(c0, o.c0), c1: max(c1, o.c1))
    }
    public var description: String { "[\(r0),\(r1))×[\(c0),\(c1))" }
}

public enum CNNPatchPlanner {
    /// Layers that can end a patch stage of p×p patches: every layer up to it works on a
    /// neighbourhood (no dense or global pool), no `add` after it reads a tensor from inside the
    /// stage other than its last output, and its output has at least p rows and columns.
    public static func validLastLayers(_ shapes: [CNNLayerShape], patches p: Int) -> [Int] {
        var out: [Int] = []
        for j in shapes.indices {
            if shapes[j].layer.isGlobal { break }
            let crossing = shapes[(j + 1)...].contains { s in s.residual.map { $0 < j } ?? false }
            if crossing { continue }
            if shapes[j].output.h >= p && shapes[j].output.w >= p { out.append(j) }
        }
        return out
    }

    /// The input region a layer reads to produce `region` of its output.
    public static func inputRegion(_ s: CNNLayerShape, for region: CNNRegion) -> CNNRegion {
        let l = s.layer
        guard l.isSpatial else { return region }   // pointwise, add: pixel to pixel
        let k = l.kernel, st = l.stride, pad = l.padding
        return CNNRegion(r0: max(0, region.r0 * st - pad), r1: min(s.input.h, (region.r1 - 1) * st - pad + k),
                         c0: max(0, region.c0 * st - pad), c1: min(s.input.w, (region.c1 - 1) * st - pad + k))
    }

    /// Splits `n` into `p` nearly equal parts: boundaries `⌊i·n/p⌋`.
    static func split(_ n: Int, _ p: Int) -> [(Int, Int)] {
        (0..<p).map { (($0 * n) / p, (($0 + 1) * n) / p) }
    }

    /// Plans p×p patches over layers `0...lastLayer`.
    public static func plan(_ shapes: [CNNLayerShape], patches p: Int, lastLayer: Int) throws -> CNNPatchPlan {
        guard p >= 1 else { throw RidgeError.usage("--patches must be at least 1") }
        guard shapes.indices.contains(lastLayer) else {
            throw RidgeError.usage("the patch stage must end at one of the model's \(shapes.count) layers, not layer \(lastLayer + 1)")
        }
        let valid = validLastLayers(shapes, patches: p)
        guard valid.contains(lastLayer) else {
            let s = shapes[lastLayer]
            let why: String
            if shapes[...lastLayer].contains(where: { $0.layer.isGlobal }) {
                why = "it includes a dense or global-pool layer, which needs the whole feature map"
            } else if let a = shapes[(lastLayer + 1)...].first(where: { $0.residual.map { $0 < lastLayer } ?? false }) {
                why = "\"\(a.layer.name)\" after the stage adds \"\(a.layer.from!)\", a tensor inside the stage that would no longer exist whole"
            } else {
                why = "its output (\(s.output)) has fewer than \(p) rows or columns"
            }
            let names = valid.map { "\($0 + 1) (\(shapes[$0].layer.name))" }.joined(separator: ", ")
            throw RidgeError.usage("cannot end the patch stage at layer \(lastLayer + 1) (\"\(s.layer.name)\"): \(why). Valid --patch-layers values: \(names)")
        }
        let out = shapes[lastLayer].output
        var regions: [[CNNRegion]] = []
        var inputs: [CNNRegion] = []
        for (r0, r1) in split(out.h, p) {
            for (c0, c1) in split(out.w, p) {
                var need = [CNNRegion?](repeating: nil, count: lastLayer + 1)
                var inputNeed: CNNRegion?
                func merge(_ region: CNNRegion, into j: Int) {
                    if j < 0 { inputNeed = inputNeed.map { $0.hull(region) } ?? region }
                    else { need[j] = need[j].map { $0.hull(region) } ?? region }
                }
                merge(CNNRegion(r0: r0, r1: r1, c0: c0, c1: c1), into: lastLayer)
                for j in stride(from: lastLayer, through: 0, by: -1) {
                    guard let region = need[j] else { continue }
                    merge(inputRegion(shapes[j], for: region), into: j - 1)
                    if let from = shapes[j].residual { merge(region, into: from) }
                }
                // Every layer of a chain feeds the next, so every region is set.
                regions.append(need.map { $0! })
                inputs.append(inputNeed!)
            }
        }
        return CNNPatchPlan(patches: p, lastLayer: lastLayer, regions: regions, inputRegions: inputs)
    }
}
