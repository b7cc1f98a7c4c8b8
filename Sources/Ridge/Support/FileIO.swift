import Foundation

/// Reading and writing files with Ridge's error conventions: an unreadable file is `RidgeError.io`
/// (exit 66); outputs are written to a temporary file and renamed, so a failed run never leaves a
/// partial output behind.
public enum FileIO {
    public static func readBytes(_ path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RidgeError(.io, file: path, "cannot read: no such file")
        }
        if isDirectory.boolValue { throw RidgeError(.io, file: path, "cannot read: is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RidgeError(.io, file: path, "cannot read: permission denied or unreadable")
        }
        return [UInt8](data)
    }

    /// Parses a JSON file; errors carry the file name.
    public static func readJSON(_ path: String) throws -> JSONValue {
        let bytes = try readBytes(path)
        do { return try JSONParser.parse(bytes) } catch let e as RidgeError { throw e.inFile(path) }
    }

    /// Writes `contents` atomically (temporary file in the same directory, then rename).
    public static func writeAtomically(_ contents: String, to path: String) throws {
        try writeAtomically(Data(contents.utf8), to: path)
    }

    public static func writeAtomically(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RidgeError(.io, file: path, "cannot write: directory \(dir.path) does not exist")
        }
        let temp = dir.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        do {
            try data.write(to: temp)
        } catch {
            try? FileManager.default.removeItem(at: temp)
            throw RidgeError(.io, file: path, "cannot write: \(error.localizedDescription)")
        }
        // rename(2) replaces an existing file atomically. (FileManager.replaceItemAt on Linux
        // failed on every second overwrite and deleted the existing file when it did.)
        if rename(temp.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temp)
            throw RidgeError(.io, file: path, "cannot write: \(reason)")
        }
    }
}

/// Finds Ridge's bundled data (`hardware-profiles/`, `traces/models/`) from any working directory:
/// `$RIDGE_HOME` if set, else the checkout this binary was built from, else the working directory.
public enum ResourceLocator {
    public static var home: String {
        if let env = ProcessInfo.processInfo.environment["RIDGE_HOME"], !env.isEmpty { return env }
        // Sources/Ridge/Support/FileIO.swift → repository root.
        let source = URL(fileURLWithPath: #filePath)
        let root = source.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        if FileManager.default.fileExists(atPath: root.appendingPathComponent("hardware-profiles").path) { return root.path }
        return FileManager.default.currentDirectoryPath
    }

    public static var profilesDirectory: String { home + "/hardware-profiles" }
    public static var modelsDirectory: String { home + "/traces/models" }

    /// Sorted names of the `*.json` files in a directory, without the extension.
    public static func names(in directory: String) -> [String] {
        let items = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return items.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }
}
