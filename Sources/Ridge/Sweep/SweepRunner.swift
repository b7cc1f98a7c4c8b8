import Foundation

/// Runs the configurations of a sweep on several threads and hands back rows in grid order.
///
/// Workers take configurations in grid order. A trace is generated (or a trace file compiled) once
/// per workload variant and shared, read-only, by every configuration that uses it; it is dropped
/// when the last of them finishes. A worker that would wait for a trace another worker is building,
/// or for a schedule another is recording, builds the next trace instead (at most `jobs` ahead, so
/// about two traces per worker are alive). Profile variants are decoded once each. Finished rows
/// wait in a reorder buffer until every earlier one has been emitted, so `emit` sees rows in the
/// order of `configs` whatever the number of threads: the output is byte-identical for any `jobs`.
///
/// Sharing is exact. The generator reads nothing from the profile but engine and memory names,
/// which numeric profile fields do not change, and a compiled trace holds no profile data, so a
/// shared trace simulates exactly as one generated per configuration. The first configuration of a
/// chain trace is simulated in full and records a `ChainSchedule`; the others are timed from it
/// when their profile can reuse it, which gives byte-identical results (`ChainScheduleTests`;
/// `SweepCommandTests` checks rows against `ridge simulate`).
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
        let workers = max(1, min(jobs, configs.count))
        let traces = TraceCache(plan: plan, configs: configs, lookahead: workers, build: trace)
        let profiles = ProfileCache(plan: plan)
        let state = RunState(count: configs.count)
        withoutActuallyEscaping(emit) { emit in
            let emitBox = EmitBox(emit)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while let position = state.claim() {
                    let index = configs[position]
                    let variant = plan.grid.variant(index, .workload)
                    let (cells, ops) = row(index, variant: variant, traces: traces, profiles: profiles)
                    traces.release(variant)
                    state.finish(position, index: index, cells: cells, ops: ops, errorColumn: plan.columns.count - 1, emit: emitBox)
                }
            }
        }
        if let e = state.error { throw e }
        return state.summary
    }

    /// One configuration's row: id, values, metrics, error.
    func row(_ index: Int, variant: Int, traces: TraceCache, profiles: ProfileCache) -> ([SweepCell], Int) {
        var cells: [SweepCell] = [.string(plan.grid.id(index))] + plan.grid.values(index).map(\.cell)
        do {
            let compiled = try traces.acquire(variant).get()
            let profile = try profiles.get(index)
            let options = try plan.simulation(index, profile: profile)
            let simulator = Simulator(profile: profile, options: options)
            // A chain trace is timed from the schedule an earlier configuration of the same trace
            // recorded, when this profile can reuse it (ChainSchedule); otherwise simulated in full.
            var result: SimulationResult?
            switch traces.schedule(variant) {
            case .replay(let schedule): result = try simulator.runWithCosts(compiled, schedule: schedule)
            case .simulate: break
            case .record:
                do {
                    let (r, recording) = try simulator.runWithCostsRecordingSchedule(compiled)
                    traces.publish(recording, for: variant)
                    result = r
                } catch {
                    traces.publish(.notThisRun, for: variant)
                    throw error
                }
            }
            if result == nil { result = try simulator.runWithCosts(compiled) }
            var flat: [String: JSONValue] = [:]
            for (path, value) in SweepPlan.flatten(SimulationReport.json(result!, includeWall: false)) { flat[path] = value }
            cells += plan.metricColumns.map { SweepCell(flat[$0]) }
            cells.append(.null)
            return (cells, result!.ops)
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
        case .trace(let path): return try plan.fileTrace ?? SweepPlan.compile(file: path)
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

    /// Compiled traces and chain schedules by workload variant. A trace is built by the first
    /// worker that needs it and dropped after its last configuration; a worker that would wait
    /// builds the next trace in order instead (up to `lookahead` variants past the oldest live one).
    final class TraceCache: @unchecked Sendable {
        enum Trace { case building, ready(Result<CompiledTrace, RidgeError>) }
        enum Schedule { case recording, ready(ChainSchedule?) }
        /// What a configuration should do about its trace's schedule.
        enum Action { case replay(ChainSchedule), record, simulate }

        let condition = NSCondition()
        var traces: [Int: Trace] = [:]
        var schedules: [Int: Schedule] = [:]
        var remaining: [Int: Int] = [:]
        var example: [Int: Int] = [:]
        /// Workload variants in the order configurations first use them, and how far building got.
        var order: [Int] = []
        var started = 0, released = 0
        let lookahead: Int
        let build: (Int) throws -> CompiledTrace

        init(plan: SweepPlan, configs: [Int], lookahead: Int, build: @escaping (Int) throws -> CompiledTrace) {
            self.build = build
            self.lookahead = lookahead
            for c in configs {
                let v = plan.grid.variant(c, .workload)
                remaining[v, default: 0] += 1
                if example[v] == nil { example[v] = c; order.append(v) }
            }
        }

        /// Builds variant `v` outside the lock (held on entry and on return).
        private func buildLocked(_ v: Int) -> Result<CompiledTrace, RidgeError> {
            traces[v] = .building
            if let i = order.firstIndex(of: v), i >= started { started = i + 1 }
            let index = example[v] ?? 0
            condition.unlock()
            let built: Result<CompiledTrace, RidgeError>
            do { built = .success(try build(index)) } catch let e as RidgeError { built = .failure(e) } catch {
                built = .failure(RidgeError.data(file: nil, at: nil, "\(error)"))
            }
            condition.lock()
            traces[v] = .ready(built)
            condition.broadcast()
            return built
        }

        /// Instead of waiting: builds the next trace not yet started, if it is close enough.
        private func helpLocked() -> Bool {
            while started < order.count, traces[order[started]] != nil || remaining[order[started]] == nil { started += 1 }
            guard started < order.count, started < released + lookahead + 1 else { return false }
            _ = buildLocked(order[started])
            return true
        }

        func acquire(_ variant: Int) -> Result<CompiledTrace, RidgeError> {
            condition.lock(); defer { condition.unlock() }
            while true {
                switch traces[variant] {
                case .ready(let r)?: return r
                case .building?: if !helpLocked() { condition.wait() }
                case nil: return buildLocked(variant)
                }
            }
        }

        /// Whether to replay a recorded schedule, record one, or simulate in full.
        func schedule(_ variant: Int) -> Action {
            condition.lock(); defer { condition.unlock() }
            while true {
                switch schedules[variant] {
                case .ready(let s?)?: return .replay(s)
                case .ready(nil)?: return .simulate
                case .recording?: if !helpLocked() { condition.wait() }
                case nil:
                    schedules[variant] = .recording
                    return .record
                }
            }
        }

        func publish(_ recording: ChainSchedule.Recording, for variant: Int) {
            condition.lock(); defer { condition.unlock() }
            switch recording {
            case .recorded(let s): schedules[variant] = .ready(s)
            case .notAChain: schedules[variant] = .ready(nil)
            case .notThisRun: schedules[variant] = nil   // the next configuration of this trace tries
            }
            condition.broadcast()
        }

        func release(_ variant: Int) {
            condition.lock(); defer { condition.unlock() }
            remaining[variant, default: 1] -= 1
            if remaining[variant] == 0 {
                traces[variant] = nil; remaining[variant] = nil; schedules[variant] = nil
                released += 1
                condition.broadcast()
            }
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
