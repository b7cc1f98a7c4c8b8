import Foundation

/// Replays an operator trace on a hardware profile in simulated time.
///
/// A discrete-event engine: events sit in a binary heap ordered by (time, sequence number), so
/// equal-time events resolve in the order they were created and every run is deterministic.
/// Each operator waits for the previous operator on its (engine, stream) and for its explicit
/// `after` dependencies; its tensors are made resident (the spill policy evicts and swaps as real
/// link traffic); compute operators then run for their cost-model time (throttled under a power
/// cap), transfers stream over links shared fairly with concurrent transfers (`LinkModel`).
/// Memories track allocation and its peak. Energy is each operator's dynamic energy plus every
/// engine's idle power over the makespan. See `docs/simulator.md`.
///
/// The hot loop runs on a `CompiledTrace` (structure of arrays, no reference counting) and on
/// costs memoised per distinct (shape, engine, placement) — the same numbers `CostModel.cost`
/// gives, computed once.
public final class Simulator {
    public let profile: HardwareProfile
    public let options: SimulationOptions

    public init(profile: HardwareProfile, options: SimulationOptions = SimulationOptions()) {
        self.profile = profile
        self.options = options
    }

    /// Simulates an in-memory trace.
    public func run(_ trace: Trace) throws -> SimulationResult {
        var compiled = CompiledTrace(trace, keepNames: true)
        return try run(compiled: &compiled, source: nil)
    }

    /// Simulates a compiled trace (the fastest path: compile once, simulate on many profiles;
    /// compile with `keepNames: false` and errors and timelines name operators by index).
    public func run(_ compiled: CompiledTrace) throws -> SimulationResult {
        var c = compiled
        return try run(compiled: &c, source: nil)
    }

    /// Runs the trace from `source` to completion, reading it as the simulation advances.
    public func run(_ source: inout TraceSource) throws -> SimulationResult {
        var compiled = CompiledTrace(header: source.header, keepNames: true)
        do { return try run(compiled: &compiled, source: &source) } catch let e as RidgeError {
            if let file = source.file { throw e.inFile(file) }
            throw e
        }
    }

    private func run(compiled: inout CompiledTrace, source: UnsafeMutablePointer<TraceSource>?) throws -> SimulationResult {
        try run(compiled: &compiled, source: source, recording: false).0
    }

    private func run(compiled: inout CompiledTrace, source: UnsafeMutablePointer<TraceSource>?,
                     recording: Bool) throws -> (SimulationResult, ChainSchedule.Recording) {
        let wallStart = DispatchTime.now().uptimeNanoseconds
        var state = RunState(profile: profile, options: options, header: compiled.header)
        try state.run(&compiled, source: source)
        var result = state.result(compiled)
        result.wallSeconds = Double(DispatchTime.now().uptimeNanoseconds - wallStart) / 1e9
        return (result, recording ? state.schedule(compiled, streamed: source != nil) : .notThisRun)
    }

    /// Simulates a compiled trace and, when it is a chain (every operator waits for the one before
    /// it and nothing else, no transfers) that did not spill, returns its `ChainSchedule` too.
    public func runRecordingSchedule(_ compiled: CompiledTrace) throws -> (SimulationResult, ChainSchedule.Recording) {
        var c = compiled
        return try run(compiled: &c, source: nil, recording: true)
    }

    /// The result of simulating `compiled`, timed from a schedule recorded on another profile of
    /// the same structure; nil when this profile and these options cannot reuse it (see
    /// `ChainSchedule.fits`), and the trace must be simulated instead.
    public func run(_ compiled: CompiledTrace, schedule: ChainSchedule) -> SimulationResult? {
        guard schedule.fits(profile, options, compiled) else { return nil }
        let wallStart = DispatchTime.now().uptimeNanoseconds
        var c = compiled
        var state = RunState(profile: profile, options: options, header: c.header)
        state.replay(&c, schedule)
        var result = state.result(c)
        result.wallSeconds = Double(DispatchTime.now().uptimeNanoseconds - wallStart) / 1e9
        return result
    }

    private func run(compiled: inout CompiledTrace, source: inout TraceSource) throws -> SimulationResult {
        try withUnsafeMutablePointer(to: &source) { try run(compiled: &compiled, source: $0) }
    }

    /// The mutable state of one run. Per-operator arrays are indexed by `i − trace.base`.
    private struct RunState: ~Copyable {
        let profile: HardwareProfile
        let options: SimulationOptions
        let header: TraceHeader
        var links: LinkModel
        var memory: MemoryTracker
        var events = EventQueue()
        var now = 0.0
        let window: Int
        var loaded = 0, finishedCount = 0, oldestUnfinished = 0, tensorsLoaded = 0
        var sourceDone = false

        /// Per-operator state (plain data, one array).
        struct OpState {
            var depsLeft: Int32 = 0
            var dependentsHead: Int32 = -1
            var pendingSwaps: Int32 = 0
            var costClass: Int32 = 0
            var startTime = 0.0
            var seconds = 0.0
            var energy = 0.0
            var finishTime = Double.nan
        }
        var ops = FlatArray<OpState>()
        /// Dependents linked list pool: (op, next). Nodes of woken dependents go on a free list and
        /// are reused, so the pool holds only the edges of loaded, unfinished operators.
        var depPool = FlatArray<(op: Int, next: Int32)>()
        var freeDep: Int32 = -1

        // Per queue.
        var queueEngine = FlatArray<Int32>()   // -1: transfer queue
        var queueLast = FlatArray<Int>()
        var queueTrack: [String] = []

        // Cost classes.
        var classCost: [OperatorCost] = []
        /// Each class's cost-model seconds and joules (read per launch without copying the cost).
        var classTime = FlatArray<Double>(), classJoules = FlatArray<Double>()
        var classShape: [Int32] = []
        var classEngine: [Int32] = []
        var classIsTransfer = FlatArray<Bool>()
        /// A transfer class's link route, bytes, chunk size and rate cap (the source's read
        /// bandwidth at its chunk size, the destination's write bandwidth).
        var classTransfer: [(route: Int32, bytes: Double, chunk: Double, cap: Double)] = []
        var classSeconds = FlatArray<Double>(), classCount = FlatArray<Int>()
        var classIndex: [UInt64: Int32] = [:]
        var localClass = FlatArray<Int32>()    // shape × engine → class when placement is local
        /// Each class's placement (nil: the engine's own memory, costed without one).
        var classPlacement: [Placement?] = []
        /// Whether some operator depends on anything but the operator just before it, or is a
        /// transfer: then the run is not a chain and has no `ChainSchedule`.
        var chainBroken = false
        var spilledAtStart = false

