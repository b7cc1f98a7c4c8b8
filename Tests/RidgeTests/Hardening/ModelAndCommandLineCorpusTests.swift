import XCTest
@testable import Ridge

/// Malformed model configs (`config.json`) and command lines.
final class ModelConfigCorpusTests: XCTestCase {
    static let cases: [(String, [UInt8], String?, String)] = {
        let m = Valid.modelConfig
        func t(_ s: String) -> [UInt8] { Array(s.utf8) }
        return [
            ("empty file", [], "line 1, column 1", "empty input"),
            ("truncated", Array(Array(m.utf8).prefix(40)), "line", "truncated"),
            ("array", t("[]"), "top level", "expected a config object"),
            ("2 GiB layers", t(m.replacingOnce("\"num_hidden_layers\": 2", with: "\"num_hidden_layers\": 2147483648")), "num_hidden_layers", "from 1 to 100000"),
            ("2^63 layers", t(m.replacingOnce("\"num_hidden_layers\": 2", with: "\"num_hidden_layers\": 9223372036854775808")), "num_hidden_layers", "from 1 to 100000"),
            ("1e400 layers", t(m.replacingOnce("\"num_hidden_layers\": 2", with: "\"num_hidden_layers\": 1e400")), "line 2", "out of range"),
            ("zero layers", t(m.replacingOnce("\"num_hidden_layers\": 2", with: "\"num_hidden_layers\": 0")), "num_hidden_layers", "from 1 to"),
            ("negative hidden size", t(m.replacingOnce("\"hidden_size\": 256", with: "\"hidden_size\": -256")), "hidden_size", "from 1 to"),
            ("hidden size as a string", t(m.replacingOnce("\"hidden_size\": 256", with: "\"hidden_size\": \"256\"")), "hidden_size", "whole number"),
            ("fractional heads", t(m.replacingOnce("\"num_attention_heads\": 8", with: "\"num_attention_heads\": 8.5")), "num_attention_heads", "whole number"),
            ("missing vocabulary", t(m.replacingOnce(", \"vocab_size\": 1000", with: "")), "vocab_size", "missing required field"),
            ("heads not a multiple of kv heads", t(m.replacingOnce("\"num_key_value_heads\": 8", with: "\"num_key_value_heads\": 3")), "num_key_value_heads", "multiple"),
            ("NaN", t(m.replacingOnce("256", with: "NaN")), "line 1", "NaN"),
            ("duplicate key", t(m.replacingOnce("\"vocab_size\": 1000", with: "\"vocab_size\": 1000, \"vocab_size\": 1000")), "line 2", "duplicate key"),
            ("non-UTF-8", Array(m.utf8).replacingFirst(Array("llama".utf8), with: [0x6C, 0xC0, 0xAF]), "line 1", "not valid UTF-8"),
            ("head_dim of 2^30", t(m.replacingOnce("\"vocab_size\": 1000", with: "\"vocab_size\": 1000, \"head_dim\": 1073741824")), "head_dim", "from 1 to"),
            ("rows beyond the limit", t(m.replacingOnce("\"num_attention_heads\": 8", with: "\"num_attention_heads\": 100000").replacingOnce("\"num_key_value_heads\": 8", with: "\"num_key_value_heads\": 100000, \"head_dim\": 10000000")),
             "head_dim", "widest row"),
            ("weights beyond the limit", t(m.replacingOnce("\"hidden_size\": 256", with: "\"hidden_size\": 1000000").replacingOnce("\"vocab_size\": 1000", with: "\"vocab_size\": 1000, \"num_local_experts\": 100000")
                .replacingOnce("\"intermediate_size\": 688", with: "\"intermediate_size\": 1000000")),
             "hidden_size", "weight matrices"),
            ("hidden smaller than heads", t(m.replacingOnce("\"hidden_size\": 256", with: "\"hidden_size\": 4")), "hidden_size", "give head_dim"),
            ("more experts per token than experts",
             t(m.replacingOnce("\"vocab_size\": 1000", with: "\"vocab_size\": 1000, \"num_local_experts\": 2, \"num_experts_per_tok\": 4")),
             "num_experts_per_tok", "from 1 to 2"),
        ]
    }()

