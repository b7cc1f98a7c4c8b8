import Foundation

/// "LLM in a flash" (Alizadeh et al., Apple, ACL 2024, arXiv:2312.11514): the weights live in
/// flash and DRAM holds what the next token needs.
///
/// Two ways to run a model that does not fit:
/// - **Hybrid (the paper's naive baseline)**: `dramFraction` of every layer's weights stays in
///   DRAM and the rest is read from flash every token, one large sequential request per layer.
/// - **Neuron streaming**: attention weights stay in DRAM; FFN neurons are loaded on demand. A
///   low-rank predictor marks `1 − ffnSparsity` of the neurons active; with a `window` of k tokens
///   the neurons active in the last k tokens stay cached, so a token loads only the neurons that
///   become active; with `bundling` a neuron's up-projection column and down-projection row
///   (and gate column) are stored together, so each flash request is that bundle rather than one
///   row. Bytes per token come from the activity model below; the time from the flash memory's
///   request-size curve at the chunk size.
///
/// Neuron activity is a per-neuron two-state Markov chain: active with stationary probability
/// `a = 1 − ffnSparsity`, and active again on the next token with probability `persistence`.
/// From it: the fraction of neurons that must be loaded for a token (active now, inactive in each
/// of the previous k tokens), and the cache size (neurons active in any of the last k + 1 tokens).
public struct FlashOffload: Sendable, Equatable {
    /// Fraction of each layer's weights kept in DRAM by the hybrid scheme (used when
    /// `ffnSparsity` is 0). 0 loads every layer whole from flash each token.
    public var dramFraction: Double = 0
    /// Fraction of FFN neurons the predictor marks inactive for a token (0: no neuron streaming).
    public var ffnSparsity: Double = 0
    /// Tokens whose active neurons stay cached in DRAM (0: load every active neuron every token).
    public var window: Int = 0
    /// P(neuron active on the next token | active on this one). Default 0.73: with OPT-6.7B's
    /// predictor marking ~10% active, a window of 5 then loads 2.4% of the FFN per token, as the
    /// paper measures (§4.1); the same parameters give a 22.6% cache against the paper's 24%.
    public var persistence: Double = 0.73
    /// Row-column bundling: one request per neuron of `(gated ? 3 : 2) × hidden` elements.
    public var bundling = false
    /// Memory flash reads land in before the compute memory (a GPU's host DRAM); "" means flash
    /// reads go straight to the compute memory (unified memory).
    public var staging: String = ""
    /// Predictor size as a fraction of the model's parameters (the paper, OPT-6.7B: 1.25%); 0 omits
    /// it. Used when `predictorRanks` is empty.
    public var predictorFraction: Double = 0.0125
    /// Predictor rank per layer (the paper's Falcon-7B: 256 for the first 28 layers, 1152 for the last
    /// four, §4.2); empty derives one rank for every layer from `predictorFraction`.
    public var predictorRanks: [Int] = []

    public init() {}

    public var activeFraction: Double { 1 - ffnSparsity }

    /// P(inactive → active) that keeps the chain stationary at `activeFraction`.
    var activation: Double {
        let a = activeFraction
        guard a < 1 else { return 1 }
        return min(1, a * (1 - persistence) / (1 - a))
    }

    /// Fraction of a layer's FFN neurons loaded from flash for one token.
    public var loadFraction: Double {
        let a = activeFraction
        guard window > 0, a < 1 else { return a }
        let r = activation
        return (1 - a) * pow(1 - r, Double(window - 1)) * r
    }

    /// Fraction of a layer's FFN neurons held in DRAM (the window's union, with this token's).
    public var cacheFraction: Double {
        let a = activeFraction
        guard window > 0, a < 1 else { return a }
        return 1 - (1 - a) * pow(1 - activation, Double(window))
    }

    /// Elements of one neuron's bundle (its up column, down row, and gate column when gated).
    public static func bundleElements(_ m: ModelConfig) -> Int { (m.gatedMLP ? 3 : 2) * m.hidden }

    /// Bytes per flash request when loading neurons.
    public func chunkBytes(_ m: ModelConfig, bytesPerElement e: Double) -> Double {
        Double(bundling ? Self.bundleElements(m) : m.hidden) * e
    }

    /// Predictor rank of `layer`: the given per-layer rank, else the rank `r` such that
    /// `layers · r · (hidden + intermediate)` is `predictorFraction` of the parameters.
    public func predictorRank(_ m: ModelConfig, layer: Int = 0) -> Int {
        if predictorRanks.indices.contains(layer) { return predictorRanks[layer] }
        guard predictorFraction > 0 else { return 0 }
        return max(1, Int((predictorFraction * m.parameters / Double(m.layers) / Double(m.hidden + m.intermediate)).rounded()))
    }

    /// Checks the parameters; returns a message for the first that is out of range.
    public func problem() -> String? {
        if !(0...1).contains(dramFraction) { return "dram fraction must be in [0, 1]" }
        if !(0..<1).contains(ffnSparsity) { return "FFN sparsity must be in [0, 1)" }
        if window < 0 { return "window must be ≥ 0" }
        if !(0...1).contains(persistence) { return "persistence must be in [0, 1]" }
        if ffnSparsity > 0, activeFraction * (1 - persistence) > 1 - activeFraction {
            return "persistence \(persistence) is too low for \(Int((activeFraction * 100).rounded()))% active neurons (no stationary chain)"
        }
        return nil
    }
}
