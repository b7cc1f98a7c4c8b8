import Foundation

/// A JSON value as Ridge reads it: objects keep their key order (so output is deterministic and
/// duplicate keys can be reported), numbers are doubles (finite only). A document parsed with
/// `keepNumberText` holds its numbers as `.decimal`, which keeps the number's exact text beside the
/// double (timestamps with 19 significant digits, which a double cannot hold).
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    /// A number with its text as written (only from `JSONParser.parse(_:keepNumberText:)`).
    case decimal(JSONDecimal)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// A short name of the value's type for error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number, .decimal: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    public var objectValue: JSONObject? { if case .object(let o) = self { return o }; return nil }
    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    /// The number as a double (either number case).
    public var numberValue: Double? {
        switch self {
        case .number(let d): return d
        case .decimal(let d): return d.value
        default: return nil
        }
    }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
}

/// A JSON number as written, with the double it rounds to. `scaledInteger(decimals:)` reads the text
/// exactly, so `"1695835583881608.123"` µs becomes 1695835583881608123 ns without passing through a
/// double.
public struct JSONDecimal: Sendable, Equatable {
    /// The number's text, validated by the parser (RFC 8259 number grammar).
    public var text: String
    public var value: Double

    public init(text: String, value: Double) { self.text = text; self.value = value }

    /// The number times 10^`decimals`, exactly, rounded to the nearest integer (halves away from
    /// zero) when the text has more fractional digits; nil when it does not fit in an `Int64`.
    public func scaledInteger(decimals: Int) -> Int64? {
        guard let d = Self.decompose(text) else { return nil }
        // Position of the decimal point after scaling: the digits before it form the integer.
        let point = d.point + decimals
        if point > d.digits.count + 19, d.digits.contains(where: { $0 != 0 }) { return nil }
        var result: Int64 = 0
        for i in 0..<max(point, 0) {
            let (m, o1) = result.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(i < d.digits.count ? Int64(d.digits[i]) : 0)
            if o1 || o2 { return nil }
            result = a
        }
        // Round on the first dropped digit (an implicit zero when the point is left of every digit).
        if point >= 0, point < d.digits.count, d.digits[point] >= 5 {
            let (a, o) = result.addingReportingOverflow(1)
            if o { return nil }
            result = a
        }
        return d.negative ? -result : result
    }

    /// The number as an `Int64` when it is whole (`5`, `5.0`, `5e3`) and fits; nil otherwise.
    public var integerValue: Int64? {
        guard let d = Self.decompose(text) else { return nil }
        if d.point < d.digits.count, d.digits[max(d.point, 0)...].contains(where: { $0 != 0 }) { return nil }
        return scaledInteger(decimals: 0)
    }

    /// The decimal digits, where the decimal point falls among them (exponent applied), and the sign.
    private static func decompose(_ text: String) -> (digits: [UInt8], point: Int, negative: Bool)? {
        var digits: [UInt8] = []
        var pointAt: Int? = nil
        var negative = false
        var exponent = 0
        var rest = Array(text.utf8)[...]
        if rest.first == UInt8(ascii: "-") { negative = true; rest = rest.dropFirst() }
        while let c = rest.first, c != UInt8(ascii: "e"), c != UInt8(ascii: "E") {
            if c >= 0x30 && c <= 0x39 { digits.append(c - 0x30) }
            else if c == UInt8(ascii: "."), pointAt == nil { pointAt = digits.count }
            else { return nil }
            rest = rest.dropFirst()
        }
        guard !digits.isEmpty else { return nil }
        if !rest.isEmpty {
            rest = rest.dropFirst()
            var expNegative = false
            if let s = rest.first, s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { expNegative = s == UInt8(ascii: "-"); rest = rest.dropFirst() }
            guard !rest.isEmpty else { return nil }
            for c in rest {
                guard c >= 0x30 && c <= 0x39 else { return nil }
                exponent = min(exponent * 10 + Int(c - 0x30), 100_000)
            }
            if expNegative { exponent = -exponent }
        }
        return (digits, (pointAt ?? digits.count) + exponent, negative)
    }
}

