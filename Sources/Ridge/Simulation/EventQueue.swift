/// The simulator's event queue: a binary min-heap ordered by (time, sequence number), specialised
/// so comparisons inline. Equal times pop in insertion order, which makes every run deterministic.
struct EventQueue {
    enum Kind: UInt8 { case opFinish, flowStart, flowFinish }
    struct Event {
        var time: Double
        var seq: Int
        var index: Int
        var version: Int32
        var kind: Kind
    }

    private var heap: [Event] = []
    private var seq = 0

    var isEmpty: Bool { heap.isEmpty }

    @inline(__always) private static func less(_ a: Event, _ b: Event) -> Bool {
        a.time < b.time || (a.time == b.time && a.seq < b.seq)
    }

    mutating func push(_ time: Double, _ kind: Kind, _ index: Int, _ version: Int32 = 0) {
        heap.append(Event(time: time, seq: seq, index: index, version: version, kind: kind))
        seq += 1
        heap.withUnsafeMutableBufferPointer { h in
            var i = h.count - 1
            let e = h[i]
            while i > 0 {
                let parent = (i - 1) >> 1
                if !EventQueue.less(e, h[parent]) { break }
                h[i] = h[parent]
                i = parent
            }
            h[i] = e
        }
    }

    mutating func pop() -> Event? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap.withUnsafeMutableBufferPointer { h in
                let n = h.count
                var i = 0
                while true {
                    let l = 2 * i + 1
                    if l >= n { break }
                    var m = l
                    if l + 1 < n, EventQueue.less(h[l + 1], h[l]) { m = l + 1 }
                    if !EventQueue.less(h[m], last) { break }
                    h[i] = h[m]
                    i = m
                }
                h[i] = last
            }
        }
        return first
    }
}
