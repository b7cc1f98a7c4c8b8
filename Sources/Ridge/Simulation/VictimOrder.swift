/// Victim selection without scanning every tensor.
///
/// `MemoryTracker.victimsByScan` defines the choice: the unpinned tensors of the memory that hold
/// resident bytes, in ascending key order, ties by tensor index, taken until enough is freed. A
/// spilling run asks for victims often (the llama-2-70b benchmark on an 80 GB GPU: once every five
/// operators) and the scan over every tensor was a third of its instructions. From the first
/// eviction on, the tracker keeps the order instead:
///
/// - **LRU, paging** (key: last use) and **FIFO** (key: arrival): per memory, a doubly linked list
///   of the resident tensors sorted by (key, index). A use or an arrival gives the tensor the
///   largest key so far (the operator sequence number), so it is re-linked near the tail: a walk
///   back over the few tensors of the same operator with a larger index. Victims are read from the
///   head, skipping pinned tensors (at most the starting operator's own).
/// - **Belady** (key: next use): per memory, two indexed heaps over each resident tensor's cached
///   next use (`futureUses[t][futureHead[t]]`, or none): earliest first and latest first. The
///   scan's key is the first use after the current operator, found by advancing the head; a head
///   pointing at a use after the current operator is already right (uses are ascending), so only
///   tensors whose cached use is at or before the current operator are stale. They are the top of
///   the earliest-first heap: each is advanced exactly as the scan would (pinned ones are not, as
///   the scan skips them), then victims are popped from the latest-first heap and put back. The
///   heads therefore move exactly as under the scan, also when operators start out of trace order.
///
/// `VictimOrderTests` checks both against `victimsByScan` on random sequences of every tracker
/// operation, and `scripts/simulate-corpus.sh` the simulator's output.
final class IndexedHeap {
    /// true: the largest key on top (ties: smallest tensor index); false: the smallest key on top.
    let latestFirst: Bool
    private var items = FlatArray<Int32>()
    /// Each tensor's index in `items`, or −1.
    private var position = FlatArray<Int32>()
    /// Each present tensor's key.
    private(set) var key = FlatArray<Int>()

    init(latestFirst: Bool, tensors: Int) {
        self.latestFirst = latestFirst
        position = FlatArray(repeating: -1, count: tensors)
        key = FlatArray(repeating: 0, count: tensors)
    }

    func addTensor() { position.append(-1); key.append(0) }

    var top: Int? { items.isEmpty ? nil : Int(items[0]) }
    var count: Int { items.count }
    func contains(_ t: Int) -> Bool { position[t] >= 0 }

    @inline(__always) private func before(_ a: Int32, _ b: Int32) -> Bool {
        let ka = key[Int(a)], kb = key[Int(b)]
        if ka != kb { return latestFirst ? ka > kb : ka < kb }
        return a < b
    }

    func insert(_ t: Int, key k: Int) {
        key[t] = k
        position[t] = Int32(items.count)
        items.append(Int32(t))
        siftUp(items.count - 1)
    }

    func remove(_ t: Int) {
        let i = Int(position[t])
        position[t] = -1
        let last = items.removeLast()
        guard i < items.count else { return }
        place(last, at: i)
        siftDown(siftUp(i))
    }

    func update(_ t: Int, key k: Int) {
        key[t] = k
        siftDown(siftUp(Int(position[t])))
    }

    @discardableResult private func siftUp(_ start: Int) -> Int {
        var i = start
        let e = items[i]
        while i > 0 {
            let parent = (i - 1) >> 1
            let p = items[parent]
            if !before(e, p) { break }
            place(p, at: i)
            i = parent
        }
        place(e, at: i)
        return i
    }

    private func siftDown(_ start: Int) {
        var i = start
        let e = items[i]
        let n = items.count
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            var c = l
            if l + 1 < n && before(items[l + 1], items[l]) { c = l + 1 }
            let child = items[c]
            if !before(child, e) { break }
            place(child, at: i)
            i = c
        }
        place(e, at: i)
    }

    @inline(__always) private func place(_ t: Int32, at i: Int) {
        items[i] = t
        position[Int(t)] = Int32(i)
    }
}

extension MemoryTracker {
    @inline(__always) func isPinned(_ t: Int) -> Bool { pinMark[t] == pinToken }

    /// Starts pinning a new set of tensors (`pin` them next); the previous set is released.
    mutating func newPinSet() { pinToken += 1 }
    mutating func pin(_ t: Int) { pinMark[t] = pinToken }

    /// A use of tensor `t` by the operator with sequence number `sequence` (LRU's key).
    @inline(__always)
    mutating func touch(_ t: Int, sequence: Int) {
        if lastUse[t] == sequence { return }    // read and written by one operator: already in place
        lastUse[t] = sequence
        // The tail keeps its place: its key grows to the largest and everything before it is smaller
        // or ties with a smaller index.
        if ordered && listed[t] && (policy == .lru || policy == .paging) && Int(listTail[Int(tensorHome[t])]) != t {
            unlink(t)
            // Its key is now the largest: it goes after every tensor but this operator's others
            // with a larger index.
            var p = Int(listTail[Int(tensorHome[t])])
            while p >= 0 && lastUse[p] == sequence && p > t { p = Int(listPrev[p]) }
            insert(t, after: p)
        }
    }

    /// Operator `op` uses tensor `t` (Belady's future uses; operators are added in trace order).
    mutating func addFutureUse(_ t: Int, op: Int) {
        futureUses[t].append(Int32(truncatingIfNeeded: op))
        // A tensor with no next use gets this one (its head pointed past the end).
        if ordered && policy == .belady && futureHead[t] == futureUses[t].count - 1 {
            let home = Int(tensorHome[t])
            if latest[home].contains(t) { latest[home].update(t, key: op); soonest[home].update(t, key: op) }
        }
    }

