import Foundation

/// What a Kineto trace measured, in the units validation and calibration use: GPU events grouped
/// into modelled operators with their shapes and measured time, plus everything that could not be
/// modelled, so no GPU time disappears.
///
/// Grouping: a kernel belongs to the outermost operator enclosing its launch that Ridge can shape
/// (`ATenShapes`), so `aten::linear` → `aten::addmm` → its GEMM and epilogue kernels are one `gemm`
/// row measured as the sum of its kernels' durations (the recipe Vidur's profiler uses: sum the GPU
/// events under an annotated CPU range). Memcpys and memsets are rows of their own, shaped from
/// `args.bytes`: host-to-device and device-to-host copies are transfers between the host memory and
/// the device memory; device-to-device copies and memsets are elementwise traffic in device memory.
/// Kernels with no shape (no launching operator found, an operator recorded without shapes, or an
/// operator Ridge does not model) are kept, counted by kernel class and listed as unmodelled.
public struct KinetoMeasurements: Sendable {
    /// One modelled operator (or copy) and the GPU events it covers.
    public struct Group: Sendable {
        public var name: String
        /// The operator whose shape this is (index into `trace.ops`), nil for copies.
        public var op: Int?
        public var shape: OperatorShape
        /// Indices into `trace.gpuEvents`, in start order.
        public var events: [Int]
        public var nanoseconds: Int64
        public var origin: String
    }

    /// GPU events no group covers, collected by the reason and the operator or kernel name.
    public struct Unmodelled: Sendable {
        public var name: String
        public var reason: String
        public var events: Int
        public var nanoseconds: Int64
    }

    public struct ClassTime: Sendable {
        public var kernelClass: KernelClass
        public var events: Int
        public var nanoseconds: Int64
        /// Of which in modelled groups.
        public var shapedNanoseconds: Int64
    }

    public var trace: KinetoTrace
    public var groups: [Group]
    /// The group of each GPU event, nil when unmodelled.
    public var groupOfEvent: [Int?]
    public var unmodelled: [Unmodelled]

    /// Placeholder memory names in copy rows, resolved against a profile by `MeasuredData.resolve`.
    public static let hostMemory = "host", deviceMemory = "device"

    public init(_ trace: KinetoTrace) {
        self.trace = trace
        var groups: [Group] = []
        var groupOfEvent = [Int?](repeating: nil, count: trace.gpuEvents.count)
        var groupOfOp: [Int: Int] = [:]
        var unmodelledIndex: [String: Int] = [:]
        var unmodelled: [Unmodelled] = []
        var shapeOfOp: [Int: OperatorShape?] = [:]
        let file = trace.file.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "trace"
        let prefix = trace.container == .object ? "traceEvents" : ""
        func shape(_ op: Int) -> OperatorShape? {
            if let s = shapeOfOp[op] { return s }
            let o = trace.ops[op]
            let s = ATenShapes.shape(op: o.name, o.arguments)
            shapeOfOp[op] = s
            return s
        }
        func skip(_ e: Int, _ name: String, _ reason: String) {
            let key = reason + "\u{0}" + name
            let d = trace.gpuEvents[e].duration
            if let i = unmodelledIndex[key] { unmodelled[i].events += 1; unmodelled[i].nanoseconds += d; return }
            unmodelledIndex[key] = unmodelled.count
            unmodelled.append(Unmodelled(name: name, reason: reason, events: 1, nanoseconds: d))
        }
        let order = trace.gpuEvents.indices.sorted { a, b in
            let x = trace.gpuEvents[a], y = trace.gpuEvents[b]
            return x.start != y.start ? x.start < y.start : x.event < y.event
        }
        for e in order {
            let ev = trace.gpuEvents[e]
            if ev.kernelClass == .memcpy || ev.kernelClass == .memset {
                guard let s = Self.copyShape(ev) else {
                    skip(e, ev.name, ev.bytes == nil || ev.bytes == 0 ? "copy without args.bytes" : "copy direction not modelled")
                    continue
                }
                groupOfEvent[e] = groups.count
                groups.append(Group(name: ev.name, op: nil, shape: s, events: [e], nanoseconds: ev.duration,
                                    origin: "\(file):\(prefix)[\(ev.event)]"))
                continue
            }
            guard let op = ev.op else { skip(e, ev.name, "no launching CPU op found"); continue }
            let chain = trace.ancestry(of: op)
            guard let target = chain.last(where: { shape($0) != nil }) else {
                let o = trace.ops[op]
                skip(e, o.name, o.arguments.isEmpty ? "op recorded without shapes" : "op not modelled")
                continue
            }
            if let g = groupOfOp[target] {
                groups[g].events.append(e); groups[g].nanoseconds += ev.duration
                groupOfEvent[e] = g
                continue
            }
            let o = trace.ops[target]
            groupOfOp[target] = groups.count
            groupOfEvent[e] = groups.count
            groups.append(Group(name: o.name, op: target, shape: shape(target)!, events: [e], nanoseconds: ev.duration,
                                origin: "\(file):\(prefix)[\(o.event)]"))
        }
        // What the kernels say about the shape: TF32 tensor-core GEMMs for fp32 operands, and an
        // SDPA call that ran no attention kernel took the unfused (math) path.
        for g in groups.indices {
            let classes = groups[g].events.map { trace.gpuEvents[$0] }
            switch groups[g].shape {
            case .gemm(var m) where m.precision == .fp32:
                if classes.contains(where: { $0.kernelClass == .gemm && KernelClassifier.contains($0.name.lowercased(), "tf32") }) {
                    m.precision = .tf32
                    groups[g].shape = .gemm(m)
                }
            case .attention(var a) where a.algorithm == .flash:
                if !classes.contains(where: { $0.kernelClass == .attention }) {
                    a.algorithm = .standard
                    groups[g].shape = .attention(a)
                }
            default: break
            }
        }
        self.groups = groups
        self.groupOfEvent = groupOfEvent
        self.unmodelled = unmodelled.sorted { $0.nanoseconds != $1.nanoseconds ? $0.nanoseconds > $1.nanoseconds : $0.name < $1.name }
    }

