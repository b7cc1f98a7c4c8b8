/// A growable array of plain values that owns its buffer and cannot be copied, so reading or
/// writing an element is a bounds check and a load or store: no copy-on-write uniqueness check and
/// no reference counting (an `Array` in a struct pays a runtime uniqueness call on every write).
/// For the simulator's per-operator and per-tensor state, written several times per operator.
struct FlatArray<Element>: ~Copyable {
    private var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 0) {
        self.capacity = max(capacity, 8)
        base = .allocate(capacity: self.capacity)
    }

    init(repeating value: Element, count: Int) {
        capacity = max(count, 8)
        base = .allocate(capacity: capacity)
        base.initialize(repeating: value, count: count)
        self.count = count
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    var isEmpty: Bool { count == 0 }
    var indices: Range<Int> { 0..<count }

    @inline(__always) private func check(_ i: Int) {
        precondition(UInt(bitPattern: i) < UInt(bitPattern: count), "FlatArray index \(i) out of range 0..<\(count)")
    }

    subscript(i: Int) -> Element {
        unsafeAddress { check(i); return UnsafePointer(base + i) }
        unsafeMutableAddress { check(i); return base + i }
    }

    var last: Element? { count > 0 ? base[count - 1] : nil }

    mutating func reserve(_ n: Int) {
        guard n > capacity else { return }
        let grown = UnsafeMutablePointer<Element>.allocate(capacity: n)
        grown.moveInitialize(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = n
    }

    mutating func append(_ value: Element) {
        if count == capacity { reserve(capacity * 2) }
        (base + count).initialize(to: value)
        count += 1
    }

    /// Appends `n` copies of `value`.
    mutating func append(repeating value: Element, count n: Int) {
        guard n > 0 else { return }
        if count + n > capacity { reserve(max(count + n, capacity * 2)) }
        (base + count).initialize(repeating: value, count: n)
        count += n
    }

    mutating func removeLast() -> Element {
        precondition(count > 0, "removeLast on an empty FlatArray")
        count -= 1
        return (base + count).move()
    }

    /// Drops the first `k` elements, moving the rest to the front.
    mutating func removeFirst(_ k: Int) {
        precondition(k >= 0 && k <= count, "removeFirst(\(k)) on \(count) elements")
        guard k > 0 else { return }
        base.deinitialize(count: k)
        base.moveInitialize(from: base + k, count: count - k)
        count -= k
    }

    mutating func removeAll() {
        base.deinitialize(count: count)
        count = 0
    }

    /// The elements as a Swift array (for results).
    func array() -> [Element] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
