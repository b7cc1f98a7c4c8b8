import Foundation

/// A PyTorch profiler (Kineto) trace in the Chrome Trace Event Format: what ran on the GPU, when,
/// and which CPU operator launched it.
///
/// Read from `export_chrome_trace` / `tensorboard_trace_handler` output (`*.pt.trace.json`, gzipped
/// or not), in either container: the object `{"traceEvents": [...], ...}` or a bare event array.
/// Only complete events (`"ph": "X"`) carry work; `ts` and `dur` are decimal microseconds, parsed
/// from their text into integer nanoseconds (never through a double: absolute nanosecond stamps
/// have 19 digits) and shifted by `baseTimeNanoseconds` when present. Events need not be sorted.
///
/// - GPU work: categories `kernel`, `gpu_memcpy`, `gpu_memset` (and the old `Kernel`, `Memcpy`,
///   `Memset`); device `args.device` (else `pid`), stream `args.stream` (else `tid`).
/// - Launches: `cuda_runtime` / `cuda_driver` events with `args.correlation`.
/// - Operators: `cpu_op` events, with `Input Dims`, `Input type` and `Concrete Inputs` when the
///   trace was recorded with `record_shapes=True`.
///
/// Joins (as HolisticTraceAnalysis does, `../shared/reference/trace-formats.md` §2.4): a GPU event's
/// `args.correlation` equals its launch's; the launching operator is the innermost `cpu_op` on the
/// launch's thread whose interval encloses the launch, with the launch's own `External id` as a
/// fast path when it names such an operator. A GPU event whose launch is missing (trimmed traces)
/// joins by its `External id` alone, unless that id merely repeats its correlation (older Kineto
/// wrote the correlation there, which matches unrelated operators). See `docs/validation.md`.
public struct KinetoTrace: Sendable {
    public enum Container: String, Sendable { case object, array }

    /// A `pid` or `tid`: Kineto writes integers, and strings for spans (`"Spans"`, `"Traces"`).
    public enum Track: Hashable, Sendable, CustomStringConvertible {
        case number(Int64)
        case name(String)
        public var description: String {
            switch self {
            case .number(let n): return String(n)
            case .name(let s): return s
            }
        }
    }

    public struct Device: Sendable {
        public var id: Int
        public var name: String
        public var computeUnits: Int?
    }

    /// A `cpu_op` event.
    public struct Op: Sendable {
        public var name: String
        /// Index of the event in the trace's event array.
        public var event: Int
        public var pid: Track, tid: Track
        public var start: Int64, end: Int64
        public var externalID: Int64?
        /// Arguments from `Input Dims` / `Input type` / `Concrete Inputs` (empty without `record_shapes`).
        public var arguments: [OpArgument]
        /// The innermost operator enclosing this one on its thread.
        public var parent: Int?
    }

    /// A `cuda_runtime` / `cuda_driver` event carrying a correlation id.
    public struct Launch: Sendable {
        public var name: String
        public var event: Int
        public var pid: Track, tid: Track
        public var start: Int64, end: Int64
        public var correlation: Int64
        public var externalID: Int64?
    }

    /// How a GPU event was joined to its operator.
    public enum Join: String, Sendable {
        /// Correlation to the launch, then the launch's `External id` to an enclosing operator.
        case launchExternalID = "correlation, External id"
        /// Correlation to the launch, then the innermost operator enclosing the launch.
        case launchContainment = "correlation, enclosing op"
        /// No launch in the trace; the event's own `External id`.
        case externalID = "External id"
        case none = "none"
    }

    /// A kernel, memcpy or memset on a GPU.
    public struct GPUEvent: Sendable {
        public var name: String
        public var category: String
        public var kernelClass: KernelClass
        public var event: Int
        public var start: Int64
        public var duration: Int64
        public var device: Int
        public var stream: String
        public var correlation: Int64?
        public var externalID: Int64?
        /// `args.bytes` of a memcpy or memset.
        public var bytes: Int64?
        /// Index into `launches` and `ops`, when joined.
        public var launch: Int?
        public var op: Int?
        public var join: Join
        public var end: Int64 { start + duration }
    }

