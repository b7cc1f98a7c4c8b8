import Foundation

/// Runs the configurations of a sweep on several threads and hands back rows in grid order.
///
/// Workers take configurations in grid order. A trace is generated (or a trace file compiled) once
/// per workload variant and shared, read-only, by every configuration that uses it; it is dropped
/// when the last of them finishes, so with workload dimensions outermost about one trace per worker
/// is alive. Profile variants are decoded once each. Finished rows wait in a reorder buffer until
/// every earlier one has been emitted, so `emit` sees rows in the order of `configs` whatever the
/// number of threads: the output is byte-identical for any `jobs`.
///
/// Sharing is exact: the generator reads nothing from the profile but engine and memory names,
/// which numeric profile fields do not change, and a compiled trace holds no profile data, so a
/// shared trace simulates exactly as one generated per configuration (`SweepTests` checks rows
/// against `ridge simulate`).
public final class SweepRunner: @unchecked Sendable {
    public let plan: SweepPlan

    /// What a run did.
    public struct Summary: Sendable {
        public var rows = 0
        public var failed = 0
        /// Operators simulated, over every configuration (base runs only).
        public var operators = 0
    }

    public init(plan: SweepPlan) { self.plan = plan }

    /// Runs `configs` (grid indices, ascending) on `jobs` threads. `emit` is called serially, in
    /// the order of `configs`, with each configuration's index and row (`plan.columns`).
    public func run(_ configs: [Int], jobs: Int, emit: (Int, [SweepCell]) throws -> Void) throws -> Summary {
        guard !configs.isEmpty else { return Summary() }
        let traces = TraceCache(plan: plan, configs: configs, build: trace)
        let profiles = ProfileCache(plan: plan)
        let state = RunState(count: configs.count)
        withoutActuallyEscaping(emit) { emit in
            let emitBox = EmitBox(emit)
            DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, configs.count))) { _ in
                while let position = state.claim() {
                    let index = configs[position]
                    let variant = plan.grid.variant(index, .workload)
                    let (cells, ops) = row(index, trace: traces.acquire(variant), profiles: profiles)
                    traces.release(variant)
                    state.finish(position, index: index, cells: cells, ops: ops, errorColumn: plan.columns.count - 1, emit: emitBox)
                }
            }
        }
        if let e = state.error { throw e }
        return state.summary
    }

    /// One configuration's row: id, values, metrics, error.
    func row(_ index: Int, trace: Result<CompiledTrace, RidgeError>, profiles: ProfileCache) -> ([SweepCell], Int) {
        var cells: [SweepCell] = [.string(plan.grid.id(index))] + plan.grid.values(index).map(\.cell)
        do {
            let compiled = try trace.get()
            let profile = try profiles.get(index)
            let options = try plan.simulation(index, profile: profile)
            let result = try Simulator(profile: profile, options: options).runWithCosts(compiled)
            var flat: [String: JSONValue] = [:]
            for (path, value) in SweepPlan.flatten(SimulationReport.json(result, includeWall: false)) { flat[path] = value }
            cells += plan.metricColumns.map { SweepCell(flat[$0]) }
            cells.append(.null)
            return (cells, result.ops)
        } catch {
            let message = (error as? RidgeError)?.description ?? "\(error)"
            cells += Array(repeating: SweepCell.null, count: plan.metricColumns.count)
            cells.append(.string(message))
            return (cells, 0)
        }
    }

    /// The trace of configuration `index` (the same for every configuration of its workload variant).
    func trace(_ index: Int) throws -> CompiledTrace {
        switch plan.source {
        case .trace(let path): return try SweepPlan.compile(file: path)
        case .model: return try LLMTraceGenerator.compiled(try plan.workload(index))
        }
    }

    // MARK: Shared state

    final class EmitBox: @unchecked Sendable {
        let emit: (Int, [SweepCell]) throws -> Void
        init(_ emit: @escaping (Int, [SweepCell]) throws -> Void) { self.emit = emit }
    }

    /// Claims positions in order and emits finished rows in order.
    final class RunState: @unchecked Sendable {
        let lock = NSLock()
        let count: Int
        var nextClaim = 0, nextEmit = 0
        var pending: [Int: (index: Int, cells: [SweepCell])] = [:]
        var summary = Summary()
        var error: Error?

        init(count: Int) { self.count = count }

        func claim() -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard error == nil, nextClaim < count else { return nil }
            nextClaim += 1
            return nextClaim - 1
        }

        func finish(_ position: Int, index: Int, cells: [SweepCell], ops: Int, errorColumn: Int, emit: EmitBox) {
            lock.lock(); defer { lock.unlock() }
            summary.operators += ops
            if cells[errorColumn] != .null { summary.failed += 1 }
            pending[position] = (index, cells)
            while error == nil, let next = pending.removeValue(forKey: nextEmit) {
                do { try emit.emit(next.index, next.cells) } catch { self.error = error }
                nextEmit += 1
                summary.rows += 1
            }
        }
    }

    /// Compiled traces by workload variant, built once by the first worker that needs one (others
    /// wait) and dropped after their last configuration.
    final class TraceCache: @unchecked Sendable {
        enum Entry { case building, ready(Result<CompiledTrace, RidgeError>) }
        let condition = NSCondition()
        var entries: [Int: Entry] = [:]
        var remaining: [Int: Int] = [:]
        var example: [Int: Int] = [:]
        let build: (Int) throws -> CompiledTrace

        init(plan: SweepPlan, configs: [Int], build: @escaping (Int) throws -> CompiledTrace) {
            self.build = build
            for c in configs {
                let v = plan.grid.variant(c, .workload)
                remaining[v, default: 0] += 1
                if example[v] == nil { example[v] = c }
            }
        }

        func acquire(_ variant: Int) -> Result<CompiledTrace, RidgeError> {
            condition.lock()
            while true {
                switch entries[variant] {
                case .ready(let r)?:
                    condition.unlock()
                    return r
                case .building?:
                    condition.wait()
                case nil:
                    entries[variant] = .building
                    let index = example[variant] ?? 0
                    condition.unlock()
                    let built: Result<CompiledTrace, RidgeError>
                    do {
                        built = .success(try build(index))
                    } catch let e as RidgeError {
                        built = .failure(e)
                    } catch {
                        built = .failure(RidgeError.data(file: nil, at: nil, "\(error)"))
                    }
                    condition.lock()
                    entries[variant] = .ready(built)
                    condition.broadcast()
                    condition.unlock()
                    return built
                }
            }
        }

        func release(_ variant: Int) {
            condition.lock(); defer { condition.unlock() }
            remaining[variant, default: 1] -= 1
            if remaining[variant] == 0 { entries[variant] = nil; remaining[variant] = nil }
        }
    }

    /// Decoded profile variants (each decoded once; cached when there are not too many).
    final class ProfileCache: @unchecked Sendable {
        let lock = NSLock()
        let plan: SweepPlan
        var cache: [Int: Result<HardwareProfile, RidgeError>] = [:]
        let keep: Bool

        init(plan: SweepPlan) {
            self.plan = plan
            keep = plan.grid.variantCount(.profile) <= 4096
        }

        func get(_ index: Int) throws -> HardwareProfile {
            let variant = plan.grid.variant(index, .profile)
            if variant == 0 && plan.grid.variantCount(.profile) == 1 { return plan.baseProfile }
            lock.lock()
            let hit = cache[variant]
            lock.unlock()
            if let hit { return try hit.get() }
            let r: Result<HardwareProfile, RidgeError>
            do { r = .success(try plan.profile(index)) } catch let e as RidgeError { r = .failure(e) }
            if keep { lock.lock(); cache[variant] = r; lock.unlock() }
            return try r.get()
        }
    }
}
