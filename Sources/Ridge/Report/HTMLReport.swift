/// One self-contained HTML page for a simulation: the summary, the roofline, the timeline, time by
/// kind and by bound, memory per tier over time, and what spilling and the power cap cost. Charts
/// are inline SVG, styles inline CSS; there are no scripts and nothing is fetched. Needs a result
/// run with `recordTimeline` and `recordMemory`. See `docs/report.md`.
public enum HTMLReport {
    static func esc(_ s: String) -> String { SVGFormat.escape(s) }

    static let css = """
    :root { color-scheme: light; }
    body { margin: 0; background: #F3F4F6; color: #222; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
    main { max-width: 1010px; margin: 0 auto; padding: 20px 24px 32px; }
    header h1 { font-size: 24px; margin: 4px 0; }
    header p { color: #555; margin: 2px 0; }
    section { background: #FFF; border: 1px solid #E1E3E8; border-radius: 8px; padding: 14px 20px 16px; margin: 16px 0; }
    h2 { font-size: 18px; margin: 2px 0 10px; }
    h3 { font-size: 15px; margin: 14px 0 6px; }
    p.note { color: #555; font-size: 13px; margin: 6px 0; }
    .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 10px; margin-bottom: 10px; }
    .card { border: 1px solid #E1E3E8; border-radius: 6px; padding: 8px 12px; }
    .card .v { font-size: 18px; font-weight: 600; font-variant-numeric: tabular-nums; }
    .card .k { color: #555; font-size: 13px; }
    table { border-collapse: collapse; width: 100%; font-size: 14px; margin: 6px 0 10px; font-variant-numeric: tabular-nums; }
    th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #ECEDF0; vertical-align: top; }
    th { color: #444; font-weight: 600; background: #F8F9FA; }
    td.n, th.n { text-align: right; white-space: nowrap; }
    td.code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
    figure { margin: 8px 0; }
    figure svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
    .pair { display: flex; flex-wrap: wrap; gap: 12px; }
    .pair > figure { flex: 1 1 460px; min-width: 0; }
    .warn { color: #9A3D00; font-weight: 600; }
    footer { color: #666; font-size: 13px; margin-top: 18px; }
    """

    struct Table {
        var headers: [String]
        var numeric: Set<Int> = []
        var rows: [[String]] = []
        var code: Set<Int> = []
        func html() -> String {
            var out = "<table>\n<tr>"
            for (i, h) in headers.enumerated() { out += numeric.contains(i) ? "<th class=\"n\">\(esc(h))</th>" : "<th>\(esc(h))</th>" }
            out += "</tr>\n"
            for r in rows {
                out += "<tr>"
                for (i, c) in r.enumerated() {
                    let cls = numeric.contains(i) ? " class=\"n\"" : code.contains(i) ? " class=\"code\"" : ""
                    out += "<td\(cls)>\(esc(c))</td>"
                }
                out += "</tr>\n"
            }
            return out + "</table>\n"
        }
    }

    static func figure(_ doc: SVGDocument) -> String { "<figure>\n" + doc.render() + "</figure>\n" }

    static func pct(_ part: Double, _ whole: Double) -> String {
        guard whole > 0, whole.isFinite else { return "-" }
        let p = part / whole * 100
        return p > 0 && p < 0.05 ? "<0.1%" : SVGFormat.decimal(p, maxFractionDigits: 1) + "%"
    }