    func testMalformedConfigs() throws {
        let dir = try Scratch()
        for (i, (name, bytes, location, reason)) in Self.cases.enumerated() {
            let path = try dir.write("config\(i).json", bytes)
            let out = dir.file("out\(i).jsonl")
            let before = dir.contents
            assertFails(["trace", "llm", "--model", path, "--batch", "1", "--prompt", "8", "--generate", "1", "-o", out],
                        .data(path, at: location, reason), name)
            XCTAssertEqual(dir.contents, before, "\(name): no output or temporary file may be left")
        }
    }

    func testTemplateIsValid() throws {
        let dir = try Scratch()
        let path = try dir.write("config.json", Valid.modelConfig)
        let out = dir.file("out.jsonl")
        let result = try RidgeCLI.run(["trace", "llm", "--model", path, "--batch", "1", "--prompt", "8", "--generate", "1", "-o", out])
        XCTAssertEqual(result.exitCode, 0)
        XCTAssertEqual(dir.contents, ["config.json", "out.jsonl"])
    }
}

final class CommandLineCorpusTests: XCTestCase {
    func testBadCommandLines() throws {
        let dir = try Scratch()
        let out = dir.file("out.jsonl")
        let llm = ["trace", "llm", "--model", "llama-2-7b", "-o", out]
        let cases: [(String, [String], String)] = [
            ("no command", [], "usage: ridge"),
            ("unknown command", ["simulatte"], "unknown command \"simulatte\""),
            ("unknown option", ["simulate", "--profle", "h100-sxm"], "unknown option --profle"),
            ("missing value", ["simulate", "--profile"], "--profile needs a value"),
            ("repeated option", ["simulate", "--batch", "1", "--batch", "2"], "given more than once"),
            ("flag with a value", ["cost", "attention", "--causal=yes"], "takes no value"),
            ("stray positional", ["simulate", "extra"], "unexpected argument \"extra\""),
            ("batch not a number", llm + ["--batch", "many", "--prompt", "8", "--generate", "1"], "--batch expects a whole number"),
            ("batch zero", llm + ["--batch", "0", "--prompt", "8", "--generate", "1"], "--batch expects a whole number"),
            ("batch negative", llm + ["--batch", "-3", "--prompt", "8", "--generate", "1"], "--batch expects a whole number"),
            ("batch 2^64", llm + ["--batch", "18446744073709551616", "--prompt", "8", "--generate", "1"], "--batch expects a whole number"),
            ("prompt 2^31", llm + ["--batch", "1", "--prompt", "2147483648", "--generate", "1"], "--prompt expects a whole number"),
            ("generate 2^31", llm + ["--batch", "1", "--prompt", "8", "--generate", "2147483648"], "--generate expects a whole number"),
            ("tokens per step beyond the limit", llm + ["--batch", "1000000", "--prompt", "10000000", "--generate", "1"], "tokens per step"),
            ("prompt beyond the limit", llm + ["--batch", "1", "--prompt", "16777217", "--generate", "1"], "--prompt expects a whole number from 1 to 16777216"),
            ("batch beyond the limit", llm + ["--batch", "1048577", "--prompt", "1", "--generate", "1"], "--batch expects a whole number from 1 to 1048576"),
            ("in-memory operators beyond the limit", ["simulate", "--model", "llama-2-7b", "--batch", "1", "--prompt", "8", "--generate", "100000"], "operators"),
            ("streamed operators beyond the limit", ["trace", "llm", "--model", "llama-2-70b", "-o", out, "--batch", "1", "--prompt", "8", "--generate", "1000000"], "operators"),
            ("generate beyond the limit", llm + ["--batch", "1", "--prompt", "8", "--generate", "5000000"], "--generate expects a whole number from 0 to 1048576"),
            ("missing generate", llm + ["--batch", "1", "--prompt", "8"], "missing --generate"),
            ("unknown precision", llm + ["--batch", "1", "--prompt", "8", "--generate", "1", "--dtype", "fp7"], "unknown precision \"fp7\""),
            ("unknown attention", llm + ["--batch", "1", "--prompt", "8", "--generate", "1", "--attention", "sparse"], "unknown value \"sparse\""),
            ("kv offload out of range", llm + ["--batch", "1", "--prompt", "8", "--generate", "1", "--kv-offload", "1.5"], "fraction in (0, 1]"),
            ("kv offload NaN", llm + ["--batch", "1", "--prompt", "8", "--generate", "1", "--kv-offload", "nan"], "fraction in (0, 1]"),
            ("prefetch 2^40", llm + ["--batch", "1", "--prompt", "8", "--generate", "1", "--prefetch", "1099511627776"], "--prefetch expects"),
            ("missing output", ["trace", "llm", "--model", "llama-2-7b", "--batch", "1", "--prompt", "8", "--generate", "1"], "missing -o"),
            ("unknown generator", ["trace", "rnn", "-o", out], "unknown generator"),
            ("bad format", ["profiles", "--format", "xml"], "--format must be table or json"),
            ("trace and model together", ["simulate", "--trace", "x.jsonl", "--model", "llama-2-7b"], "either --trace or --model"),
            ("trace with a workload option", ["simulate", "--trace", "x.jsonl", "--batch", "4"], "--batch describes a generated workload"),
            ("trace with an engine", ["report", "--trace", "x.jsonl", "--engine", "gpu", "-o", dir.file("r.html")], "--engine describes a generated workload"),
            ("no generator", ["trace", "-o", out], "missing generator (generators: llm, cnn, import)"),
            ("bad capacity", ["simulate", "--capacity", "hbm"], "--capacity expects MEMORY=BYTES"),
            ("capacity of a missing memory", ["simulate", "--capacity", "l9=1GiB"], "--capacity expects MEMORY=BYTES"),
            ("zero capacity", ["simulate", "--capacity", "hbm=0"], "greater than zero"),
            ("NaN capacity", ["simulate", "--kv-capacity", "nan GiB"], "--kv-capacity"),
            ("huge gemm", ["cost", "gemm", "--m", "99999999999", "--n", "1", "--k", "1"], "--m expects a whole number"),
            ("kv heads above heads", ["cost", "attention", "--batch", "1", "--heads", "8", "--kv-heads", "16", "--seq", "8", "--head-dim", "64"], "--kv-heads expects"),
            ("weights in a missing memory", ["simulate", "--weights", "tape"], "has no memory \"tape\""),
            ("unknown cost operator", ["cost", "fft", "--m", "1"], "unknown operator \"fft\""),
            ("unknown spill policy", ["simulate", "--spill", "random"], "unknown policy \"random\""),
            ("Infinity power cap", ["simulate", "--power-cap", "inf W"], "--power-cap"),
            ("1e400 capacity", ["simulate", "--kv-capacity", "1e400 B"], "--kv-capacity"),
            ("negative block size", ["simulate", "--block-size", "-2 MiB"], "--block-size"),
            ("zero page size", ["simulate", "--page-size", "0"], "greater than zero"),
            ("wrong unit", ["simulate", "--fault-latency", "5 GB"], "--fault-latency"),
            ("repaired non-UTF-8 option name", ["simulate", "--pro\u{FFFD}file", "h100-sxm"], "unknown option --pro\u{FFFD}file"),
        ]
        for (name, args, reason) in cases {
            assertFails(args, .usage(reason), name)
            XCTAssertEqual(dir.contents, [], "\(name): no output may be written")
        }
    }