        // Per phase.
        var phaseFirst = FlatArray<Double>(), phaseLast = FlatArray<Double>(), phaseEnergy = FlatArray<Double>(), phaseOps = FlatArray<Int>()

        let engineMemory: [Int32]
        let primaryEngine: Int32
        var engineIndex: [String: Int32] = [:]
        var memoryIndex: [String: Int32] = [:]
        var dynamicEnergy = 0.0, runningPower = 0.0, peakDynamicPower = 0.0
        var timeline: [TimelineSpan] = []
        var transferBytesByLink: [Double]
        var swapBytesByLink: [Double]
        var swapEnergy = 0.0, swapCount = 0, sequence = 0
        /// The swaps `start` issues for its operator (one buffer, reused), and the sequence number
        /// of the start whose tensors are pinned.
        var swaps = FlatArray<(Int, Int, Double)>()
        var pinnedFor = -1
        /// Per link and per memory, the profile's numbers swaps and transfers use (read without
        /// copying the profile's structs): latency, per-transfer overhead, energy per byte; write
        /// bandwidth, energy per byte, read bandwidth at the swap block size.
        var linkLatency = FlatArray<Double>(), linkOverhead = FlatArray<Double>(), linkEnergy = FlatArray<Double>()
        var writeBandwidth = FlatArray<Double>(), memoryEnergy = FlatArray<Double>(), swapReadBandwidth = FlatArray<Double>()
        /// Bytes evicted without moving: clean tensors whose spill-tier copy was still valid.
        var droppedBytes = 0.0
        var capWatts: Double?
        let idleWatts: Double
        /// Dynamic watts each engine draws now, and what its board power limit leaves above idle:
        /// peak − idle for GPUs, whose `peak` is the enforced TDP (the driver's power limit); other
        /// engines' peak is a datasheet maximum, not a limit, so their budget is unbounded.
        var enginePower: [Double]
        let engineBudget: [Double]
        var throttledOps = 0, throttleExtraSeconds = 0.0
        var tdpThrottledOps = 0, tdpThrottleExtraSeconds = 0.0
        var makespan = 0.0

        init(profile: HardwareProfile, options: SimulationOptions, header: TraceHeader) {
            self.profile = profile
            self.options = options
            self.header = header
            links = LinkModel(profile: profile)
            for l in profile.links { linkLatency.append(l.latency); linkOverhead.append(l.perTransferOverhead); linkEnergy.append(l.energyPerByte) }
            let o = options.oversubscription
            for m in profile.memories {
                writeBandwidth.append(m.writeBandwidth); memoryEnergy.append(m.energyPerByte)
                swapReadBandwidth.append(m.readBandwidth(requestBytes: o.policy == .paging ? o.pageBytes : o.blockBytes))
            }
            memory = MemoryTracker(profile: profile, capacityOverrides: options.capacityOverrides)
            memory.retainCopies = options.oversubscription.policy != .paging
            memory.recordSamples = options.recordMemory
            memory.trackFuture = options.oversubscription.policy == .belady
            memory.policy = options.oversubscription.policy
            memory.selectByScan = options.victimsByScan
            window = max(16, options.window)
            transferBytesByLink = Array(repeating: 0, count: profile.links.count)
            swapBytesByLink = transferBytesByLink
            capWatts = options.oversubscription.powerCap ?? profile.powerCap
            if capWatts == .infinity { capWatts = nil }
            idleWatts = profile.engines.reduce(0) { $0 + $1.power.idleWatts }
            enginePower = Array(repeating: 0, count: profile.engines.count)
            engineBudget = profile.engines.map { e in
                guard e.kind == "gpu", let peak = e.power.peakWatts else { return .infinity }
                return max(peak - e.power.idleWatts, 0)
            }
            for (i, e) in profile.engines.enumerated() { engineIndex[e.id] = Int32(i) }
            for (i, m) in profile.memories.enumerated() { memoryIndex[m.id] = Int32(i) }
            engineMemory = profile.engines.map { e in Int32(profile.memoryIndex(e.memory)!) }
            primaryEngine = Int32(profile.engineIndex(profile.primaryEngine.id)!)
        }

        // MARK: Loading

        mutating func run(_ trace: inout CompiledTrace, source: UnsafeMutablePointer<TraceSource>?) throws {
            if source == nil { ops.reserve(min(trace.count, window)); depPool.reserve(min(trace.count, window)) }
            try load(&trace, source)
            while true {
                guard let event = events.pop() else {
                    if sourceDone && loaded == trace.count { break }
                    try load(&trace, source)
                    if events.isEmpty { if sourceDone && loaded == trace.count { break }; throw stalled(&trace) }
                    continue
                }
                if event.time > now { now = event.time }
                switch event.kind {
                case .opFinish: try finish(event.index, &trace)
                case .flowStart:
                    links.advance(to: now)
                    links.activate(event.index, at: now)
                    links.recomputeRates()
                    rescheduleFlows()
                case .flowFinish:
                    let f = event.index
                    guard links.flows[f].active, links.flows[f].version == Int(event.version) else { continue }
                    let op = links.flows[f].op
                    let isSwap = links.flows[f].isSwap
                    if isSwap && options.recordTimeline { recordSwap(links.flows[f], trace) }
                    links.advance(to: now)
                    links.deactivate(f)
                    links.recomputeRates()
                    rescheduleFlows()
                    if isSwap {
                        let l = op - trace.base
                        ops[l].pendingSwaps -= 1
                        if ops[l].pendingSwaps == 0 { launch(op, &trace) }
                    } else {
                        try finish(op, &trace)
                    }
                }
                if loaded - oldestUnfinished < window / 2 && (!sourceDone || loaded < trace.count) { try load(&trace, source) }
            }
            if finishedCount < loaded { throw stalled(&trace) }
        }

