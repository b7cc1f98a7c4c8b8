import Foundation

/// Replays an operator trace on a hardware profile in simulated time.
///
/// A discrete-event engine: events sit in a binary heap ordered by (time, sequence number), so
/// equal-time events resolve in the order they were created and every run is deterministic.
/// Each operator waits for the previous operator on its (engine, stream) and for its explicit
/// `after` dependencies; compute operators then run for their cost-model time, transfers stream
/// over links shared fairly with concurrent transfers (`LinkModel`). Memories track allocation
/// and its peak. Energy is each operator's dynamic energy plus every engine's idle power over the
/// makespan.
public final class Simulator {
    public let profile: HardwareProfile
    public let options: SimulationOptions

    public init(profile: HardwareProfile, options: SimulationOptions = SimulationOptions()) {
        self.profile = profile
        self.options = options
    }

    /// Simulates an in-memory trace.
    public func run(_ trace: Trace) throws -> SimulationResult {
        var source: TraceSource = InMemoryTraceSource(trace)
        return try run(&source)
    }

    // MARK: - State

    private enum EventKind: UInt8 { case opFinish, flowStart, flowFinish }
    private struct Event {
        var time: Double
        var seq: Int
        var kind: EventKind
        var index: Int32
        var version: Int32
    }

    /// Per loaded operator, in a ring buffer indexed by op index modulo the window.
    private struct Slot {
        var op = TraceOp(name: "", shape: .embedding(Embedding(tokens: 1, hidden: 1)), engine: "")
        var cost: Int32 = -1
        var queue: Int32 = -1
        var depsLeft: Int32 = 0
        var ready: Double = 0
        var start: Double = 0
        var dependentsHead: Int32 = -1
        var isTransfer = false
        var flow: Int32 = -1
        var phase: Int32 = 0
        var finished = false
        var pendingSwaps: Int32 = 0
        /// Seconds and energy this operator actually took (after any power-cap throttling).
        var seconds: Double = 0
        var energy: Double = 0
    }

    /// Runs the trace from `source` to completion.
    public func run(_ source: inout TraceSource) throws -> SimulationResult {
        let wallStart = DispatchTime.now().uptimeNanoseconds
        var state = RunState(profile: profile, options: options, header: source.header)
        do { try state.run(&source) } catch let e as RidgeError {
            if let file = source.file { throw e.inFile(file) }
            throw e
        }
        var result = state.result()
        result.wallSeconds = Double(DispatchTime.now().uptimeNanoseconds - wallStart) / 1e9
        return result
    }

    /// The mutable state of one run.
    private struct RunState {
        let profile: HardwareProfile
        let options: SimulationOptions
        let header: TraceHeader
        var costs: CostTable
        var links: LinkModel
        var memory: MemoryTracker
        var events = BinaryHeap<Event>(less: { $0.time < $1.time || ($0.time == $1.time && $0.seq < $1.seq) })
        var seq = 0
        var now = 0.0
        var window: Int
        var slots: [Slot]
        var finishTime: [Double] = []
        var loaded = 0
        var finishedCount = 0
        var oldestUnfinished = 0
        var sourceDone = false
        /// Dependents linked list pool: (op, next).
        var depPool: [(op: Int32, next: Int32)] = []
        /// (engine, stream) queues: last op index issued on each.
        var queueIndex: [String: Int32] = [:]
        var queueNames: [String] = []
        var queueLast: [Int32] = []
        var phaseIndex: [String: Int32] = [:]
        var phaseNames: [String] = []
        var engineIndex: [String: Int32] = [:]
        var memoryIndex: [String: Int32] = [:]
        var tensorCount = 0
        // Accumulators.
        var costSeconds: [Double] = []     // per cost id: total seconds
        var costCount: [Int] = []
        var phaseFirst: [Double] = [], phaseLast: [Double] = [], phaseEnergy: [Double] = [], phaseOps: [Int] = []
        var dynamicEnergy = 0.0
        var runningPower = 0.0, peakDynamicPower = 0.0
        var timeline: [TimelineSpan] = []
        var transferBytesByLink: [Double]
        var transferEnergy = 0.0
        // Oversubscription.
        var swapBytesByLink: [Double]
        var swapEnergy = 0.0
        var swapCount = 0
        var sequence = 0
        var capWatts: Double?
        var idleWatts = 0.0
        var throttledOps = 0
        var throttleExtraSeconds = 0.0

