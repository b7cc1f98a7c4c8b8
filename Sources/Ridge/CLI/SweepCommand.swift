import Foundation

/// `ridge sweep`: a grid of profile, workload and simulation variations, one row per configuration
/// (see `docs/sweep.md`); `ridge sweep merge` joins shards.
enum SweepCommand {
    static let usage = """
    usage: ridge sweep [--profile NAME|PATH] [--trace FILE | --model NAME --batch B --prompt P --generate G …]
                       --vary PATH=VALUES [--vary …] [-o results.csv|results.jsonl] [--jobs N]
                       [--resume] [--shard K/N] [--pareto METRIC:max,METRIC:min] [--no-progress]
           ridge sweep merge a.csv b.csv … -o all.csv [--pareto …]

    Runs every combination of the --vary values (a full simulation each) and writes one row per
    configuration: its id, the varied values, and the metrics of `ridge simulate --format json`.
    Defaults as `ridge simulate`: h100-sxm, llama-2-7b, batch 1, prompt 512, generate 128.
      --vary PATH=VALUES      PATH: a numeric profile field (memories.hbm.bandwidth, engines.gpu.peak.bf16,
                              links.pcie.bandwidth, powerCap, …), a workload parameter (batch, prompt,
                              generate, model, dtype, kv-offload, …) or a simulation option (kv-capacity,
                              power-cap, spill, …). VALUES: a list 2TB/s,3.35TB/s; a range with a count
                              40GiB..160GiB:4; a geometric range 500T..2000T:x2. Units as the field's.
      -o FILE                 .csv (header + rows) or .jsonl (one object per row), written row by row,
                              with FILE.sweep.json beside it (the manifest); default: CSV on stdout
      --jobs N                worker threads (default: all cores); rows are in grid order for any N
      --resume                keep the rows already in FILE (a truncated last line is dropped), run the rest
      --shard K/N             run configurations K-1, K-1+N, K-1+2N, … (1 ≤ K ≤ N)
      --pareto M:max,M:min    add a `pareto` column marking the configurations no other one dominates
      --no-progress           no progress line on a terminal (there is none when stderr is not one)
    \(WorkloadOptions.usage)
      --kv-capacity, --capacity, --spill, --block-size, --page-size, --fault-latency, --power-cap: as `ridge simulate`
    """

    static let simulationNames = ["kv-capacity", "spill", "block-size", "page-size", "fault-latency", "power-cap"]

    static let spec = Arguments.Spec(valued: ["profile", "trace", "output", "jobs", "shard", "pareto"] + simulationNames + WorkloadOptions.valued,
                                     flags: ["resume", "no-progress"], repeatable: ["vary", "capacity"])

    static func run(_ argv: [String]) throws -> CommandOutput {
        if argv.first == "merge" { return try merge(Array(argv.dropFirst())) }
        let args = try Arguments(argv, spec: spec, usage: usage)
        if args.wantsHelp { return CommandOutput(usage + "\n") }
        try args.noPositionals()
        let workload = WorkloadOptions.valued.compactMap { name in args.string(name).map { (name: name, value: $0) } }
        let simulation = simulationNames.compactMap { name in args.string(name).map { (name: name, value: $0) } }
            + args.strings("capacity").map { (name: "capacity", value: $0) }
        let jobs = try args.int("jobs", default: ProcessInfo.processInfo.activeProcessorCount, in: 1...1024)!
        let shard = try args.string("shard").map(SweepShard.init(parsing:))
        let output = args.string("output")
        let format: SweepFormat
        if let output {
            guard let f = SweepFormat(path: output) else { throw args.usageError("-o \(output): the output must end in .csv or .jsonl") }
            format = f
        } else {
            if args.flag("resume") { throw args.usageError("--resume needs -o FILE (the output to resume)") }
            format = .csv
        }
        let plan = try SweepPlan(profile: args.string("profile") ?? "h100-sxm", trace: args.string("trace"), workload: workload,
                                 simulation: simulation, vary: args.strings("vary"))
        let paretoSpec = args.string("pareto")
        let objectives = try paretoSpec.map { try ParetoObjective.parse($0, columns: plan.columns.filter { $0 != "config" && $0 != "error" }) }
        let sweep = Sweep(plan: plan, shard: shard, jobs: jobs, objectives: objectives, paretoSpec: paretoSpec,
                          progress: !args.flag("no-progress") && isatty(2) != 0)
        if let output {
            return CommandOutput(try sweep.run(to: output, format: format, resume: args.flag("resume")))
        }
        try sweep.runToStandardOutput()
        return CommandOutput("")
    }

    // MARK: merge