        func stalled(_ trace: inout CompiledTrace) -> RidgeError {
            RidgeError.data(file: nil, at: opLabel(oldestUnfinished, &trace),
                            "the simulation stalled: \(loaded - finishedCount) operators can never run (this is the oldest)")
        }

        /// Admits operators (pulling records from the source, if any) up to the window.
        mutating func load(_ trace: inout CompiledTrace, _ source: UnsafeMutablePointer<TraceSource>?) throws {
            while tensorsLoaded < trace.tensors.count { try addTensor(trace.tensors[tensorsLoaded]); tensorsLoaded += 1 }
            while loaded - oldestUnfinished < window {
                if loaded == trace.count {
                    guard let source, !sourceDone else { sourceDone = true; return }
                    guard let record = try source.pointee.next() else { sourceDone = true; return }
                    switch record {
                    case .tensor(let t):
                        trace.tensors.append(t)
                        try addTensor(t)
                        tensorsLoaded += 1
                        continue
                    case .op(let op):
                        if oldestUnfinished - trace.base > window / 2 { compact(&trace) }
                        trace.append(op)
                    }
                }
                try addOp(loaded, &trace)
            }
        }

        /// Drops finished operators' storage (streamed traces stay in bounded memory).
        mutating func compact(_ trace: inout CompiledTrace) {
            let k = oldestUnfinished - trace.base
            guard k > 0 else { return }
            trace.dropPrefix(upTo: oldestUnfinished)
            ops.removeFirst(k)
        }

        mutating func addTensor(_ t: TensorInfo) throws {
            let home: Int32
            if t.memory.isEmpty { home = engineMemory[Int(primaryEngine)] } else {
                guard let m = memoryIndex[t.memory] else {
                    throw RidgeError.data(file: nil, at: "tensor \"\(t.name)\".memory",
                                          "unknown memory \"\(t.memory)\" (profile \(profile.name) has: \(profile.memories.map(\.id).joined(separator: ", ")))")
                }
                home = m
            }
            memory.addTensor(t, home: home)
            let index = memory.tensorCount - 1
            guard t.resident else { return }
            // Resident tensors (weights) are placed at time zero; what does not fit starts in the spill tier.
            memory.tensorAllocated[index] = true
            let fits = max(0, min(t.bytes, memory.free(in: Int(home))))
            if fits < t.bytes {
                if options.oversubscription.policy == .none || memory.spillTier[Int(home)] < 0 {
                    throw overflowError(memory: Int(home), needed: t.bytes, at: "tensor \"\(t.name)\"", what: "placing it at the start")
                }
                memory.change(Int(memory.spillTier[Int(home)]), by: t.bytes - fits, at: 0)
                spilledAtStart = true
            }
            memory.addResident(index, fits, at: 0, sequence: 0)
        }

        func opLabel(_ i: Int, _ trace: inout CompiledTrace) -> String { "operator \(i) (\"\(trace.name(i))\")" }

        /// The cost class of an operator: its shape on its engine with its tensors' placement.
        mutating func classify(_ i: Int, _ trace: inout CompiledTrace, queue: Int) throws -> Int32 {
            let l = i - trace.base
            let shapeID = trace.records[l].shape
            let engine = queueEngine[queue]
            if engine < 0 {
                guard case .transfer(let t) = trace.shapes[Int(shapeID)] else { fatalError("transfer queue without a transfer") }
                let key = UInt64(UInt32(shapeID)) | (1 << 63)
                if let c = classIndex[key] { return c }
                guard let a = memoryIndex[t.from] else { throw RidgeError.data(file: nil, at: opLabel(i, &trace) + ".from", "unknown memory \"\(t.from)\" (profile \(profile.name) has: \(profile.memories.map(\.id).joined(separator: ", ")))") }
                guard let b = memoryIndex[t.to] else { throw RidgeError.data(file: nil, at: opLabel(i, &trace) + ".to", "unknown memory \"\(t.to)\" (profile \(profile.name) has: \(profile.memories.map(\.id).joined(separator: ", ")))") }
                let route = links.routeID(from: Int(a), to: Int(b))
                guard route >= 0 else {
                    throw RidgeError.data(file: nil, at: opLabel(i, &trace), "no link path from \(t.from) to \(t.to) in profile \(profile.name)")
                }
                let c = newClass(shapeID, engine: -1, CostModel.transfer(t, profile))
                chainBroken = true   // transfers stream over shared links: not replayed
                classIsTransfer[Int(c)] = true
                let chunk = t.chunkBytes ?? t.bytes
                classTransfer[Int(c)] = (route, t.bytes, chunk,
                                         min(profile.memories[Int(a)].readBandwidth(requestBytes: chunk), profile.memories[Int(b)].writeBandwidth))
                classIndex[key] = c
                return c
            }
            // Placement: memories of read tensors that are not the engine's own.
            let home = engineMemory[Int(engine)]
            var w: Int32 = -1, kv: Int32 = -1, input: Int32 = -1
            for r in trace.readRange(i) {
                let t = Int(trace.tensor(r))
                let m = memory.tensorHome[t]
                if m == home { continue }
                switch memory.tensorKind[t] {
                case .weight: w = m
                case .kv: kv = m
                default: input = m
                }
            }
            if w < 0 && kv < 0 && input < 0 {
                let slot = Int(shapeID) * engineMemory.count + Int(engine)
                if slot >= localClass.count { localClass.append(repeating: -1, count: slot + 1 - localClass.count + 64) }
                if localClass[slot] >= 0 { return localClass[slot] }
                let c = newClass(shapeID, engine: engine, CostModel.cost(trace.shapes[Int(shapeID)], on: profile.engines[Int(engine)], in: profile))
                localClass[slot] = c
                return c
            }
            let key = UInt64(UInt32(shapeID)) | UInt64(UInt8(truncatingIfNeeded: engine)) << 32 | UInt64(UInt8(truncatingIfNeeded: w)) << 40
                | UInt64(UInt8(truncatingIfNeeded: kv)) << 48 | UInt64(UInt8(truncatingIfNeeded: input)) << 56
            if let c = classIndex[key] { return c }
            let memories = profile.memories
            func id(_ m: Int32) -> String? { m < 0 ? nil : memories[Int(m)].id }
            let placement = Placement(input: id(input), weights: id(w), kv: id(kv))
            let c = newClass(shapeID, engine: engine, CostModel.cost(trace.shapes[Int(shapeID)], on: profile.engines[Int(engine)], in: profile, placement: placement),
                             placement: placement)
            classIndex[key] = c
            return c
        }

