import Foundation

/// The sidecar `OUTPUT.sweep.json` beside a sweep's output: which sweep wrote it (fingerprint and
/// the full description: profile, workload, options, dimensions and values), how many
/// configurations the whole grid has, which shard this file holds, the columns and the Pareto
/// objectives. `--resume` and `merge` read it; the CSV itself stays a plain header plus rows.
public struct SweepManifest {
    public static let format = "ridge-sweep/1"

    public var fingerprint: String
    public var configs: Int
    public var shard: SweepShard?
    public var grid: SweepGrid
    public var columns: [String]
    public var pareto: String?
    /// The whole document, for rewriting it with another shard or objectives.
    public var document: JSONObject

    public static func path(for output: String) -> String { output + ".sweep.json" }

    public init(plan: SweepPlan, shard: SweepShard?, pareto: String?) {
        fingerprint = plan.fingerprint
        configs = plan.grid.count
        self.shard = shard
        grid = plan.grid
        columns = plan.columns
        self.pareto = pareto
        var o = JSONObject([("format", .string(SweepManifest.format)), ("sweep", .string(plan.fingerprint))])
        for (k, v) in plan.identity.entries where k != "format" { o[k] = v }
        document = o
        refresh()
    }

    /// Puts the count, shard and objectives into the document (in a fixed key order).
    mutating func refresh() {
        var o = JSONObject([("format", .string(SweepManifest.format)), ("sweep", .string(fingerprint)),
                            ("configs", .number(Double(configs))),
                            ("shard", shard.map { .string($0.description) } ?? .null),
                            ("shardConfigs", .number(Double(shard?.size(of: configs) ?? configs))),
                            ("pareto", pareto.map(JSONValue.string) ?? .null)])
        for (k, v) in document.entries where o[k] == nil { o[k] = v }
        document = o
    }

    public func write(beside output: String) throws {
        try FileIO.writeAtomically(JSONWriter.write(.object(document)) + "\n", to: SweepManifest.path(for: output))
    }

    /// Reads the manifest beside `output`.
    public static func read(beside output: String) throws -> SweepManifest {
        let path = SweepManifest.path(for: output)
        guard FileManager.default.fileExists(atPath: path) else {
            throw RidgeError(.io, file: path, "cannot read: no such file (the manifest ridge sweep writes beside \(output); keep it with the output)")
        }
        let value = try FileIO.readJSON(path)
        let r = try ObjectReader(value, path: "", file: path)
        guard try r.string("format") == SweepManifest.format else {
            throw r.fail("format", "expected \"\(SweepManifest.format)\": this is not a ridge sweep manifest")
        }
        let fingerprint = try r.requiredString("sweep")
        let configs = try r.integer("configs", in: 0...SweepGrid.maxConfigs) ?? 0
        let shard = try r.string("shard").map { text in
            do { return try SweepShard(parsing: text) } catch { throw r.fail("shard", "expected K/N, got \"\(text)\"") }
        }
        guard let columns = try r.array("columns")?.compactMap(\.stringValue), !columns.isEmpty else {
            throw r.fail("columns", "missing required field: expected the list of columns")
        }
        guard let vary = try r.array("vary") else { throw r.fail("vary", "missing required field: expected the dimensions") }
        var dims: [SweepDimension] = []
        for (i, item) in vary.enumerated() {
            let d = try ObjectReader(item, path: "vary[\(i)]", file: path)
            let dimPath = try d.requiredString("path")
            let target = SweepDimension.Target(rawValue: try d.string("target") ?? "") ?? .profile
            guard let values = try d.array("values"), !values.isEmpty else { throw d.fail("values", "missing required field: expected the values") }
            let parsed = values.map { v -> SweepValue in
                if case .number(let n) = v { return SweepValue(number: n) }
                return SweepValue(name: v.stringValue ?? JSONWriter.write(v, pretty: false))
            }
            dims.append(SweepDimension(path: dimPath, target: target, kind: parsed.allSatisfy { $0.number != nil } ? .quantity(.count) : .name,
                                       values: parsed))
        }
        let grid = try SweepGrid(dims)
        guard grid.count == configs else {
            throw r.fail("configs", "says \(configs) configurations, but its dimensions give \(grid.count)")
        }
        var m = SweepManifest(fingerprint: fingerprint, configs: configs, shard: shard, grid: grid, columns: columns,
                              pareto: try r.string("pareto"), document: r.object)
        m.refresh()
        return m
    }

    private init(fingerprint: String, configs: Int, shard: SweepShard?, grid: SweepGrid, columns: [String], pareto: String?,
                 document: JSONObject) {
        self.fingerprint = fingerprint; self.configs = configs; self.shard = shard; self.grid = grid
        self.columns = columns; self.pareto = pareto; self.document = document
    }
}
