import Foundation
import Ridge

let usage = """
usage: ridge-bench [engine|read|sweep|all] [--runs N] [--warmup N] [--jobs N] [--profile NAME] [--quick] [--allow-debug]

Measures Ridge's own speed (issue 8):
  engine   simulated operators per second, llama-2-70b batch 8 prompt 2048 generate 2048
  read     trace reading speed, JSON and JSON Lines, in MB/s
  sweep    `ridge sweep` of 1,000 configs: llama-2-7b bf16 (10 HBM bandwidths × 10 batches × 10 prompts, generate 256), configs/s
  all      the three (default)
Build with `swift build -c release`; debug builds refuse to run unless --allow-debug.
  --runs N       timed runs after warm-up (default 5; sweep default 5)
  --warmup N     untimed warm-up runs (default 1)
  --jobs N       worker threads for the sweep (default: all cores)
  --profile P    hardware profile (default: a100-sxm-80gb; the engine also runs on mi300x, where 70B fits)
  --quick        small workloads, for a smoke test only (not the published figures)
"""

func isDebugBuild() -> Bool {
    #if DEBUG
    return true
    #else
    return _isDebugAssertConfiguration()
    #endif
}

func fail(_ message: String, code: Int32 = 64) -> Never {
    FileHandle.standardError.write(Data("ridge-bench: \(message)\n".utf8))
    exit(code)
}

var args = Array(CommandLine.arguments.dropFirst())
var bench = Benchmarks()
var which: [String] = []
var allowDebug = false
var i = 0
@MainActor func value(_ name: String) -> String {
    i += 1
    guard i < args.count else { fail("option \(name) needs a value\n\n\(usage)") }
    return args[i]
}
@MainActor func int(_ name: String, min: Int) -> Int {
    let text = value(name)
    guard let v = Int(text), v >= min, v <= 1_000_000 else { fail("\(name) expects a whole number ≥ \(min), got \"\(text)\"") }
    return v
}
while i < args.count {
    switch args[i] {
    case "--runs": bench.runs = int("--runs", min: 1)
    case "--warmup": bench.warmup = int("--warmup", min: 0)
    case "--jobs": bench.jobs = int("--jobs", min: 1)
    case "--profile": bench.profileName = value("--profile"); bench.engineProfiles = [bench.profileName]
    case "--quick": bench.quick = true
    case "--allow-debug": allowDebug = true
    case "--help", "-h": print(usage); exit(0)
    case "engine", "read", "sweep": which.append(args[i])
    case "all": which += ["engine", "read", "sweep"]
    default: fail("unknown argument \"\(args[i])\"\n\n\(usage)")
    }
    i += 1
}
if which.isEmpty { which = ["engine", "read", "sweep"] }

if isDebugBuild() {
    let banner = String(repeating: "!", count: 78)
    FileHandle.standardError.write(Data("""
    \(banner)
    ridge-bench: THIS IS A DEBUG BUILD. Its figures are 10-100x slower than release and meaningless.
    Build and run with: swift build -c release && .build/release/ridge-bench
    \(banner)

    """.utf8))
    if !allowDebug { fail("refusing to run in a debug build (pass --allow-debug to run anyway)") }
}

print("ridge-bench on \(Machine.description)")
print("build: \(isDebugBuild() ? "DEBUG (figures meaningless)" : "release"); warm-up \(bench.warmup), timed runs \(bench.runs)\(bench.quick ? "; QUICK workloads (not the published figures)" : "")")
do {
    for w in which {
        switch w {
        case "engine": try bench.engine()
        case "read": try bench.reading()
        default: try bench.sweep()
        }
    }
    if let rss = Machine.peakRSS { print(String(format: "peak RSS %.0f MiB", rss / 1048576)) }
} catch let e as RidgeError {
    fail(e.description, code: e.kind.exitCode)
}
