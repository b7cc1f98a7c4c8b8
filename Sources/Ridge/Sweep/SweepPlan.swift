import Foundation

/// Everything a sweep needs to build any of its configurations: the base profile and workload
/// (or trace file), the simulation options, the grid, and the output columns. Built once, shared
/// read-only by the workers.
public struct SweepPlan: Sendable {
    /// Where the trace comes from.
    public enum Source: Sendable {
        /// A trace file, read and compiled once.
        case trace(String)
        /// The LLM generator, with the workload options (one trace per workload variant).
        case model
    }

    public let profileName: String
    public let profileFile: String
    public let baseJSON: JSONObject
    public let baseProfile: HardwareProfile
    public let source: Source
    /// Workload and simulation options given plainly (`--batch 8`), minus those a `--vary` overrides.
    public let workloadOptions: [(name: String, value: String)]
    public let simulationOptions: [(name: String, value: String)]
    public let grid: SweepGrid
    /// Metric columns: `ridge simulate --format json` flattened with `.`.
    public private(set) var metricColumns: [String] = []
    /// Fingerprint of everything that decides the rows (not the shard or the Pareto objectives).
    public private(set) var fingerprint = ""
    /// The trace file, read and compiled once (`--trace` only).
    public private(set) var fileTrace: CompiledTrace?

    /// Workload parameters that can vary (the generator options of `ridge simulate`, without dashes).
    public static let workloadParameters: [String: SweepValueKind] = [
        "batch": .integer, "prompt": .integer, "generate": .integer, "prefetch": .integer, "window": .integer,
        "kv-offload": .quantity(.count), "weight-sparsity": .quantity(.count), "dram-fraction": .quantity(.count),
        "ffn-sparsity": .quantity(.count), "persistence": .quantity(.count),
        "model": .name, "dtype": .name, "attention": .name, "weights": .name, "kv": .name, "kv-staging": .name,
        "engine": .name, "weight-dtype": .name, "activations": .name, "bundling": .name, "staging": .name,
        "sparse-attention": .quantity(.count), "kv-page-filter": .quantity(.count), "kv-page": .quantity(.bytes),
        "predictor-rank": .name,
    ]

    /// Simulation options that can vary.
    public static let simulationParameters: [String: SweepValueKind] = [
        "kv-capacity": .quantity(.bytes), "block-size": .quantity(.bytes), "page-size": .quantity(.bytes),
        "power-cap": .quantity(.power), "fault-latency": .quantity(.time), "spill": .name,
    ]

    /// The citation a swept profile value gets (every number has a source).
    public static let sweptSource = "ridge sweep --vary: a swept value, not a datasheet figure"

    /// - Parameters:
    ///   - profile: a bundled profile name or a path.
    ///   - trace: a trace file, or nil to generate from `workload` (the options of `ridge simulate`).
    ///   - simulation: `kv-capacity`, `spill`, `power-cap`, … and repeated `capacity`.
    ///   - vary: `PATH=VALUES` specs.
    public init(profile: String, trace: String?, workload: [(name: String, value: String)],
                simulation: [(name: String, value: String)], vary: [String]) throws {
        profileName = profile
        let (json, file) = try ProfileLoader.resolve(profile, relativeTo: nil, chain: [])
        baseJSON = json
        profileFile = file
        baseProfile = try ProfileLoader.decode(json, file: file)
        source = trace.map(Source.trace) ?? .model
        guard !vary.isEmpty else {
            throw RidgeError.usage("give at least one --vary PATH=VALUES (e.g. --vary memories.hbm.bandwidth=2TB/s,3.35TB/s)")
        }
        if trace != nil, let extra = workload.first {
            throw RidgeError.usage("--\(extra.name) is a workload option, but --trace gives a fixed trace")
        }
        var dims: [SweepDimension] = []
        for spec in vary { dims.append(try SweepPlan.dimension(spec, json: json, profile: baseProfile, fixedTrace: trace != nil)) }
        grid = try SweepGrid(dims)
        let varied = Set(dims.map(\.path))
        workloadOptions = workload.filter { !varied.contains($0.name) }
        simulationOptions = simulation.filter { !varied.contains($0.name) }
        try validateValues()
        // Columns need the trace's phases; the fingerprint needs the columns.
        if let trace { fileTrace = try SweepPlan.compile(file: trace) }
        metricColumns = SweepPlan.metricColumns(baseProfile, phases: try phaseNames())
        fingerprint = SweepPlan.hash(JSONWriter.write(.object(identity), pretty: false))
    }

