/// The simulator's event queue: a binary min-heap ordered by (time, sequence number), specialised
/// so comparisons inline. Equal times pop in insertion order, which makes every run deterministic.
struct EventQueue: ~Copyable {
    enum Kind: UInt8 { case opFinish, flowStart, flowFinish }
    struct Event {
        var time: Double
        var seq: Int
        var index: Int
        var version: Int32
        var kind: Kind
    }

    private var heap = FlatArray<Event>()
    private var seq = 0

    var isEmpty: Bool { heap.isEmpty }

    @inline(__always) private static func less(_ a: Event, _ b: Event) -> Bool {
        a.time < b.time || (a.time == b.time && a.seq < b.seq)
    }

    mutating func push(_ time: Double, _ kind: Kind, _ index: Int, _ version: Int32 = 0) {
        let e = Event(time: time, seq: seq, index: index, version: version, kind: kind)
        seq += 1
        heap.append(e)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) >> 1
            if !EventQueue.less(e, heap[parent]) { break }
            heap[i] = heap[parent]
            i = parent
        }
        heap[i] = e
    }

    mutating func pop() -> Event? {
        guard !heap.isEmpty else { return nil }
        let first = heap[0]
        let last = heap.removeLast()
        let n = heap.count
        if n > 0 {
            var i = 0
            while true {
                let l = 2 * i + 1
                if l >= n { break }
                var m = l
                if l + 1 < n, EventQueue.less(heap[l + 1], heap[l]) { m = l + 1 }
                if !EventQueue.less(heap[m], last) { break }
                heap[i] = heap[m]
                i = m
            }
            heap[i] = last
        }
        return first
    }
}
