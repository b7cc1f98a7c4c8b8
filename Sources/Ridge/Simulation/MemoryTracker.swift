/// Bytes allocated in each memory tier over time, with the peak, and the tensor-level state spill
/// policies act on. A tensor is allocated at its first write (or at time zero when resident),
/// resized by writes that give a size (the growing KV cache) and released by `frees`. Part or all
/// of a tensor may be spilled from its home to the home's spill tier (the linked memory with the
/// largest capacity: host DDR for HBM, NVMe for host DDR).
struct MemoryTracker: ~Copyable {
    var current: FlatArray<Double>
    var peak: FlatArray<Double>
    var capacity: FlatArray<Double>
    var spillTier: FlatArray<Int32>
    var tensorBytes = FlatArray<Double>()
    /// Bytes of the tensor held in its home memory (the rest sits in the spill tier).
    var tensorResident = FlatArray<Double>()
    /// Bytes of the resident part whose copy in the spill tier is still valid (brought home by a
    /// swap-in and not written since): evicting them again moves nothing.
    var tensorRetained = FlatArray<Double>()
    /// Whether swap-ins keep the spill tier's copy (software-managed swapping: a runtime that
    /// copies a read-only tensor back keeps its host copy). Demand paging migrates pages instead.
    var retainCopies = true
    var tensorAllocated = FlatArray<Bool>()
    var tensorHome = FlatArray<Int32>()
    var tensorKind = FlatArray<TensorKind>()
    var tensorResidentAtStart = FlatArray<Bool>()
    var lastUse = FlatArray<Int>()
    var arrival = FlatArray<Int>()
    /// Future uses (operator indices, ascending) of each tensor among loaded operators, for Belady.
    var futureUses: [[Int32]] = []
    var futureHead: [Int] = []
    var samples: [(time: Double, memory: Int32, bytes: Double)] = []
    var recordSamples = false
    var trackFuture = false

    /// The spill policy whose victim order is kept (`VictimOrder.swift`).
    var policy = SpillPolicy.lru
    /// Whether the victim order is maintained: from the first eviction on (a run that never
    /// spills pays nothing for it).
    var ordered = false
    /// Test hook: select victims by the reference scan instead of the maintained order.
    var selectByScan = false
    /// LRU, FIFO and paging: each memory's resident tensors as a doubly linked list in victim
    /// order (ascending key, then index): head first.
    var listHead = FlatArray<Int32>(), listTail = FlatArray<Int32>()
    var listPrev = FlatArray<Int32>(), listNext = FlatArray<Int32>()
    var listed = FlatArray<Bool>()
    /// Belady: each memory's resident tensors in two heaps over their cached next use (the head
    /// of `futureUses`): earliest first (to refresh stale keys) and latest first (the victims).
    var soonest: [IndexedHeap] = [], latest: [IndexedHeap] = []
    /// Pinned tensors (the starting operator's own): `pinMark[t] == pinToken`.
    var pinMark = FlatArray<Int>()
    var pinToken = 0
    /// The victims `victims` chose: (tensor, bytes).
    var victimBuffer = FlatArray<(Int, Double)>()
    /// Belady's scratch list of tensors taken off a heap and put back.
    var asideBuffer = FlatArray<Int32>()

    init(profile: HardwareProfile, capacityOverrides: [String: Double]) {
        current = FlatArray(repeating: 0, count: profile.memories.count)
        peak = FlatArray(repeating: 0, count: profile.memories.count)
        capacity = FlatArray()
        for m in profile.memories { capacity.append(capacityOverrides[m.id] ?? m.capacity) }
        spillTier = FlatArray()
        for tier in profile.memories.map({ m -> Int32 in
            if let target = m.spillTo { return target == "none" ? -1 : Int32(profile.memoryIndex(target)!) }
            var best: Int32 = -1, bestCapacity = 0.0
            for l in profile.links where l.from == m.id || l.to == m.id {
                let other = l.from == m.id ? l.to : l.from
                if let i = profile.memoryIndex(other), profile.memories[i].capacity > bestCapacity {
                    best = Int32(i); bestCapacity = profile.memories[i].capacity
                }
            }
            return best
        }) { spillTier.append(tier) }
    }

    var tensorCount: Int { tensorBytes.count }

    mutating func addTensor(_ t: TensorInfo, home: Int32) {
        tensorBytes.append(t.bytes)
        tensorResident.append(0)
        tensorRetained.append(0)
        tensorAllocated.append(false)
        tensorHome.append(home)
        tensorKind.append(t.kind)
        tensorResidentAtStart.append(t.resident)
        lastUse.append(-1)
        arrival.append(0)
        futureUses.append([])
        futureHead.append(0)
        pinMark.append(-1)
        listPrev.append(-1); listNext.append(-1); listed.append(false)
        if ordered { for m in soonest.indices { soonest[m].addTensor(); latest[m].addTensor() } }
    }

    func spilled(_ t: Int) -> Double { tensorAllocated[t] ? tensorBytes[t] - tensorResident[t] : 0 }
    func free(in m: Int) -> Double { capacity[m] - current[m] }