    /// Every output column: the id, the varied values, the metrics, the error.
    public var columns: [String] { ["config"] + grid.dimensions.map(\.path) + metricColumns + ["error"] }

    // MARK: Dimensions

    static func dimension(_ spec: String, json: JSONObject, profile: HardwareProfile, fixedTrace: Bool) throws -> SweepDimension {
        guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex else {
            throw RidgeError.usage("--vary expects PATH=VALUES (e.g. memories.hbm.bandwidth=2TB/s,3.35TB/s or batch=1,8,32), got \"\(spec)\"")
        }
        let path = spec[..<eq].trimmingCharacters(in: .whitespaces)
        let text = String(spec[spec.index(after: eq)...])
        if let kind = workloadParameters[path] {
            if fixedTrace {
                throw RidgeError.usage("--vary \(path): a workload parameter, but --trace gives a fixed trace (use --model to generate one per configuration)")
            }
            return SweepDimension(path: path, target: .workload, kind: kind, values: try SweepValues.parse(text, kind: kind, path: path))
        }
        if let kind = simulationParameters[path] {
            return SweepDimension(path: path, target: .simulation, kind: kind, values: try SweepValues.parse(text, kind: kind, path: path))
        }
        let present = ProfileLoader.numericPaths(json, prefix: "").filter { !$0.hasPrefix("sources") }
        let fieldKind = ProfileFields.kind(of: path)
        guard present.contains(path) || (fieldKind != nil && parentExists(path, in: json)) else {
            let candidates = present + workloadParameters.keys.sorted() + simulationParameters.keys.sorted()
            let near = nearest(path, in: candidates)
            throw RidgeError.usage("--vary \(path): profile \(profile.name) has no numeric field \"\(path)\" and it is not a workload or simulation option"
                                   + (near.isEmpty ? "" : "; did you mean \(near.map { "\"\($0)\"" }.joined(separator: ", "))?"))
        }
        guard let fieldKind else {
            throw RidgeError.usage("--vary \(path): not a numeric field of the profile format (see docs/profile-format.md)")
        }
        let kind: SweepValueKind
        switch fieldKind {
        case .quantity(let d): kind = .quantity(d)
        case .integer: kind = .integer
        }
        return SweepDimension(path: path, target: .profile, kind: kind, values: try SweepValues.parse(text, kind: kind, path: path))
    }

    /// Whether the object or array that would hold `path` exists (`powerCap` on any profile,
    /// `memories.hbm.latency` when there is a memory `hbm`).
    static func parentExists(_ path: String, in json: JSONObject) -> Bool {
        let parts = ProfileFields.components(path)
        var node = JSONValue.object(json)
        for part in parts.dropLast() {
            if let i = ProfileFields.index(part) {
                guard case .array(let a) = node, i >= 0, i < a.count else { return false }
                node = a[i]
            } else {
                guard case .object(let o) = node, let next = o[part] else { return false }
                node = next
            }
        }
        if case .object = node { return true }
        return false
    }

