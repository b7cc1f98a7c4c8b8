import Foundation

/// Off-chip traffic of operators given an on-chip buffer, and the I/O lower bounds no algorithm
/// can beat. All counts are in **elements** unless named `…Bytes`; `buffer` is the fast-memory
/// size `M` in elements.
public enum IOComplexity {
    /// Reads and writes of a GEMM, split by operand.
    public struct GEMMTraffic: Sendable, Equatable {
        public var aReads: Double
        public var bReads: Double
        public var cWrites: Double
        public var total: Double { aReads + bReads + cWrites }
    }

    /// Tiled GEMM traffic: the blocked algorithm analysed by Hong & Kung, "I/O complexity: the
    /// red-blue pebble game" (STOC 1981). An output block of `b_m × b_n` stays in fast memory while
    /// the k loop streams a column of A and a row of B through it (`b_m·b_n + b_m + b_n ≤ M`);
    /// A is re-read once per column block of C, B once per row block:
    /// `Q = m·k·⌈n/b_n⌉ + k·n·⌈m/b_m⌉ + m·n`. The block is the best of the square one
    /// (`b = ⌊√(M/3)⌋`, within a constant of the Ω(mnk/√M) bound) and, for flat shapes, one that
    /// spans all of m (or n) so the other operand is read once: a GEMM with few rows streams its
    /// weights exactly once, as GPU kernels do. Any such schedule is valid, so the traffic is never
    /// below `gemmLowerBound`.
    public static func gemm(m: Double, n: Double, k: Double, buffer: Double) -> GEMMTraffic {
        let b = max(1, floor((buffer / 3).squareRoot()))
        var best = GEMMTraffic(aReads: m * k * ceil(n / b), bReads: k * n * ceil(m / b), cWrites: m * n)
        // All rows of C in one block: b_m = m, b_n = ⌊(M − m)/(m + 1)⌋.
        let bn = floor((buffer - m) / (m + 1))
        if bn >= 1 {
            let t = GEMMTraffic(aReads: m * k * ceil(n / bn), bReads: k * n, cWrites: m * n)
            if t.total < best.total { best = t }
        }
        // All columns of C in one block: b_n = n, b_m = ⌊(M − n)/(n + 1)⌋.
        let bm = floor((buffer - n) / (n + 1))
        if bm >= 1 {
            let t = GEMMTraffic(aReads: m * k, bReads: k * n * ceil(m / bm), cWrites: m * n)
            if t.total < best.total { best = t }
        }
        return best
    }

    /// Lower bound on GEMM traffic: `max(mk + kn + mn, 2mnk/√M)`: compulsory traffic, and the
    /// tight sequential bound of Smith, Lowery, Langou & van de Geijn, "A tight I/O lower bound for
    /// matrix multiplication" (2019), which sharpens Hong & Kung (1981).
    public static func gemmLowerBound(m: Double, n: Double, k: Double, buffer: Double) -> Double {
        max(m * k + k * n + m * n, 2 * m * n * k / buffer.squareRoot())
    }

    /// Fraction of (query, key) pairs that a causal mask keeps, queries aligned to the end of the keys.
    public static func causalPairFraction(queryLength nq: Double, keyLength nk: Double) -> Double {
        if nq <= nk { return (nq * nk - nq * (nq - 1) / 2) / (nq * nk) }
        return 0.5
    }

    /// Standard attention forward for one (batch, head): `S = QKᵀ` written to HBM, softmax reads S
    /// and writes P, `O = PV`. With a large buffer this is exactly Algorithm 0 of Dao et al.,
    /// "FlashAttention" (NeurIPS 2022): `Θ(Nd + N²)` = `2(N_q+N_k)d + 4·N_q·N_k`; the two matmuls use
    /// the tiled-GEMM model, so a small buffer costs what Hong & Kung say it must. A causal mask
    /// does not save traffic (the N×N matrix is still materialised).
    public static func standardForward(nq: Double, nk: Double, d: Double, buffer: Double) -> Double {
        let s = gemm(m: nq, n: nk, k: d, buffer: buffer).total
        let softmax = 2 * nq * nk
        let o = gemm(m: nq, n: d, k: nk, buffer: buffer).total
        return s + softmax + o
    }

