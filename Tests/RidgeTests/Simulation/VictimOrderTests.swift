import XCTest
@testable import Ridge

/// The maintained victim order (`VictimOrder.swift`) against the reference scan
/// (`MemoryTracker.victimsByScan`): the same victims, in the same order, with the same bytes, for
/// every policy, on random sequences of tracker operations and on random multi-stream traces.
final class VictimOrderTests: XCTestCase {
    /// Two trackers, one selecting by the maintained order and one by the scan, driven through the
    /// same random operations: tensors added (two memories, resident or not), uses (several tensors
    /// per sequence number, so keys tie), arrivals and resizes, spills (whole and partial), releases,
    /// future uses appended in operator order, and victim requests with random pins and current
    /// operators that go backwards as well as forwards (operators start out of trace order).
    func testMaintainedOrderMatchesScan() throws {
        let profile = try testProfile()
        for policy in [SpillPolicy.lru, .fifo, .belady, .paging] {
            for seed in 0..<60 {
                var rng = SplitMix64(seed: UInt64(seed) &* 7919 &+ UInt64(policy.hashValue & 0xffff))
                func r(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
                var fast = MemoryTracker(profile: profile, capacityOverrides: [:])
                var scan = MemoryTracker(profile: profile, capacityOverrides: [:])
                for tracker in [true, false] {
                    if tracker { fast.policy = policy; fast.trackFuture = policy == .belady; fast.retainCopies = policy != .paging }
                    else { scan.policy = policy; scan.trackFuture = policy == .belady; scan.retainCopies = policy != .paging; scan.selectByScan = true }
                }
                let unit = 1e6
                var sequence = 0, loaded = 0, requests = 0
                func addTensor() {
                    let home: Int32 = r(4) == 0 ? 1 : 0
                    let info = TensorInfo(name: "t", bytes: Double(1 + r(4)) * unit, memory: home == 0 ? "hbm" : "host", kind: .weight)
                    fast.addTensor(info, home: home)
                    scan.addTensor(info, home: home)
                }
                for _ in 0..<(3 + r(6)) { addTensor() }
                for _ in 0..<(200 + r(300)) {
                    let n = fast.tensorCount
                    let t = r(n)
                    switch r(10) {
                    case 0:
                        if n < 40 { addTensor() }
                    case 1, 2:     // an operator's uses: one sequence number for several tensors
                        sequence += 1
                        for _ in 0..<(1 + r(3)) { let u = r(n); fast.touch(u, sequence: sequence); scan.touch(u, sequence: sequence) }
                    case 3, 4:     // bytes arrive (swap-in, growth) or shrink
                        let bytes = r(5) == 0 ? -min(fast.tensorResident[t], unit) : Double(1 + r(3)) * unit
                        if bytes > 0 || fast.tensorResident[t] > 0 {
                            fast.tensorAllocated[t] = true; scan.tensorAllocated[t] = true
                            if r(2) == 0 { sequence += 1 }
                            fast.addResident(t, bytes, at: 0, sequence: sequence)
                            scan.addResident(t, bytes, at: 0, sequence: sequence)
                        }
                    case 5:
                        let resident = fast.tensorResident[t]
                        if resident > 0 {
                            let bytes = r(2) == 0 ? resident : min(resident, unit)
                            XCTAssertEqual(fast.spill(t, bytes, at: 0), scan.spill(t, bytes, at: 0))
                        }
                    case 6:
                        fast.release(t, at: 0); scan.release(t, at: 0)
                    case 7:
                        if policy == .belady {
                            loaded += r(3)
                            for _ in 0..<(1 + r(3)) { let u = r(n); fast.addFutureUse(u, op: loaded); scan.addFutureUse(u, op: loaded) }
                        }
                    default:       // a victim request
                        requests += 1
                        fast.newPinSet(); scan.newPinSet()
                        for _ in 0..<r(3) { let p = r(n); fast.pin(p); scan.pin(p) }
                        let m = r(5) == 0 ? 1 : 0
                        let needed = Double(1 + r(6)) * unit - Double(r(2)) * 0.5 * unit
                        let current = max(0, loaded - r(6))    // backwards sometimes
                        let page = 0.25 * unit
                        let a = fast.victims(in: m, needed: needed, page: page, currentOp: current)
                        let b = scan.victims(in: m, needed: needed, page: page, currentOp: current)
                        XCTAssertEqual(a, b, "\(policy) seed \(seed) request \(requests)")
                        let va = (0..<fast.victimBuffer.count).map { fast.victimBuffer[$0] }
                        let vb = (0..<scan.victimBuffer.count).map { scan.victimBuffer[$0] }
                        XCTAssertEqual(va.map(\.0), vb.map(\.0), "\(policy) seed \(seed) request \(requests)")
                        XCTAssertEqual(va.map(\.1), vb.map(\.1), "\(policy) seed \(seed) request \(requests)")
                        guard va.map(\.0) == vb.map(\.0) else { return }
                        if a { for (v, bytes) in va { _ = fast.spill(v, bytes, at: 0); _ = scan.spill(v, bytes, at: 0) } }
                    }
                }
                XCTAssertGreaterThan(requests, 10)
            }
        }
    }

    /// Whole simulations: random traces of mixed-size tensors on three streams with cross-stream
    /// dependencies (operators start out of trace order), through room for a few of them, give the
    /// same result with either selection, for every policy.
    func testSimulationsMatchScan() throws {
        let profile = try testProfile()
        var spilled = 0
        for seed in 0..<12 {
            var rng = SplitMix64(seed: UInt64(seed) &+ 101)
            func r(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
            var trace = Trace(header: TraceHeader(name: "random \(seed)"))
            let tensors = 6 + r(12)
            for t in 0..<tensors {
                let weight = t % 3 != 0
                trace.tensors.append(TensorInfo(name: "t\(t)", bytes: weight ? Double(1 + r(6)) * 1e8 : 0, memory: "hbm",
                                                kind: weight ? .weight : .activation, resident: weight))
            }
            for i in 0..<(60 + r(120)) {
                let reads = (0..<(1 + r(3))).map { _ in Int32(r(tensors)) }
                var writes: [TensorWrite] = []
                if r(2) == 0 { writes.append(TensorWrite(Int32(r((tensors + 2) / 3) * 3), bytes: Double(1 + r(5)) * 5e7)) }
                let frees: [Int32] = r(6) == 0 ? [Int32(r((tensors + 2) / 3) * 3)] : []
                let after: [Int32] = i > 3 && r(4) == 0 ? [Int32(i - 1 - r(3))] : []
                trace.ops.append(TraceOp(name: "op\(i)", shape: .elementwise(Elementwise(elements: 1000 * (1 + r(50)), bytesPerElement: 2, flopsPerElement: 1)),
                                         engine: "gpu", stream: "s\(r(3))", reads: reads, writes: writes, frees: frees, after: after))
            }
            for policy in [SpillPolicy.lru, .fifo, .belady, .paging] {
                for capacity in [1.5e9, 2.5e9] {
                    var o = SimulationOptions()
                    o.oversubscription.policy = policy
                    o.oversubscription.pageBytes = 3e7
                    o.capacityOverrides["hbm"] = capacity
                    func run(_ byScan: Bool) -> String {
                        var options = o
                        options.victimsByScan = byScan
                        do {
                            let result = try Simulator(profile: profile, options: options).run(trace)
                            return JSONWriter.write(.object(SimulationReport.json(result, includeWall: false)))
                        } catch { return "\(error)" }
                    }
                    let fast = run(false), scan = run(true)
                    XCTAssertEqual(fast, scan, "seed \(seed) \(policy) \(capacity)")
                    if fast.contains("\"swaps\"") { spilled += 1 }
                }
            }
        }
        XCTAssertGreaterThan(spilled, 40, "most cases should spill")
    }
}