        mutating func newClass(_ shape: Int32, engine: Int32, _ cost: OperatorCost, placement: Placement? = nil) -> Int32 {
            classPlacement.append(placement)
            classCost.append(cost); classShape.append(shape); classEngine.append(engine)
            classTime.append(cost.seconds); classJoules.append(cost.energyJoules)
            classIsTransfer.append(false); classTransfer.append((-1, 0, 0, 0)); classSeconds.append(0); classCount.append(0)
            return Int32(classCost.count - 1)
        }

        mutating func addOp(_ i: Int, _ trace: inout CompiledTrace) throws {
            let l = i - trace.base
            let q = Int(trace.records[l].queue)
            while q >= queueEngine.count {
                let (engineName, stream) = trace.queues[queueEngine.count]
                var engine: Int32 = -1
                if case .transfer = trace.shapes[Int(trace.records[l].shape)], engineName.isEmpty { engine = -1 }
                else if engineName.isEmpty { engine = primaryEngine }
                else {
                    guard let e = engineIndex[engineName] else {
                        throw RidgeError.data(file: nil, at: opLabel(i, &trace) + ".engine",
                                              "unknown engine \"\(engineName)\" (profile \(profile.name) has: \(profile.engines.map(\.id).joined(separator: ", ")))")
                    }
                    engine = e
                }
                queueEngine.append(engine)
                queueLast.append(-1)
                queueTrack.append((engine < 0 ? "xfer" : profile.engines[Int(engine)].id) + "/" + stream)
            }
            let p = Int(trace.records[l].phase)
            while p >= phaseOps.count { phaseFirst.append(.infinity); phaseLast.append(0); phaseEnergy.append(0); phaseOps.append(0) }
            for r in trace.readRange(i).lowerBound..<trace.freeRange(i).upperBound {
                let t = trace.tensor(r)
                if t < 0 || Int(t) >= memory.tensorCount {
                    throw RidgeError.data(file: nil, at: opLabel(i, &trace), "references tensor \(t), which is not declared")
                }
                if memory.trackFuture { memory.addFutureUse(Int(t), op: i) }
            }
            let c = try classify(i, &trace, queue: q)
            ops.append(OpState(costClass: c))
            loaded += 1
            var waiting: Int32 = 0
            var ready = 0.0
            let previous = queueLast[q]
            if previous >= 0 { try depend(i, on: previous, &waiting, &ready, &trace) }
            queueLast[q] = i
            var dependencies = previous >= 0 ? 1 : 0
            if previous >= 0 && previous != i - 1 { chainBroken = true }
            for a in trace.afterRange(i) {
                let d = Int(trace.after[a - trace.afterBase])
                try depend(i, on: d, &waiting, &ready, &trace)
                if d != i - 1 { chainBroken = true }
                dependencies += 1
            }
            if (i == 0) != (dependencies == 0) { chainBroken = true }
            ops[l].depsLeft = waiting
            if waiting == 0 { try start(i, at: max(ready, now), &trace) }
        }

        /// Operator `i` waits for `d`: counted in `waiting` while `d` runs, else `ready` is when it finished.
        mutating func depend(_ i: Int, on d: Int, _ waiting: inout Int32, _ ready: inout Double, _ trace: inout CompiledTrace) throws {
            guard d >= 0, d < i else {
                throw RidgeError.data(file: nil, at: opLabel(i, &trace) + ".after", "depends on operator \(d), which is not an earlier operator")
            }
            if d < trace.base { return }    // long finished and dropped
            let t = ops[d - trace.base].finishTime
            guard t.isNaN else {
                if t > ready { ready = t }
                return
            }
            waiting += 1
            let head = ops[d - trace.base].dependentsHead
            let node: Int32
            if freeDep >= 0 {
                node = freeDep
                freeDep = depPool[Int(node)].next
                depPool[Int(node)].op = i
                depPool[Int(node)].next = head
            } else {
                node = Int32(depPool.count)
                depPool.append((i, head))
            }
            ops[d - trace.base].dependentsHead = node
        }

        // MARK: Running

        /// `location` is the operator or tensor that overflowed, `what` what it was doing.
        func overflowError(memory m: Int, needed: Double, at location: String, what: String) -> RidgeError {
            let id = profile.memories[m].id
            let over = max(0, memory.current[m] + needed - memory.capacity[m])
            return RidgeError.data(file: nil, at: location,
                                   "does not fit: \(what) needs \(Format.bytes(needed)) (\(JSONWriter.format(number: needed.rounded())) bytes) in \(id), which holds \(Format.bytes(memory.current[m])) of \(Format.bytes(memory.capacity[m])): \(Format.bytes(over)) (\(JSONWriter.format(number: over.rounded())) bytes) over"
                                   + (options.oversubscription.policy == .none ? " (spill policy none)" : ", even after spilling everything else"))
        }

        /// Makes room for `bytes` of tensor `t` in its home, spilling victims; appends the swaps to
        /// `swaps`. The `pinned` references (the operator's own tensors) are not evicted.
        mutating func need(_ t: Int, _ bytes: Double, op i: Int, pinned: Range<Int>, _ trace: inout CompiledTrace) throws {
            guard bytes > 0 else { return }
            let home = Int(memory.tensorHome[t])
            let free = memory.free(in: home)
            guard free < bytes - 1e-6 else { return }
            let policy = options.oversubscription.policy
            if policy == .none { throw overflowError(memory: home, needed: bytes, at: opLabel(i, &trace), what: "it") }
            if pinnedFor != sequence {
                pinnedFor = sequence
                memory.newPinSet()
                for r in pinned { memory.pin(Int(trace.tensor(r))) }
            }
            guard memory.spillTier[home] >= 0,
                  memory.victims(in: home, needed: bytes - free, page: options.oversubscription.pageBytes, currentOp: i) else {
                throw overflowError(memory: home, needed: bytes, at: opLabel(i, &trace), what: "it")
            }
            for k in 0..<memory.victimBuffer.count {
                let (v, b) = memory.victimBuffer[k]
                let moved = memory.spill(v, b, at: now)
                droppedBytes += b - moved
                if moved > 0 { swaps.append((home, Int(memory.spillTier[home]), moved)) }
            }
        }

