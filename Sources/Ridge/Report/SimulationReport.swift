/// Renders simulation results: a readable summary, the JSON document (SI base units), and a
/// Chrome Trace Event Format timeline.
public enum SimulationReport {
    static func r(_ v: Double) -> JSONValue { .number(v) }

    public static func json(_ s: SimulationResult, includeWall: Bool = true) -> JSONObject {
        var o = JSONObject([("profile", .string(s.profile)), ("trace", .string(s.trace)), ("ops", .number(Double(s.ops))),
                            ("makespanSeconds", r(s.makespanSeconds)), ("energyJoules", r(s.energyJoules))])
        o["timeToFirstTokenSeconds"] = s.timeToFirstToken.map(r) ?? .null
        o["timePerOutputTokenSeconds"] = s.timePerOutputToken.map(r) ?? .null
        o["tokensPerSecond"] = s.tokensPerSecond.map(r) ?? .null
        o["joulesPerToken"] = s.joulesPerToken.map(r) ?? .null
        o["phases"] = .object(JSONObject(s.phases.map { ($0.name, .object(JSONObject([
            ("seconds", r($0.seconds)), ("startSeconds", r($0.startSeconds)), ("endSeconds", r($0.endSeconds)),
            ("energyJoules", r($0.energyJoules)), ("ops", .number(Double($0.ops)))]))) }))
        o["byKind"] = .object(JSONObject(s.byKind.map { ($0.kind, .object(JSONObject([("count", .number(Double($0.count))), ("seconds", r($0.seconds))]))) }))
        o["byBound"] = .object(JSONObject(s.byBound.map { ($0.bound, r($0.seconds)) }))
        o["bound"] = s.dominantBound.map(JSONValue.string) ?? .null
        o["memories"] = .object(JSONObject(s.memories.map { ($0.id, .object(JSONObject([("capacityBytes", r($0.capacityBytes)), ("peakBytes", r($0.peakBytes)),
                                                                                             ("fits", .bool($0.peakBytes <= $0.capacityBytes * (1 + 1e-12)))]))) }))
        o["links"] = .object(JSONObject(s.links.map { ($0.id, .object(JSONObject([("bytes", r($0.bytes))]))) }))
        var power = JSONObject([("averageWatts", r(s.averageWatts)), ("peakWatts", r(s.peakWatts)),
                                ("idleEnergyJoules", r(s.idleEnergyJoules)), ("dynamicEnergyJoules", r(s.dynamicEnergyJoules))])
        if let cap = s.powerCapWatts {
            power["capWatts"] = r(cap)
            power["throttledOps"] = .number(Double(s.throttledOps))
            power["throttledSeconds"] = r(s.throttleExtraSeconds)
            power["latencyCostSeconds"] = r(s.powerCapLatencyCost ?? 0)
        }
        power["tdpThrottledOps"] = .number(Double(s.tdpThrottledOps))
        power["tdpThrottledSeconds"] = r(s.tdpThrottleExtraSeconds)
        o["power"] = .object(power)
        if s.swaps > 0 {
            let base = s.unlimited
            o["spill"] = .object(JSONObject([
                ("policy", .string(s.spillPolicy)), ("swaps", .number(Double(s.swaps))),
                ("bytesMoved", .object(JSONObject(s.swapBytes.map { ($0.link, r($0.bytes)) }))),
                ("extraSeconds", r(s.spillExtraSeconds ?? 0)), ("extraJoules", r(s.spillExtraJoules ?? 0)),
                ("slowdown", r(base.map { $0.makespanSeconds > 0 ? s.makespanSeconds / $0.makespanSeconds : 1 } ?? 1)),
                ("swapEnergyJoules", r(s.swapEnergyJoules)), ("cleanEvictionBytes", r(s.cleanEvictionBytes)),
            ]))
        } else {
            o["spill"] = .null
        }
        o["calibration"] = .object(JSONObject([
            ("shares", .object(JSONObject(CalibrationRecord.Status.allCases.map { ($0.rawValue, r(s.calibration.share($0))) }))),
            ("estimatedShare", r(s.calibration.estimatedShare)),
            ("outside", .array(s.calibration.outside.map { .object(JSONObject([("detail", .string($0.detail)), ("seconds", r($0.seconds))])) })),
        ]))
        if includeWall { o["wallSeconds"] = r(s.wallSeconds) }
        return o
    }