    func testUnwritableOutput() throws {
        let dir = try Scratch()
        let out = dir.file("no/such/dir/out.jsonl")
        assertFails(["trace", "llm", "--model", "llama-2-7b", "--batch", "1", "--prompt", "8", "--generate", "1", "-o", out],
                    .io(out, "does not exist"), "output in a missing directory")
        let timeline = dir.file("missing/timeline.json")
        assertFails(["simulate", "--model", "llama-2-7b", "--batch", "1", "--prompt", "8", "--generate", "1", "--timeline", timeline],
                    .io(timeline, "does not exist"), "timeline in a missing directory")
        XCTAssertEqual(dir.contents, [])
    }

    /// The Swift runtime repairs invalid UTF-8 in argv to U+FFFD, so a non-UTF-8 name arrives as
    /// a name that does not exist.
    func testRepairedNonUTF8Names() {
        assertFails(["simulate", "--profile", "h100\u{FFFD}sxm"], .io("h100\u{FFFD}sxm", "no bundled profile"), "profile name")
        assertFails(["simulate", "--trace", "/tmp/\u{FFFD}.jsonl"], .io("/tmp/\u{FFFD}.jsonl", "no such file"), "trace path")
    }

    func testMissingBundledModel() {
        assertFails(["trace", "llm", "--model", "llama-9", "--batch", "1", "--prompt", "8", "--generate", "1", "-o", "/tmp/x.jsonl"],
                    .io("llama-9", "no bundled model"), "unknown model name")
    }
}