/// An ordered JSON object. Keys and values live in two parallel arrays (one allocation each, no
/// hashing) and are found by a linear scan, which for the small objects of profiles and trace
/// records is faster than a dictionary; objects with more than `indexThreshold` keys also keep a
/// key → position index.
public struct JSONObject: Sendable, Equatable {
    public private(set) var keys: [String] = []
    private var values: [JSONValue] = []
    private var index: [String: Int]? = nil
    static let indexThreshold = 32

    public init() {}
    public init(_ pairs: [(String, JSONValue)]) { for (k, v) in pairs { self[k] = v } }

    /// Builds an object from keys already known to be distinct (the parser checks).
    init(uniqueKeys keys: [String], values: [JSONValue]) {
        self.keys = keys
        self.values = values
        if keys.count > Self.indexThreshold { rebuildIndex() }
    }

    private mutating func rebuildIndex() {
        var d = [String: Int](minimumCapacity: keys.count)
        for (i, k) in keys.enumerated() { d[k] = i }
        index = d
    }

    /// The position of `key` in `keys`, if present.
    public func position(of key: String) -> Int? {
        if let index { return index[key] }
        for i in keys.indices where keys[i] == key { return i }
        return nil
    }

    /// The value at a position of `keys`.
    public func value(at position: Int) -> JSONValue { values[position] }

    public subscript(key: String) -> JSONValue? {
        get { position(of: key).map { values[$0] } }
        set {
            if let newValue {
                if let i = position(of: key) { values[i] = newValue; return }
                keys.append(key)
                values.append(newValue)
                if index != nil { index![key] = keys.count - 1 } else if keys.count > Self.indexThreshold { rebuildIndex() }
            } else if let i = position(of: key) {
                keys.remove(at: i)
                values.remove(at: i)
                if index != nil { rebuildIndex() }
            }
        }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }
    /// Key-value pairs in insertion order.
    public var entries: [(key: String, value: JSONValue)] { keys.indices.map { (keys[$0], values[$0]) } }

    /// Equal when the keys are the same, in the same order, with equal values.
    public static func == (a: JSONObject, b: JSONObject) -> Bool { a.keys == b.keys && a.values == b.values }

    /// `overlay` merged onto `self`: objects merge key by key (recursively), other values replace.
    public func merged(with overlay: JSONObject) -> JSONObject {
        var result = self
        for (key, value) in overlay.entries {
            if case .object(let mine)? = result[key], case .object(let theirs) = value {
                result[key] = .object(mine.merged(with: theirs))
            } else {
                result[key] = value
            }
        }
        return result
    }
}