    public static func table(_ s: SimulationResult) -> String {
        var out = "Ridge simulation: \(s.trace) on \(s.profile) (\(s.ops) operators)\n\n"
        var t = TextTable(["metric", "value"])
        if let ttft = s.timeToFirstToken { t.add(["time to first token", Format.seconds(ttft)]) }
        if let tpot = s.timePerOutputToken { t.add(["time per output token", Format.seconds(tpot)]) }
        if let tps = s.tokensPerSecond { t.add(["throughput", "\(Format.significant(tps, 4)) tokens/s"]) }
        t.add(["makespan", Format.seconds(s.makespanSeconds)])
        t.add(["energy", Format.si(s.energyJoules, "J")])
        if let jpt = s.joulesPerToken { t.add(["energy per token", Format.si(jpt, "J")]) }
        t.add(["average power", Format.si(s.averageWatts, "W")])
        t.add(["peak power", Format.si(s.peakWatts, "W")])
        t.rightAligned = [1]
        out += t.render() + "\n"
        var phases = TextTable(["phase", "ops", "time", "energy", "avg power"])
        for p in s.phases {
            phases.add([p.name, "\(p.ops)", Format.seconds(p.seconds), Format.si(p.energyJoules, "J"),
                        p.seconds > 0 ? Format.si(p.energyJoules / p.seconds, "W") : "-"])
        }
        out += phases.render() + "\n"
        let busy = s.byKind.reduce(0) { $0 + $1.seconds }
        var kinds = TextTable(["operator kind", "count", "time", "share"])
        for k in s.byKind.sorted(by: { $0.seconds > $1.seconds }) {
            kinds.add([k.kind, "\(k.count)", Format.seconds(k.seconds), busy > 0 ? Format.percent(k.seconds / busy * 100) : "-"])
        }
        out += kinds.render() + "\n"
        var bounds = TextTable(["bound", "time", "share"])
        for b in s.byBound.sorted(by: { $0.seconds > $1.seconds }) {
            bounds.add([b.bound, Format.seconds(b.seconds), busy > 0 ? Format.percent(b.seconds / busy * 100) : "-"])
        }
        out += bounds.render() + "\n"
        var mem = TextTable(["memory", "peak", "capacity", "use"])
        for m in s.memories where m.peakBytes > 0 {
            mem.add([m.id, Format.bytes(m.peakBytes), Format.bytes(m.capacityBytes), Format.percent(m.peakBytes / m.capacityBytes * 100)])
        }
        out += mem.render()
        for m in s.overflowing {
            out += "\nwarning: the working set does not fit in \(m.id): peak \(Format.bytes(m.peakBytes)) > capacity \(Format.bytes(m.capacityBytes)) (over by \(Format.bytes(m.peakBytes - m.capacityBytes)))\n"
        }
        if s.swaps > 0 {
            let moved = s.swapBytes.map { "\(Format.bytes($0.bytes)) over \($0.link)" }.joined(separator: ", ")
            out += "\nwarning: the working set does not fit: the \(s.spillPolicy) spill policy made \(s.swaps) swaps (\(moved))\n"
            if let extra = s.spillExtraSeconds, let base = s.unlimited {
                out += "spill cost: +\(Format.seconds(extra)) (\(Format.significant(s.makespanSeconds / max(base.makespanSeconds, 1e-30), 4))× the unlimited-capacity run), +\(Format.si(s.spillExtraJoules ?? 0, "J"))\n"
            }
        }
        if s.calibration.total > 0 {
            let c = s.calibration
            out += "\ncalibration: \(Format.percent(c.share(.calibrated) * 100)) of operator time inside the region measured on this profile, "
            out += "\(Format.percent(c.share(.transferred) * 100)) transferred from a similar GPU, \(Format.percent(c.estimatedShare * 100)) estimated beyond any measurement\n"
            for o in c.outside.prefix(4) where o.seconds > 0 {
                out += "  \(Format.percent(o.seconds / c.total * 100)): \(o.detail)\n"
            }
        }
        if s.tdpThrottledOps > 0 {
            out += "\nboard power limit (TDP): \(s.tdpThrottledOps) operators throttled, +\(Format.seconds(s.tdpThrottleExtraSeconds)) of operator time\n"
        }
        if let cap = s.powerCapWatts, s.throttledOps > 0 {
            out += "\npower cap \(Format.si(cap, "W")): \(s.throttledOps) operators throttled, +\(Format.seconds(s.throttleExtraSeconds)) of operator time"
            if let cost = s.powerCapLatencyCost { out += ", latency cost +\(Format.seconds(cost))" }
            out += "\n"
        }
        return out
    }