        init(profile: HardwareProfile, options: SimulationOptions, header: TraceHeader) {
            self.profile = profile
            self.options = options
            self.header = header
            costs = CostTable(profile: profile)
            links = LinkModel(profile: profile)
            memory = MemoryTracker(profile: profile, capacityOverrides: options.capacityOverrides)
            memory.recordSamples = options.recordMemory
            window = max(16, options.window)
            slots = []
            transferBytesByLink = Array(repeating: 0, count: profile.links.count)
            swapBytesByLink = transferBytesByLink
            capWatts = options.oversubscription.powerCap ?? profile.powerCap
            if capWatts == .infinity { capWatts = nil }
            idleWatts = profile.engines.reduce(0) { $0 + $1.power.idleWatts }
            memory.trackFuture = options.oversubscription.policy == .belady
            for (i, e) in profile.engines.enumerated() { engineIndex[e.id] = Int32(i) }
            for (i, m) in profile.memories.enumerated() { memoryIndex[m.id] = Int32(i) }
        }

        mutating func push(_ time: Double, _ kind: EventKind, _ index: Int32, _ version: Int32 = 0) {
            events.push(Event(time: time, seq: seq, kind: kind, index: index, version: version))
            seq += 1
        }

        func slotIndex(_ op: Int) -> Int { op % window }

        // MARK: Loading

        mutating func run(_ source: inout TraceSource) throws {
            if slots.isEmpty { slots = Array(repeating: Slot(), count: min(window, 1 << 16)) }
            try load(&source)
            while true {
                guard let event = events.pop() else {
                    if sourceDone { break }
                    try load(&source)
                    if events.isEmpty && sourceDone { break }
                    if events.isEmpty { throw RidgeError.data(file: nil, at: nil, "the simulation stalled: an operator waits on one that never runs") }
                    continue
                }
                now = max(now, event.time)
                switch event.kind {
                case .opFinish: try finish(Int(event.index))
                case .flowStart: startFlow(Int(event.index))
                case .flowFinish:
                    let f = Int(event.index)
                    guard links.flows[f].active, links.flows[f].version == Int(event.version) else { continue }
                    let op = links.flows[f].op
                    let isSwap = links.flows[f].isSwap
                    links.advance(to: now)
                    links.deactivate(f)
                    links.recomputeRates()
                    rescheduleFlows()
                    if isSwap {
                        let s = slotIndex(op)
                        slots[s].pendingSwaps -= 1
                        if slots[s].pendingSwaps == 0 { launch(op) }
                    } else {
                        try finish(op)
                    }
                }
                if !sourceDone && loaded - oldestUnfinished < window / 2 { try load(&source) }
            }
            if finishedCount < loaded {
                throw RidgeError.data(file: nil, at: nil, "the simulation stalled with \(loaded - finishedCount) operators never run")
            }
        }

        mutating func load(_ source: inout TraceSource) throws {
            while !sourceDone && loaded - oldestUnfinished < window {
                guard let record = try source.next() else { sourceDone = true; break }
                switch record {
                case .tensor(let t): try addTensor(t)
                case .op(let op): try addOp(op)
                }
            }
        }

        mutating func addTensor(_ t: TensorInfo) throws {
            let home: Int32
            if t.memory.isEmpty { home = memoryIndex[profile.primaryEngine.memory]! }
            else {
                guard let m = memoryIndex[t.memory] else {
                    throw RidgeError.data(file: nil, at: "tensor \"\(t.name)\".memory",
                                          "unknown memory \"\(t.memory)\" (profile \(profile.name) has: \(profile.memories.map(\.id).joined(separator: ", ")))")
                }
                home = m
            }
            memory.addTensor(t, home: home)
            let index = tensorCount
            tensorCount += 1
            if t.resident {
                // Resident tensors (weights) are placed at time zero; what does not fit starts in the spill tier.
                memory.tensorAllocated[index] = true
                let fits = max(0, min(t.bytes, memory.free(in: Int(home))))
                if fits < t.bytes {
                    let policy = options.oversubscription.policy
                    if policy == .none || memory.spillTier[Int(home)] < 0 {
                        throw overflowError(memory: Int(home), needed: t.bytes, what: "placing resident tensor \"\(t.name)\" at the start")
                    }
                    if memory.spillTier[Int(home)] >= 0 { memory.change(Int(memory.spillTier[Int(home)]), by: t.bytes - fits, at: 0) }
                }
                memory.addResident(index, fits, at: 0, sequence: 0)
            }
        }

