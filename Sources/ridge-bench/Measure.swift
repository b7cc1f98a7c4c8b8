import Foundation

/// Wall-clock measurement: warm-up runs (discarded), then timed runs; median and spread. CPU time
/// (user + system, all threads) is kept beside it: on a shared machine wall time includes waiting
/// for a core, CPU time does not.
struct Samples {
    var seconds: [Double]
    var cpuSeconds: [Double] = []

    var cpuMedian: Double {
        let s = cpuSeconds.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    var sorted: [Double] { seconds.sorted() }
    var median: Double {
        let s = sorted
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
    var min: Double { seconds.min() ?? .nan }
    var max: Double { seconds.max() ?? .nan }
    /// (max − min) / median, the run-to-run spread.
    var spread: Double { median > 0 ? (max - min) / median : 0 }
}

enum Clock {
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
    static func seconds(since start: UInt64) -> Double { Double(now() - start) / 1e9 }

    /// CPU seconds (user + system) this process has used, all threads.
    static func cpu() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }

    /// The 1-minute load average (other work on the machine), from /proc/loadavg.
    static var loadAverage: String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "?" }
        return String(text.split(separator: " ").first ?? "?")
    }
}

/// Runs `body` `warmup` times untimed, then `runs` times timed.
func measure(warmup: Int, runs: Int, _ body: () throws -> Void) rethrows -> Samples {
    for _ in 0..<warmup { try body() }
    var out = Samples(seconds: [])
    for _ in 0..<runs {
        let t = Clock.now(), c = Clock.cpu()
        try body()
        out.seconds.append(Clock.seconds(since: t))
        out.cpuSeconds.append(Clock.cpu() - c)
    }
    return out
}

/// Prints a rate figure: `amount / seconds` per run, median with min–max and the spread.
func report(_ label: String, amount: Double, unit: String, _ s: Samples, scale: Double = 1, scaleUnit: String? = nil) {
    let rates = s.seconds.map { amount / $0 / scale }.sorted()
    let median = amount / s.median / scale
    let u = scaleUnit ?? unit
    print(String(format: "  %@: %.3f %@ (median of %d; min %.3f, max %.3f; wall median %.4f s, spread %.1f%%; CPU median %.4f s, load average %@)",
                 label, median, u, s.seconds.count, rates.first ?? .nan, rates.last ?? .nan, s.median, s.spread * 100, s.cpuMedian, Clock.loadAverage))
}

/// The machine a figure came from.
enum Machine {
    static var description: String {
        var cpu = "unknown CPU"
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            cpu = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let info = ProcessInfo.processInfo
        let gib = Double(info.physicalMemory) / Double(1 << 30)
        var uts = utsname()
        uname(&uts)
        let release = withUnsafePointer(to: &uts.release) { $0.withMemoryRebound(to: CChar.self, capacity: 65) { String(cString: $0) } }
        let sysname = withUnsafePointer(to: &uts.sysname) { $0.withMemoryRebound(to: CChar.self, capacity: 65) { String(cString: $0) } }
        return "\(cpu); \(info.activeProcessorCount) cores; \(String(format: "%.1f", gib)) GiB RAM; \(sysname) \(release)"
    }

    /// Peak resident set size of this process so far (Linux `VmHWM`), in bytes.
    static var peakRSS: Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let kb = Double(parts[1]) { return kb * 1024 }
        }
        return nil
    }
}
