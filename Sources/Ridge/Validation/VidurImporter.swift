import Foundation

/// Reads Vidur's measured operator profiles (`profiling/compute/<gpu>/<org>/<model>/mlp.csv`,
/// microsoft/vidur, MIT): median milliseconds per operator for every token count and
/// tensor-parallel degree. GEMMs become `gemm` rows with the shapes Vidur ran (weights split
/// across `num_tensor_parallel_workers`); norms, activation and add become `elementwise` rows.
public enum VidurImporter {
    public static func load(_ path: String, group: String? = nil) throws -> [MeasuredRow] {
        let text = try FileIO.readText(path)
        let table = try CSVTable.parse(text, file: path)
        try table.checkUniqueColumns(file: path)
        let model = group ?? URL(fileURLWithPath: path).deletingLastPathComponent().lastPathComponent
        func col(_ n: String) throws -> Int {
            guard let i = table.column(n) else { throw RidgeError.data(file: path, at: "line 1", "missing column \(n)") }
            return i
        }
        let c = (heads: try col("n_head"), kv: try col("n_kv_head"), embd: try col("n_embd"), ffn: try col("n_expanded_embd"),
                 gated: try col("use_gated_mlp"), tokens: try col("num_tokens"), tp: try col("num_tensor_parallel_workers"))
        var rows: [MeasuredRow] = []
        for (line, f) in table.rows {
            func int(_ i: Int) throws -> Int {
                // Whole and positive (a zero head count or worker count would divide by zero), and small
                // enough that the shapes' products cannot overflow.
                guard i < f.count, let v = Quantity.number(f[i]).flatMap({ Int(exactly: $0) }), (1...16_777_216).contains(v) else {
                    throw RidgeError.data(file: path, at: "line \(line)", "expected a whole number from 1 to 16777216 in column \(table.header[i])")
                }
                return v
            }
            let heads = try int(c.heads), kv = try int(c.kv), h = try int(c.embd), ffn = try int(c.ffn), t = try int(c.tokens), tp = try int(c.tp)
            guard c.gated < f.count else { throw RidgeError.data(file: path, at: "line \(line)", "expected a value in column use_gated_mlp") }
            let gated = f[c.gated].lowercased() == "true" || f[c.gated] == "1"
            let d = h / heads
            func time(_ op: String) -> Double? {
                guard let i = table.column("time_stats.\(op).median"), i < f.count, let v = Quantity.number(f[i]), v > 0, v.isFinite else { return nil }
                return v / 1000
            }
            let shapes: [(String, OperatorShape)] = [
                ("attn_pre_proj", .gemm(GEMM(m: t, n: (heads + 2 * kv) * d / tp, k: h, precision: .fp16))),
                ("attn_post_proj", .gemm(GEMM(m: t, n: h, k: heads * d / tp, precision: .fp16))),
                ("mlp_up_proj", .gemm(GEMM(m: t, n: (gated ? 2 : 1) * ffn / tp, k: h, precision: .fp16))),
                ("mlp_down_proj", .gemm(GEMM(m: t, n: h, k: ffn / tp, precision: .fp16))),
                ("input_layernorm", .elementwise(Elementwise(elements: t * h, bytesPerElement: 4, flopsPerElement: 5, precision: .fp16))),
                ("add", .elementwise(Elementwise(elements: t * h, bytesPerElement: 6, flopsPerElement: 1, precision: .fp16))),
                ("mlp_act", .elementwise(Elementwise(elements: t * ffn / tp, bytesPerElement: gated ? 6 : 4, flopsPerElement: gated ? 6 : 5, precision: .fp16))),
            ]
            for (op, shape) in shapes {
                guard let s = time(op) else { continue }
                rows.append(MeasuredRow(name: "\(model).\(op).t\(t).tp\(tp)", shape: shape, seconds: s,
                                        origin: "\(path):\(line)", group: model))
            }
        }
        return rows
    }
}
