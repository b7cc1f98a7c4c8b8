/// A binary min-heap over a caller-supplied ordering, without per-operation allocation once warm.
public struct BinaryHeap<Element> {
    public private(set) var storage: [Element] = []
    private let less: (Element, Element) -> Bool

    public init(less: @escaping (Element, Element) -> Bool) { self.less = less }

    public var isEmpty: Bool { storage.isEmpty }
    public var count: Int { storage.count }
    public var top: Element? { storage.first }

    public mutating func reserve(_ n: Int) { storage.reserveCapacity(n) }

    public mutating func push(_ e: Element) {
        storage.append(e)
        var i = storage.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if !less(storage[i], storage[parent]) { break }
            storage.swapAt(i, parent)
            i = parent
        }
    }

    public mutating func pop() -> Element? {
        guard !storage.isEmpty else { return nil }
        let result = storage[0]
        let last = storage.removeLast()
        if !storage.isEmpty {
            storage[0] = last
            var i = 0
            let n = storage.count
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < n, less(storage[l], storage[m]) { m = l }
                if r < n, less(storage[r], storage[m]) { m = r }
                if m == i { break }
                storage.swapAt(i, m)
                i = m
            }
        }
        return result
    }
}