    /// Up to three candidates closest to `path` by edit distance, when reasonably close (or when
    /// one contains the other: `batchsize` → `batch`).
    static func nearest(_ path: String, in candidates: [String]) -> [String] {
        let limit = max(2, path.count / 3)
        func score(_ c: String) -> Int {
            let contained = c.contains(path) || path.contains(c)
            return contained && 2 * min(c.count, path.count) >= max(c.count, path.count) ? 1 : editDistance(path, c)
        }
        let scored = candidates.map { ($0, score($0)) }.filter { $0.1 <= limit }
        return scored.sorted { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }.prefix(3).map(\.0)
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.utf8), y = Array(b.utf8)
        if x.isEmpty { return y.count }
        var previous = Array(0...y.count), current = previous
        for i in 1...x.count {
            current[0] = i
            if !y.isEmpty {
                for j in 1...y.count {
                    current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
                }
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }

    // MARK: Building a configuration

    /// The options of `ridge simulate` that `Arguments` accepts here.
    static let argumentSpec = Arguments.Spec(valued: SimulateCommand.spec.valued.sorted(), repeatable: ["capacity"])

    func arguments(_ pairs: [(name: String, value: String)]) throws -> Arguments {
        try Arguments(pairs.flatMap { ["--\($0.name)", $0.value] }, spec: SweepPlan.argumentSpec, usage: SweepCommand.usage)
    }

    /// Plain options plus the values configuration `index` gives one target's dimensions.
    func options(_ base: [(name: String, value: String)], _ target: SweepDimension.Target, _ index: Int,
                 only: (dimension: Int, value: Int)? = nil) -> [(name: String, value: String)] {
        var out = base
        let coordinates = grid.coordinates(index)
        for (i, d) in grid.dimensions.enumerated() where d.target == target {
            if let only, only.dimension != i { continue }
            out.append((d.path, d.values[only?.value ?? coordinates[i]].text))
        }
        return out
    }

    /// The workload of configuration `index` (model source only).
    func workload(_ index: Int, only: (dimension: Int, value: Int)? = nil) throws -> LLMWorkload {
        try WorkloadOptions.parse(try arguments(options(workloadOptions, .workload, index, only: only)), profile: baseProfile,
                                  defaults: SimulateCommand.defaultWorkload)
    }

    /// The profile JSON with the profile dimensions of configuration `index` set.
    func profileJSON(_ index: Int, only: (dimension: Int, value: Int)? = nil) -> JSONObject {
        var json = baseJSON
        let coordinates = grid.coordinates(index)
        var sources = json["sources"]?.objectValue ?? JSONObject()
        for (i, d) in grid.dimensions.enumerated() where d.target == .profile {
            if let only, only.dimension != i { continue }
            let v = d.values[only?.value ?? coordinates[i]]
            json = SweepPlan.setting(json, ProfileFields.components(d.path)[...], .number(v.number ?? 0))
            sources[d.path] = .string(SweepPlan.sweptSource)
        }
        json["sources"] = .object(sources)
        return json
    }

    func profile(_ index: Int, only: (dimension: Int, value: Int)? = nil) throws -> HardwareProfile {
        try ProfileLoader.decode(profileJSON(index, only: only), file: profileFile)
    }

    func simulation(_ index: Int, profile: HardwareProfile, only: (dimension: Int, value: Int)? = nil) throws -> SimulationOptions {
        let args = try arguments(options(simulationOptions, .simulation, index, only: only))
        var o = SimulationOptions()
        o.capacityOverrides = try SimulateCommand.capacityOverrides(args, profile: profile)
        o.oversubscription = try SimulateCommand.oversubscription(args)
        return o
    }

    static func setting(_ object: JSONObject, _ path: ArraySlice<String>, _ value: JSONValue) -> JSONObject {
        guard let key = path.first else { return object }
        var o = object
        o[key] = setting(o[key], path.dropFirst(), value)
        return o
    }

    static func setting(_ node: JSONValue?, _ path: ArraySlice<String>, _ value: JSONValue) -> JSONValue {
        guard let part = path.first else { return value }
        if let i = ProfileFields.index(part), case .array(var a)? = node, i >= 0, i < a.count {
            a[i] = setting(a[i], path.dropFirst(), value)
            return .array(a)
        }
        return .object(setting(node?.objectValue ?? JSONObject(), path, value))
    }

    /// Every value of every dimension applied alone to the base configuration must load, so a bad
    /// value is a usage error before any row is written (combinations are checked per row).
    func validateValues() throws {
        for (i, d) in grid.dimensions.enumerated() {
            for (j, v) in d.values.enumerated() {
                do {
                    switch d.target {
                    case .workload: _ = try workload(0, only: (i, j))
                    case .profile: _ = try profile(0, only: (i, j))
                    case .simulation: _ = try simulation(0, profile: baseProfile, only: (i, j))
                    }
                } catch let e as RidgeError {
                    let message = e.kind == .usage ? e.message.components(separatedBy: "\n\n").first ?? e.message
                        : (e.location.map { "at \($0): " } ?? "") + e.message
                    throw RidgeError.usage("--vary \(d.path)=\(v.text): \(message)")
                }
            }
        }
        if case .model = source { _ = try workload(0) }
        _ = try simulation(0, profile: try profile(0))
    }

    // MARK: Columns

    /// The trace's phase names as results name them (the trace file's, or those a one-token trace
    /// of the first workload has: the generator's phases do not depend on the lengths).
    func phaseNames() throws -> [String] {
        let compiled: CompiledTrace
        if let fileTrace {
            compiled = fileTrace
        } else {
            var w = try workload(0)
            let maxGenerate = grid.dimensions.first { $0.path == "generate" }?.values.compactMap(\.number).max() ?? Double(w.generate)
            w.batch = 1
            w.prompt = 1
            w.generate = maxGenerate > 0 ? 1 : 0
            compiled = try LLMTraceGenerator.compiled(w)
        }
        return compiled.phases.map(PhaseResult.name(ofPhase:))
    }

    /// Reads and compiles a trace file once.
    static func compile(file: String) throws -> CompiledTrace {
        var source = try TraceReader.open(file)
        var compiled = CompiledTrace(header: source.header, keepNames: true)
        do {
            while let record = try source.next() {
                switch record {
                case .tensor(let t): compiled.tensors.append(t)
                case .op(let op): compiled.append(op)
                }
            }
        } catch let e as RidgeError { throw e.inFile(file) }
        return compiled
    }

    /// The keys of `ridge simulate --format json` flattened, for a result with every optional part
    /// present (spill, power cap) and every memory, link and bound of the profile: one column each.
    /// `profile`, `trace`, `byKind` (trace-dependent keys) and `wallSeconds` are left out.
    static func metricColumns(_ profile: HardwareProfile, phases: [String]) -> [String] {
        var r = SimulationResult(profile: "", trace: "", ops: 0, makespanSeconds: 1)
        r.batch = 1
        r.generate = 1
        r.phases = phases.map { PhaseResult(name: $0, ops: 0, startSeconds: 0, endSeconds: 0, energyJoules: 0) }
        let bounds = [Bound.compute] + profile.memories.map { Bound.memory($0.id) } + profile.links.map { Bound.link($0.id) } + [Bound.overhead]
        r.byBound = bounds.map { ($0.description, 0) }
        r.memories = profile.memories.map { MemoryResult(id: $0.id, capacityBytes: 0, peakBytes: 0) }
        r.links = profile.links.map { ($0.id, 0) }
        r.powerCapWatts = 1
        r.uncapped = SimulationResult.Baseline(makespanSeconds: 0, energyJoules: 0)
        r.swaps = 1
        r.swapBytes = profile.links.map { ($0.id, 0) }
        r.unlimited = SimulationResult.Baseline(makespanSeconds: 0, energyJoules: 0)
        return flatten(SimulationReport.json(r, includeWall: false)).map(\.path).filter {
            $0 != "profile" && $0 != "trace" && !$0.hasPrefix("byKind.")
        }
    }

    /// The scalar leaves of a JSON object, paths joined with `.`.
    public static func flatten(_ object: JSONObject) -> [(path: String, value: JSONValue)] {
        var out: [(String, JSONValue)] = []
        func visit(_ o: JSONObject, _ prefix: String) {
            for (k, v) in o.entries {
                let p = prefix.isEmpty ? k : prefix + "." + k
                if case .object(let inner) = v { visit(inner, p) } else { out.append((p, v)) }
            }
        }
        visit(object, "")
        return out
    }

    // MARK: Identity

    /// What decides the rows: the profile as resolved, the trace or workload, the options, the
    /// dimensions and their values, the columns.
    var identity: JSONObject {
        var o = JSONObject([("format", .string(SweepManifest.format)), ("profile", .string(profileName))])
        switch source {
        case .trace(let path):
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? -1
            o["trace"] = .object(JSONObject([("path", .string(path)), ("bytes", .number(Double(size)))]))
        case .model:
            o["workload"] = .object(JSONObject(workloadOptions.sorted { $0.name < $1.name }.map { ($0.name, .string($0.value)) }))
        }
        o["options"] = .array(simulationOptions.sorted { ($0.name, $0.value) < ($1.name, $1.value) }.map {
            .array([.string($0.name), .string($0.value)])
        })
        o["vary"] = .array(grid.dimensions.map { d in
            .object(JSONObject([("path", .string(d.path)), ("target", .string(d.target.rawValue)), ("values", .array(d.values.map { $0.cell.json }))]))
        })
        o["columns"] = .array(columns.map(JSONValue.string))
        o["profileJSON"] = .object(baseJSON)
        return o
    }

    static func hash(_ text: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
