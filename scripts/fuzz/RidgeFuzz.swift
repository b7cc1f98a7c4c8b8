// libFuzzer entry point for Ridge's readers, built by scripts/fuzz.sh (not by SwiftPM) together
// with Sources/Ridge/**/*.swift into one module. The targets themselves are `FuzzTarget`
// (Sources/Ridge/Support/FuzzTarget.swift), so FuzzRegressionTests replays findings through the
// same code; a violation of a target's checks is turned into a crash here, which libFuzzer records
// with the input that caused it.
//
//   RIDGE_FUZZ_TARGET=json|profile|trace-json|trace-jsonl|measured|model   what the input is fed to
//   RIDGE_FUZZ_WRITE_SEEDS=DIR   write seed inputs for every target under DIR/<target>/ and exit
import Foundation

let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["RIDGE_FUZZ_TARGET"] ?? ""
    guard let t = FuzzTarget(rawValue: name) else {
        fatalError("set RIDGE_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")) (got \"\(name)\")")
    }
    return t
}()

/// A scratch directory for targets that read files: $RIDGE_FUZZ_SCRATCH (fuzz.sh makes one on
/// tmpfs and removes it), else one in the temporary directory.
let scratch: String = {
    let dir = ProcessInfo.processInfo.environment["RIDGE_FUZZ_SCRATCH"] ?? NSTemporaryDirectory() + "/ridge-fuzz-\(getpid())"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func ridgeFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    if let problem = target.check(bytes, scratch: scratch) { fatalError(problem) }
    return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func ridgeFuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    guard let dir = ProcessInfo.processInfo.environment["RIDGE_FUZZ_WRITE_SEEDS"] else { _ = target; return 0 }
    do { try writeSeeds(to: dir) } catch { fatalError("writing seeds: \(error)") }
    exit(0)
}

/// Seeds from the project's own fixtures: every bundled profile (merged, as decode sees it) and
/// model, small generated traces and sample measured files.
func writeSeeds(to dir: String) throws {
    let fm = FileManager.default
    func put(_ t: FuzzTarget, _ name: String, _ bytes: [UInt8]) throws {
        let d = dir + "/" + t.rawValue
        try fm.createDirectory(atPath: d, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: d + "/" + name))
    }
    func put(_ t: FuzzTarget, _ name: String, _ text: String) throws { try put(t, name, Array(text.utf8)) }
    let home = ResourceLocator.home

    // Profiles: every bundled one, merged (extends resolved), so decode sees what load sees.
    for name in ProfileLoader.bundledNames {
        let merged = JSONWriter.write(.object(try ProfileLoader.load(name).json))
        try put(.profile, name + ".json", merged)
        try put(.json, "profile-" + name + ".json", merged)
    }
    // Model configs (LLM and CNN) as bundled.
    for dirName in ["traces/models", "traces/models/cnn"] {
        for name in ResourceLocator.names(in: home + "/" + dirName) {
            let bytes = try FileIO.readBytes(home + "/" + dirName + "/" + name + ".json")
            try put(.model, name + ".json", bytes)
            try put(.json, "model-" + name + ".json", bytes)
        }
    }
    // Traces: small generated ones (a two-layer model, one decode step, with and without weights
    // streamed from host memory and an offloaded KV cache) and the probe, which has every kind.
    let tiny = try ModelConfig.decode(try JSONParser.parse("""
        {"model_type": "llama", "hidden_size": 64, "intermediate_size": 172, "num_attention_heads": 4,
         "num_hidden_layers": 2, "num_key_value_heads": 2, "vocab_size": 100}
        """), name: "tiny", file: nil)
    var plain = LLMWorkload(model: tiny, batch: 1, prompt: 4, generate: 1)
    plain.engine = "gpu"; plain.computeMemory = "hbm"
    var offload = plain
    offload.weightsMemory = "host"; offload.kvMemory = "host"; offload.kvOffloadFraction = 0.5; offload.prefetchDepth = 1
    let traces = [("llm", try LLMTraceGenerator.trace(plain)), ("offload", try LLMTraceGenerator.trace(offload)),
                  ("probe", FuzzTarget.probeTrace(for: FuzzTarget.fixedProfile))]
    let tmp = scratch + "/seed"
    for (name, trace) in traces {
        for ext in ["json", "jsonl"] {
            try TraceWriter.write(trace, to: tmp + "." + ext)
            let bytes = try FileIO.readBytes(tmp + "." + ext)
            try put(ext == "json" ? .traceJSON : .traceLines, name + "." + ext, bytes)
            if ext == "json" { try put(.json, "trace-" + name + ".json", bytes) }
        }
    }
    try? fm.removeItem(atPath: tmp + ".json"); try? fm.removeItem(atPath: tmp + ".jsonl")
    // Measured files: a microbenchmark CSV with every kind, and a Vidur-style mlp.csv (made-up numbers).
    try put(.measured, "microbenchmarks.csv", """
        name,kind,m,n,k,batch,heads,kv_heads,query_length,key_length,head_dim,causal,algorithm,pass,elements,bytes_per_element,flops_per_element,tokens,hidden,dtype,seconds,group
        qkv,gemm,512,1024,256,,,,,,,,,,,,,,,bf16,0.00031,a
        ,attention,,,,4,8,2,128,,64,true,flash,forward,,,,,,fp16,0.0021,a
        "dec, quoted",decode_attention,,,,8,8,8,,512,64,,,,,,,,,bf16,0.00005,b
        ,elementwise,,,,,,,,,,,,,1048576,6,1,,,bf16,0.000012,b
        ,embedding,,,,,,,,,,,,,,,,512,1024,bf16,0.000008,

        """)
    try put(.measured, "mlp.csv", """
        n_head,n_kv_head,n_embd,n_expanded_embd,use_gated_mlp,num_tokens,num_tensor_parallel_workers,time_stats.mlp_up_proj.median,time_stats.attn_pre_proj.median,time_stats.add.median
        32,8,4096,11008,true,128,1,0.25,0.1,0.01
        32,8,4096,11008,false,1,2,0.02,,0.001

        """)
}