        /// An operator whose dependencies are done: make its tensors resident (spilling others and
        /// swapping spilled ones back as the policy says), then launch it once those swaps land.
        mutating func start(_ i: Int, at time: Double, _ trace: inout CompiledTrace) throws {
            let l = i - trace.base
            ops[l].startTime = time
            sequence += 1
            let reads = trace.readRange(i), writes = trace.writeRange(i)
            swaps.removeAll()
            if !reads.isEmpty || !writes.isEmpty {
                let pinned = reads.lowerBound..<writes.upperBound   // the operator's own tensors are not evicted
                for r in reads {
                    let t = Int(trace.tensor(r))
                    memory.touch(t, sequence: sequence)
                    guard memory.tensorAllocated[t] else { continue }
                    let missing = memory.spilled(t)
                    if missing > 0 {
                        try need(t, missing, op: i, pinned: pinned, &trace)
                        let home = Int(memory.tensorHome[t])
                        memory.unspill(t, missing, at: time, sequence: sequence)
                        swaps.append((Int(memory.spillTier[home]), home, missing))
                    }
                }
                for r in writes {
                    let t = Int(trace.tensor(r))
                    memory.touch(t, sequence: sequence)
                    memory.invalidateCopy(t, at: time)
                    let newSize = trace.refs[r - trace.refBase].bytes
                    if !memory.tensorAllocated[t] {
                        let bytes = newSize.isNaN ? memory.tensorBytes[t] : newSize
                        memory.tensorAllocated[t] = true
                        memory.tensorBytes[t] = bytes
                        memory.tensorResident[t] = 0
                        try need(t, bytes, op: i, pinned: pinned, &trace)
                        memory.addResident(t, bytes, at: time, sequence: sequence)
                    } else if !newSize.isNaN {
                        let missing = memory.spilled(t)
                        if missing > 0 {
                            // A write that resizes a partly spilled tensor brings it home first.
                            try need(t, missing, op: i, pinned: pinned, &trace)
                            let home = Int(memory.tensorHome[t])
                            memory.unspill(t, missing, at: time, sequence: sequence)
                            swaps.append((Int(memory.spillTier[home]), home, missing))
                        }
                        let delta = newSize - memory.tensorBytes[t]
                        if delta > 0 { try need(t, delta, op: i, pinned: pinned, &trace) }
                        memory.tensorBytes[t] = newSize
                        memory.addResident(t, delta, at: time, sequence: sequence)
                    }
                }
            }
            if swaps.isEmpty { launch(i, &trace); return }
            ops[l].pendingSwaps = Int32(swaps.count)
            for k in 0..<swaps.count { let sw = swaps[k]; issueSwap(for: i, from: sw.0, to: sw.1, bytes: sw.2, at: time) }
        }

        /// A spill or swap-in: real traffic on the links between the tiers, in blocks.
        mutating func issueSwap(for op: Int, from a: Int, to b: Int, bytes: Double, at time: Double) {
            let o = options.oversubscription
            let route = links.routeID(from: a, to: b)
            let block = o.policy == .paging ? o.pageBytes : o.blockBytes
            let chunks = max(1, (bytes / block).rounded(.up))
            var setup = setupSeconds(route, chunks: chunks)
            if o.policy == .paging { setup += o.faultLatency * chunks }
            var flow = LinkModel.Flow(op: op, route: route, remaining: bytes, cap: min(swapReadBandwidth[a], writeBandwidth[b]))
            flow.isSwap = true
            flow.issued = time
            flow.bytes = bytes
            let f = links.add(flow)
            for h in links.hops(of: route) {
                let k = links.hopLink(h)
                swapBytesByLink[k] += bytes
                swapEnergy += bytes * linkEnergy[k]
            }
            swapEnergy += bytes * (memoryEnergy[a] + memoryEnergy[b])
            swapCount += 1
            events.push(time + setup, .flowStart, f)
        }

        /// The fixed cost of moving `chunks` chunks over `route` before its bytes flow: every link's
        /// latency plus its per-transfer overhead per chunk.
        @inline(__always)
        func setupSeconds(_ route: Int32, chunks: Double) -> Double {
            var setup = 0.0
            for h in links.hops(of: route) { let k = links.hopLink(h); setup += linkLatency[k] + linkOverhead[k] * chunks }
            return setup
        }

        /// A finished swap as a timeline span on its link route (`swap/pcie`), from issue to landing,
        /// with the direction as its kind (`swap hbm→host` spills, `swap host→hbm` brings back).
        mutating func recordSwap(_ flow: LinkModel.Flow, _ trace: CompiledTrace) {
            let hops = links.hops(of: flow.route)
            guard !hops.isEmpty else { return }
            let first = profile.links[links.hopLink(hops.lowerBound)], last = profile.links[links.hopLink(hops.upperBound - 1)]
            let from = links.hopForward(hops.lowerBound) ? first.from : first.to
            let to = links.hopForward(hops.upperBound - 1) ? last.to : last.from
            let phase = flow.op >= trace.base ? trace.phases[Int(trace.records[flow.op - trace.base].phase)] : ""
            timeline.append(TimelineSpan(name: "swap \(Format.bytes(flow.bytes)) for \(trace.name(flow.op))",
                                         track: "swap/" + hops.map { profile.links[links.hopLink($0)].id }.joined(separator: "+"),
                                         kind: "swap \(from)→\(to)", phase: phase, start: flow.issued, end: now))
        }

