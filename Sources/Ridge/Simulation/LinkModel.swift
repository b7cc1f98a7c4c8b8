/// Transfers in flight on the profile's links. A transfer first pays its fixed cost (link latency
/// plus per-transfer overhead per chunk) without using bandwidth, then streams its bytes. Concurrent
/// transfers share each link's bandwidth equally (processor sharing), per direction — links are
/// full duplex, as PCIe and NVLink are; a transfer over several links
/// (say NVMe → host → GPU) streams through all of them at once at the rate of its tightest share,
/// and no transfer exceeds its cap (the source's read throughput at its chunk size, the
/// destination's write bandwidth).
///
/// Flows are plain values (a route is an index into the routes computed so far) in flat arrays,
/// and each link direction keeps only its count of active flows, so issuing and finishing a
/// transfer or swap neither allocates nor reference-counts.
struct LinkModel: ~Copyable {
    struct Flow {
        var op: Int
        /// Index of the route (`hops(of:)`).
        var route: Int32
        var remaining: Double
        var cap: Double
        var rate: Double = 0
        var lastUpdate: Double = 0
        var version: Int = 0
        var active = false
        /// A swap issued by a spill policy for operator `op` (which waits for it), not a trace transfer.
        var isSwap = false
        /// For swaps: when it was issued and how many bytes it moves (for timelines).
        var issued = 0.0
        var bytes = 0.0

        init(op: Int, route: Int32, remaining: Double, cap: Double) {
            self.op = op; self.route = route; self.remaining = remaining; self.cap = cap
        }
    }

    let links: [Link]
    let memoryIDs: [String]
    var flows = FlatArray<Flow>()
    private var freeFlows = FlatArray<Int>()
    /// Active flows per link direction: slot `2·link` (from → to) and `2·link + 1` (to → from).
    private var activeCount: FlatArray<Int>
    /// Each slot's bandwidth (the link's forward or reverse bandwidth).
    private var slotBandwidth: FlatArray<Double>
    /// Bytes moved per link (for spill and reports).
    var bytesMoved: FlatArray<Double>
    /// Routes, computed once per memory pair: the hops of route r (link direction slots) are
    /// `hopSlot[routeStart[r] ..< routeStart[r + 1]]`; `routeOf[a · memories + b]` is the route
    /// from a to b, −1 if there is none, −2 if not computed yet.
    private var hopSlot = FlatArray<Int32>()
    private var routeStart = FlatArray<Int32>(repeating: 0, count: 1)
    private var routeOf: FlatArray<Int32>

    init(profile: HardwareProfile) {
        links = profile.links
        memoryIDs = profile.memories.map(\.id)
        activeCount = FlatArray(repeating: 0, count: 2 * profile.links.count)
        slotBandwidth = FlatArray()
        for l in profile.links { slotBandwidth.append(l.bandwidth); slotBandwidth.append(l.reverseBandwidth) }
        bytesMoved = FlatArray(repeating: 0, count: profile.links.count)
        routeOf = FlatArray(repeating: -2, count: profile.memories.count * profile.memories.count)
    }

    /// The shortest chain of links from one memory to another (breadth-first), or nil.
    mutating func route(from a: Int, to b: Int) -> (links: [Int], forward: [Bool])? {
        let r = routeID(from: a, to: b)
        guard r >= 0 else { return nil }
        var path: [Int] = [], dirs: [Bool] = []
        for h in hops(of: r) { path.append(Int(hopSlot[h]) >> 1); dirs.append(hopSlot[h] & 1 == 0) }
        return (path, dirs)
    }

    /// The index of the route from `a` to `b` (computed on first use), or −1 if there is none.
    mutating func routeID(from a: Int, to b: Int) -> Int32 {
        let key = a * memoryIDs.count + b
        let known = routeOf[key]
        if known != -2 { return known }
        var previous: [Int: (memory: Int, link: Int, forward: Bool)] = [:]
        var queue = [a], head = 0
        var seen: Set<Int> = [a]
        while head < queue.count {
            let m = queue[head]; head += 1
            if m == b { break }
            for (i, l) in links.enumerated() {
                let from = memoryIDs.firstIndex(of: l.from)!, to = memoryIDs.firstIndex(of: l.to)!
                for (x, y, fwd) in [(from, to, true), (to, from, false)] where x == m && !seen.contains(y) {
                    seen.insert(y)
                    previous[y] = (m, i, fwd)
                    queue.append(y)
                }
            }
        }
        guard a == b || previous[b] != nil else { routeOf[key] = -1; return -1 }
        var path: [Int32] = []
        var m = b
        while m != a, let p = previous[m] { path.append(Int32(2 * p.link + (p.forward ? 0 : 1))); m = p.memory }
        for slot in path.reversed() { hopSlot.append(slot) }
        routeStart.append(Int32(hopSlot.count))
        let r = Int32(routeStart.count - 2)
        routeOf[key] = r
        return r
    }

    /// Indices into `hopSlot` of route `r`'s hops, in order.
    @inline(__always) func hops(of r: Int32) -> Range<Int> { Int(routeStart[Int(r)])..<Int(routeStart[Int(r) + 1]) }
    /// The link of hop `h` and whether it is crossed from → to.
    @inline(__always) func hopLink(_ h: Int) -> Int { Int(hopSlot[h]) >> 1 }
    @inline(__always) func hopForward(_ h: Int) -> Bool { hopSlot[h] & 1 == 0 }

    mutating func add(_ flow: Flow) -> Int {
        if !freeFlows.isEmpty { let i = freeFlows.removeLast(); flows[i] = flow; return i }
        flows.append(flow)
        return flows.count - 1
    }

    mutating func release(_ i: Int) { flows[i].active = false; freeFlows.append(i) }

    /// Brings every active flow's remaining bytes up to `time`.
    mutating func advance(to time: Double) {
        for i in 0..<flows.count where flows[i].active {
            let dt = time - flows[i].lastUpdate
            if dt > 0 {
                let moved = min(flows[i].remaining, flows[i].rate * dt)
                flows[i].remaining -= moved
                for h in hops(of: flows[i].route) { bytesMoved[hopLink(h)] += moved }
            }
            flows[i].lastUpdate = time
        }
    }

    /// Recomputes every active flow's rate: the tightest equal share along its route, capped.
    mutating func recomputeRates() {
        for i in 0..<flows.count where flows[i].active {
            var rate = flows[i].cap
            for h in hops(of: flows[i].route) {
                let slot = Int(hopSlot[h])
                let n = Double(activeCount[slot])
                rate = min(rate, slotBandwidth[slot] / max(n, 1))
            }
            flows[i].rate = rate
            flows[i].version += 1
        }
    }

    mutating func activate(_ i: Int, at time: Double) {
        flows[i].active = true
        flows[i].lastUpdate = time
        for h in hops(of: flows[i].route) { activeCount[Int(hopSlot[h])] += 1 }
    }

    mutating func deactivate(_ i: Int) {
        for h in hops(of: flows[i].route) { activeCount[Int(hopSlot[h])] -= 1 }
        release(i)
    }
}
