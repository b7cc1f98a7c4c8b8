import Foundation

/// Loads hardware profiles: resolves `extends`, decodes with full validation, and checks that
/// every number has a source.
public enum ProfileLoader {
    /// Loads a bundled profile by name, or a file by path (anything containing `/` or ending in `.json`).
    public static func load(_ nameOrPath: String) throws -> HardwareProfile {
        let (json, file) = try resolve(nameOrPath, relativeTo: nil, chain: [])
        return try decode(json, file: file)
    }

    /// The bundled profile names.
    public static var bundledNames: [String] { ResourceLocator.names(in: ResourceLocator.profilesDirectory) }

    static func path(for nameOrPath: String, relativeTo base: String?) -> String {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".json") {
            if nameOrPath.hasPrefix("/") || base == nil { return nameOrPath }
            return URL(fileURLWithPath: base!).deletingLastPathComponent().appendingPathComponent(nameOrPath).path
        }
        return ResourceLocator.profilesDirectory + "/\(nameOrPath).json"
    }

    /// Reads the JSON of a profile and everything it extends, merged (child over parent).
    static func resolve(_ nameOrPath: String, relativeTo base: String?, chain: [String]) throws -> (JSONObject, String) {
        let file = path(for: nameOrPath, relativeTo: base)
        let isName = !(nameOrPath.contains("/") || nameOrPath.hasSuffix(".json"))
        if isName, !FileManager.default.fileExists(atPath: file) {
            let known = bundledNames.joined(separator: ", ")
            throw RidgeError(.io, file: nameOrPath, "no bundled profile of that name (bundled: \(known))")
        }
        let canonical = URL(fileURLWithPath: file).standardizedFileURL.path
        if chain.contains(canonical) {
            throw RidgeError.data(file: file, at: "extends", "extends cycle: \((chain + [canonical]).joined(separator: " → "))")
        }
        let value = try FileIO.readJSON(file)
        guard case .object(let object) = value else {
            throw RidgeError.data(file: file, at: "top level", "expected a profile object, found \(value.typeName)")
        }
        return try resolveChild(object, at: file, chain: chain + [canonical])
    }

    /// Resolves the `extends` of a profile object that lives at `file`; `chain` is nil for an object
    /// still in memory (a profile about to replace the file it extends is not a cycle).
    static func resolveChild(_ object: JSONObject, at file: String, chain: [String]? = nil) throws -> (JSONObject, String) {
        var object = object
        guard let parent = object["extends"] else { return (object, file) }
        guard case .string(let parentName) = parent else {
            throw RidgeError.data(file: file, at: "extends", "expected the name or path of a profile, found \(parent.typeName)")
        }
        object["extends"] = nil
        let (parentJSON, _) = try resolve(parentName, relativeTo: file, chain: chain ?? [])
        var merged = parentJSON.merged(with: object)
        // A child names itself; it inherits everything else.
        if object["name"] == nil, case .string? = parentJSON["name"] {
            merged["name"] = .string(URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent)
        }
        return (merged, file)
    }

    /// Decodes and validates a (merged) profile object.
    public static func decode(_ json: JSONObject, file: String?) throws -> HardwareProfile {
        let r = ObjectReader(json, path: "", file: file)
        let name = try r.requiredString("name")
        let description = try r.string("description") ?? ""
        let kind = try r.string("kind") ?? "system"
        let notes = try r.string("notes")
        _ = r.raw("format")

        guard let memoriesReader = try r.object("memories"), !memoriesReader.object.isEmpty else {
            throw r.fail("memories", "missing required field: expected an object of memory tiers (e.g. \"hbm\")")
        }
        var memories: [Memory] = []
        for id in memoriesReader.object.keys {
            guard let m = try memoriesReader.object(id) else { throw memoriesReader.fail(id, "expected a memory object, found null") }
            memories.append(try decodeMemory(id, m))
        }
        let memoryIDs = Set(memories.map(\.id))
        for m in memories {
            if let target = m.spillTo, target != "none", !memoryIDs.contains(target) || target == m.id {
                throw RidgeError.data(file: file, at: "memories.\(m.id).spillTo",
                                      "names memory \"\(target)\", which is not another memory of this profile (or use \"none\")")
            }
        }

        guard let enginesReader = try r.object("engines"), !enginesReader.object.isEmpty else {
            throw r.fail("engines", "missing required field: expected an object of engines (e.g. \"gpu\")")
        }
        var engines: [Engine] = []
        for id in enginesReader.object.keys {
            guard let e = try enginesReader.object(id) else { throw enginesReader.fail(id, "expected an engine object, found null") }
            engines.append(try decodeEngine(id, e, memoryIDs: memoryIDs))
        }

        var links: [Link] = []
        if let linksReader = try r.object("links") {
            for id in linksReader.object.keys {
                guard let l = try linksReader.object(id) else { throw linksReader.fail(id, "expected a link object, found null") }
                links.append(try decodeLink(id, l, memoryIDs: memoryIDs))
            }
        }
        let powerCap = try r.quantity("powerCap", .power, positive: true)
        let calibration = try r.object("calibration").map { try CalibrationRecord.read($0, engines: engines.map(\.id)) }

        var sources: [(String, String)] = []
        guard let sourcesReader = try r.object("sources") else {
            throw r.fail("sources", "missing required field: expected an object of JSON path → citation")
        }
        for (key, value) in sourcesReader.object.entries {
            guard case .string(let citation) = value, !citation.isEmpty else {
                throw sourcesReader.fail(key, "expected a citation string, found \(value.typeName)")
            }
            sources.append((key, citation))
        }
        sourcesReader.markAllUsed()
        try r.finish()

        // Every number needs a source: its own path or a prefix of it.
        let covered = sources.map(\.0)
        for path in numericPaths(json, prefix: "") where !path.hasPrefix("sources") {
            let ok = covered.contains { path == $0 || path.hasPrefix($0 + ".") || path.hasPrefix($0 + "[") }
            if !ok {
                throw RidgeError.data(file: file, at: path, "this number has no source: add a \"sources\" entry for \"\(path)\" (or a prefix of it) citing a datasheet, paper or measurement")
            }
        }
        return HardwareProfile(name: name, description: description, kind: kind, engines: engines, memories: memories,
                               links: links, powerCap: powerCap, sources: sources, notes: notes, calibration: calibration, json: json)
    }

    /// JSON paths of every number or quantity string.
    static func numericPaths(_ object: JSONObject, prefix: String) -> [String] {
        var out: [String] = []
        func visit(_ v: JSONValue, _ path: String) {
            switch v {
            case .number: out.append(path)
            case .string(let s):
                if let c = s.first, c.isNumber || c == "-" || c == "." { out.append(path) }
            case .array(let a): for (i, x) in a.enumerated() { visit(x, "\(path)[\(i)]") }
            case .object(let o): for (k, x) in o.entries { visit(x, path.isEmpty ? k : "\(path).\(k)") }
            default: break
            }
        }
        visit(.object(object), prefix)
        return out
    }

    static func precisionTable(_ r: ObjectReader?, _ dimension: Dimension) throws -> [Precision: Double] {
        guard let r else { return [:] }
        var table: [Precision: Double] = [:]
        for key in r.object.keys {
            guard let p = Precision(rawValue: key) else {
                throw r.fail(key, "unknown precision \"\(key)\": expected one of \(Precision.names)")
            }
            table[p] = try r.quantity(key, dimension, positive: true)
        }
        return table
    }

    static func decodeEngine(_ id: String, _ r: ObjectReader, memoryIDs: Set<String>) throws -> Engine {
        let kind = try r.requiredString("kind")
        let engineKinds = ["gpu", "cpu", "fpga", "csd", "mcu", "npu", "dsp", "asic"]
        guard engineKinds.contains(kind) else {
            throw r.fail("kind", "unknown engine kind \"\(kind)\": expected one of \(engineKinds.joined(separator: ", "))")
        }
        let memory = try r.requiredString("memory")
        guard memoryIDs.contains(memory) else {
            throw r.fail("memory", "names memory \"\(memory)\", which this profile does not define (memories: \(memoryIDs.sorted().joined(separator: ", ")))")
        }
        var peak = try precisionTable(try r.object("peak"), .flopRate)
        if let d = try r.object("datapath") {
            let units = try d.requiredQuantity("units", .count, positive: true)
            let clock = try d.requiredQuantity("clock", .frequency, positive: true)
            let ops = try precisionTable(try d.object("opsPerCycle"), .count)
            guard !ops.isEmpty else { throw d.fail("opsPerCycle", "missing required field: expected precision → operations per unit per cycle") }
            try d.finish()
            for (p, perCycle) in ops where peak[p] == nil { peak[p] = units * clock * perCycle }
        }
        guard !peak.isEmpty else {
            throw r.fail("peak", "missing required field: expected \"peak\" (precision → FLOP/s) or \"datapath\"")
        }
        let vectorPeak = try precisionTable(try r.object("vectorPeak"), .flopRate)
        let onChip = try r.requiredQuantity("onChipBuffer", .bytes, positive: true)
        let local = try r.quantity("localBuffer", .bytes, positive: true) ?? onChip
        let units = try r.integer("computeUnits", in: 1...1_000_000) ?? 1
        let launch = try r.quantity("launchOverhead", .time) ?? 0
        let efficiency = try r.object("efficiency").map(Efficiency.read) ?? Efficiency()
        var power = EnginePower.none
        if let p = try r.object("power") {
            power.idleWatts = try p.quantity("idle", .power) ?? 0
            power.peakWatts = try p.quantity("peak", .power, positive: true)
            if let peakW = power.peakWatts, peakW < power.idleWatts {
                throw p.fail("peak", "peak power \(peakW) W is below idle power \(power.idleWatts) W")
            }
            let active = try p.quantity("active", .power)
            power.energyPerFlop = try precisionTable(try p.object("energyPerFlop"), .energyPerFlop)
            try p.finish()
            power = EnergyModel.completed(power, explicitActive: active, peak: peak, efficiency: efficiency.base)
        }
        try r.finish()
        return Engine(id: id, kind: kind, memory: memory, peak: peak, vectorPeak: vectorPeak, onChipBuffer: onChip,
                      localBuffer: local, computeUnits: units, launchOverhead: launch, efficiency: efficiency, power: power)
    }

    static func decodeMemory(_ id: String, _ r: ObjectReader) throws -> Memory {
        let kind = try r.string("kind") ?? "dram"
        let capacity = try r.requiredQuantity("capacity", .bytes, positive: true)
        let both = try r.quantity("bandwidth", .bandwidth, positive: true)
        let read = try r.quantity("readBandwidth", .bandwidth, positive: true) ?? both
        let write = try r.quantity("writeBandwidth", .bandwidth, positive: true) ?? both
        guard let read, let write else {
            throw r.fail("bandwidth", "missing required field: expected \"bandwidth\" (or both \"readBandwidth\" and \"writeBandwidth\"), e.g. \"3.35 TB/s\"")
        }
        let latency = try r.quantity("latency", .time) ?? 0
        let energy = try r.quantity("energyPerByte", .energyPerByte) ?? 0
        var curve: [(Double, Double)] = []
        if let points = try r.array("requestSizeBandwidth") {
            for (i, point) in points.enumerated() {
                let at = r.child("requestSizeBandwidth") + "[\(i)]"
                guard case .array(let pair) = point, pair.count == 2 else {
                    throw RidgeError.data(file: r.file, at: at, "expected a pair [requestBytes, bytesPerSecond]")
                }
                let size = try ObjectReader.quantity(pair[0], .bytes, positive: true) { RidgeError.data(file: r.file, at: at + "[0]", $0) }
                let bw = try ObjectReader.quantity(pair[1], .bandwidth, positive: true) { RidgeError.data(file: r.file, at: at + "[1]", $0) }
                if let last = curve.last, size <= last.0 {
                    throw RidgeError.data(file: r.file, at: at, "request sizes must be ascending")
                }
                curve.append((size, bw))
            }
        }
        let spillTo = try r.string("spillTo")
        try r.finish()
        return Memory(id: id, kind: kind, capacity: capacity, readBandwidth: read, writeBandwidth: write, latency: latency,
                      energyPerByte: energy, requestSizeBandwidth: curve.map { (bytes: $0.0, bandwidth: $0.1) }, spillTo: spillTo)
    }

    static func decodeLink(_ id: String, _ r: ObjectReader, memoryIDs: Set<String>) throws -> Link {
        guard let between = try r.array("between") else {
            throw r.fail("between", "missing required field: expected [memoryA, memoryB]")
        }
        guard between.count == 2, case .string(let a) = between[0], case .string(let b) = between[1] else {
            throw r.fail("between", "expected two memory names, e.g. [\"hbm\", \"host\"]")
        }
        for (i, m) in [a, b].enumerated() where !memoryIDs.contains(m) {
            throw RidgeError.data(file: r.file, at: r.child("between") + "[\(i)]",
                                  "names memory \"\(m)\", which this profile does not define (memories: \(memoryIDs.sorted().joined(separator: ", ")))")
        }
        guard a != b else { throw r.fail("between", "a link must connect two different memories") }
        let bw = try r.requiredQuantity("bandwidth", .bandwidth, positive: true)
        let reverse = try r.quantity("reverseBandwidth", .bandwidth, positive: true) ?? bw
        let latency = try r.quantity("latency", .time) ?? 0
        let overhead = try r.quantity("perTransferOverhead", .time) ?? 0
        let energy = try r.quantity("energyPerByte", .energyPerByte) ?? 0
        try r.finish()
        return Link(id: id, from: a, to: b, bandwidth: bw, reverseBandwidth: reverse, latency: latency,
                    perTransferOverhead: overhead, energyPerByte: energy)
    }
}