    /// The shape of a copy event from its bytes and direction (`Memcpy HtoD (Pinned -> Device)`).
    static func copyShape(_ e: KinetoTrace.GPUEvent) -> OperatorShape? {
        guard let b = e.bytes, b > 0, b < 1 << 53 else { return nil }
        let bytes = Double(b)
        if e.kernelClass == .memset {
            return .elementwise(Elementwise(elements: Int(b), bytesPerElement: 1, flopsPerElement: 0, precision: .int8))
        }
        let name = e.name
        if KernelClassifier.contains(name, "HtoD") { return .transfer(Transfer(bytes: bytes, from: hostMemory, to: deviceMemory)) }
        if KernelClassifier.contains(name, "DtoH") { return .transfer(Transfer(bytes: bytes, from: deviceMemory, to: hostMemory)) }
        // A copy within device memory reads and writes every byte.
        if KernelClassifier.contains(name, "DtoD") { return .elementwise(Elementwise(elements: Int(b), bytesPerElement: 2, flopsPerElement: 0, precision: .int8)) }
        return nil    // HtoH, PtoP (peer GPUs) and unnamed copies: not modelled
    }

    /// One measured row per group.
    public var rows: [MeasuredRow] {
        let group = trace.file.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "kineto"
        return groups.map { g in
            MeasuredRow(name: rowName(g), shape: g.shape, seconds: Double(g.nanoseconds) / 1e9, origin: g.origin, group: group)
        }
    }

    /// `aten::addmm → ampere_sgemm_32x32_sliced1x4_tn (+1 more)`; a copy or a kernel named like its op: the name.
    func rowName(_ g: Group) -> String {
        let kernel = KernelClassifier.baseName(trace.gpuEvents[g.events[0]].name)
        if g.op == nil || (g.events.count == 1 && kernel == g.name) { return g.name }
        return "\(g.name) → \(kernel)" + (g.events.count > 1 ? " (+\(g.events.count - 1) more)" : "")
    }

    // MARK: - Summaries

    public var gpuNanoseconds: Int64 { trace.gpuEvents.reduce(0) { $0 + $1.duration } }

    /// GPU time per kernel class, every class listed (zeros included), in `KernelClass` order.
    public var byClass: [ClassTime] {
        var out = KernelClass.allCases.map { ClassTime(kernelClass: $0, events: 0, nanoseconds: 0, shapedNanoseconds: 0) }
        for (i, e) in trace.gpuEvents.enumerated() {
            let c = KernelClass.allCases.firstIndex(of: e.kernelClass)!
            out[c].events += 1
            out[c].nanoseconds += e.duration
            if groupOfEvent[i] != nil { out[c].shapedNanoseconds += e.duration }
        }
        return out
    }