        mutating func engineFor(_ op: TraceOp, index: Int) throws -> Int32 {
            if op.engine.isEmpty { return Int32(profile.engines.firstIndex { $0.id == profile.primaryEngine.id }!) }
            guard let e = engineIndex[op.engine] else {
                throw RidgeError.data(file: nil, at: "operator \(index) (\"\(op.name)\").engine",
                                      "unknown engine \"\(op.engine)\" (profile \(profile.name) has: \(profile.engines.map(\.id).joined(separator: ", ")))")
            }
            return e
        }

        mutating func addOp(_ op: TraceOp) throws {
            let index = loaded
            if slots.count < window && index >= slots.count { slots.append(contentsOf: Array(repeating: Slot(), count: min(window - slots.count, max(slots.count, 1024)))) }
            let s = slotIndex(index)
            var slot = Slot()
            slot.op = op
            // Transfers validate their memories and route.
            var queueKey: String
            if case .transfer(let t) = op.shape {
                guard let a = memoryIndex[t.from] else { throw RidgeError.data(file: nil, at: "operator \(index) (\"\(op.name)\").from", "unknown memory \"\(t.from)\" (profile \(profile.name) has: \(profile.memories.map(\.id).joined(separator: ", ")))") }
                guard let b = memoryIndex[t.to] else { throw RidgeError.data(file: nil, at: "operator \(index) (\"\(op.name)\").to", "unknown memory \"\(t.to)\" (profile \(profile.name) has: \(profile.memories.map(\.id).joined(separator: ", ")))") }
                guard links.route(from: Int(a), to: Int(b)) != nil else {
                    throw RidgeError.data(file: nil, at: "operator \(index) (\"\(op.name)\")", "no link path from \(t.from) to \(t.to) in profile \(profile.name)")
                }
                slot.isTransfer = true
                queueKey = "xfer/" + op.stream
                slot.cost = costs.id(op.shape, engine: 0, placement: .local)
            } else {
                let engine = try engineFor(op, index: index)
                queueKey = profile.engines[Int(engine)].id + "/" + op.stream
                slot.cost = costs.id(op.shape, engine: engine, placement: placement(op, engine: engine))
            }
            if let q = queueIndex[queueKey] { slot.queue = q } else {
                slot.queue = Int32(queueNames.count)
                queueIndex[queueKey] = slot.queue
                queueNames.append(queueKey)
                queueLast.append(-1)
            }
            if let p = phaseIndex[op.phase] { slot.phase = p } else {
                slot.phase = Int32(phaseNames.count)
                phaseIndex[op.phase] = slot.phase
                phaseNames.append(op.phase)
                phaseFirst.append(.infinity); phaseLast.append(0); phaseEnergy.append(0); phaseOps.append(0)
            }
            for t in op.reads + op.frees + op.writes.map(\.tensor) where Int(t) >= tensorCount || t < 0 {
                throw RidgeError.data(file: nil, at: "operator \(index) (\"\(op.name)\")", "references tensor \(t), which is not declared")
            }
            slots[s] = slot
            finishTime.append(.nan)
            loaded += 1
            if memory.trackFuture {
                for t in op.reads { memory.futureUses[Int(t)].append(Int32(index)) }
                for w in op.writes { memory.futureUses[Int(w.tensor)].append(Int32(index)) }
            }
            // Dependencies: stream predecessor and explicit `after`.
            var ready = 0.0
            var waiting: Int32 = 0
            var deps = op.after.map(Int.init)
            let previous = queueLast[Int(slot.queue)]
            if previous >= 0 { deps.append(Int(previous)) }
            queueLast[Int(slot.queue)] = Int32(index)
            for d in deps {
                guard d >= 0, d < index else {
                    throw RidgeError.data(file: nil, at: "operator \(index) (\"\(op.name)\").after", "depends on operator \(d), which is not an earlier operator")
                }
                if finishTime[d].isNaN {
                    waiting += 1
                    depPool.append((Int32(index), slots[slotIndex(d)].dependentsHead))
                    slots[slotIndex(d)].dependentsHead = Int32(depPool.count - 1)
                } else {
                    ready = max(ready, finishTime[d])
                }
            }
            slots[s].depsLeft = waiting
            slots[s].ready = ready
            if waiting == 0 { try start(index, at: max(ready, now)) }
        }

