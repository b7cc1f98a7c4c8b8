import Foundation

/// Streams text to a temporary file beside `path` and renames it into place on `commit()`, so an
/// interrupted or failed run leaves no partial output. Buffered: one write per megabyte.
public final class AtomicFileWriter {
    public let path: String
    private let tempPath: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var committed = false

    public init(path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RidgeError(.io, file: path, "cannot write: directory \(dir) does not exist")
        }
        tempPath = dir + "/.\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).\(UInt32.random(in: 0...UInt32.max)).tmp"
        guard FileManager.default.createFile(atPath: tempPath, contents: nil), let h = FileHandle(forWritingAtPath: tempPath) else {
            throw RidgeError(.io, file: path, "cannot write: permission denied")
        }
        handle = h
        buffer.reserveCapacity(1 << 20)
    }

    public func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws {
        do { try handle.write(contentsOf: buffer) } catch {
            throw RidgeError(.io, file: path, "cannot write: \(error.localizedDescription)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, closes and renames the file into place.
    public func commit() throws {
        try flush()
        try? handle.close()
        do {
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: tempPath, toPath: path)
        } catch {
            throw RidgeError(.io, file: path, "cannot write: \(error.localizedDescription)")
        }
        committed = true
    }

    deinit {
        if !committed {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: tempPath)
        }
    }
}