/// A strict JSON parser (RFC 8259) over UTF-8 bytes that reports errors with line and column,
/// rejects duplicate keys, non-UTF-8 strings and numbers that overflow a double (`1e400`).
///
/// It reads the caller's bytes in place (no copy), builds strings without an intermediate buffer
/// when they have no escapes, and parses short decimal numbers exactly without going through text.
public struct JSONParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private let maxDepth = 512
    /// Numbers become `.decimal` (text and double) instead of `.number`.
    private var keepNumberText = false

    /// Parses one complete JSON document. Throws `RidgeError.data` with `line L, column C`.
    public static func parse(_ data: [UInt8]) throws -> JSONValue {
        try data.withUnsafeBufferPointer { try parse(buffer: $0) }
    }

    /// Parses a document keeping every number's text (`.decimal`), for readers that need exact
    /// decimals (trace timestamps) rather than the nearest double.
    public static func parse(_ data: [UInt8], keepNumberText: Bool) throws -> JSONValue {
        try data.withUnsafeBufferPointer { try parse(buffer: $0, keepNumberText: keepNumberText) }
    }

    public static func parse(_ slice: ArraySlice<UInt8>) throws -> JSONValue {
        try slice.withUnsafeBufferPointer { try parse(buffer: $0) }
    }

    public static func parse(_ string: String) throws -> JSONValue { try parse(Array(string.utf8)) }

    /// Parses the bytes of `buffer`, which must stay valid for the duration of the call.
    public static func parse(buffer: UnsafeBufferPointer<UInt8>, keepNumberText: Bool = false) throws -> JSONValue {
        var parser = JSONParser(bytes: buffer)
        parser.keepNumberText = keepNumberText
        parser.skipWhitespace()
        if parser.index >= buffer.count { throw parser.error("empty input: expected a JSON value") }
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.index < buffer.count { throw parser.error("unexpected text after the JSON value") }
        return value
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private func position(of offset: Int) -> (line: Int, column: Int) {
        var line = 1, column = 1
        var i = 0
        let end = min(offset, bytes.count)
        while i < end {
            if bytes[i] == 0x0A { line += 1; column = 1 } else { column += 1 }
            i += 1
        }
        return (line, column)
    }

    private func error(_ message: String, at offset: Int? = nil) -> RidgeError {
        let p = position(of: offset ?? index)
        return RidgeError(.data, location: "line \(p.line), column \(p.column)", message)
    }

    /// What is at the current position, for messages: `'x'`, `'\xFF'` or the end of input.
    private var found: String {
        index < bytes.count ? "unexpected character '\(printable(bytes[index]))'" : "unexpected end of input (the JSON is truncated)"
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws -> JSONValue {
        guard depth < maxDepth else { throw error("nesting deeper than \(maxDepth) levels") }
        guard index < bytes.count else { throw error("unexpected end of input: the JSON is truncated") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = index
            let value = try parseNumber()
            guard keepNumberText else { return .number(value) }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            return .decimal(JSONDecimal(text: text, value: value))
        case UInt8(ascii: "N"), UInt8(ascii: "I"):
            throw error("NaN and Infinity are not JSON numbers; give a finite number")
        default:
            throw error("unexpected character '\(printable(bytes[index]))': expected a JSON value")
        }
    }

    private func printable(_ b: UInt8) -> String {
        (0x20..<0x7F).contains(b) ? String(UnicodeScalar(b)) : String(format: "\\x%02X", b)
    }

    private mutating func expectLiteral(_ literal: StaticString) throws {
        let n = literal.utf8CodeUnitCount
        let lit = literal.utf8Start
        guard index + n <= bytes.count, (0..<n).allSatisfy({ bytes[index + $0] == lit[$0] }) else {
            throw error(index + n > bytes.count && (index..<bytes.count).allSatisfy({ bytes[$0] == lit[$0 - index] })
                        ? "unexpected end of input inside '\(literal)': the JSON is truncated"
                        : "invalid literal: expected '\(literal)'")
        }
        index += n
    }

    private mutating func parseObject(depth: Int) throws -> JSONValue {
        index += 1
        var keys: [String] = []
        var values: [JSONValue] = []
        var seen: Set<String>? = nil
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(JSONObject()) }
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input inside an object: the JSON is truncated") }
            guard bytes[index] == UInt8(ascii: "\"") else { throw error("\(found): expected a string key in the object") }
            let keyOffset = index
            let key = try parseString()
            // Duplicate check: a scan while small, a set once the object is large.
            let duplicate: Bool
            if seen != nil { duplicate = !seen!.insert(key).inserted }
            else {
                duplicate = keys.contains(key)
                if keys.count >= JSONObject.indexThreshold { seen = Set(keys); seen!.insert(key) }
            }
            if duplicate { throw error("duplicate key \"\(key)\"", at: keyOffset) }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("\(found): expected ':' after key \"\(key)\"") }
            index += 1
            skipWhitespace()
            let value = try parseValue(depth: depth + 1)
            keys.append(key)
            values.append(value)
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input inside an object: the JSON is truncated") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(JSONObject(uniqueKeys: keys, values: values)) }
            throw error("\(found): expected ',' or '}' in the object")
        }
    }

    private mutating func parseArray(depth: Int) throws -> JSONValue {
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input inside an array: the JSON is truncated") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            throw error("\(found): expected ',' or ']' in the array")
        }
    }

    private mutating func parseString() throws -> String {
        let start = index
        index += 1
        // Fast path: no escapes. Scan to the closing quote, noting whether every byte is ASCII.
        var high: UInt8 = 0
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let run = UnsafeBufferPointer(rebasing: bytes[(start + 1)..<index])
                index += 1
                if high < 0x80 { return String(decoding: run, as: UTF8.self) }
                guard let s = String(validating: run, as: UTF8.self) else { throw error("string is not valid UTF-8", at: start) }
                return s
            }
            if b == UInt8(ascii: "\\") || b < 0x20 { break }
            high |= b
            index += 1
        }
        // Slow path: escapes (or an error).
        var buffer: [UInt8] = Array(bytes[(start + 1)..<index])
        var runStart = index
        while true {
            guard index < bytes.count else {
                throw error("unterminated string: the JSON is truncated or a closing quote is missing", at: start)
            }
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                buffer.append(contentsOf: bytes[runStart..<index])
                index += 1
                break
            }
            if b < 0x20 { throw error("control character in string: escape it") }
            if b == UInt8(ascii: "\\") {
                buffer.append(contentsOf: bytes[runStart..<index])
                index += 1
                guard index < bytes.count else { throw error("unterminated escape in string: the JSON is truncated") }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "\""): buffer.append(0x22)
                case UInt8(ascii: "\\"): buffer.append(0x5C)
                case UInt8(ascii: "/"): buffer.append(0x2F)
                case UInt8(ascii: "b"): buffer.append(0x08)
                case UInt8(ascii: "f"): buffer.append(0x0C)
                case UInt8(ascii: "n"): buffer.append(0x0A)
                case UInt8(ascii: "r"): buffer.append(0x0D)
                case UInt8(ascii: "t"): buffer.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw error("unpaired surrogate in \\u escape")
                        }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("invalid low surrogate in \\u escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw error("unpaired surrogate in \\u escape")
                    }
                    guard let u = UnicodeScalar(scalar) else { throw error("invalid \\u escape") }
                    buffer.append(contentsOf: Array(String(Character(u)).utf8))
                default:
                    throw error("invalid escape '\\\(printable(e))' in string")
                }
                runStart = index
                continue
            }
            index += 1
        }
        guard let s = String(validating: buffer, as: UTF8.self) else {
            throw error("string is not valid UTF-8", at: start)
        }
        return s
    }

    private mutating func parseHex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let d: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit in \\u escape")
            }
            v = v * 16 + d
            index += 1
        }
        return v
    }

    /// Powers of ten exactly representable as doubles (10^0 … 10^22).
    private static let exactPowers: [Double] = (0...22).map { pow(10, Double($0)) }

    private mutating func parseNumber() throws -> Double {
        let start = index
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        // The digits as a mantissa while it stays exact (at most 19 significant digits).
        var mantissa: UInt64 = 0
        var significant = 0
        var dropped = false
        @inline(__always) func digits(fraction: Bool, scale: inout Int) -> Int {
            let s = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                let d = UInt64(bytes[index] - 0x30)
                if significant < 19 {
                    if mantissa != 0 || d != 0 { significant += 1 }
                    mantissa = mantissa * 10 + d
                    if fraction { scale -= 1 }
                } else {
                    if d != 0 { dropped = true }
                    if !fraction { scale += 1 }
                }
                index += 1
            }
            return index - s
        }
        var scale = 0
        guard index < bytes.count else { throw error("truncated number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { throw error("leading zeros are not allowed in JSON numbers", at: start) }
        } else if digits(fraction: false, scale: &scale) == 0 {
            if index < bytes.count, bytes[index] == UInt8(ascii: "I") { throw error("NaN and Infinity are not JSON numbers; give a finite number", at: start) }
            throw error("invalid number", at: start)
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits(fraction: true, scale: &scale) > 0 else { throw error("invalid number: digits expected after '.'", at: start) }
        }
        var exponent = 0
        var exponentOverflow = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var expNegative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                expNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            let s = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                if exponent < 100_000 { exponent = exponent * 10 + Int(bytes[index] - 0x30) } else { exponentOverflow = true }
                index += 1
            }
            guard index > s else { throw error("invalid number: digits expected in the exponent", at: start) }
            if expNegative { exponent = -exponent }
        }
        let value: Double
        let e10 = scale + exponent
        if !dropped, !exponentOverflow, mantissa < (1 << 53), (-22...22).contains(e10) {
            // Exact: an integer below 2^53 times or divided by an exact power of ten rounds once
            // (Clinger's fast path), giving the same double as a correctly rounded conversion.
            let m = Double(mantissa)
            value = e10 >= 0 ? m * Self.exactPowers[e10] : m / Self.exactPowers[-e10]
        } else {
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            guard let v = Double(text) else { throw error("invalid number", at: start) }
            guard v.isFinite else { return try outOfRange(start) }
            return v
        }
        return negative ? -value : value
    }

    private func outOfRange(_ start: Int) throws -> Double {
        throw error("number \(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)) is out of range for a double", at: start)
    }
}