        /// Where an operator's weights and KV cache live now, for the cost model.
        func placement(_ op: TraceOp, engine: Int32) -> Placement {
            let home = memoryIndex[profile.engines[Int(engine)].memory]!
            var p = Placement()
            for t in op.reads {
                // Spilled bytes are swapped home before an operator runs, so it reads from the home.
                let loc = memory.tensorHome[Int(t)]
                guard loc != home else { continue }
                switch memory.tensorKind[Int(t)] {
                case .weight: p.weights = profile.memories[Int(loc)].id
                case .kv: p.kv = profile.memories[Int(loc)].id
                default: p.input = profile.memories[Int(loc)].id
                }
            }
            return p
        }

        // MARK: Running

        func overflowError(memory m: Int, needed: Double, what: String) -> RidgeError {
            let id = profile.memories[m].id
            let over = memory.current[m] + needed - memory.capacity[m]
            return RidgeError.data(file: nil, at: nil,
                                   "does not fit: \(what) needs \(Format.bytes(needed)) (\(JSONWriter.format(number: needed.rounded())) bytes) in \(id), which holds \(Format.bytes(memory.current[m])) of \(Format.bytes(memory.capacity[m])): \(Format.bytes(max(over, 0))) (\(JSONWriter.format(number: max(over, 0).rounded())) bytes) over" + (options.oversubscription.policy == .none ? " (spill policy none)" : ", even after spilling everything else"))
        }

        /// An operator whose dependencies are done: make its tensors resident (spilling others and
        /// swapping spilled ones back as the policy says), then launch it once those swaps land.
        mutating func start(_ index: Int, at time: Double) throws {
            let s = slotIndex(index)
            slots[s].start = time
            sequence += 1
            let op = slots[s].op
            var pinned = op.reads
            pinned.append(contentsOf: op.writes.map(\.tensor))
            var swaps: [(from: Int, to: Int, bytes: Double)] = []
            let policy = options.oversubscription.policy
            // Bytes each tensor needs in its home before the operator can run.
            func need(_ t: Int, _ bytes: Double) throws {
                guard bytes > 0 else { return }
                let home = Int(memory.tensorHome[t])
                if memory.free(in: home) < bytes - 1e-6 {
                    if policy == .none { throw overflowError(memory: home, needed: bytes, what: "operator \(index) (\"\(op.name)\")") }
                    guard memory.spillTier[home] >= 0,
                          let victims = memory.victims(in: home, needed: bytes - memory.free(in: home), pinned: pinned, policy: policy,
                                                       page: options.oversubscription.pageBytes, currentOp: index) else {
                        throw overflowError(memory: home, needed: bytes, what: "operator \(index) (\"\(op.name)\")")
                    }
                    for (v, b) in victims {
                        memory.spill(v, b, at: time)
                        swaps.append((home, Int(memory.spillTier[home]), b))
                    }
                }
            }
            for t32 in op.reads {
                let t = Int(t32)
                guard memory.tensorAllocated[t] else { continue }
                let missing = memory.spilled(t)
                if missing > 0 {
                    try need(t, missing)
                    let home = Int(memory.tensorHome[t])
                    memory.unspill(t, missing, at: time, sequence: sequence)
                    swaps.append((Int(memory.spillTier[home]), home, missing))
                }
            }
            for w in op.writes {
                let t = Int(w.tensor)
                let bytes = w.bytes ?? memory.tensorBytes[t]
                if !memory.tensorAllocated[t] {
                    memory.tensorAllocated[t] = true
                    memory.tensorBytes[t] = bytes
                    memory.tensorResident[t] = 0
                    try need(t, bytes)
                    memory.addResident(t, bytes, at: time, sequence: sequence)
                } else if w.bytes != nil {
                    let missing = memory.spilled(t)
                    if missing > 0 {
                        // A write that resizes a partly spilled tensor brings it home first.
                        try need(t, missing)
                        let home = Int(memory.tensorHome[t])
                        memory.unspill(t, missing, at: time, sequence: sequence)
                        swaps.append((Int(memory.spillTier[home]), home, missing))
                    }
                    let delta = bytes - memory.tensorBytes[t]
                    if delta > 0 { try need(t, delta) }
                    memory.tensorBytes[t] = bytes
                    memory.addResident(t, delta, at: time, sequence: sequence)
                }
            }
            for t in pinned { memory.lastUse[Int(t)] = sequence }
            if swaps.isEmpty { launch(index); return }
            slots[s].pendingSwaps = Int32(swaps.count)
            for sw in swaps { issueSwap(for: index, from: sw.from, to: sw.to, bytes: sw.bytes, at: time) }
        }