        /// Starts the operator itself (its tensors are in place).
        mutating func launch(_ i: Int, _ trace: inout CompiledTrace) {
            let l = i - trace.base
            let time = max(now, ops[l].startTime)
            ops[l].startTime = time     // from here on: when it began running, after any swap-ins it waited for
            let c = Int(ops[l].costClass)
            if classIsTransfer[c] {
                let t = classTransfer[c]
                let flow = links.add(LinkModel.Flow(op: i, route: t.route, remaining: t.bytes, cap: t.cap))
                ops[l].energy = classJoules[c]
                // Fixed cost first: latency and per-transfer overhead of every link on the route.
                events.push(time + setupSeconds(t.route, chunks: max(1, (t.bytes / max(t.chunk, 1)).rounded(.up))), .flowStart, flow)
                return
            }
            let (s, e) = begin(c)
            ops[l].seconds = s
            ops[l].energy = e
            events.push(time + s, .opFinish, i)
        }

        /// The time and energy of a compute operator of class `c` starting now: its cost-model
        /// values, throttled when they would exceed the engine's board power limit (GPU TDP) or the
        /// power cap, whichever leaves less; its power joins the engine's and the total running power.
        @inline(__always)
        mutating func begin(_ c: Int) -> (seconds: Double, energy: Double) {
            var s = classTime[c], e = classJoules[c]
            guard s > 0 else { return (s, e) }
            let engine = Int(classEngine[c])
            let tdpBudget = engine >= 0 ? engineBudget[engine] - enginePower[engine] : .infinity
            let capBudget = capWatts.map { $0 - idleWatts - runningPower } ?? .infinity
            let budget = min(tdpBudget, capBudget)
            if e / s > budget {
                let (t, j) = throttled(classCost[c], budget: budget)
                if tdpBudget < capBudget {
                    tdpThrottledOps += 1
                    tdpThrottleExtraSeconds += t - s
                } else {
                    throttledOps += 1
                    throttleExtraSeconds += t - s
                }
                (s, e) = (t, j)
            }
            let watts = e / s
            runningPower += watts
            if engine >= 0 { enginePower[engine] += watts }
            if runningPower > peakDynamicPower { peakDynamicPower = runningPower }
            return (s, e)
        }

        /// Books an operator of class `c` and phase `p` that ran from `start` to `now` with the
        /// time and energy `begin` gave it (a transfer draws no running power).
        @inline(__always)
        mutating func book(_ c: Int, phase p: Int, start: Double, seconds: Double, energy: Double, transfer: Bool) {
            if now > makespan { makespan = now }
            finishedCount += 1
            if !transfer && seconds > 0 {
                let watts = energy / seconds, engine = Int(classEngine[c])
                runningPower -= watts
                if engine >= 0 { enginePower[engine] -= watts }
            }
            dynamicEnergy += energy
            classSeconds[c] += now - start
            classCount[c] += 1
            if start < phaseFirst[p] { phaseFirst[p] = start }
            if now > phaseLast[p] { phaseLast[p] = now }
            phaseEnergy[p] += energy
            phaseOps[p] += 1
        }

        /// Power capping by clock throttling (DVFS): at clock ratio f the compute time stretches to
        /// t_c/f while memory time is unchanged, and compute-side energy (FLOPs and the busy floor)
        /// scales with V² ∝ f² (dynamic power C·V²·f). The largest f whose power fits the budget is
        /// found by bisection. Compute-bound operators slow down; memory-bound ones mostly just draw
        /// less — the asymmetry POLCA (Patel et al., ASPLOS 2024) and Splitwise report.
        func throttled(_ c: OperatorCost, budget: Double) -> (Double, Double) {
            var memoryEnergy = 0.0
            for t in c.traffic { if let m = profile.memory(t.memory) { memoryEnergy += t.total * m.energyPerByte } }
            let computeEnergy = c.energyJoules - memoryEnergy
            func at(_ f: Double) -> (Double, Double) {
                (max(c.computeSeconds / f, c.memorySeconds) + c.overheadSeconds, computeEnergy * f * f + memoryEnergy)
            }
            var lo = 0.05, hi = 1.0
            if at(lo).1 / at(lo).0 > budget { hi = lo } else {
                for _ in 0..<40 {
                    let mid = (lo + hi) / 2
                    let (t, e) = at(mid)
                    if e / t <= budget { lo = mid } else { hi = mid }
                }
                hi = lo
            }
            return at(hi)
        }

        mutating func rescheduleFlows() {
            for i in links.flows.indices where links.flows[i].active {
                let fl = links.flows[i]
                events.push(fl.rate > 0 ? now + fl.remaining / fl.rate : .infinity, .flowFinish, i, Int32(truncatingIfNeeded: fl.version))
            }
        }

        mutating func finish(_ i: Int, _ trace: inout CompiledTrace) throws {
            let l = i - trace.base
            ops[l].finishTime = now
            let c = Int(ops[l].costClass)
            let transfer = classIsTransfer[c]
            if transfer {
                let t = classTransfer[c]
                for h in links.hops(of: t.route) { transferBytesByLink[links.hopLink(h)] += t.bytes }
            }
            let p = Int(trace.records[l].phase)
            book(c, phase: p, start: ops[l].startTime, seconds: ops[l].seconds, energy: ops[l].energy, transfer: transfer)
            if options.recordTimeline {
                timeline.append(TimelineSpan(name: trace.name(i), track: queueTrack[Int(trace.records[l].queue)],
                                             kind: trace.shapes[Int(trace.records[l].shape)].kind, phase: trace.phases[p],
                                             start: ops[l].startTime, end: now))
            }
            for r in trace.freeRange(i) { memory.release(Int(trace.tensor(r)), at: now) }
            // Wake dependents.
            var node = ops[l].dependentsHead
            ops[l].dependentsHead = -1
            while node >= 0 {
                let dep = depPool[Int(node)].op
                node = recycleDependency(node)
                let dl = dep - trace.base
                ops[dl].depsLeft -= 1
                if ops[dl].depsLeft == 0 { try start(dep, at: now, &trace) }
            }
            while oldestUnfinished < loaded && !ops[oldestUnfinished - trace.base].finishTime.isNaN { oldestUnfinished += 1 }
            if oldestUnfinished == loaded { depPool.removeAll(); freeDep = -1 }
        }

