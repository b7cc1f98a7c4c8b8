import Foundation

/// A decoder-only transformer's shape, read from a Hugging Face `config.json`. Key spellings of
/// the common families are accepted (Llama/Mistral/Mixtral, OPT, GPT-2, Falcon, Phi).
public struct ModelConfig: Sendable, Equatable {
    public var name: String
    public var modelType: String
    public var hidden: Int
    public var layers: Int
    public var heads: Int
    public var kvHeads: Int
    public var headDim: Int
    public var intermediate: Int
    public var vocab: Int
    public var gatedMLP: Bool
    public var rotary: Bool
    public var rmsNorm: Bool
    public var experts: Int
    public var expertsPerToken: Int
    public var tiedEmbeddings: Bool

    /// Limits on a config's shapes: elements in one row of a layer's widest matrix, and in one
    /// weight matrix (all experts together).
    public static let maxRow = 1 << 30
    public static let maxMatrix = 1 << 52

    /// The widest per-token row a layer produces: fused QKV, hidden, or the (gated) MLP's up projection.
    public var widestRow: Int { max((heads + 2 * kvHeads) * headDim, hidden, intermediate * (gatedMLP ? 2 : 1), intermediate) }

    /// Parameter count (weights only, embeddings counted once when tied).
    public var parameters: Double {
        let attn = Double(hidden) * Double((heads + 2 * kvHeads) * headDim) + Double(heads * headDim) * Double(hidden)
        let mlpOne = Double(hidden) * Double(intermediate) * (gatedMLP ? 3 : 2)
        let mlp = mlpOne * Double(max(experts, 1)) + (experts > 1 ? Double(hidden * experts) : 0)
        let embed = Double(vocab) * Double(hidden) * (tiedEmbeddings ? 1 : 2)
        return Double(layers) * (attn + mlp) + embed
    }

    /// Loads a bundled model by name (`traces/models/NAME.json`) or a `config.json` by path.
    public static func load(_ nameOrPath: String) throws -> ModelConfig {
        let isPath = nameOrPath.contains("/") || nameOrPath.hasSuffix(".json")
        let path = isPath ? nameOrPath : ResourceLocator.modelsDirectory + "/\(nameOrPath).json"
        if !isPath, !FileManager.default.fileExists(atPath: path) {
            let known = ResourceLocator.names(in: ResourceLocator.modelsDirectory).joined(separator: ", ")
            throw RidgeError(.io, file: nameOrPath, "no bundled model of that name (bundled: \(known))")
        }
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return try decode(FileIO.readJSON(path), name: name == "config" ? URL(fileURLWithPath: path).deletingLastPathComponent().lastPathComponent : name, file: path)
    }

    public static func decode(_ value: JSONValue, name: String, file: String?) throws -> ModelConfig {
        guard case .object(let o) = value else { throw RidgeError.data(file: file, at: "top level", "expected a config object, found \(value.typeName)") }
        func int(_ keys: [String], required: Bool = true, range: ClosedRange<Int> = 1...10_000_000) throws -> Int? {
            for k in keys {
                guard let v = o[k] else { continue }
                if case .null = v { continue }
                guard case .number(let d) = v, d.rounded() == d else { throw RidgeError.data(file: file, at: k, "expected a whole number, found \(v.typeName)") }
                guard range.contains(Int(exactly: d) ?? -1) else {
                    throw RidgeError.data(file: file, at: k, "expected a whole number from \(range.lowerBound) to \(range.upperBound), found \(JSONWriter.format(number: d))")
                }
                return Int(d)
            }
            if required { throw RidgeError.data(file: file, at: keys[0], "missing required field (also looked for \(keys.dropFirst().joined(separator: ", ")))") }
            return nil
        }
        let modelType = o["model_type"]?.stringValue ?? "llama"
        let hidden = try int(["hidden_size", "n_embd", "d_model"])!
        let layers = try int(["num_hidden_layers", "n_layer", "num_layers"], range: 1...100_000)!
        let heads = try int(["num_attention_heads", "n_head"], range: 1...100_000)!
        var kvHeads = try int(["num_key_value_heads", "num_kv_heads", "n_head_kv"], required: false, range: 1...100_000) ?? heads
        if case .bool(true)? = o["multi_query"], o["num_kv_heads"] == nil { kvHeads = 1 }
        if case .bool(true)? = o["new_decoder_architecture"], let g = try int(["num_kv_heads"], required: false) { kvHeads = g }
        guard heads % kvHeads == 0 else { throw RidgeError.data(file: file, at: "num_key_value_heads", "num_attention_heads (\(heads)) must be a multiple of num_key_value_heads (\(kvHeads))") }
        let headDim = try int(["head_dim"], required: false) ?? hidden / heads
        let intermediate = try int(["intermediate_size", "ffn_dim", "n_inner", "ffn_hidden_size"], required: false) ?? 4 * hidden
        let vocab = try int(["vocab_size"], range: 1...100_000_000)!
        let experts = try int(["num_local_experts", "num_experts"], required: false, range: 1...100_000) ?? 1
        let perToken = try int(["num_experts_per_tok"], required: false, range: 1...experts) ?? 1
        let act = o["hidden_act"]?.stringValue ?? o["activation_function"]?.stringValue ?? ""
        let llamaLike = ["llama", "mistral", "mixtral", "qwen2", "gemma", "qwen2_moe", "internlm", "yi"].contains(modelType)
        let gated = llamaLike || act == "silu" && modelType != "falcon"
        let rotary = !["opt", "gpt2", "bloom"].contains(modelType)
        let tied: Bool
        if case .bool(let b)? = o["tie_word_embeddings"] { tied = b } else { tied = !llamaLike }
        guard headDim > 0 else {
            throw RidgeError.data(file: file, at: "hidden_size", "hidden_size (\(hidden)) is smaller than num_attention_heads (\(heads)): give head_dim")
        }
        // Bound every product the generator forms, so no shape overflows (docs/performance.md, "Limits").
        let widest = [Double(heads + 2 * kvHeads) * Double(headDim), Double(hidden), Double(intermediate) * 2].max()!
        if widest > Double(Self.maxRow) {
            throw RidgeError.data(file: file, at: "head_dim", "a layer's widest row ((heads + 2·kv heads)·head_dim, hidden_size or 2·intermediate_size) is \(Int(widest)); at most \(Self.maxRow) is supported")
        }
        if Double(hidden) * widest * Double(experts) > Double(Self.maxMatrix) || Double(vocab) * Double(hidden) > Double(Self.maxMatrix) {
            throw RidgeError.data(file: file, at: "hidden_size", "the weight matrices would exceed \(Self.maxMatrix) elements each; this is not a model Ridge can represent")
        }
        return ModelConfig(name: name, modelType: modelType, hidden: hidden, layers: layers, heads: heads, kvHeads: kvHeads,
                           headDim: headDim, intermediate: intermediate, vocab: vocab, gatedMLP: gated, rotary: rotary,
                           rmsNorm: llamaLike, experts: experts, expertsPerToken: perToken, tiedEmbeddings: tied)
    }
}