        /// A spill or swap-in: real traffic on the links between the tiers, in blocks.
        mutating func issueSwap(for op: Int, from a: Int, to b: Int, bytes: Double, at time: Double) {
            let o = options.oversubscription
            let route = links.route(from: a, to: b)!
            let block = o.policy == .paging ? o.pageBytes : o.blockBytes
            let chunks = max(1, (bytes / block).rounded(.up))
            var setup = 0.0
            for l in route.links { setup += profile.links[l].latency + profile.links[l].perTransferOverhead * chunks }
            if o.policy == .paging { setup += o.faultLatency * chunks }
            let src = profile.memories[a], dst = profile.memories[b]
            let cap = min(src.readBandwidth(requestBytes: block), dst.writeBandwidth)
            var flow = LinkModel.Flow(op: op, route: route.links, directions: route.forward, remaining: bytes, cap: cap)
            flow.isSwap = true
            let f = links.add(flow)
            for l in route.links {
                swapBytesByLink[l] += bytes
                swapEnergy += bytes * profile.links[l].energyPerByte
            }
            swapEnergy += bytes * (src.energyPerByte + dst.energyPerByte)
            swapCount += 1
            push(time + setup, .flowStart, Int32(f))
        }

        /// Starts the operator itself (its tensors are in place).
        mutating func launch(_ index: Int) {
            let s = slotIndex(index)
            let time = now > slots[s].start ? now : slots[s].start
            let cost = costs.costs[Int(slots[s].cost)]
            if slots[s].isTransfer {
                guard case .transfer(let t) = slots[s].op.shape else { return }
                let a = Int(memoryIndex[t.from]!), b = Int(memoryIndex[t.to]!)
                let route = links.route(from: a, to: b)!
                let src = profile.memories[a], dst = profile.memories[b]
                let cap = min(src.readBandwidth(requestBytes: t.chunkBytes ?? t.bytes), dst.writeBandwidth)
                let flow = links.add(LinkModel.Flow(op: index, route: route.links, directions: route.forward, remaining: t.bytes, cap: cap))
                slots[s].flow = Int32(flow)
                // Fixed cost first: latency and per-transfer overhead of every link on the route.
                var setup = 0.0
                let chunks = max(1, (t.bytes / max(t.chunkBytes ?? t.bytes, 1)).rounded(.up))
                for l in route.links { setup += profile.links[l].latency + profile.links[l].perTransferOverhead * chunks }
                slots[s].energy = cost.energyJoules
                push(time + setup, .flowStart, Int32(flow))
                return
            }
            var seconds = cost.seconds, energy = cost.energyJoules
            if let cap = capWatts, seconds > 0 {
                let budget = cap - idleWatts - runningPower
                if energy / seconds > budget { (seconds, energy) = throttled(cost, engine: Int(costs.engines[Int(slots[s].cost)]), budget: budget) }
            }
            slots[s].seconds = seconds
            slots[s].energy = energy
            let power = seconds > 0 ? energy / seconds : 0
            runningPower += power
            peakDynamicPower = max(peakDynamicPower, runningPower)
            push(time + seconds, .opFinish, Int32(index))
        }