        /// Puts a woken dependents-list node on the free list; returns the node after it.
        /// (A separate function: written inline in `finish`'s loop, this store sent the Swift 6.3
        /// compiler into an endless optimisation loop at -Onone.)
        @inline(never)
        mutating func recycleDependency(_ node: Int32) -> Int32 {
            let next = depPool[Int(node)].next
            depPool[Int(node)].next = freeDep
            freeDep = node
            return next
        }

        // MARK: Chain schedules

        /// The schedule of this run when it was a chain that neither spilled nor streamed.
        func schedule(_ trace: borrowing CompiledTrace, streamed: Bool) -> ChainSchedule.Recording {
            guard !streamed, !chainBroken, loaded == trace.count, trace.base == 0 else { return .notAChain }
            guard !spilledAtStart, swapCount == 0, !options.recordTimeline, !options.recordMemory else { return .notThisRun }
            var opClass: [Int32] = []
            opClass.reserveCapacity(loaded)
            for l in 0..<loaded { opClass.append(ops[l].costClass) }
            var peaks: [Double] = []
            for m in 0..<profile.memories.count { peaks.append(memory.peak[m]) }
            return .recorded(ChainSchedule(trace: trace.identity, tensors: trace.tensors.count, opClass: opClass, classShape: classShape, classEngine: classEngine, classPlacement: classPlacement,
                                 peaks: peaks, memoryIDs: profile.memories.map(\.id), engineIDs: profile.engines.map(\.id),
                                 engineMemories: profile.engines.map(\.memory), primaryEngine: profile.primaryEngine.id))
        }

        /// Times a chain from its schedule: each operator starts when the one before it finishes and
        /// runs for what `begin` gives it, and is booked by `book`, the code `launch` and `finish`
        /// use, in the same order; memory occupancy is the schedule's.
        mutating func replay(_ trace: inout CompiledTrace, _ schedule: ChainSchedule) {
            for k in schedule.classShape.indices {
                let shape = trace.shapes[Int(schedule.classShape[k])], engine = Int(schedule.classEngine[k])
                let cost = schedule.classPlacement[k].map { CostModel.cost(shape, on: profile.engines[engine], in: profile, placement: $0) }
                    ?? CostModel.cost(shape, on: profile.engines[engine], in: profile)
                _ = newClass(schedule.classShape[k], engine: schedule.classEngine[k], cost, placement: schedule.classPlacement[k])
            }
            for _ in trace.phases { phaseFirst.append(.infinity); phaseLast.append(0); phaseEnergy.append(0); phaseOps.append(0) }
            for m in 0..<profile.memories.count { memory.peak[m] = schedule.peaks[m] }
            let n = schedule.opClass.count
            schedule.opClass.withUnsafeBufferPointer { opClass in
                trace.records.withUnsafeBufferPointer { records in
                    for i in 0..<n {
                        let c = Int(opClass[i]), p = Int(records[i].phase)
                        let start = now
                        let (s, e) = begin(c)
                        now = start + s     // the finish event `launch` pushes
                        book(c, phase: p, start: start, seconds: s, energy: e, transfer: false)
                    }
                }
            }
            loaded = n
        }

        // MARK: Result

        func result(_ trace: borrowing CompiledTrace) -> SimulationResult {
            var r = SimulationResult(profile: profile.name, trace: header.name, ops: loaded, makespanSeconds: makespan)
            r.idleEnergyJoules = idleWatts * makespan
            r.dynamicEnergyJoules = dynamicEnergy + swapEnergy
            r.energyJoules = r.dynamicEnergyJoules + r.idleEnergyJoules
            r.peakWatts = idleWatts + peakDynamicPower
            r.averageWatts = makespan > 0 ? r.energyJoules / makespan : 0
            for (i, name) in trace.phases.enumerated() where i < phaseOps.count {
                let span = phaseOps[i] > 0 ? phaseLast[i] - phaseFirst[i] : 0
                r.phases.append(PhaseResult(name: PhaseResult.name(ofPhase: name), ops: phaseOps[i], startSeconds: phaseFirst[i].isFinite ? phaseFirst[i] : 0,
                                            endSeconds: phaseLast[i], energyJoules: phaseEnergy[i] + idleWatts * span))
            }
            var byKind: [String: (Int, Double)] = [:]
            var byBound: [String: Double] = [:]
            for c in classCost.indices where classCount[c] > 0 {
                let seconds = classSeconds[c], count = classCount[c]
                let shape = trace.shapes[Int(classShape[c])]
                byKind[shape.kind, default: (0, 0)].0 += count
                byKind[shape.kind, default: (0, 0)].1 += seconds
                byBound[classCost[c].bound.description, default: 0] += seconds
                r.operatorClasses.append(OperatorClass(shape: shape, engine: classEngine[c] < 0 ? "" : profile.engines[Int(classEngine[c])].id,
                                                       cost: classCost[c], count: count, totalSeconds: seconds))
            }
            r.byKind = byKind.keys.sorted().map { KindResult(kind: $0, count: byKind[$0]!.0, seconds: byKind[$0]!.1) }
            r.calibration = CalibrationShare.of(r.operatorClasses, profile: profile)
            r.byBound = byBound.keys.sorted().map { ($0, byBound[$0]!) }
            for (i, m) in profile.memories.enumerated() {
                r.memories.append(MemoryResult(id: m.id, capacityBytes: memory.capacity[i], peakBytes: memory.peak[i]))
            }
            r.links = profile.links.enumerated().map { i, l in (l.id, transferBytesByLink[i]) }
            r.timeline = timeline
            r.memorySamples = memory.samples.map { (time: $0.time, memory: profile.memories[Int($0.memory)].id, bytes: $0.bytes) }
            r.batch = header.int("batch")
            r.generate = header.int("generate")
            r.swaps = swapCount
            r.cleanEvictionBytes = droppedBytes
            r.swapBytes = profile.links.enumerated().map { i, l in (l.id, swapBytesByLink[i]) }.filter { $0.1 > 0 }
            r.swapEnergyJoules = swapEnergy
            r.spillPolicy = options.oversubscription.policy.rawValue
            r.powerCapWatts = capWatts
            r.throttledOps = throttledOps
            r.throttleExtraSeconds = throttleExtraSeconds
            r.tdpThrottledOps = tdpThrottledOps
            r.tdpThrottleExtraSeconds = tdpThrottleExtraSeconds
            return r
        }
    }
}