    /// Standard attention backward for one (batch, head): Algorithm 3 of Dao et al. 2022
    /// (`dV = PᵀdO`, `dP = dO·Vᵀ`, `dS` from P and dP, `dQ = dS·K`, `dK = dSᵀQ`):
    /// `8Nd + 7N²` with a large buffer.
    public static func standardBackward(nq: Double, nk: Double, d: Double, buffer: Double) -> Double {
        let dv = gemm(m: nk, n: d, k: nq, buffer: buffer).total
        let dp = gemm(m: nq, n: nk, k: d, buffer: buffer).total
        let ds = 3 * nq * nk
        let dq = gemm(m: nq, n: d, k: nk, buffer: buffer).total
        let dk = gemm(m: nk, n: d, k: nq, buffer: buffer).total
        return dv + dp + ds + dq + dk
    }

    /// FlashAttention block sizes (Dao et al. 2022, Algorithm 1): `B_c = ⌈M/4d⌉`, `B_r = min(⌈M/4d⌉, d)`.
    public static func flashBlocks(d: Double, buffer: Double) -> (rows: Double, columns: Double) {
        let bc = max(1, ceil(buffer / (4 * d)))
        return (min(bc, d), bc)
    }

    /// FlashAttention forward for one (batch, head), counted from Algorithm 1 of Dao et al. 2022
    /// (Theorem 2: `Θ(N²d²/M)`): K and V are read once; for each of the `T_c = ⌈N_k/B_c⌉` key
    /// blocks every query block re-reads Qᵢ, Oᵢ, ℓᵢ, mᵢ and writes Oᵢ, ℓᵢ, mᵢ; O, ℓ, m are
    /// initialised once: `Q = 2N_k·d + N_q(d+2) + T_c·N_q·(3d+4)`. Blocks fully masked by a causal
    /// mask are skipped.
    public static func flashForward(nq: Double, nk: Double, d: Double, buffer: Double, causal: Bool) -> Double {
        let tc = ceil(nk / flashBlocks(d: d, buffer: buffer).columns)
        let fraction = causal ? causalPairFraction(queryLength: nq, keyLength: nk) : 1
        return 2 * nk * d + nq * (d + 2) + max(1, tc * fraction) * nq * (3 * d + 4)
    }

    /// FlashAttention backward for one (batch, head), from Algorithm 4 of Dao et al. 2022
    /// (Theorem 5: `Θ(N²d²/M)`): K, V read once and dK, dV written once; per key block every query
    /// block reads Qᵢ, Oᵢ, dOᵢ, dQᵢ, ℓᵢ, mᵢ and writes dQᵢ; dQ initialised once:
    /// `Q = 4N_k·d + N_q·d + T_c·N_q·(5d+2)`.
    public static func flashBackward(nq: Double, nk: Double, d: Double, buffer: Double, causal: Bool) -> Double {
        let tc = ceil(nk / flashBlocks(d: d, buffer: buffer).columns)
        let fraction = causal ? causalPairFraction(queryLength: nq, keyLength: nk) : 1
        return 4 * nk * d + nq * d + max(1, tc * fraction) * nq * (5 * d + 2)
    }

    /// Lower bound for exact attention, one (batch, head), one pass: Saha & Ye, "The I/O Complexity
    /// of Attention, or How Optimal is Flash Attention?" (ICML 2024): `Ω(N²d²/M)` for `M ≥ d²`
    /// (matched by FlashAttention) and `Ω(N²d/√M)` for `M < d²` (matched by a better algorithm
    /// they give), never below compulsory traffic (read Q, K, V; write O). The pair count is
    /// scaled by the causal fraction.
    public static func attentionLowerBound(nq: Double, nk: Double, d: Double, buffer: Double, causal: Bool) -> Double {
        let pairs = nq * nk * (causal ? causalPairFraction(queryLength: nq, keyLength: nk) : 1)
        let bound = buffer >= d * d ? pairs * d * d / buffer : pairs * d / buffer.squareRoot()
        let compulsory = 2 * nq * d + 2 * nk * d
        return max(compulsory, bound)
    }
}
