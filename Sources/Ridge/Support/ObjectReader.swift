/// Reads fields of a JSON object while tracking its JSON path, so every error names the file,
/// the exact path (`engines.gpu.peak.bf16`), what is wrong and what was expected; `finish()`
/// reports keys that were never read as unknown.
public final class ObjectReader {
    public let object: JSONObject
    public let path: String
    public let file: String?
    /// Keys read, by position in `object.keys` (a bit mask for the first 64, a set beyond), and
    /// keys asked for but absent (only for the "known keys" list of an unknown-key error).
    private var usedMask: UInt64 = 0
    private var usedBeyond: Set<Int> = []
    private var absentAsked: [String] = []

    public init(_ object: JSONObject, path: String, file: String?) {
        self.object = object
        self.path = path
        self.file = file
    }

    /// Wraps `value`, which must be an object.
    public convenience init(_ value: JSONValue, path: String, file: String?) throws {
        guard case .object(let o) = value else {
            throw RidgeError.data(file: file, at: path.isEmpty ? "top level" : path, "expected an object, found \(value.typeName)")
        }
        self.init(o, path: path, file: file)
    }

    public func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    public func fail(_ key: String?, _ message: String) -> RidgeError {
        RidgeError.data(file: file, at: key.map(child) ?? (path.isEmpty ? "top level" : path), message)
    }

    public func has(_ key: String) -> Bool { object[key] != nil }

    public func raw(_ key: String) -> JSONValue? {
        guard let i = object.position(of: key) else {
            if absentAsked.isEmpty { absentAsked.reserveCapacity(16) }
            absentAsked.append(key)
            return nil
        }
        markUsed(i)
        let value = object.value(at: i)
        if case .null = value { return nil }
        return value
    }

    private func markUsed(_ i: Int) {
        if i < 64 { usedMask |= 1 << UInt64(i) } else { usedBeyond.insert(i) }
    }

    private func isUsed(_ i: Int) -> Bool { i < 64 ? usedMask & (1 << UInt64(i)) != 0 : usedBeyond.contains(i) }

    private func required<T>(_ key: String, _ value: T?, _ what: String) throws -> T {
        guard let value else { throw fail(key, "missing required field: expected \(what)") }
        return value
    }

    public func string(_ key: String) throws -> String? {
        guard let v = raw(key) else { return nil }
        guard case .string(let s) = v else { throw fail(key, "expected a string, found \(v.typeName)") }
        return s
    }

    public func requiredString(_ key: String) throws -> String { try required(key, try string(key), "a string") }

    public func bool(_ key: String) throws -> Bool? {
        guard let v = raw(key) else { return nil }
        guard case .bool(let b) = v else { throw fail(key, "expected true or false, found \(v.typeName)") }
        return b
    }

    /// A finite number or a quantity string of `dimension`; `positive` rejects zero and negatives.
    public func quantity(_ key: String, _ dimension: Dimension, positive: Bool = false, allowZero: Bool = true) throws -> Double? {
        guard let v = raw(key) else { return nil }
        return try ObjectReader.quantity(v, dimension, positive: positive, allowZero: allowZero) { self.fail(key, $0) }
    }

    public func requiredQuantity(_ key: String, _ dimension: Dimension, positive: Bool = false) throws -> Double {
        try required(key, try quantity(key, dimension, positive: positive), Quantity.expected(dimension))
    }

    static func quantity(_ v: JSONValue, _ dimension: Dimension, positive: Bool, allowZero: Bool = true,
                         fail: (String) -> RidgeError) throws -> Double {
        let value: Double
        switch v {
        case .number(let d): value = d
        case .decimal(let d): value = d.value
        case .string(let s):
            do { value = try Quantity.parse(s, as: dimension) } catch { throw fail(error.message) }
        default: throw fail("expected \(Quantity.expected(dimension)), found \(v.typeName)")
        }
        guard value.isFinite else { throw fail("expected a finite value, found \(value)") }
        if positive, value <= 0 { throw fail("must be greater than zero, found \(JSONWriter.format(number: value))") }
        if value < 0 { throw fail("must not be negative, found \(JSONWriter.format(number: value))") }
        if !allowZero, value == 0 { throw fail("must not be zero") }
        return value
    }

    /// A whole number within `range`.
    public func integer(_ key: String, in range: ClosedRange<Int> = 0...Int(Int32.max)) throws -> Int? {
        guard let v = raw(key) else { return nil }
        guard let d = v.numberValue else { throw fail(key, "expected a whole number, found \(v.typeName)") }
        guard d.rounded() == d else { throw fail(key, "expected a whole number, found \(JSONWriter.format(number: d))") }
        guard d >= Double(range.lowerBound), d <= Double(range.upperBound) else {
            throw fail(key, "expected a whole number from \(range.lowerBound) to \(range.upperBound), found \(JSONWriter.format(number: d))")
        }
        return Int(d)
    }

    /// A plain fraction or ratio (dimensionless), with optional bounds.
    public func number(_ key: String, in range: ClosedRange<Double>? = nil) throws -> Double? {
        guard let v = raw(key) else { return nil }
        guard let d = v.numberValue else { throw fail(key, "expected a number, found \(v.typeName)") }
        if let range, !range.contains(d) {
            throw fail(key, "expected a number from \(JSONWriter.format(number: range.lowerBound)) to \(JSONWriter.format(number: range.upperBound)), found \(JSONWriter.format(number: d))")
        }
        return d
    }

    public func object(_ key: String) throws -> ObjectReader? {
        guard let v = raw(key) else { return nil }
        return try ObjectReader(v, path: child(key), file: file)
    }

    public func array(_ key: String) throws -> [JSONValue]? {
        guard let v = raw(key) else { return nil }
        guard case .array(let a) = v else { throw fail(key, "expected an array, found \(v.typeName)") }
        return a
    }

    /// Throws for the first key that was never read.
    public func finish(allowed extra: Set<String> = []) throws {
        for (i, key) in object.keys.enumerated() where !isUsed(i) && !extra.contains(key) {
            let used = object.keys.indices.filter(isUsed).map { object.keys[$0] }
            let known = Set(used + absentAsked).union(extra).sorted().joined(separator: ", ")
            throw fail(key, "unknown key \"\(key)\"" + (known.isEmpty ? "" : " (known keys here: \(known))"))
        }
    }

    /// Marks every key as read (for free-form objects such as `sources`).
    public func markAllUsed() { for i in object.keys.indices { markUsed(i) } }
}
