/// Joins the outputs of a sweep's shards: same sweep (fingerprint), every configuration exactly
/// once, rows in grid order, so merging the shards gives the bytes the unsharded sweep writes.
public enum SweepMerge {
    /// Merges `inputs` (each an output and its manifest) into `output`; returns a summary line.
    /// Missing or doubled configurations are data errors (exit 65), and nothing is written.
    public static func merge(_ inputs: [(file: SweepFile, manifest: SweepManifest)], to output: String, format: SweepFormat,
                             pareto: String?) throws -> String {
        guard let first = inputs.first else { throw RidgeError.usage("give the shard outputs to merge") }
        let grid = first.manifest.grid
        let columns = first.manifest.columns
        for (file, manifest) in inputs {
            guard manifest.fingerprint == first.manifest.fingerprint else {
                throw RidgeError.data(file: file.path, at: nil, "comes from a different sweep than \(first.file.path) (their manifests' fingerprints \(manifest.fingerprint) and \(first.manifest.fingerprint) differ)")
            }
            if file.truncated {
                throw RidgeError.data(file: file.path, at: "line \(file.rows.count + (file.format == .csv ? 2 : 1))",
                                      "ends in a truncated line: this shard did not finish (rerun it with --resume)")
            }
            guard file.columns == columns || file.columns == columns + ["pareto"] || (file.columns.isEmpty && file.rows.isEmpty) else {
                throw RidgeError.data(file: file.path, at: "line 1", "the columns differ from those its manifest lists")
            }
        }
        var index: [String: Int] = [:]
        index.reserveCapacity(grid.count)
        for i in 0..<grid.count { index[grid.id(i)] = i }
        var rows: [[SweepCell]?] = Array(repeating: nil, count: grid.count)
        var origin: [(file: String, line: Int)?] = Array(repeating: nil, count: grid.count)
        var doubled: [String] = []
        for (file, _) in inputs {
            let idColumn = file.rows.isEmpty ? 0 : try file.idColumn()
            for row in file.rows {
                guard case .string(let id) = row.cells[idColumn], let i = index[id] else {
                    throw RidgeError.data(file: file.path, at: "line \(row.line)", "config \(row.cells[idColumn].csv) is not a configuration of this sweep")
                }
                if let o = origin[i] {
                    doubled.append("config \(id) (\(describe(grid, i))) is in \(o.file) line \(o.line) and \(file.path) line \(row.line)")
                    continue
                }
                origin[i] = (file.path, row.line)
                rows[i] = Array(row.cells.prefix(columns.count))
            }
        }
        if !doubled.isEmpty {
            throw RidgeError.data(file: nil, at: nil, "\(doubled.count) configuration\(doubled.count == 1 ? " is" : "s are") doubled: "
                                  + doubled.prefix(5).joined(separator: "; ") + (doubled.count > 5 ? "; …" : ""))
        }
        let missing = rows.indices.filter { rows[$0] == nil }
        if !missing.isEmpty {
            var message = "\(missing.count) of \(grid.count) configurations are missing"
            let shards = inputs.compactMap(\.manifest.shard)
            if shards.count == inputs.count, let n = shards.first?.count, shards.allSatisfy({ $0.count == n }) {
                let absent = (1...n).filter { k in !shards.contains { $0.index == k } }
                if !absent.isEmpty { message += " (shard\(absent.count == 1 ? "" : "s") \(absent.prefix(10).map { "\($0)/\(n)" }.joined(separator: ", ")) not given)" }
            }
            message += ", e.g. " + missing.prefix(5).map { "config \(grid.id($0)) (\(describe(grid, $0)))" }.joined(separator: "; ")
            throw RidgeError.data(file: nil, at: nil, message)
        }
        var merged = rows.map { $0! }
        var outColumns = columns
        let spec = pareto ?? first.manifest.pareto
        if let spec {
            let objectives = try ParetoObjective.parse(spec, columns: columns.filter { $0 != "config" && $0 != "error" })
            let marks = Pareto.mark(merged, columns: columns, objectives, errorColumn: columns.firstIndex(of: "error"))
            merged = zip(merged, marks).map { $0 + [.bool($1)] }
            outColumns.append("pareto")
        }
        try write(merged, columns: outColumns, format: format, to: output)
        var manifest = first.manifest
        manifest.shard = nil
        manifest.pareto = spec
        manifest.refresh()
        try manifest.write(beside: output)
        return "ridge sweep merge: \(merged.count) configurations from \(inputs.count) file\(inputs.count == 1 ? "" : "s") into \(output)\n"
    }

    /// `path=value` pairs of configuration `i`.
    static func describe(_ grid: SweepGrid, _ i: Int) -> String {
        zip(grid.dimensions, grid.values(i)).map { "\($0.path)=\($1.text)" }.joined(separator: ", ")
    }

    /// Writes a whole table atomically.
    public static func write(_ rows: [[SweepCell]], columns: [String], format: SweepFormat, to path: String) throws {
        var text = format.header(columns) ?? ""
        for row in rows { text += format.line(row, columns: columns) }
        try FileIO.writeAtomically(text, to: path)
    }
}
