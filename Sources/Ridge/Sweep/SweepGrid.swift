/// One dimension of a sweep: a path, what it sets, and its values in order.
public struct SweepDimension: Sendable {
    /// What a path sets. Workload parameters decide the trace; the others only the run.
    public enum Target: String, Sendable { case workload, profile, simulation }

    public var path: String
    public var target: Target
    public var kind: SweepValueKind
    public var values: [SweepValue]

    public init(path: String, target: Target, kind: SweepValueKind, values: [SweepValue]) {
        self.path = path; self.target = target; self.kind = kind; self.values = values
    }
}

/// The Cartesian product of the dimensions, in row order: workload dimensions first (each trace is
/// generated once and simulated on every profile variant in turn), then profile fields and
/// simulation options, each group in the order given; the last dimension varies fastest.
public struct SweepGrid: Sendable {
    /// At most this many configurations in one sweep.
    public static let maxConfigs = 10_000_000

    public let dimensions: [SweepDimension]
    public let count: Int
    private let strides: [Int]
    /// Dimension indices sorted by path, for ids that do not depend on the order of `--vary`.
    private let idOrder: [Int]

    public init(_ given: [SweepDimension]) throws {
        let ordered = given.filter { $0.target == .workload } + given.filter { $0.target != .workload }
        var seen = Set<String>()
        for d in ordered where !seen.insert(d.path).inserted {
            throw RidgeError.usage("--vary \(d.path) is given more than once (list every value in one --vary)")
        }
        var strides = Array(repeating: 1, count: ordered.count)
        var total = 1
        for i in ordered.indices.reversed() {
            strides[i] = total
            let (product, overflow) = total.multipliedReportingOverflow(by: ordered[i].values.count)
            guard !overflow, product <= SweepGrid.maxConfigs else {
                throw RidgeError.usage("the grid has more than \(SweepGrid.maxConfigs) configurations; split it into several sweeps")
            }
            total = product
        }
        dimensions = ordered
        count = ordered.isEmpty ? 0 : total
        self.strides = strides
        idOrder = ordered.indices.sorted { ordered[$0].path < ordered[$1].path }
    }

    /// The value index of every dimension for configuration `index`.
    public func coordinates(_ index: Int) -> [Int] {
        dimensions.indices.map { (index / strides[$0]) % dimensions[$0].values.count }
    }

    public func values(_ index: Int) -> [SweepValue] {
        dimensions.indices.map { dimensions[$0].values[(index / strides[$0]) % dimensions[$0].values.count] }
    }

    /// The index of configuration `index` among the variants of one target's dimensions (mixed
    /// radix over those dimensions, in grid order).
    public func variant(_ index: Int, _ target: SweepDimension.Target) -> Int {
        var v = 0
        for (i, d) in dimensions.enumerated() where d.target == target {
            v = v * d.values.count + (index / strides[i]) % d.values.count
        }
        return v
    }

    /// The number of distinct variants of one target.
    public func variantCount(_ target: SweepDimension.Target) -> Int {
        dimensions.filter { $0.target == target }.reduce(1) { $0 * $1.values.count }
    }

    /// The stable id of configuration `index`: 16 hex digits of FNV-1a (64-bit) over its values as
    /// `path=value` lines sorted by path (numbers in SI base units, shortest round-trip form).
    public func id(_ index: Int) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
            for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        }
        for i in idOrder {
            let d = dimensions[i]
            mix(d.path.utf8)
            mix([UInt8(ascii: "=")])
            mix(d.values[(index / strides[i]) % d.values.count].text.utf8)
            mix([0x0A])
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// `--shard K/N`: configurations `K−1, K−1+N, K−1+2N, …` of the grid, a deterministic and
/// balanced 1/N (neighbouring configurations, which cost about the same, go to different shards).
public struct SweepShard: Sendable, Equatable {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) { self.index = index; self.count = count }

    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, n <= 1_000_000, k >= 1, k <= n else {
            throw RidgeError.usage("--shard expects K/N with 1 ≤ K ≤ N (e.g. 2/8, the second of eight shards), got \"\(text)\"")
        }
        index = k
        count = n
    }

    public func contains(_ config: Int) -> Bool { config % count == index - 1 }

    /// The configurations of this shard in a grid of `total`.
    public func configs(of total: Int) -> StrideTo<Int> { stride(from: index - 1, to: total, by: count) }

    /// How many configurations of a grid of `total` this shard holds.
    public func size(of total: Int) -> Int { max(0, (total - (index - 1) + count - 1) / count) }

    public var description: String { "\(index)/\(count)" }
}