    public var file: String?
    public var container: Container
    public var baseTimeNanoseconds: Int64?
    public var devices: [Device]
    public var ops: [Op]
    public var launches: [Launch]
    public var gpuEvents: [GPUEvent]
    /// Events in the file (all phases).
    public var eventCount: Int
    /// The decompressor used, when the file was gzipped (`zlib 1.2.13`).
    public var decompression: String?

    /// True when `value` looks like a Chrome trace: an object with `traceEvents`, or an array.
    public static func looksLikeTrace(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let o): return o["traceEvents"] != nil
        case .array: return true
        default: return false
        }
    }

    /// Reads a trace file (gzipped or not).
    public static func load(_ path: String) throws -> KinetoTrace {
        let (value, decompression) = try MeasuredData.readJSON(path)
        var trace = try parse(value, file: path)
        trace.decompression = decompression
        return trace
    }

    // MARK: - Parsing

    static let gpuCategories: Set<String> = ["kernel", "Kernel", "gpu_memcpy", "Memcpy", "gpu_memset", "Memset"]
    static let launchCategories: Set<String> = ["cuda_runtime", "cuda_driver", "Runtime", "Driver"]
    static let opCategories: Set<String> = ["cpu_op", "Operator"]

    /// Decodes a parsed trace (numbers parsed with `keepNumberText`, so `ts`/`dur` are exact).
    public static func parse(_ value: JSONValue, file: String?) throws -> KinetoTrace {
        let events: [JSONValue]
        let container: Container
        let prefix: String
        var base: Int64? = nil
        var devices: [Device] = []
        switch value {
        case .array(let a):
            events = a; container = .array; prefix = ""
        case .object:
            let top = try ObjectReader(value, path: "", file: file)
            guard let a = try top.array("traceEvents") else {
                throw top.fail("traceEvents", "missing required field: expected the array of trace events")
            }
            events = a; container = .object; prefix = "traceEvents"
            if let b = top.raw("baseTimeNanoseconds") {
                guard let n = wholeNumber(b) else { throw top.fail("baseTimeNanoseconds", "expected a whole number of nanoseconds, found \(describe(b))") }
                base = n
            }
            if let props = try top.array("deviceProperties") {
                for (i, p) in props.enumerated() {
                    let r = try ObjectReader(p, path: "deviceProperties[\(i)]", file: file)
                    let id = try r.integer("id") ?? i
                    devices.append(Device(id: id, name: try r.string("name") ?? "", computeUnits: try r.integer("numSms")))
                }
            }
        default:
            throw RidgeError.data(file: file, at: "top level", "expected a Chrome trace: an object with \"traceEvents\" or an array of events, found \(value.typeName)")
        }

        var ops: [Op] = [], launches: [Launch] = [], gpu: [GPUEvent] = []
        var classes: [String: KernelClass] = [:]    // kernel names repeat: classify each once
        for (i, e) in events.enumerated() {
            let r = try ObjectReader(e, path: "\(prefix)[\(i)]", file: file)
            guard let ph = try r.string("ph") else { throw r.fail("ph", "missing required field: expected the event phase (\"X\" for a complete event)") }
            guard ph == "X" else { continue }
            let category = try r.string("cat") ?? ""
            let start = try time(r, "ts", base: base)
            let duration = try time(r, "dur", base: nil)
            guard duration >= 0 else { throw r.fail("dur", "must not be negative") }
            let isGPU = gpuCategories.contains(category), isLaunch = launchCategories.contains(category), isOp = opCategories.contains(category)
            guard isGPU || isLaunch || isOp else { continue }
            guard let name = try r.string("name") else { throw r.fail("name", "missing required field: expected the event name") }
            let args = try r.object("args")
            func id(_ key: String) throws -> Int64? {
                guard let args, let v = args.raw(key) else { return nil }
                guard let n = wholeNumber(v) else { throw args.fail(key, "expected a whole number, found \(describe(v))") }
                return n
            }
            if isGPU {
                let pid = try track(r, "pid", required: false), tid = try track(r, "tid", required: false)
                var device = 0
                if let d = try id("device") { device = Int(clamping: d) } else if case .number(let n)? = pid { device = Int(clamping: n) }
                let stream: String
                if let s = try id("stream") { stream = String(s) } else { stream = tid?.description ?? "0" }
                let bytes = try id("bytes")
                if let bytes, bytes < 0 { throw args!.fail("bytes", "must not be negative") }
                let kernelClass: KernelClass
                if let c = classes[category + "\u{0}" + name] { kernelClass = c } else {
                    kernelClass = KernelClassifier.classify(name: name, category: category)
                    classes[category + "\u{0}" + name] = kernelClass
                }
                gpu.append(GPUEvent(name: name, category: category, kernelClass: kernelClass,
                                    event: i, start: start, duration: duration, device: device, stream: stream,
                                    correlation: try id("correlation"), externalID: try id("External id"), bytes: bytes,
                                    launch: nil, op: nil, join: .none))
            } else if isLaunch {
                guard let correlation = try id("correlation") else { continue }    // not a launch (no GPU work to join)
                launches.append(Launch(name: name, event: i, pid: try track(r, "pid", required: true)!, tid: try track(r, "tid", required: true)!,
                                       start: start, end: start + duration, correlation: correlation, externalID: try id("External id")))
            } else {
                ops.append(Op(name: name, event: i, pid: try track(r, "pid", required: true)!, tid: try track(r, "tid", required: true)!,
                              start: start, end: start + duration, externalID: try id("External id"),
                              arguments: try arguments(args), parent: nil))
            }
        }
        var trace = KinetoTrace(file: file, container: container, baseTimeNanoseconds: base, devices: devices, ops: ops,
                                launches: launches, gpuEvents: gpu, eventCount: events.count, decompression: nil)
        trace.join()
        return trace
    }

    /// `ts` or `dur` in integer nanoseconds from the decimal microseconds' text.
    static func time(_ r: ObjectReader, _ key: String, base: Int64?) throws -> Int64 {
        guard let v = r.raw(key) else { throw r.fail(key, "missing required field: expected microseconds (a number)") }
        let ns: Int64?
        switch v {
        case .decimal(let d): ns = d.scaledInteger(decimals: 3)
        case .number(let d): ns = d.isFinite && abs(d) < 9e15 ? Int64((d * 1000).rounded()) : nil
        default: throw r.fail(key, "expected microseconds (a number), found \(v.typeName)")
        }
        guard let ns else { throw r.fail(key, "\(describe(v)) µs is out of range (more than 2^63 ns)") }
        guard let base else { return ns }
        let (sum, overflow) = ns.addingReportingOverflow(base)
        if overflow { throw r.fail(key, "\(describe(v)) µs plus baseTimeNanoseconds is out of range") }
        return sum
    }

    static func wholeNumber(_ v: JSONValue) -> Int64? {
        switch v {
        case .decimal(let d): return d.integerValue
        case .number(let d): return d.rounded() == d && abs(d) < 9.2e18 ? Int64(d) : nil
        default: return nil
        }
    }

    static func describe(_ v: JSONValue) -> String {
        switch v {
        case .decimal(let d): return d.text
        case .number(let d): return JSONWriter.format(number: d)
        case .string(let s): return JSONWriter.quote(s)
        default: return v.typeName
        }
    }

    static func track(_ r: ObjectReader, _ key: String, required: Bool) throws -> Track? {
        guard let v = r.raw(key) else {
            if required { throw r.fail(key, "missing required field: expected a process or thread id (a number or a string)") }
            return nil
        }
        if case .string(let s) = v { return .name(s) }
        guard let n = wholeNumber(v) else { throw r.fail(key, "expected a process or thread id (a whole number or a string), found \(describe(v))") }
        return .number(n)
    }

    /// `Input Dims` (one entry per argument: a shape, `[]` for scalars, a list of shapes for tensor
    /// lists), `Input type` and `Concrete Inputs`, zipped into arguments.
    static func arguments(_ args: ObjectReader?) throws -> [OpArgument] {
        guard let args, let dims = try args.array("Input Dims") else { return [] }
        let types = try args.array("Input type") ?? []
        let concrete = try args.array("Concrete Inputs") ?? []
        var out: [OpArgument] = []
        out.reserveCapacity(dims.count)
        for (j, entry) in dims.enumerated() {
            let path = args.child("Input Dims") + "[\(j)]"
            guard case .array(let items) = entry else {
                throw RidgeError.data(file: args.file, at: path, "expected a list of dims, found \(entry.typeName)")
            }
            let dtype = j < types.count ? (types[j].stringValue ?? "") : ""
            let value = j < concrete.count ? (concrete[j].stringValue ?? "") : ""
            if items.contains(where: { $0.arrayValue != nil }) {
                out.append(OpArgument(dims: nil, dtype: dtype, value: value))    // a tensor list
                continue
            }
            var shape: [Int] = []
            for (k, d) in items.enumerated() {
                guard let n = wholeNumber(d), n >= 0, n <= 1 << 48 else {
                    throw RidgeError.data(file: args.file, at: path + "[\(k)]", "expected a dimension (a whole number from 0 to 2^48), found \(describe(d))")
                }
                shape.append(Int(n))
            }
            let isTensor = !(dtype.isEmpty || dtype == "Scalar" || dtype == "None" || KernelClassifier.contains(dtype, "List")) || !shape.isEmpty
            out.append(OpArgument(dims: isTensor ? shape : nil, dtype: dtype, value: value))
        }
        return out
    }

    // MARK: - Joining

    /// Sets operator parents and each GPU event's launch, operator and join method.
    mutating func join() {
        // Operators per thread, in start order (longest first on ties, so parents precede children).
        var byThread: [Track: [Track: [Int]]] = [:]
        for (i, op) in ops.enumerated() { byThread[op.pid, default: [:]][op.tid, default: []].append(i) }
        var sorted: [Track: [Track: [Int]]] = [:]
        for (pid, threads) in byThread {
            for (tid, list) in threads {
                let order = list.sorted { a, b in
                    let x = ops[a], y = ops[b]
                    if x.start != y.start { return x.start < y.start }
                    if x.end != y.end { return x.end > y.end }
                    return x.event < y.event
                }
                var stack: [Int] = []
                for i in order {
                    while let top = stack.last, !(ops[top].start <= ops[i].start && ops[i].end <= ops[top].end) { stack.removeLast() }
                    ops[i].parent = stack.last
                    stack.append(i)
                }
                sorted[pid, default: [:]][tid] = order
            }
        }
        var byExternal: [Int64: Int] = [:]
        for (i, op) in ops.enumerated() { if let x = op.externalID, byExternal[x] == nil { byExternal[x] = i } }
        var byCorrelation: [Int64: Int] = [:]
        for (i, l) in launches.enumerated() where byCorrelation[l.correlation] == nil { byCorrelation[l.correlation] = i }

        func encloses(_ op: Op, _ l: Launch) -> Bool { op.pid == l.pid && op.tid == l.tid && op.start <= l.start && l.end <= op.end }
        /// The innermost operator on the launch's thread enclosing it.
        func enclosing(_ l: Launch) -> Int? {
            guard let order = sorted[l.pid]?[l.tid], !order.isEmpty else { return nil }
            // Last operator starting at or before the launch.
            var lo = 0, hi = order.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if ops[order[mid]].start <= l.start { lo = mid + 1 } else { hi = mid }
            }
            var candidate: Int? = lo > 0 ? order[lo - 1] : nil
            while let c = candidate, !encloses(ops[c], l) { candidate = ops[c].parent }
            return candidate
        }
        var opOfLaunch: [Int: (Int?, Join)] = [:]
        for g in gpuEvents.indices {
            let e = gpuEvents[g]
            if let c = e.correlation, let li = byCorrelation[c] {
                gpuEvents[g].launch = li
                if let known = opOfLaunch[li] {
                    gpuEvents[g].op = known.0; gpuEvents[g].join = known.1
                    continue
                }
                let l = launches[li]
                var found: (Int?, Join) = (nil, .none)
                if let x = l.externalID, let o = byExternal[x], encloses(ops[o], l) { found = (o, .launchExternalID) }
                else if let o = enclosing(l) { found = (o, .launchContainment) }
                opOfLaunch[li] = found
                gpuEvents[g].op = found.0; gpuEvents[g].join = found.1
            } else if let x = e.externalID, x != e.correlation, let o = byExternal[x] {
                gpuEvents[g].op = o; gpuEvents[g].join = .externalID
            }
        }
    }

    /// The operator and its enclosing operators, innermost first.
    public func ancestry(of op: Int) -> [Int] {
        var out: [Int] = []
        var current: Int? = op
        while let c = current, out.count < 10_000 { out.append(c); current = ops[c].parent }
        return out
    }
}