    /// Percentage of GPU time in `unknown` kernels.
    public var unknownPercent: Double { percent(trace.gpuEvents.filter { $0.kernelClass == .unknown }.reduce(0) { $0 + $1.duration }) }
    /// Percentage of GPU time joined to a launching CPU operator (copies and kernels).
    public var joinedPercent: Double { percent(trace.gpuEvents.filter { $0.op != nil }.reduce(0) { $0 + $1.duration }) }
    /// Percentage of GPU time in modelled groups (a shape was recovered).
    public var shapedPercent: Double { percent(groups.reduce(0) { $0 + $1.nanoseconds }) }

    func percent(_ ns: Int64) -> Double {
        let total = gpuNanoseconds
        return total > 0 ? Double(ns) / Double(total) * 100 : 0
    }

    /// Total length of the union of `intervals` (half-open, nanoseconds).
    static func unionLength(_ intervals: [(Int64, Int64)]) -> Int64 {
        var total: Int64 = 0
        var current: (Int64, Int64)? = nil
        for (s, e) in intervals.sorted(by: { $0.0 < $1.0 }) {
            if let c = current, s <= c.1 { current = (c.0, max(c.1, e)); continue }
            if let c = current { total += c.1 - c.0 }
            current = (s, e)
        }
        if let c = current { total += c.1 - c.0 }
        return total
    }

    /// First start to last end over all GPU events.
    public var spanNanoseconds: Int64 {
        guard let first = trace.gpuEvents.map(\.start).min(), let last = trace.gpuEvents.map(\.end).max() else { return 0 }
        return last - first
    }

    /// Time at least one GPU event was running.
    public var busyNanoseconds: Int64 { Self.unionLength(trace.gpuEvents.map { ($0.start, $0.end) }) }

    /// Time at least one event of `groups` was running.
    public func busyNanoseconds(ofGroups groups: [Int]) -> Int64 {
        Self.unionLength(groups.flatMap { self.groups[$0].events.map { (trace.gpuEvents[$0].start, trace.gpuEvents[$0].end) } })
    }

    // MARK: - Replay

    /// A Ridge trace of the groups whose shapes `profile` can cost, for the simulator: one operator
    /// per group at its first event, on a stream per (device, CUDA stream) (`d0.s7`), each waiting
    /// for the previous operator of its CUDA stream (copies run on the simulator's transfer queue, so
    /// stream order is kept with `after`). Streams are otherwise independent (the trace's events and
    /// syncs between streams are not modelled) and idle gaps between kernels (CPU launch latency,
    /// host synchronisation) are not replayed. Returns the trace and the groups it contains.
    public func replayTrace(for profile: HardwareProfile, engine: Engine) -> (Trace, [Int]) {
        var header = TraceHeader(name: "replay of " + (trace.file.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "kineto trace"))
        header.metadata["source"] = .string("kineto")
        var ops: [TraceOp] = []
        var included: [Int] = []
        var lastOnStream: [String: Int32] = [:]
        let order = groups.indices.sorted { a, b in
            let x = trace.gpuEvents[groups[a].events[0]], y = trace.gpuEvents[groups[b].events[0]]
            return x.start != y.start ? x.start < y.start : x.event < y.event
        }
        for g in order {
            guard let shape = MeasuredData.resolve(groups[g].shape, for: profile, engine: engine) else { continue }
            let first = trace.gpuEvents[groups[g].events[0]]
            let stream = "d\(first.device).s\(first.stream)"
            // Unique names (they become operator ids): the op's event in the file.
            let event = groups[g].op.map { trace.ops[$0].event } ?? first.event
            let name = "\(groups[g].name)@\(trace.container == .object ? "traceEvents" : "")[\(event)]"
            var op = TraceOp(name: name, shape: shape, engine: shape.kind == "transfer" ? "" : engine.id, stream: stream)
            if let previous = lastOnStream[stream] { op.after = [previous] }
            lastOnStream[stream] = Int32(ops.count)
            ops.append(op)
            included.append(g)
        }
        return (Trace(header: header, ops: ops), included)
    }
}