    static let mergeUsage = """
    usage: ridge sweep merge a.csv b.csv … -o all.csv [--pareto METRIC:max,METRIC:min]

    Joins the outputs of the shards of one sweep (each with its FILE.sweep.json manifest), checks that
    together they hold every configuration exactly once, and writes them in grid order (CSV or JSON
    Lines, by -o's extension) with a manifest beside. The Pareto front is recomputed over all rows
    (from the manifest's objectives, or --pareto).
    """

    static func merge(_ argv: [String]) throws -> CommandOutput {
        let args = try Arguments(argv, spec: Arguments.Spec(valued: ["output", "pareto"]), usage: mergeUsage)
        if args.wantsHelp { return CommandOutput(mergeUsage + "\n") }
        guard !args.positional.isEmpty else { throw args.usageError("give the shard outputs to merge") }
        guard let output = args.string("output") else { throw args.usageError("missing -o FILE (the merged output)") }
        guard let format = SweepFormat(path: output) else { throw args.usageError("-o \(output): the output must end in .csv or .jsonl") }
        var inputs: [(SweepFile, SweepManifest)] = []
        for path in args.positional {
            guard let f = SweepFormat(path: path) else { throw args.usageError("\(path): a sweep output ends in .csv or .jsonl") }
            inputs.append((try SweepFile.read(path, format: f), try SweepManifest.read(beside: path)))
        }
        let summary = try SweepMerge.merge(inputs, to: output, format: format, pareto: args.string("pareto"))
        return CommandOutput(summary)
    }
}

/// One sweep run: the plan, which configurations, and where rows go.
struct Sweep {
    let plan: SweepPlan
    let shard: SweepShard?
    let jobs: Int
    let objectives: [ParetoObjective]?
    let paretoSpec: String?
    let progress: Bool

    var configs: [Int] { shard.map { Array($0.configs(of: plan.grid.count)) } ?? Array(0..<plan.grid.count) }

    /// Writes rows to `output` as they come (the header first), with the manifest beside it; with
    /// `resume`, keeps the complete rows already there and runs only the rest.
    func run(to output: String, format: SweepFormat, resume: Bool) throws -> String {
        let columns = plan.columns
        var manifest = SweepManifest(plan: plan, shard: shard, pareto: paretoSpec)
        var existing: [(line: Int, cells: [SweepCell])] = []
        var keepBytes = 0
        var todo = configs
        if resume, FileManager.default.fileExists(atPath: output) {
            let old = try SweepManifest.read(beside: output)
            guard old.fingerprint == plan.fingerprint else {
                throw RidgeError.usage("--resume: \(output) was written by a different sweep (its manifest \(SweepManifest.path(for: output)) does not match this profile, workload, options and --vary values); remove it or choose another -o")
            }
            guard old.shard == shard else {
                throw RidgeError.usage("--resume: \(output) holds shard \(old.shard?.description ?? "none (the whole grid)"), not \(shard?.description ?? "the whole grid")")
            }
            var file = try SweepFile.read(output, format: format)
            if file.columns == columns + ["pareto"] {
                // A finished sweep with a Pareto column: rows stay, the column is recomputed at the end.
                try SweepMerge.write(file.rows.map { Array($0.cells.dropLast()) }, columns: columns, format: format, to: output)
                file = try SweepFile.read(output, format: format)
            }
            if !file.columns.isEmpty || !file.rows.isEmpty {
                guard file.columns == columns else {
                    throw RidgeError.data(file: output, at: "line 1", "the columns differ from this sweep's; it was not written by this sweep")
                }
                let wanted = Dictionary(uniqueKeysWithValues: todo.map { (plan.grid.id($0), $0) })
                var done: [String: Int] = [:]
                for row in file.rows {
                    guard case .string(let id) = row.cells[0], wanted[id] != nil else {
                        throw RidgeError.data(file: output, at: "line \(row.line)", "config \(row.cells[0].csv) is not a configuration of this sweep\(shard.map { " (shard \($0.description))" } ?? "")")
                    }
                    if let first = done[id] {
                        throw RidgeError.data(file: output, at: "line \(row.line)", "config \(id) is already on line \(first)")
                    }
                    done[id] = row.line
                }
                existing = file.rows
                keepBytes = file.completeBytes
                todo = todo.filter { done[plan.grid.id($0)] == nil }
            }
        }
        try manifest.write(beside: output)
        manifest.refresh()
        let writer = try RowWriter(path: output, keepBytes: keepBytes, header: keepBytes == 0 ? format.header(columns) : nil)
        var newRows: [[SweepCell]] = []
        let meter = SweepProgress(total: todo.count, enabled: progress)
        let summary = try SweepRunner(plan: plan).run(todo, jobs: jobs) { _, cells in
            try writer.write(format.line(cells, columns: columns))
            if objectives != nil { newRows.append(cells) }
            meter.advance()
        }
        try writer.close()
        meter.finish()
        if let objectives {
            let rows = existing.map(\.cells) + newRows
            let marks = Pareto.mark(rows, columns: columns, objectives, errorColumn: columns.count - 1)
            try SweepMerge.write(zip(rows, marks).map { $0 + [.bool($1)] }, columns: columns + ["pareto"], format: format, to: output)
        }
        var text = "ridge sweep: \(plan.grid.count) configurations"
        if let shard { text += ", shard \(shard.description): \(shard.size(of: plan.grid.count))" }
        text += "; ran \(summary.rows)"
        if !existing.isEmpty { text += ", \(existing.count) already in \(output)" }
        if summary.failed > 0 { text += "; \(summary.failed) failed (see the error column)" }
        text += "; rows in \(output), manifest in \(SweepManifest.path(for: output))\n"
        return text
    }

