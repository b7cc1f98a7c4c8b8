/// An error Ridge reports to a user: what kind of failure it is (which decides the exit code),
/// where it happened (file and JSON path or line), and why.
public struct RidgeError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The class of failure, mapped to the BSD `sysexits.h` codes the CLI exits with.
    public enum Kind: Sendable, Equatable {
        /// Bad command line (`EX_USAGE`, 64).
        case usage
        /// Bad input data: malformed JSON, invalid values, inconsistent references (`EX_DATAERR`, 65).
        case data
        /// A file that cannot be read or written (`EX_NOINPUT`, 66).
        case io

        public var exitCode: Int32 {
            switch self {
            case .usage: return 64
            case .data: return 65
            case .io: return 66
            }
        }
    }

    public var kind: Kind
    public var file: String?
    public var location: String?
    public var message: String

    public init(_ kind: Kind, file: String? = nil, location: String? = nil, _ message: String) {
        self.kind = kind
        self.file = file
        self.location = location
        self.message = message
    }

    public static func usage(_ message: String) -> RidgeError { RidgeError(.usage, message) }
    public static func data(file: String?, at location: String?, _ message: String) -> RidgeError {
        RidgeError(.data, file: file, location: location, message)
    }

    /// `file: at path: message`, omitting the parts that are unknown.
    public var description: String {
        var parts: [String] = []
        if let file { parts.append(file) }
        if let location, !location.isEmpty { parts.append("at \(location)") }
        parts.append(message)
        return parts.joined(separator: ": ")
    }

    /// The same error, attributed to `file` when it has no file yet.
    public func inFile(_ file: String) -> RidgeError {
        var copy = self
        if copy.file == nil { copy.file = file }
        return copy
    }
}