/// Deterministic JSON writing: keys in the order given, numbers in the shortest form that
/// round-trips (integers without a fraction).
public enum JSONWriter {
    public static func write(_ value: JSONValue, pretty: Bool = true) -> String {
        var out = ""
        write(value, into: &out, indent: pretty ? 0 : nil)
        return out
    }

    public static func format(number: Double) -> String {
        if number == 0 { return "0" }
        if number.rounded() == number, abs(number) < 1e15 { return String(Int64(number)) }
        return "\(number)"
    }

    public static func quote(_ s: String) -> String {
        // Most strings need no escaping: copy them whole.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) { return "\"" + s + "\"" }
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    /// Numbers only (up to 16), or up to 16 such arrays of up to 4 numbers.
    private static func inlineable(_ items: [JSONValue]) -> Bool {
        guard items.count <= 16 else { return false }
        func number(_ v: JSONValue) -> Bool { if case .number = v { return true }; return false }
        if items.allSatisfy(number) { return true }
        return items.allSatisfy { if case .array(let a) = $0 { return !a.isEmpty && a.count <= 4 && a.allSatisfy(number) }; return false }
    }

    private static func write(_ value: JSONValue, into out: inout String, indent: Int?) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let d): out += format(number: d)
        case .decimal(let d): out += d.text
        case .string(let s): out += quote(s)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            if indent != nil, inlineable(items) {
                // Short arrays of numbers (tiles, ranges) stay on one line in pretty output.
                out += "["
                for (i, item) in items.enumerated() {
                    if i > 0 { out += ", " }
                    write(item, into: &out, indent: nil)
                }
                out += "]"
                return
            }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                if let indent { out += "\n" + String(repeating: "  ", count: indent + 1) }
                write(item, into: &out, indent: indent.map { $0 + 1 })
            }
            if let indent { out += "\n" + String(repeating: "  ", count: indent) }
            out += "]"
        case .object(let object):
            if object.isEmpty { out += "{}"; return }
            out += "{"
            for i in object.keys.indices {
                let key = object.keys[i], item = object.value(at: i)
                if i > 0 { out += "," }
                if let indent { out += "\n" + String(repeating: "  ", count: indent + 1) }
                out += quote(key) + (indent == nil ? ":" : ": ")
                write(item, into: &out, indent: indent.map { $0 + 1 })
            }
            if let indent { out += "\n" + String(repeating: "  ", count: indent) }
            out += "}"
        }
    }
}

