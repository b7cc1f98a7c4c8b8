/// One objective of a Pareto front: a numeric column, maximised or minimised.
public struct ParetoObjective: Sendable, Equatable {
    public var column: String
    public var maximize: Bool

    /// Parses `metric:max,metric:min`, checking each metric is one of `columns`.
    public static func parse(_ spec: String, columns: [String]) throws -> [ParetoObjective] {
        let items = spec.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var out: [ParetoObjective] = []
        for item in items {
            let parts = item.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, parts[1] == "max" || parts[1] == "min" else {
                throw RidgeError.usage("--pareto expects METRIC:max or METRIC:min, comma-separated (e.g. tokensPerSecond:max,energyJoules:min), got \"\(item)\"")
            }
            guard columns.contains(parts[0]) else {
                let near = SweepPlan.nearest(parts[0], in: columns)
                throw RidgeError.usage("--pareto: no column \"\(parts[0])\"" + (near.isEmpty ? "" : "; did you mean \(near.map { "\"\($0)\"" }.joined(separator: ", "))?"))
            }
            guard !out.contains(where: { $0.column == parts[0] }) else { throw RidgeError.usage("--pareto: \(parts[0]) is given twice") }
            out.append(ParetoObjective(column: parts[0], maximize: parts[1] == "max"))
        }
        guard !out.isEmpty else { throw RidgeError.usage("--pareto needs at least one METRIC:max or METRIC:min") }
        return out
    }
}

/// The non-dominated set: a point is on the front when no other point is at least as good in every
/// objective and strictly better in one. Points with a missing value are not on the front.
public enum Pareto {
    /// `points[i]` holds the objective values of row `i` (nil: not eligible).
    ///
    /// Sorted lexicographically (as minimisation), a dominating point always comes before the point
    /// it dominates, and domination is transitive, so each point is checked against the front found
    /// so far only. - Complexity: O(n log n + n·f) for a front of f points.
    public static func front(_ points: [[Double]?], _ objectives: [ParetoObjective]) -> [Bool] {
        let k = objectives.count
        let costs: [[Double]?] = points.map { p in
            guard let p, p.count == k, p.allSatisfy({ !$0.isNaN }) else { return nil }
            return zip(p, objectives).map { $1.maximize ? -$0 : $0 }
        }
        let order = costs.indices.filter { costs[$0] != nil }.sorted { a, b in
            let x = costs[a]!, y = costs[b]!
            for j in 0..<k where x[j] != y[j] { return x[j] < y[j] }
            return a < b
        }
        var onFront = Array(repeating: false, count: points.count)
        var front: [[Double]] = []
        for i in order {
            let c = costs[i]!
            let dominated = front.contains { f in
                var strictly = false
                for j in 0..<k {
                    if f[j] > c[j] { return false }
                    if f[j] < c[j] { strictly = true }
                }
                return strictly
            }
            if !dominated { front.append(c); onFront[i] = true }
        }
        return onFront
    }

    /// Marks the rows of a table: the objective values are read from the named columns.
    public static func mark(_ rows: [[SweepCell]], columns: [String], _ objectives: [ParetoObjective], errorColumn: Int?) -> [Bool] {
        let indices = objectives.map { o in columns.firstIndex(of: o.column) }
        let points: [[Double]?] = rows.map { row in
            if let e = errorColumn, row[e] != .null { return nil }
            var p: [Double] = []
            for i in indices {
                guard let i, let v = row[i].number else { return nil }
                p.append(v)
            }
            return p
        }
        return front(points, objectives)
    }
}