    /// Chrome Trace Event Format: complete (`X`) events in microseconds, one thread per
    /// engine/stream track, with process and thread name metadata; opens in Perfetto. Spans that
    /// overlap on one track (concurrent swaps sharing a link) go to further threads of that track,
    /// `swap/pcie (2)` …, so the slices of every thread nest.
    public static func chromeTrace(_ s: SimulationResult) -> String {
        // Lanes: per track, each span (in start order) takes the first lane free at its start.
        var lane = [Int](repeating: 0, count: s.timeline.count)
        var spansOf: [String: [Int]] = [:], order: [String] = []
        for (i, span) in s.timeline.enumerated() {
            if spansOf[span.track] == nil { order.append(span.track) }
            spansOf[span.track, default: []].append(i)
        }
        let ns = { (t: Double) in (t * 1e9).rounded() }
        var lanes: [String: Int] = [:]
        for track in order {
            var ends: [Double] = []
            for i in spansOf[track]!.sorted(by: { (s.timeline[$0].start, $0) < (s.timeline[$1].start, $1) }) {
                let start = ns(s.timeline[i].start)
                if let free = ends.firstIndex(where: { $0 <= start }) { lane[i] = free } else { lane[i] = ends.count; ends.append(0) }
                ends[lane[i]] = max(start, ns(s.timeline[i].end))
            }
            lanes[track] = ends.count
        }
        // Thread ids: 1… for the tracks (as before lanes existed), then one more per extra lane.
        var tid: [String: [Int]] = [:]
        var next = order.count + 1
        for (t, track) in order.enumerated() {
            tid[track] = [t + 1] + (1..<lanes[track]!).map { _ in defer { next += 1 }; return next }
        }
        var out = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n"
        out += "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,\"args\":{\"name\":\(JSONWriter.quote("ridge: " + s.profile))}}"
        for track in order {
            for (k, id) in tid[track]!.enumerated() {
                let name = k == 0 ? track : "\(track) (\(k + 1))"
                out += ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":\(id),\"args\":{\"name\":\(JSONWriter.quote(name))}}"
            }
        }
        for (i, span) in s.timeline.enumerated() {
            // Round both ends to whole nanoseconds so spans on a track nest exactly.
            let ts = (span.start * 1e9).rounded() / 1000, dur = (span.end * 1e9).rounded() / 1000 - ts
            out += ",\n{\"name\":\(JSONWriter.quote(span.name)),\"cat\":\(JSONWriter.quote(span.kind)),\"ph\":\"X\",\"pid\":1,\"tid\":\(tid[span.track]![lane[i]]),"
            out += "\"ts\":\(fixed(ts)),\"dur\":\(fixed(dur)),\"args\":{\"phase\":\(JSONWriter.quote(span.phase))}}"
        }
        out += "\n]}\n"
        return out
    }

    /// Microseconds with nanosecond resolution, locale-independent.
    static func fixed(_ v: Double) -> String {
        let ns = (v * 1000).rounded()
        let whole = Int64(ns) / 1000, frac = abs(Int64(ns) % 1000)
        return frac == 0 ? "\(whole)" : "\(whole).\(String(frac + 1000).dropFirst())"
    }
}
