/// `ridge cost gemm|attention|decode-attention …`: the cost of one operator on a profile.
enum CostCommand {
    static let usage = """
    usage: ridge cost gemm --m M --n N --k K [--batch B] [--profile P] [--dtype bf16] [--engine ID] [--format table|json]
           ridge cost attention --batch B --heads H --seq N --head-dim D [--kv-heads H] [--query-length N]
                                [--key-length N] [--causal] [--algorithm standard|flash] [--pass forward|backward|training]
                                [--profile P] [--dtype bf16] [--format table|json]
           ridge cost decode-attention --batch B --heads H --context L --head-dim D [--kv-heads H] [--profile P]

    --profile takes a bundled profile name (see `ridge profiles`) or a path to a profile JSON; default h100-sxm.
    """

    static let spec = Arguments.Spec(valued: ["m", "n", "k", "batch", "profile", "dtype", "engine", "format", "heads", "kv-heads",
                                              "seq", "query-length", "key-length", "head-dim", "algorithm", "pass", "context"],
                                     flags: ["causal"])

    static func run(_ argv: [String]) throws -> CommandOutput {
        let args = try Arguments(argv, spec: spec, usage: usage)
        if args.wantsHelp { return CommandOutput(usage + "\n") }
        guard let what = args.positional.first else { throw args.usageError("missing operator: gemm, attention or decode-attention") }
        guard args.positional.count == 1 else { throw args.usageError("unexpected argument \"\(args.positional[1])\"") }
        let profile = try ProfileLoader.load(args.string("profile") ?? "h100-sxm")
        let engine = try args.engine(in: profile)
        let precision = try args.precision()
        let shape: OperatorShape
        switch what {
        case "gemm":
            shape = .gemm(GEMM(m: try args.requiredInt("m"), n: try args.requiredInt("n"), k: try args.requiredInt("k"),
                               batch: try args.int("batch", default: 1, in: 1...Int(Int32.max))!, precision: precision))
        case "attention":
            let seq = try args.int("seq", in: 1...Int(Int32.max))
            guard let q = try args.int("query-length", default: seq, in: 1...Int(Int32.max)) else {
                throw args.usageError("missing --seq (or --query-length)")
            }
            let heads = try args.requiredInt("heads")
            let kvHeads = try args.int("kv-heads", default: heads, in: 1...heads)!
            guard heads % kvHeads == 0 else { throw args.usageError("--heads (\(heads)) must be a multiple of --kv-heads (\(kvHeads))") }
            shape = .attention(Attention(batch: try args.int("batch", default: 1, in: 1...Int(Int32.max))!, heads: heads, kvHeads: kvHeads,
                                         queryLength: q, keyLength: try args.int("key-length", default: seq ?? q, in: 1...Int(Int32.max)),
                                         headDim: try args.requiredInt("head-dim"), causal: args.flag("causal"),
                                         algorithm: try args.choice("algorithm", default: Attention.Algorithm.flash),
                                         pass: try args.choice("pass", default: Attention.Pass.forward), precision: precision))
        case "decode-attention":
            let heads = try args.requiredInt("heads")
            shape = .decodeAttention(DecodeAttention(batch: try args.int("batch", default: 1, in: 1...Int(Int32.max))!, heads: heads,
                                                     kvHeads: try args.int("kv-heads", default: heads, in: 1...heads)!,
                                                     keyLength: try args.requiredInt("context"), headDim: try args.requiredInt("head-dim"),
                                                     precision: precision))
        default:
            throw args.usageError("unknown operator \"\(what)\": expected gemm, attention or decode-attention")
        }
        let cost = CostModel.cost(shape, on: engine, in: profile)
        switch try args.format() {
        case .json: return CommandOutput(JSONWriter.write(.object(CostReport.json(shape, cost, profile: profile, engine: engine))) + "\n")
        case .table: return CommandOutput(CostReport.table(shape, cost, profile: profile, engine: engine))
        }
    }
}