    /// Chooses what to evict from memory `m` to free `needed` bytes, skipping pinned tensors, into
    /// `victimBuffer`: exactly `victimsByScan`'s choice. False if everything evictable is not enough.
    mutating func victims(in m: Int, needed: Double, page: Double, currentOp: Int) -> Bool {
        if selectByScan { return victimsByScan(in: m, needed: needed, policy: policy, page: page, currentOp: currentOp) }
        if !ordered { startOrdering() }
        victimBuffer.removeAll()
        var freed = 0.0
        if policy != .belady {
            var t = Int(listHead[m])
            while t >= 0 && freed < needed {
                if !isPinned(t) {
                    let resident = tensorResident[t]
                    let take = policy == .paging ? min(resident, ((needed - freed) / page).rounded(.up) * page) : resident
                    victimBuffer.append((t, take))
                    freed += take
                }
                t = Int(listNext[t])
            }
            return freed >= needed
        }
        let soon = soonest[m], late = latest[m]
        // Refresh stale next uses (at or before the current operator), not the pinned tensors'.
        asideBuffer.removeAll()
        while let t = soon.top, soon.key[t] <= currentOp {
            if isPinned(t) { soon.remove(t); asideBuffer.append(Int32(t)); continue }
            let next = nextUse(t, after: currentOp)
            soon.update(t, key: next)
            late.update(t, key: next)
        }
        for k in 0..<asideBuffer.count { let t = Int(asideBuffer[k]); soon.insert(t, key: late.key[t]) }
        // Furthest next use first; the popped tensors go back (the caller's spills remove victims).
        asideBuffer.removeAll()
        while freed < needed, let t = late.top {
            late.remove(t)
            asideBuffer.append(Int32(t))
            if isPinned(t) { continue }
            let resident = tensorResident[t]
            victimBuffer.append((t, resident))
            freed += resident
        }
        for k in 0..<asideBuffer.count { let t = Int(asideBuffer[k]); late.insert(t, key: soon.key[t]) }
        return freed >= needed
    }

    // MARK: Maintaining the order

    /// The key a list orders by.
    @inline(__always) private func listKey(_ t: Int) -> Int { policy == .fifo ? arrival[t] : lastUse[t] }

    /// Whether `a` comes after `b` in victim order.
    @inline(__always) private func after(_ a: Int, _ b: Int) -> Bool {
        let ka = listKey(a), kb = listKey(b)
        return ka > kb || (ka == kb && a > b)
    }

    /// Belady's cached key: the use the tensor's head points at, or none.
    private func cachedNextUse(_ t: Int) -> Int {
        futureHead[t] < futureUses[t].count ? Int(futureUses[t][futureHead[t]]) : Int.max
    }

    /// Builds the order from the current state (at the first eviction).
    mutating func startOrdering() {
        ordered = true
        let memories = capacity.count
        if policy == .belady {
            soonest = (0..<memories).map { _ in IndexedHeap(latestFirst: false, tensors: tensorCount) }
            latest = (0..<memories).map { _ in IndexedHeap(latestFirst: true, tensors: tensorCount) }
        } else {
            listHead = FlatArray(repeating: -1, count: memories)
            listTail = FlatArray(repeating: -1, count: memories)
        }
        for t in 0..<tensorCount { reorder(t, rekeyed: false) }
    }

    /// Puts tensor `t` where its resident bytes and key (changed if `rekeyed`) say.
    mutating func reorder(_ t: Int, rekeyed: Bool) {
        let member = tensorResident[t] > 0
        if policy == .belady {
            let home = Int(tensorHome[t])
            let late = latest[home]
            if member == late.contains(t) { return }
            if member {
                let k = cachedNextUse(t)
                late.insert(t, key: k); soonest[home].insert(t, key: k)
            } else {
                late.remove(t); soonest[home].remove(t)
            }
            return
        }
        if listed[t] {
            if member && !rekeyed { return }
            unlink(t)
        }
        if member { link(t) }
    }

    /// Inserts `t` into its memory's list at its place: found from the tail (new keys are the
    /// largest), or at the head when it goes first.
    private mutating func link(_ t: Int) {
        let m = Int(tensorHome[t])
        var p = Int(listTail[m])
        let head = Int(listHead[m])
        if p >= 0 && after(p, t) {
            if after(head, t) { p = -1 } else { while after(p, t) { p = Int(listPrev[p]) } }
        }
        insert(t, after: p)
    }

    /// Links `t` into its memory's list after `p` (−1: at the head).
    private mutating func insert(_ t: Int, after p: Int) {
        let m = Int(tensorHome[t])
        let n = p >= 0 ? Int(listNext[p]) : Int(listHead[m])
        listPrev[t] = Int32(p)
        listNext[t] = Int32(n)
        if p >= 0 { listNext[p] = Int32(t) } else { listHead[m] = Int32(t) }
        if n >= 0 { listPrev[n] = Int32(t) } else { listTail[m] = Int32(t) }
        listed[t] = true
    }

    private mutating func unlink(_ t: Int) {
        let m = Int(tensorHome[t])
        let p = Int(listPrev[t]), n = Int(listNext[t])
        if p >= 0 { listNext[p] = Int32(n) } else { listHead[m] = Int32(n) }
        if n >= 0 { listPrev[n] = Int32(p) } else { listTail[m] = Int32(p) }
        listed[t] = false
    }
}