        /// Power capping by clock throttling (DVFS): at clock ratio f the compute time stretches to
        /// t_c/f while memory time is unchanged, and compute-side energy (FLOPs and the busy floor)
        /// scales with V² ∝ f² (dynamic power C·V²·f). The largest f whose power fits the budget is
        /// found by bisection. Compute-bound operators slow down; memory-bound ones mostly just draw
        /// less — the asymmetry POLCA (Patel et al., ASPLOS 2024) and Splitwise report.
        mutating func throttled(_ c: OperatorCost, engine: Int, budget: Double) -> (Double, Double) {
            var memoryEnergy = 0.0
            for t in c.traffic { if let m = profile.memory(t.memory) { memoryEnergy += t.total * m.energyPerByte } }
            let computeEnergy = c.energyJoules - memoryEnergy
            func at(_ f: Double) -> (Double, Double) {
                let t = max(c.computeSeconds / f, c.memorySeconds) + c.overheadSeconds
                return (t, computeEnergy * f * f + memoryEnergy)
            }
            var lo = 0.05, hi = 1.0
            if at(lo).1 / at(lo).0 > budget { hi = lo }
            else {
                for _ in 0..<40 {
                    let mid = (lo + hi) / 2
                    let (t, e) = at(mid)
                    if e / t <= budget { lo = mid } else { hi = mid }
                }
                hi = lo
            }
            let (t, e) = at(hi)
            throttledOps += 1
            throttleExtraSeconds += t - c.seconds
            return (t, e)
        }

        mutating func startFlow(_ f: Int) {
            links.advance(to: now)
            links.activate(f, at: now)
            links.recomputeRates()
            rescheduleFlows()
        }

        mutating func rescheduleFlows() {
            for i in links.flows.indices where links.flows[i].active {
                let fl = links.flows[i]
                let t = fl.rate > 0 ? now + fl.remaining / fl.rate : .infinity
                push(t, .flowFinish, Int32(i), Int32(fl.version))
            }
        }

        mutating func finish(_ index: Int) throws {
            let s = slotIndex(index)
            let slot = slots[s]
            let cost = costs.costs[Int(slot.cost)]
            finishTime[index] = now
            slots[s].finished = true
            finishedCount += 1
            let duration = now - slot.start
            let energy = slot.energy
            if slot.isTransfer {
                if case .transfer(let t) = slot.op.shape, let route = links.route(from: Int(memoryIndex[t.from]!), to: Int(memoryIndex[t.to]!)) {
                    for l in route.links { transferBytesByLink[l] += t.bytes }
                }
            } else {
                runningPower -= slot.seconds > 0 ? slot.energy / slot.seconds : 0
            }
            _ = cost
            dynamicEnergy += energy
            while Int(slot.cost) >= costSeconds.count { costSeconds.append(0); costCount.append(0) }
            costSeconds[Int(slot.cost)] += duration
            costCount[Int(slot.cost)] += 1
            let p = Int(slot.phase)
            phaseFirst[p] = min(phaseFirst[p], slot.start)
            phaseLast[p] = max(phaseLast[p], now)
            phaseEnergy[p] += energy
            phaseOps[p] += 1
            if options.recordTimeline {
                timeline.append(TimelineSpan(name: slot.op.name, track: queueNames[Int(slot.queue)], kind: slot.op.shape.kind,
                                             phase: slot.op.phase, start: slot.start, end: now))
            }
            for t in slot.op.frees { memory.release(Int(t), at: now) }
            // Wake dependents.
            var node = slot.dependentsHead
            while node >= 0 {
                let dep = Int(depPool[Int(node)].op)
                node = depPool[Int(node)].next
                let ds = slotIndex(dep)
                slots[ds].depsLeft -= 1
                slots[ds].ready = max(slots[ds].ready, now)
                if slots[ds].depsLeft == 0 { try start(dep, at: now) }
            }
            slots[s].dependentsHead = -1
            while oldestUnfinished < loaded && !finishTime[oldestUnfinished].isNaN { oldestUnfinished += 1 }
            if oldestUnfinished == loaded { depPool.removeAll(keepingCapacity: true) }
        }

        // MARK: Result