    mutating func change(_ memory: Int, by delta: Double, at time: Double) {
        current[memory] += delta
        if current[memory] > peak[memory] { peak[memory] = current[memory] }
        if recordSamples { samples.append((time, Int32(memory), current[memory])) }
    }

    /// Marks `bytes` of a tensor as newly held in its home memory.
    mutating func addResident(_ t: Int, _ bytes: Double, at time: Double, sequence: Int) {
        guard bytes != 0 else { return }
        tensorResident[t] += bytes
        change(Int(tensorHome[t]), by: bytes, at: time)
        arrival[t] = sequence
        if ordered { reorder(t, rekeyed: policy == .fifo) }
    }

    /// Evicts `bytes` of a tensor from its home to its home's spill tier and returns the bytes that
    /// must move: the part with a valid copy there already (clean) is dropped, not written back.
    mutating func spill(_ t: Int, _ bytes: Double, at time: Double) -> Double {
        let home = Int(tensorHome[t])
        tensorResident[t] -= bytes
        change(home, by: -bytes, at: time)
        if ordered { reorder(t, rekeyed: false) }
        let clean = min(bytes, tensorRetained[t])
        tensorRetained[t] -= clean
        let moved = bytes - clean
        if spillTier[home] >= 0 && moved > 0 { change(Int(spillTier[home]), by: moved, at: time) }
        return moved
    }

    /// Brings `bytes` of a spilled tensor back home (the caller made room). With `retainCopies` the
    /// spill tier keeps its copy (still allocated there) until the tensor is written or freed.
    mutating func unspill(_ t: Int, _ bytes: Double, at time: Double, sequence: Int) {
        let home = Int(tensorHome[t])
        if retainCopies { tensorRetained[t] += bytes }
        else if spillTier[home] >= 0 { change(Int(spillTier[home]), by: -bytes, at: time) }
        addResident(t, bytes, at: time, sequence: sequence)
    }

    /// A write makes the spill tier's retained copy stale: it is released there.
    mutating func invalidateCopy(_ t: Int, at time: Double) {
        let r = tensorRetained[t]
        guard r > 0 else { return }
        tensorRetained[t] = 0
        let home = Int(tensorHome[t])
        if spillTier[home] >= 0 { change(Int(spillTier[home]), by: -r, at: time) }
    }

    mutating func release(_ t: Int, at time: Double) {
        guard tensorAllocated[t] else { return }
        invalidateCopy(t, at: time)
        let s = spilled(t)
        let home = Int(tensorHome[t])
        if s > 0, spillTier[home] >= 0 { change(Int(spillTier[home]), by: -s, at: time) }
        change(home, by: -tensorResident[t], at: time)
        tensorResident[t] = 0
        tensorAllocated[t] = false
        if ordered { reorder(t, rekeyed: false) }
    }

    /// The next loaded use of a tensor after operator `after`, or `Int.max`. Advances the tensor's
    /// head past the uses at or before `op` (Belady's key; `victims` calls it for stale keys only).
    mutating func nextUse(_ t: Int, after op: Int) -> Int {
        var h = futureHead[t]
        let uses = futureUses[t]
        while h < uses.count && Int(uses[h]) <= op { h += 1 }
        futureHead[t] = h
        if h >= 64 && h * 2 > uses.count { futureUses[t].removeFirst(h); futureHead[t] = 0; h = 0 }
        return h < futureUses[t].count ? Int(futureUses[t][h]) : Int.max
    }

    /// The reference victim selection (a scan of every tensor, the definition `victims` must match
    /// exactly): candidates are the tensors of memory `m` with resident bytes that are not pinned,
    /// in ascending key order (LRU and paging: last use; FIFO: arrival; Belady: the negated next use,
    /// never used again first), ties by tensor index; taken until `needed` bytes are freed, whole
    /// tensors except under paging, which takes pages. Fills `victimBuffer`; false if everything
    /// evictable is not enough. Kept for the randomized equivalence tests.
    mutating func victimsByScan(in m: Int, needed: Double, policy: SpillPolicy, page: Double, currentOp: Int) -> Bool {
        var candidates: [(tensor: Int, key: Double)] = []
        for t in 0..<tensorCount where tensorHome[t] == Int32(m) && tensorResident[t] > 0 && !isPinned(t) {
            let key: Double
            switch policy {
            case .lru, .paging, .none: key = Double(lastUse[t])
            case .fifo: key = Double(arrival[t])
            case .belady:
                let next = nextUse(t, after: currentOp)
                key = next == Int.max ? -Double.infinity : -Double(next)
            }
            candidates.append((t, key))
        }
        candidates.sort { $0.key < $1.key || ($0.key == $1.key && $0.tensor < $1.tensor) }
        victimBuffer.removeAll()
        var freed = 0.0
        for c in candidates where freed < needed {
            let resident = tensorResident[c.tensor]
            let take = policy == .paging ? min(resident, ((needed - freed) / page).rounded(.up) * page) : resident
            victimBuffer.append((c.tensor, take))
            freed += take
        }
        return freed >= needed
    }
}
