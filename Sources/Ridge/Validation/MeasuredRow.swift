/// One measurement: an operator shape and the time it took on real hardware.
public struct MeasuredRow: Sendable {
    public var name: String
    public var shape: OperatorShape
    public var seconds: Double
    /// Where it came from (file and line, or dataset and model), for reports.
    public var origin: String
    /// Free-form group label (e.g. the model a GEMM belongs to), used for held-out splits.
    public var group: String

    public init(name: String, shape: OperatorShape, seconds: Double, origin: String, group: String = "") {
        self.name = name; self.shape = shape; self.seconds = seconds; self.origin = origin; self.group = group
    }

    public var kind: String { shape.kind }
}

/// Aggregate error of predictions against measurements.
public struct ErrorStats: Sendable, Equatable {
    public var count: Int
    /// Mean absolute percentage error.
    public var mape: Double
    /// Median absolute percentage error.
    public var medianAbs: Double
    /// Mean signed percentage error: positive means Ridge predicts too slow.
    public var bias: Double

    public init(count: Int, mape: Double, medianAbs: Double, bias: Double) {
        self.count = count; self.mape = mape; self.medianAbs = medianAbs; self.bias = bias
    }

    public init(predicted: [Double], measured: [Double]) {
        let errors = zip(predicted, measured).map { ($0 - $1) / $1 * 100 }
        count = errors.count
        guard !errors.isEmpty else { mape = 0; medianAbs = 0; bias = 0; return }
        let abs = errors.map { Swift.abs($0) }.sorted()
        mape = abs.reduce(0, +) / Double(abs.count)
        medianAbs = abs.count % 2 == 1 ? abs[abs.count / 2] : (abs[abs.count / 2 - 1] + abs[abs.count / 2]) / 2
        bias = errors.reduce(0, +) / Double(errors.count)
    }

    public func json() -> JSONObject {
        JSONObject([("rows", .number(Double(count))), ("mapePercent", .number(round4(mape))),
                    ("medianAbsPercentError", .number(round4(medianAbs))), ("biasPercent", .number(round4(bias)))])
    }

    func round4(_ v: Double) -> Double { (v * 1e4).rounded() / 1e4 }
}
