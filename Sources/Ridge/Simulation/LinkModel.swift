/// Transfers in flight on the profile's links. A transfer first pays its fixed cost (link latency
/// plus per-transfer overhead per chunk) without using bandwidth, then streams its bytes. Concurrent
/// transfers share each link's bandwidth equally (processor sharing), per direction — links are
/// full duplex, as PCIe and NVLink are; a transfer over several links
/// (say NVMe → host → GPU) streams through all of them at once at the rate of its tightest share,
/// and no transfer exceeds its cap (the source's read throughput at its chunk size, the
/// destination's write bandwidth).
struct LinkModel {
    struct Flow {
        var op: Int
        var route: [Int]          // link indices
        var directions: [Bool]    // true: link.from → link.to
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
    }

    let links: [Link]
    let memoryIDs: [String]
    var flows: [Flow] = []
    private var freeFlows: [Int] = []
    /// Active flows per link direction: index `2·link` (from → to) and `2·link + 1` (to → from).
    var activeOnLink: [[Int]]
    /// Bytes moved per link (for spill and reports).
    var bytesMoved: [Double]
    /// Routes between memory pairs, computed once.
    private var routes: [Int: (links: [Int], forward: [Bool])] = [:]

    init(profile: HardwareProfile) {
        links = profile.links
        memoryIDs = profile.memories.map(\.id)
        activeOnLink = Array(repeating: [], count: 2 * profile.links.count)
        bytesMoved = Array(repeating: 0, count: profile.links.count)
    }

    /// The shortest chain of links from one memory to another (breadth-first), or nil.
    mutating func route(from a: Int, to b: Int) -> (links: [Int], forward: [Bool])? {
        let key = a * 65536 + b
        if let r = routes[key] { return r }
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
        guard a == b || previous[b] != nil else { return nil }
        var path: [Int] = [], dirs: [Bool] = []
        var m = b
        while m != a, let p = previous[m] { path.append(p.link); dirs.append(p.forward); m = p.memory }
        let r = (Array(path.reversed()), Array(dirs.reversed()))
        routes[key] = r
        return r
    }

    mutating func add(_ flow: Flow) -> Int {
        if let i = freeFlows.popLast() { flows[i] = flow; return i }
        flows.append(flow)
        return flows.count - 1
    }

    mutating func release(_ i: Int) { flows[i].active = false; freeFlows.append(i) }

    /// Brings every active flow's remaining bytes up to `time`.
    mutating func advance(to time: Double) {
        for i in flows.indices where flows[i].active {
            let dt = time - flows[i].lastUpdate
            if dt > 0 {
                let moved = min(flows[i].remaining, flows[i].rate * dt)
                flows[i].remaining -= moved
                for l in flows[i].route { bytesMoved[l] += moved }
            }
            flows[i].lastUpdate = time
        }
    }

    /// Recomputes every active flow's rate: the tightest equal share along its route, capped.
    mutating func recomputeRates() {
        for i in flows.indices where flows[i].active {
            var rate = flows[i].cap
            for (j, l) in flows[i].route.enumerated() {
                let n = Double(activeOnLink[2 * l + (flows[i].directions[j] ? 0 : 1)].count)
                let bw = flows[i].directions[j] ? links[l].bandwidth : links[l].reverseBandwidth
                rate = min(rate, bw / max(n, 1))
            }
            flows[i].rate = rate
            flows[i].version += 1
        }
    }

    mutating func activate(_ i: Int, at time: Double) {
        flows[i].active = true
        flows[i].lastUpdate = time
        for (j, l) in flows[i].route.enumerated() { activeOnLink[2 * l + (flows[i].directions[j] ? 0 : 1)].append(i) }
    }

    mutating func deactivate(_ i: Int) {
        for (j, l) in flows[i].route.enumerated() { activeOnLink[2 * l + (flows[i].directions[j] ? 0 : 1)].removeAll { $0 == i } }
        release(i)
    }
}