    /// The page.
    public static func render(_ r: SimulationResult, profile: HardwareProfile) -> String {
        let colors = TimelinePlot.kindColors(r)
        var body = ""
        body += "<header>\n<h1>Ridge report: \(esc(r.trace)) on \(esc(r.profile))</h1>\n"
        body += "<p>\(esc(profile.description))</p>\n<p>\(r.ops) operators simulated; every figure below is simulated, not measured.</p>\n</header>\n"
        body += summary(r)
        body += roofline(r, profile: profile, colors: colors)
        body += timeline(r, profile: profile, colors: colors)
        body += breakdown(r, colors: colors)
        body += memory(r)
        body += costs(r)
        body += "<footer>Written by <code>ridge report</code>. How each chart is computed: docs/report.md in the Ridge repository. "
        body += "Hover over points and bars for details.</footer>\n"
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Ridge report: \(esc(r.trace)) on \(esc(r.profile))</title>
        <style>
        \(css)
        </style>
        </head>
        <body>
        <main>
        \(body)</main>
        </body>
        </html>

        """
    }

    // MARK: - Sections

    static func summary(_ r: SimulationResult) -> String {
        var cards: [(String, String)] = []
        if let v = r.timeToFirstToken { cards.append(("time to first token", Format.seconds(v))) }
        if let v = r.timePerOutputToken { cards.append(("time per output token", Format.seconds(v))) }
        if let v = r.tokensPerSecond { cards.append(("throughput", "\(Format.significant(v, 4)) tokens/s")) }
        cards.append(("makespan", Format.seconds(r.makespanSeconds)))
        cards.append(("energy", Format.si(r.energyJoules, "J")))
        if let v = r.joulesPerToken { cards.append(("energy per token", Format.si(v, "J"))) }
        cards.append(("average power", Format.si(r.averageWatts, "W")))
        cards.append(("peak power", Format.si(r.peakWatts, "W")))
        if let b = r.dominantBound { cards.append(("most time bound by", b)) }
        var out = "<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"cards\">\n"
        for (k, v) in cards { out += "<div class=\"card\"><div class=\"v\">\(esc(v))</div><div class=\"k\">\(esc(k))</div></div>\n" }
        out += "</div>\n"
        var phases = Table(headers: ["phase", "operators", "start", "end", "time", "energy", "average power"], numeric: [1, 2, 3, 4, 5, 6])
        for p in r.phases {
            phases.rows.append([p.name, "\(p.ops)", Format.seconds(p.startSeconds), Format.seconds(p.endSeconds), Format.seconds(p.seconds),
                                Format.si(p.energyJoules, "J"), p.seconds > 0 ? Format.si(p.energyJoules / p.seconds, "W") : "-"])
        }
        out += phases.html()
        var mem = Table(headers: ["memory", "peak", "capacity", "use"], numeric: [1, 2, 3])
        for m in r.memories where m.peakBytes > 0 {
            mem.rows.append([m.id, Format.bytes(m.peakBytes), Format.bytes(m.capacityBytes), pct(m.peakBytes, m.capacityBytes)])
        }
        out += mem.html()
        for m in r.overflowing {
            out += "<p class=\"warn\">The working set does not fit in \(esc(m.id)): peak \(esc(Format.bytes(m.peakBytes))) &gt; capacity \(esc(Format.bytes(m.capacityBytes))).</p>\n"
        }
        return out + "</section>\n"
    }

    static func roofline(_ r: SimulationResult, profile: HardwareProfile, colors: [String: String]) -> String {
        var out = "<section id=\"roofline\">\n<h2>Roofline</h2>\n"
        out += "<p class=\"note\">Attainable performance = min(peak, bandwidth × intensity) per memory level; the dashed verticals are the ridge points "
        out += "(peak / bandwidth). Each point is one operator class (same shape, engine and placement) at its simulated mean speed; area ∝ its total time.</p>\n"
        let engines = Roofline.engines(r, profile)
        if engines.isEmpty { return out + "<p>No operator with FLOPs ran: nothing to place on a roofline.</p>\n</section>\n" }
        for e in engines {
            let model = Roofline(result: r, profile: profile, engine: e)
            out += figure(model.document(title: "Roofline: \(e) on \(r.profile) (\(model.precision.rawValue))", colors: colors))
        }
        let busy = r.byKind.reduce(0) { $0 + $1.seconds }
        var t = Table(headers: ["operator class", "engine", "count", "total time", "share", "intensity (FLOP/B)", "achieved", "of peak", "bound"],
                      numeric: [2, 3, 4, 5, 6, 7], code: [0])
        for c in r.operatorClasses.sorted(by: { ($0.totalSeconds, $1.shape.kind) > ($1.totalSeconds, $0.shape.kind) }).prefix(12) {
            let mean = c.count > 0 ? c.totalSeconds / Double(c.count) : 0
            var intensity = "-", achieved = "-", ofPeak = "-"
            if c.cost.flops > 0, mean > 0, let level = Roofline.bindingLevel(c.cost, profile), let engine = profile.engine(c.engine) {
                intensity = "\(TickFormat.generalString(c.cost.flops / level.bytes)) at \(level.memory)"
                achieved = Format.si(c.cost.flops / mean, "FLOP/s")
                ofPeak = pct(c.cost.flops / mean, engine.matrixPeak(c.shape.precision))
            } else if case .transfer(let x) = c.shape, mean > 0 {
                achieved = Format.si(x.bytes / mean, "B/s")
            }
            t.rows.append([Roofline.shapeText(c.shape), c.engine.isEmpty ? "link" : c.engine, "\(c.count)", Format.seconds(c.totalSeconds),
                           pct(c.totalSeconds, busy), intensity, achieved, ofPeak, c.cost.bound.description])
        }
        out += "<h3>Operator classes by total time</h3>\n" + t.html()
        return out + "</section>\n"
    }

    static func timeline(_ r: SimulationResult, profile: HardwareProfile, colors: [String: String]) -> String {
        var out = "<section id=\"timeline\">\n<h2>Timeline</h2>\n"
        guard !r.timeline.isEmpty else { return out + "<p>No timeline was recorded.</p>\n</section>\n" }
        let whole = TimelinePlot.gantt(r, profile: profile, title: "Whole run", colors: colors)
        out += figure(whole.document().withFootnote(TimelinePlot.footnote(r, from: nil, to: nil)))
        // Closer looks, where single operators are wide enough to see: one decode step, then its first operators.
        var windows: [(String, Double, Double)] = []
        var start = 0.0, what = "run"
        if let ttft = r.timeToFirstToken, let tpot = r.timePerOutputToken, tpot > 0, ttft + tpot <= r.makespanSeconds * (1 + 1e-12) {
            windows.append(("One decode step", ttft, ttft + tpot))
            start = ttft; what = "decode phase"
        }
        if let (a, b) = TimelinePlot.window(r, profile: profile, from: start, operators: 40) {
            windows.append(("The first 40 operators of the \(what)", a, b))
        }
        for (title, a, b) in windows where b > a {
            let zoom = TimelinePlot.gantt(r, profile: profile, from: a, to: b, title: title, colors: colors)
            out += figure(zoom.document().withFootnote(TimelinePlot.footnote(r, from: a, to: b)))
        }
        return out + "</section>\n"
    }

    static func breakdown(_ r: SimulationResult, colors: [String: String]) -> String {
        var out = "<section id=\"breakdown\">\n<h2>Where the time goes</h2>\n"
        out += "<p class=\"note\">Operator time (summed over operators, so overlapping streams count twice) by operator kind, and by what bounds each operator: "
        out += "compute, the memory level with the longest traffic time, a link, or fixed overhead (launch, latency).</p>\n<div class=\"pair\">\n"
        let kinds = r.byKind.sorted { ($0.seconds, $1.kind) > ($1.seconds, $0.kind) }
        let height = { (n: Int) in Double(90 + 34 * max(n, 2)) }
        var byKind = BarChart(title: "By operator kind", values: kinds.map { ($0.kind, $0.seconds) },
                              valueAxis: .linear("Operator time", formatter: TickFormat.seconds), orientation: .horizontal,
                              width: 490, height: height(kinds.count))
        byKind.colorByCategory = true
        byKind.colors = colors
        out += figure(byKind.document())
        let bounds = r.byBound.sorted { ($0.seconds, $1.bound) > ($1.seconds, $0.bound) }
        var byBound = BarChart(title: "By bound", values: bounds.map { ($0.bound, $0.seconds) },
                               valueAxis: .linear("Operator time", formatter: TickFormat.seconds), orientation: .horizontal,
                               width: 490, height: height(bounds.count))
        byBound.colorByCategory = true
        byBound.palette = .tableau10
        out += figure(byBound.document())
        out += "</div>\n"
        let busy = r.byKind.reduce(0) { $0 + $1.seconds }
        var t = Table(headers: ["kind", "operators", "time", "share"], numeric: [1, 2, 3])
        for k in kinds { t.rows.append([k.kind, "\(k.count)", Format.seconds(k.seconds), pct(k.seconds, busy)]) }
        out += t.html()
        return out + "</section>\n"
    }

    static func memory(_ r: SimulationResult) -> String {
        var out = "<section id=\"memory\">\n<h2>Memory per tier over time</h2>\n"
        guard !r.memorySamples.isEmpty else { return out + "<p>No memory samples were recorded.</p>\n</section>\n" }
        out += "<p class=\"note\">Bytes allocated in each tier (weights placed at time zero, activations and KV cache as they are written and freed, "
        out += "spilled bytes in the spill tier): the largest value within each time slice.</p>\n"
        let peaks = r.memories.filter { $0.peakBytes > 0 }.map { "\($0.id) \(Format.bytes($0.peakBytes)) of \(Format.bytes($0.capacityBytes)) (\(pct($0.peakBytes, $0.capacityBytes)))" }
        out += "<p class=\"note\">Peaks: \(esc(peaks.joined(separator: "; "))).</p>\n"
        out += figure(TimelinePlot.memory(r, title: nil).document())
        return out + "</section>\n"
    }

    static func costs(_ r: SimulationResult) -> String {
        var out = "<section id=\"costs\">\n<h2>Spill and power</h2>\n"
        out += "<h3>Spill</h3>\n"
        if r.swaps > 0 {
            var t = Table(headers: ["quantity", "value"], numeric: [1])
            t.rows.append(["spill policy", r.spillPolicy])
            t.rows.append(["swaps", "\(r.swaps)"])
            for s in r.swapBytes { t.rows.append(["bytes moved over \(s.link)", Format.bytes(s.bytes)]) }
            if let base = r.unlimited {
                t.rows.append(["makespan with unlimited capacity", Format.seconds(base.makespanSeconds)])
                t.rows.append(["extra time", "+\(Format.seconds(r.spillExtraSeconds ?? 0)) (\(Format.significant(r.makespanSeconds / max(base.makespanSeconds, 1e-30), 4))×)"])
                t.rows.append(["extra energy", "+\(Format.si(r.spillExtraJoules ?? 0, "J"))"])
            }
            t.rows.append(["energy of the swaps themselves", Format.si(r.swapEnergyJoules, "J")])
            out += "<p class=\"warn\">The working set did not fit: the \(esc(r.spillPolicy)) policy moved data to the spill tier and back.</p>\n" + t.html()
        } else {
            let fits = r.memories.filter { $0.peakBytes > 0 }.map { "\($0.id) \(Format.bytes($0.peakBytes)) of \(Format.bytes($0.capacityBytes))" }
            out += "<p>Everything fit: no spill (peak \(esc(fits.joined(separator: ", ")))).</p>\n"
        }
        out += "<h3>Power and energy</h3>\n"
        var t = Table(headers: ["quantity", "value"], numeric: [1])
        t.rows.append(["average power", Format.si(r.averageWatts, "W")])
        t.rows.append(["peak power", Format.si(r.peakWatts, "W")])
        t.rows.append(["energy", Format.si(r.energyJoules, "J")])
        t.rows.append(["idle energy (every engine's idle power over the makespan)", "\(Format.si(r.idleEnergyJoules, "J")) (\(pct(r.idleEnergyJoules, r.energyJoules)))"])
        t.rows.append(["dynamic energy (operators and swaps)", "\(Format.si(r.dynamicEnergyJoules, "J")) (\(pct(r.dynamicEnergyJoules, r.energyJoules)))"])
        t.rows.append(["operators throttled by the board power limit (TDP)", "\(r.tdpThrottledOps) (+\(Format.seconds(r.tdpThrottleExtraSeconds)))"])
        if let cap = r.powerCapWatts {
            t.rows.append(["power cap", Format.si(cap, "W")])
            t.rows.append(["operators throttled", "\(r.throttledOps)"])
            t.rows.append(["operator time added by throttling", Format.seconds(r.throttleExtraSeconds)])
            if let cost = r.powerCapLatencyCost { t.rows.append(["latency cost against the uncapped run", "+\(Format.seconds(cost))"]) }
        } else {
            t.rows.append(["power cap", "none"])
        }
        out += t.html()
        let parts: [(String, Double)] = [("idle", r.idleEnergyJoules), ("operators", r.dynamicEnergyJoules - r.swapEnergyJoules),
                                         ("swaps", r.swapEnergyJoules)].filter { $0.1 > 0 }
        var energy = BarChart(title: "Energy", values: parts, valueAxis: .linear("Energy", formatter: TickFormat.si(unit: "J")),
                              orientation: .horizontal, width: 640, height: Double(90 + 34 * max(parts.count, 2)))
        energy.colorByCategory = true
        energy.colors = ["idle": "#9A9A9A", "operators": "#0072B2", "swaps": "#D55E00"]
        out += figure(energy.document())
        return out + "</section>\n"
    }
}
