/// A small command-line parser: `--name value`, `--name=value`, boolean `--flag`, repeated options,
/// and positionals. Unknown options and missing values are usage errors (exit 64).
public struct Arguments {
    public struct Spec: Sendable {
        public var valued: Set<String>
        public var flags: Set<String>
        public var repeatable: Set<String>
        public init(valued: [String], flags: [String] = [], repeatable: [String] = []) {
            self.valued = Set(valued); self.flags = Set(flags).union(["help"]); self.repeatable = Set(repeatable)
        }
    }

    public private(set) var positional: [String] = []
    private var values: [String: [String]] = [:]
    private var setFlags: Set<String> = []
    let usage: String

    public init(_ args: [String], spec: Spec, usage: String) throws {
        self.usage = usage
        var i = 0
        while i < args.count {
            let arg = args[i]
            if arg == "--" { positional.append(contentsOf: args[(i + 1)...]); break }
            if arg.hasPrefix("--") || (arg.hasPrefix("-") && arg.count == 2 && !arg.dropFirst().allSatisfy(\.isNumber)) {
                var name = arg.hasPrefix("--") ? String(arg.dropFirst(2)) : String(arg.dropFirst())
                if name == "o" { name = "output" }
                if name == "h" { name = "help" }
                var inline: String?
                if let eq = name.firstIndex(of: "=") {
                    inline = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
                if spec.flags.contains(name) {
                    if inline != nil { throw RidgeError.usage("option --\(name) takes no value\n\n\(usage)") }
                    setFlags.insert(name)
                } else if spec.valued.contains(name) || spec.repeatable.contains(name) {
                    let value: String
                    if let inline { value = inline } else {
                        i += 1
                        guard i < args.count else { throw RidgeError.usage("option --\(name) needs a value\n\n\(usage)") }
                        value = args[i]
                    }
                    if values[name] != nil, !spec.repeatable.contains(name) {
                        throw RidgeError.usage("option --\(name) given more than once\n\n\(usage)")
                    }
                    values[name, default: []].append(value)
                } else {
                    throw RidgeError.usage("unknown option \(arg)\n\n\(usage)")
                }
            } else {
                positional.append(arg)
            }
            i += 1
        }
    }

    public var wantsHelp: Bool { setFlags.contains("help") }
    public func flag(_ name: String) -> Bool { setFlags.contains(name) }
    public func string(_ name: String) -> String? { values[name]?.last }
    public func strings(_ name: String) -> [String] { values[name] ?? [] }

    public func usageError(_ message: String) -> RidgeError { RidgeError.usage("\(message)\n\n\(usage)") }

    /// A whole number option within `range`.
    public func int(_ name: String, default value: Int? = nil, in range: ClosedRange<Int> = 0...Int(Int32.max)) throws -> Int? {
        guard let text = string(name) else { return value }
        guard let v = Int(text), range.contains(v) else {
            throw usageError("--\(name) expects a whole number from \(range.lowerBound) to \(range.upperBound), got \"\(text)\"")
        }
        return v
    }

    public func requiredInt(_ name: String, in range: ClosedRange<Int> = 1...Int(Int32.max)) throws -> Int {
        guard let v = try int(name, in: range) else { throw usageError("missing required option --\(name)") }
        return v
    }

    /// A quantity option (`--power-cap 500W`, `--kv-capacity 20GiB`).
    public func quantity(_ name: String, _ dimension: Dimension) throws -> Double? {
        guard let text = string(name) else { return nil }
        do {
            let v = try Quantity.parse(text, as: dimension)
            guard v > 0 else { throw usageError("--\(name) must be greater than zero, got \"\(text)\"") }
            return v
        } catch let e as QuantityError {
            throw usageError("--\(name): \(e.message)")
        }
    }

    public func choice<T: RawRepresentable>(_ name: String, default value: T) throws -> T where T.RawValue == String {
        guard let text = string(name) else { return value }
        guard let v = T(rawValue: text) else { throw usageError("--\(name): unknown value \"\(text)\"") }
        return v
    }

    public func precision(_ name: String = "dtype", default value: Precision = .bf16) throws -> Precision {
        guard let text = string(name) else { return value }
        guard let p = Precision(rawValue: text.lowercased()) else {
            throw usageError("--\(name): unknown precision \"\(text)\" (expected one of \(Precision.names))")
        }
        return p
    }

    public func format() throws -> OutputFormat {
        guard let text = string("format") else { return .table }
        guard let f = OutputFormat(rawValue: text) else { throw usageError("--format must be table or json, got \"\(text)\"") }
        return f
    }

    /// The engine named by `--engine`, else the profile's primary engine.
    public func engine(in profile: HardwareProfile) throws -> Engine {
        guard let id = string("engine") else { return profile.primaryEngine }
        guard let e = profile.engine(id) else {
            throw usageError("profile \(profile.name) has no engine \"\(id)\" (engines: \(profile.engines.map(\.id).joined(separator: ", ")))")
        }
        return e
    }

    public func noPositionals() throws {
        if let extra = positional.first { throw usageError("unexpected argument \"\(extra)\"") }
    }
}

public enum OutputFormat: String, Sendable { case table, json }