extension Simulator {
    /// Runs a trace and, when it spilled, the same trace with unlimited capacity (so the result
    /// says what oversubscription cost); when it was throttled by a power cap, the same trace
    /// uncapped. `makeSource` is called once per run (traces stream, they do not rewind).
    public func runWithCosts(_ makeSource: () throws -> TraceSource) throws -> SimulationResult {
        try runWithCosts { simulator in
            var source = try makeSource()
            return try simulator.run(&source)
        }
    }

    /// `runWithCosts` on a compiled trace (compile once, simulate on many profiles: sweeps).
    public func runWithCosts(_ compiled: CompiledTrace) throws -> SimulationResult {
        try runWithCosts { try $0.run(compiled) }
    }

    /// `runWithCosts` on a compiled trace, also returning its chain schedule when it has one.
    public func runWithCostsRecordingSchedule(_ compiled: CompiledTrace) throws -> (SimulationResult, ChainSchedule.Recording) {
        let (first, recording) = try runRecordingSchedule(compiled)
        let result = try withCosts(first) { simulator in
            if case .recorded(let schedule) = recording, let r = simulator.run(compiled, schedule: schedule) { return r }
            return try simulator.run(compiled)
        }
        return (result, recording)
    }

    /// `runWithCosts` timed from a recorded schedule; nil when this profile cannot reuse it.
    public func runWithCosts(_ compiled: CompiledTrace, schedule: ChainSchedule) throws -> SimulationResult? {
        guard let first = run(compiled, schedule: schedule) else { return nil }
        return try withCosts(first) { simulator in try simulator.run(compiled, schedule: schedule) ?? simulator.run(compiled) }
    }

    private func runWithCosts(_ run: (Simulator) throws -> SimulationResult) throws -> SimulationResult {
        try withCosts(try run(self), run)
    }

    /// Adds the unlimited-capacity and uncapped baselines to `first` (this simulator's result).
    private func withCosts(_ first: SimulationResult, _ run: (Simulator) throws -> SimulationResult) throws -> SimulationResult {
        var result = first
        if result.swaps > 0 {
            var o = options
            o.capacityOverrides = Dictionary(uniqueKeysWithValues: profile.memories.map { ($0.id, Double.infinity) })
            o.recordTimeline = false
            o.recordMemory = false
            let free = try run(Simulator(profile: profile, options: o))
            result.unlimited = SimulationResult.Baseline(makespanSeconds: free.makespanSeconds, energyJoules: free.energyJoules)
        }
        if result.throttledOps > 0 {
            var o = options
            o.oversubscription.powerCap = .infinity
            o.recordTimeline = false
            o.recordMemory = false
            let free = try run(Simulator(profile: profile, options: o))
            result.uncapped = SimulationResult.Baseline(makespanSeconds: free.makespanSeconds, energyJoules: free.energyJoules)
        }
        return result
    }
}

/// What a simulation of a chain trace established that does not depend on the profile's numbers.
///
/// In a chain (every operator waits for the operator before it and for nothing else, and none is a
/// transfer), one operator runs at a time in trace order whatever the durations are: the event
/// order is fixed. Tensors are allocated when an operator starts and freed when it finishes, so
/// the sequence of memory occupancies is fixed too, as long as nothing spills, and whether
/// something spills depends only on capacities: if every capacity is at least the peak a run
/// without spilling reached, no run spills. The cost class of each operator depends only on its
/// shape, engine and the memories its tensors live in. So a run on one profile fixes the order, the
/// occupancy peaks and the classes for every profile with the same memories and engines and
/// capacities at least those peaks; only the durations and energies differ, and `replay` computes
/// them operator by operator with the simulator's own arithmetic (tests check the results are
/// byte-identical to full simulations).
public struct ChainSchedule: Sendable {
    /// The compiled trace it was recorded on (copies share it) and its tensor count.
    let trace: CompiledTrace.Identity
    let tensors: Int
    let opClass: [Int32]
    let classShape: [Int32]
    let classEngine: [Int32]
    let classPlacement: [Placement?]
    let peaks: [Double]
    let memoryIDs: [String]
    let engineIDs: [String]
    let engineMemories: [String]
    let primaryEngine: String

    public var operators: Int { opClass.count }

    /// What a run recorded.
    public enum Recording: Sendable {
        case recorded(ChainSchedule)
        /// The trace is not a chain (or was streamed): no run of it records a schedule.
        case notAChain
        /// This run spilled (or recorded a timeline): another run of the trace may record one.
        case notThisRun

        public var schedule: ChainSchedule? { if case .recorded(let s) = self { return s }; return nil }
    }

    /// Whether a run on `profile` with `options` is timed by this schedule: the same memories and
    /// engines (by id, in order, each engine computing from the same memory, the same primary engine), every effective
    /// capacity at least the recorded peak, no timeline or memory samples asked for, and the trace
    /// it was recorded on (or a copy of it), unchanged.
    func fits(_ profile: HardwareProfile, _ options: SimulationOptions, _ trace: CompiledTrace) -> Bool {
        guard trace.identity === self.trace, trace.tensors.count == tensors, trace.count == opClass.count, trace.base == 0,
              !options.recordTimeline, !options.recordMemory,
              profile.memories.count == memoryIDs.count, profile.engines.count == engineIDs.count else { return false }
        for (i, m) in profile.memories.enumerated() {
            guard m.id == memoryIDs[i], (options.capacityOverrides[m.id] ?? m.capacity) >= peaks[i] else { return false }
        }
        for (i, e) in profile.engines.enumerated() where e.id != engineIDs[i] || e.memory != engineMemories[i] { return false }
        return profile.primaryEngine.id == primaryEngine
    }
}