        func result() -> SimulationResult {
            let makespan = finishTime.filter { !$0.isNaN }.max() ?? 0
            var r = SimulationResult(profile: profile.name, trace: header.name, ops: loaded, makespanSeconds: makespan)
            r.idleEnergyJoules = idleWatts * makespan
            r.dynamicEnergyJoules = dynamicEnergy + swapEnergy
            r.energyJoules = r.dynamicEnergyJoules + r.idleEnergyJoules
            r.swaps = swapCount
            r.swapBytes = profile.links.enumerated().map { i, l in (l.id, swapBytesByLink[i]) }.filter { $0.1 > 0 }
            r.swapEnergyJoules = swapEnergy
            r.spillPolicy = options.oversubscription.policy.rawValue
            r.powerCapWatts = capWatts
            r.throttledOps = throttledOps
            r.throttleExtraSeconds = throttleExtraSeconds
            r.peakWatts = idleWatts + peakDynamicPower
            r.averageWatts = makespan > 0 ? r.energyJoules / makespan : 0
            for (i, name) in phaseNames.enumerated() {
                let span = phaseOps[i] > 0 ? phaseLast[i] - phaseFirst[i] : 0
                let share = makespan > 0 ? idleWatts * span : 0
                r.phases.append(PhaseResult(name: name.isEmpty ? "(none)" : name, ops: phaseOps[i], startSeconds: phaseFirst[i].isFinite ? phaseFirst[i] : 0,
                                            endSeconds: phaseLast[i], energyJoules: phaseEnergy[i] + share))
            }
            var byKind: [String: (Int, Double)] = [:]
            var byBound: [String: Double] = [:]
            for (i, c) in costs.costs.enumerated() where i < costCount.count && costCount[i] > 0 {
                let kind = costs.shapes[i].kind
                byKind[kind, default: (0, 0)].0 += costCount[i]
                byKind[kind, default: (0, 0)].1 += costSeconds[i]
                byBound[c.bound.description, default: 0] += costSeconds[i]
                r.operatorClasses.append(OperatorClass(shape: costs.shapes[i], engine: profile.engines[Int(costs.engines[i])].id, cost: c,
                                                       count: costCount[i], totalSeconds: costSeconds[i]))
            }
            r.byKind = byKind.keys.sorted().map { KindResult(kind: $0, count: byKind[$0]!.0, seconds: byKind[$0]!.1) }
            r.byBound = byBound.keys.sorted().map { ($0, byBound[$0]!) }
            r.memories = profile.memories.enumerated().map { i, m in
                MemoryResult(id: m.id, capacityBytes: memory.capacity[i], peakBytes: memory.peak[i])
            }
            r.links = profile.links.enumerated().map { i, l in (l.id, transferBytesByLink[i]) }
            r.timeline = timeline
            r.memorySamples = memory.samples.map { (time: $0.time, memory: profile.memories[Int($0.memory)].id, bytes: $0.bytes) }
            if let b = header.int("batch"), let g = header.int("generate") {
                r.batch = b; r.generate = g
            }
            return r
        }
    }
}

extension Simulator {
    /// Runs a trace and, when it spilled, the same trace with unlimited capacity (so the result
    /// says what oversubscription cost); when it was throttled by a power cap, the same trace
    /// uncapped. `makeSource` is called once per run (traces stream, they do not rewind).
    public func runWithCosts(_ makeSource: () throws -> TraceSource) throws -> SimulationResult {
        var source = try makeSource()
        var result = try run(&source)
        if result.swaps > 0 {
            var o = options
            o.capacityOverrides = Dictionary(uniqueKeysWithValues: profile.memories.map { ($0.id, Double.infinity) })
            o.recordTimeline = false
            o.recordMemory = false
            var again = try makeSource()
            let free = try Simulator(profile: profile, options: o).run(&again)
            result.unlimited = SimulationResult.Baseline(makespanSeconds: free.makespanSeconds, energyJoules: free.energyJoules)
        }
        if result.throttledOps > 0 {
            var o = options
            o.oversubscription.powerCap = .infinity
            o.recordTimeline = false
            o.recordMemory = false
            var again = try makeSource()
            let free = try Simulator(profile: profile, options: o).run(&again)
            result.uncapped = SimulationResult.Baseline(makespanSeconds: free.makespanSeconds, energyJoules: free.energyJoules)
        }
        return result
    }
}
