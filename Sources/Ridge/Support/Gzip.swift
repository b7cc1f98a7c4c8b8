import CZlib

/// Reads gzip files (RFC 1952) with the system zlib, in process.
///
/// Why zlib rather than running `gunzip`: no subprocess, no `PATH` lookup and no temporary file;
/// a corrupt or truncated stream is reported with its byte offset as a data error (exit 65) like
/// every other bad input; and it works the same on Linux and macOS. The cost is a build-time
/// dependency on zlib's headers, which swift.org lists among the Linux toolchain's own
/// dependencies (`zlib1g-dev`) and which the macOS SDK includes; `.ci/run` installs `zlib1g-dev`
/// only when `zlib.h` is missing. Concatenated gzip members (RFC 1952 §2.2) are read as one stream.
public enum Gzip {
    /// The name reports give for the decompressor, with zlib's version.
    public static var decoderName: String { "zlib " + String(cString: zlibVersion()) }

    /// True when `bytes` start with the gzip magic number (1f 8b).
    public static func isGzip(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B }

    /// The decompressed bytes. Throws `RidgeError.data` naming `file` and the byte offset of a
    /// corrupt or truncated stream, or when the output would exceed `limit` bytes.
    public static func decompress(_ input: [UInt8], file: String?, limit: Int = 1 << 34) throws -> [UInt8] {
        var stream = z_stream()
        // windowBits 15 + 16: a gzip wrapper around a DEFLATE stream with a 32 KiB window.
        guard inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw RidgeError(.data, file: file, "cannot start the gzip decoder (zlib \(String(cString: zlibVersion())))")
        }
        defer { inflateEnd(&stream) }
        var out: [UInt8] = []
        out.reserveCapacity(min(max(input.count, 1) * 8, 1 << 28))
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        return try input.withUnsafeBufferPointer { inp -> [UInt8] in
            var consumed = 0
            func failure(_ what: String) -> RidgeError {
                RidgeError.data(file: file, at: "byte \(consumed) of the gzip stream", what)
            }
            while true {
                if stream.avail_in == 0 && consumed < inp.count {
                    let n = min(inp.count - consumed, Int(UInt32.max))
                    stream.next_in = UnsafeMutablePointer(mutating: inp.baseAddress! + consumed)
                    stream.avail_in = UInt32(n)
                }
                let before = Int(stream.avail_in)
                var status: Int32 = Z_OK
                let produced = chunk.withUnsafeMutableBufferPointer { buf -> Int in
                    stream.next_out = buf.baseAddress
                    stream.avail_out = UInt32(buf.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return buf.count - Int(stream.avail_out)
                }
                consumed += before - Int(stream.avail_in)
                out.append(contentsOf: chunk[0..<produced])
                if out.count > limit { throw failure("decompressed data exceeds \(Format.bytes(Double(limit))); refusing to read further") }
                switch status {
                case Z_STREAM_END:
                    if consumed == inp.count && stream.avail_in == 0 { return out }
                    // Another member follows.
                    guard inflateReset(&stream) == Z_OK else { throw failure("cannot restart the gzip decoder") }
                case Z_OK:
                    continue
                case Z_BUF_ERROR where consumed == inp.count && stream.avail_in == 0:
                    throw failure("truncated gzip stream: the file ends inside compressed data")
                case Z_BUF_ERROR:
                    continue
                default:
                    let reason = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                    throw failure("corrupt gzip data (\(reason))")
                }
            }
        }
    }
}
