/// Memoises operator costs: identical operators (the same shape on the same engine with the same
/// placement — every layer of a transformer, every decode step's GEMMs) are costed once.
/// The cached value is exactly what `CostModel.cost` returns, so results are unchanged.
struct CostTable {
    struct Key: Hashable {
        var shape: OperatorShape
        var engine: Int32
        var placement: Placement
    }

    private(set) var costs: [OperatorCost] = []
    private(set) var shapes: [OperatorShape] = []
    private(set) var engines: [Int32] = []
    private var index: [Key: Int32] = [:]
    let profile: HardwareProfile

    init(profile: HardwareProfile) { self.profile = profile }

    mutating func id(_ shape: OperatorShape, engine: Int32, placement: Placement) -> Int32 {
        let key = Key(shape: shape, engine: engine, placement: placement)
        if let i = index[key] { return i }
        let cost = CostModel.cost(shape, on: profile.engines[Int(engine)], in: profile, placement: placement)
        let i = Int32(costs.count)
        costs.append(cost)
        shapes.append(shape)
        engines.append(engine)
        index[key] = i
        return i
    }
}
