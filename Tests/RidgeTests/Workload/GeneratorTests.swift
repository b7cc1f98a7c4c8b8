import XCTest
@testable import Ridge

final class GeneratorTests: XCTestCase {
    func testBundledModelsLoadWithKnownSizes() throws {
        let expected: [(String, Double)] = [("llama-2-7b", 6.74e9), ("llama-2-13b", 13.0e9), ("llama-2-70b", 69.0e9), ("llama-3-8b", 8.03e9),
                                            ("mistral-7b", 7.24e9), ("mixtral-8x7b", 46.7e9), ("opt-6.7b", 6.66e9), ("opt-30b", 30.0e9),
                                            ("gpt2-medium", 0.355e9), ("phi-2", 2.78e9), ("llama-3-70b", 70.6e9), ("opt-13b", 12.9e9)]
        for (name, params) in expected {
            let m = try ModelConfig.load(name)
            XCTAssertEqual(m.parameters, params, accuracy: params * 0.04, name)
        }
    }

    func testLayerStructureAndKVGrowth() throws {
        let m = try ModelConfig.load("llama-2-7b")
        let t = try LLMTraceGenerator.trace(LLMWorkload(model: m, batch: 2, prompt: 100, generate: 3))
        let decodeAttn = t.ops.filter { if case .decodeAttention = $0.shape { return true }; return false }
        XCTAssertEqual(decodeAttn.count, 3 * m.layers)
        let lengths = decodeAttn.filter { $0.layer == 0 }.map { op -> Int in if case .decodeAttention(let d) = op.shape { return d.keyLength }; return 0 }
        XCTAssertEqual(lengths, [101, 102, 103])
        let gemms = t.ops.filter { $0.shape.kind == "gemm" && $0.phase == "prefill" }
        XCTAssertEqual(gemms.count, 4 * m.layers + 1)
        // The KV cache grows every step.
        let kv0 = t.tensors.firstIndex { $0.name == "kv.L0" }!
        let sizes = t.ops.flatMap { $0.writes.filter { Int($0.tensor) == kv0 }.compactMap(\.bytes) }
        XCTAssertEqual(sizes, sizes.sorted())
        XCTAssertEqual(sizes.last, 2.0 * 2 * 32 * 128 * 2 * 103)
    }

    func testMixtureOfExpertsRoutesToActiveExperts() throws {
        let m = try ModelConfig.load("mixtral-8x7b")
        let t = try LLMTraceGenerator.trace(LLMWorkload(model: m, batch: 1, prompt: 512, generate: 1))
        let experts = t.ops.compactMap { op -> GEMM? in if case .gemm(let g) = op.shape, op.name.hasSuffix("experts_up") { return g }; return nil }
        XCTAssertEqual(experts.first?.batch, 8)          // 512 tokens touch all 8 experts
        XCTAssertEqual(experts.last?.batch, 2)           // one token picks 2
    }

    func testUserConfigAndBadConfigs() throws {
        let dir = TempDir()
        let good = dir.file("config.json", #"{"model_type": "llama", "hidden_size": 256, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 512, "vocab_size": 1000}"#)
        XCTAssertEqual(try ModelConfig.load(good).layers, 2)
        let bad = dir.file("bad.json", #"{"hidden_size": 256, "num_hidden_layers": 2147483648, "num_attention_heads": 4, "vocab_size": 10}"#)
        XCTAssertThrowsError(try ModelConfig.load(bad)) { XCTAssertEqual(($0 as? RidgeError)?.location, "num_hidden_layers") }
        let gqa = dir.file("gqa.json", #"{"hidden_size": 256, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 3, "vocab_size": 10}"#)
        XCTAssertThrowsError(try ModelConfig.load(gqa))
    }

    func testTraceCommandWritesFile() throws {
        let dir = TempDir()
        let out = dir.path + "/t.jsonl"
        _ = try RidgeCLI.run(["trace", "llm", "--model", "gpt2-medium", "--batch", "1", "--prompt", "8", "--generate", "2", "-o", out])
        XCTAssertGreaterThan(try TraceReader.read(out).ops.count, 50)
        XCTAssertEqual(expectRidgeError(["trace", "llm", "--model", "gpt2-medium", "--batch", "1", "--prompt", "8", "--generate", "2"])?.kind, .usage)
        XCTAssertEqual(expectRidgeError(["trace", "llm", "--model", "nonexistent", "--batch", "1", "--prompt", "8", "--generate", "2", "-o", out])?.kind, .io)
    }
}