    /// CSV on standard output, row by row (with `--pareto`, all at the end).
    func runToStandardOutput() throws {
        let columns = plan.columns
        let out = try RowWriter(descriptor: 1)
        var rows: [[SweepCell]] = []
        if objectives == nil { try out.write(SweepFormat.csv.header(columns)!) }
        let meter = SweepProgress(total: configs.count, enabled: progress)
        let summary = try SweepRunner(plan: plan).run(configs, jobs: jobs) { _, cells in
            if objectives != nil { rows.append(cells) } else { try out.write(SweepFormat.csv.line(cells, columns: columns)) }
            meter.advance()
        }
        meter.finish()
        if let objectives {
            let marks = Pareto.mark(rows, columns: columns, objectives, errorColumn: columns.count - 1)
            try out.write(SweepFormat.csv.header(columns + ["pareto"])!)
            for (row, mark) in zip(rows, marks) { try out.write(SweepFormat.csv.line(row + [.bool(mark)], columns: [])) }
        }
        if summary.failed > 0 {
            FileHandle.standardError.write(Data("ridge sweep: \(summary.failed) of \(summary.rows) configurations failed (see the error column)\n".utf8))
        }
    }
}

/// Appends lines to a file (or a descriptor) with one `write` per line, so a kill leaves at most
/// a truncated last line; a resumed file is first cut back to its complete lines.
final class RowWriter {
    let fd: Int32
    let path: String
    let owned: Bool

    init(path: String, keepBytes: Int, header: String?) throws {
        self.path = path
        owned = true
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RidgeError(.io, file: path, "cannot write: directory \(dir) does not exist")
        }
        fd = open(path, O_WRONLY | O_CREAT | (keepBytes == 0 ? O_TRUNC : 0), 0o644)
        guard fd >= 0 else { throw RidgeError(.io, file: path, "cannot write: \(String(cString: strerror(errno)))") }
        if keepBytes > 0 {
            guard ftruncate(fd, off_t(keepBytes)) == 0, lseek(fd, 0, SEEK_END) >= 0 else {
                throw RidgeError(.io, file: path, "cannot write: \(String(cString: strerror(errno)))")
            }
        }
        if let header { try write(header) }
    }

    init(descriptor: Int32) throws {
        fd = descriptor
        path = "standard output"
        owned = false
    }

    func write(_ text: String) throws {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Foundation.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw RidgeError(.io, file: path, "cannot write: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    func close() throws {
        if owned, Foundation.close(fd) != 0 { throw RidgeError(.io, file: path, "cannot write: \(String(cString: strerror(errno)))") }
    }
}

/// A progress line on standard error: configurations done of the total, the rate, the time left.
/// Only when enabled (standard error is a terminal); redrawn at most ten times a second.
final class SweepProgress {
    let total: Int
    let enabled: Bool
    var done = 0
    let start = DispatchTime.now().uptimeNanoseconds
    var lastDraw: UInt64 = 0

    init(total: Int, enabled: Bool) { self.total = total; self.enabled = enabled }

    func advance() {
        done += 1
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        if now - lastDraw < 100_000_000 && done < total { return }
        lastDraw = now
        FileHandle.standardError.write(Data(("\r" + SweepProgress.line(done: done, total: total, seconds: Double(now - start) / 1e9)).utf8))
    }

    func finish() {
        if enabled && done > 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    /// `[#####.....] 123/1000 configs  45.6/s  ETA 19 s`
    static func line(done: Int, total: Int, seconds: Double) -> String {
        let width = 24
        let filled = total > 0 ? min(width, done * width / total) : width
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        return "[\(bar)] \(done)/\(total) configs  \(Format.significant(rate, 3))/s  ETA \(Format.seconds(eta.rounded()))  "
    }
}
