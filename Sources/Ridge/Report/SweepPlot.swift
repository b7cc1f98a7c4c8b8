import Foundation

/// A results table read for plotting: any CSV with a header row (`ridge sweep` writes the varied
/// config values, then the flattened metrics). A cell is a number when it parses as one, plain
/// (`3350000000000`) or with a unit its column implies (`3.35TB/s`, `80GiB`); an empty cell is
/// missing. Columns that are not all numbers are categories.
public struct SweepTable: Sendable {
    public var file: String
    public var header: [String]
    public var rows: [(line: Int, fields: [String])]

    public static func load(_ path: String) throws -> SweepTable {
        let bytes = try FileIO.readBytes(path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw RidgeError.data(file: path, at: nil, "not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws -> SweepTable {
        let csv = try CSVTable.parse(text, file: file)
        guard !csv.header.isEmpty, !csv.header.allSatisfy(\.isEmpty) else {
            throw RidgeError.data(file: file, at: "line 1", "empty header row")
        }
        var seen: Set<String> = []
        for (i, name) in csv.header.enumerated() where !seen.insert(name).inserted {
            throw RidgeError.data(file: file, at: "line 1, column \(i + 1)", "column \"\(name)\" appears twice in the header")
        }
        for r in csv.rows where r.fields.count != csv.header.count {
            throw RidgeError.data(file: file, at: "line \(r.line)", "\(r.fields.count) fields, but the header has \(csv.header.count)")
        }
        guard !csv.rows.isEmpty else { throw RidgeError.data(file: file, at: nil, "no rows after the header") }
        return SweepTable(file: file, header: csv.header, rows: csv.rows)
    }

    /// The index of column `name`; a usage error listing the columns when there is none.
    public func column(_ name: String, option: String) throws -> Int {
        if let i = header.firstIndex(of: name) { return i }
        throw RidgeError.usage("--\(option): \(file) has no column \"\(name)\" (columns: \(header.joined(separator: ", ")))")
    }

    /// A cell as a number, or nil when it is not one (`""` is not a number either).
    func number(_ text: String, column: Int) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.isEmpty { return nil }
        if let v = Double(t) { return v.isFinite ? v : nil }
        if let d = ColumnUnit.forName(header[column]).dimension, let v = try? Quantity.parse(t, as: d) { return v }
        return nil
    }

    /// Whether every non-empty cell of the column is a number (and at least one is).
    public func isNumeric(_ column: Int) -> Bool {
        var any = false
        for r in rows {
            let t = r.fields[column].trimmingCharacters(in: .whitespaces)
            if t.isEmpty { continue }
            guard number(t, column: column) != nil else { return false }
            any = true
        }
        return any
    }

    /// The column's numbers (nil where the cell is empty); a data error naming the line and column
    /// at the first cell that is not a number.
    public func numbers(_ column: Int) throws -> [Double?] {
        try rows.map { r in
            let t = r.fields[column].trimmingCharacters(in: .whitespaces)
            if t.isEmpty { return nil }
            guard let v = number(t, column: column) else {
                throw RidgeError.data(file: file, at: "line \(r.line), column \"\(header[column])\"", "\"\(t)\" is not a number")
            }
            return v
        }
    }

    /// The rows whose cell in `column` equals `value` (numerically when both are numbers).
    public func filtered(column: Int, equals value: String) -> SweepTable {
        let target = number(value, column: column)
        var t = self
        t.rows = rows.filter { r in
            if let target, let v = number(r.fields[column], column: column) { return abs(v - target) <= 1e-9 * max(abs(target), 1e-300) }
            return r.fields[column].trimmingCharacters(in: .whitespaces) == value.trimmingCharacters(in: .whitespaces)
        }
        return t
    }
}

/// How a column's values are titled and labelled on an axis: known metric names and profile
/// paths get their unit (`tokensPerSecond` → tokens/s, `memories.hbm.bandwidth` → B/s with SI
/// prefixes, byte columns in KiB…TiB); anything else is a plain number titled by its name.
public struct ColumnUnit: Sendable {
    public var title: String
    /// Shown in parentheses after the title (when the tick labels do not carry it).
    public var unit: String?
    /// SI unit the tick formatter writes with prefixes ("s", "B/s", "FLOP/s", "J", "W"), or nil.
    public var siUnit: String?
    /// For parsing cells written with units.
    public var dimension: Dimension?
    /// Byte columns are shown in binary units chosen from the data.
    public var isBytes = false

    static let metrics: [String: (String, String?, String?, Dimension?)] = [
        "tokensPerSecond": ("Throughput", "tokens/s", nil, nil),
        "makespanSeconds": ("Makespan", nil, "s", .time),
        "timeToFirstTokenSeconds": ("Time to first token", nil, "s", .time),
        "timePerOutputTokenSeconds": ("Time per output token", nil, "s", .time),
        "energyJoules": ("Energy", nil, "J", .energy),
        "joulesPerToken": ("Energy per token", nil, "J", .energy),
        "averageWatts": ("Average power", nil, "W", .power),
        "peakWatts": ("Peak power", nil, "W", .power),
        "batch": ("Batch size", nil, nil, nil),
        "prompt": ("Prompt length", "tokens", nil, nil),
        "generate": ("Generated tokens", nil, nil, nil),
        "ops": ("Operators", nil, nil, nil),
    ]

    /// The unit of a column, from its name alone.
    public static func forName(_ name: String) -> ColumnUnit {
        if let m = metrics[name] { return ColumnUnit(title: m.0, unit: m.1, siUnit: m.2, dimension: m.3) }
        let parts = name.split(separator: ".").map(String.init)
        let last = parts.last ?? name
        let parent = parts.count >= 2 ? parts[parts.count - 2] : ""
        func si(_ u: String, _ d: Dimension) -> ColumnUnit { ColumnUnit(title: name, unit: nil, siUnit: u, dimension: d) }
        // Profile paths (engines.gpu.peak.bf16, memories.hbm.bandwidth, links.pcie.latency, …).
        if parent == "peak" || parent == "vectorPeak" { return si("FLOP/s", .flopRate) }
        switch last {
        case "bandwidth", "reverseBandwidth", "readBandwidth", "writeBandwidth": return si("B/s", .bandwidth)
        case "capacity", "onChipBuffer", "localBuffer", "blockBytes", "pageBytes":
            return ColumnUnit(title: name, unit: nil, siUnit: nil, dimension: .bytes, isBytes: true)
        case "latency", "launchOverhead", "perTransferOverhead", "faultLatency": return si("s", .time)
        case "powerCap", "idle", "active": return si("W", .power)
        case "energyPerByte": return si("J/B", .energyPerByte)
        default: break
        }
        if parent == "power" && last == "peak" { return si("W", .power) }
        // Metric naming convention: a unit suffix in camel case.
        let suffixes: [(String, String, Dimension?)] = [("BytesPerSecond", "B/s", .bandwidth), ("Seconds", "s", .time),
                                                        ("Joules", "J", .energy), ("Watts", "W", .power)]
        for (suffix, unit, d) in suffixes where last.hasSuffix(suffix) && last.count > suffix.count { return si(unit, d!) }
        if last.hasSuffix("Bytes") && last.count > 5 { return ColumnUnit(title: name, unit: nil, siUnit: nil, dimension: .bytes, isBytes: true) }
        return ColumnUnit(title: name, unit: nil, siUnit: nil, dimension: nil)
    }

    /// The axis for values of this column (`values` pick the binary unit of byte columns).
    func axis(values: [Double], log: Bool) -> (axis: Axis, divisor: Double) {
        var divisor = 1.0
        var unit = self.unit
        let formatter: TickFormatter
        if isBytes {
            let b = TimelinePlot.byteUnit(values.map(abs).max() ?? 0)
            divisor = b.divisor
            unit = b.name
            formatter = TickFormat.general()
        } else if let siUnit {
            formatter = TickFormat.si(unit: siUnit)
        } else {
            formatter = TickFormat.general()
        }
        var a = Axis(title: title, unit: unit, kind: log ? .log10 : .linear, formatter: formatter)
        a.includesZero = false
        return (a, divisor)
    }

    /// One value as text, with the column's unit (for legends and heatmap categories).
    func format(_ v: Double) -> String {
        if isBytes { return Format.bytes(v) }
        if let siUnit { return TickFormat.siString(v, unit: siUnit) }
        let text = TickFormat.generalString(v, significantDigits: 4)
        return unit.map { "\(text) \($0)" } ?? text
    }
}

/// Charts of a results table: lines of y against x, one per value of a colour column, or a
/// heatmap of z over two config columns. See `docs/report.md`.
public enum SweepPlot {
    /// Distinct values of a column in plotting order: numerically when it is numeric, else as they first appear.
    static func levels(_ table: SweepTable, _ column: Int) -> [String] {
        var seen: [String: Double?] = [:], order: [String] = []
        let numeric = table.isNumeric(column)
        for r in table.rows {
            let t = r.fields[column].trimmingCharacters(in: .whitespaces)
            if seen[t] == nil { seen[t] = numeric ? table.number(t, column: column) : nil; order.append(t) }
        }
        guard numeric else { return order }
        // Cells that are the same number written differently ("8", "8.0") are one level.
        var byValue: [Double: String] = [:]
        for t in order { if let v = seen[t]!, byValue[v] == nil { byValue[v] = t } }
        return byValue.keys.sorted().map { byValue[$0]! } + order.filter { seen[$0]! == nil }
    }

    /// Which columns besides `ignoring` differ between two rows (header order), for error messages.
    static func differing(_ table: SweepTable, _ a: Int, _ b: Int, ignoring: Set<Int>) -> [String] {
        table.header.indices.filter { !ignoring.contains($0) && table.rows[a].fields[$0] != table.rows[b].fields[$0] }.map { table.header[$0] }
    }

    static func requireNumeric(_ table: SweepTable, _ column: Int, option: String) throws {
        guard table.isNumeric(column) else {
            let bad = table.rows.first { r in
                let t = r.fields[column].trimmingCharacters(in: .whitespaces)
                return !t.isEmpty && table.number(t, column: column) == nil
            }
            if let bad {
                throw RidgeError.data(file: table.file, at: "line \(bad.line), column \"\(table.header[column])\"",
                                      "--\(option) needs numbers, found \"\(bad.fields[column])\"")
            }
            throw RidgeError.data(file: table.file, at: "column \"\(table.header[column])\"", "--\(option) needs numbers, but every cell is empty")
        }
    }

    /// `y` against `x`, one line per distinct value of `color` (sorted), points sorted by x.
    /// Rows with an empty x or y are skipped; two rows on one line with the same x are a usage
    /// error that names the columns that tell them apart (pick one with `--color` or `--where`).
    public static func lines(_ table: SweepTable, x: Int, y: Int, color: Int?, logX: Bool, logY: Bool, title: String?,
                             width: Double = 860, height: Double = 520) throws -> LineChart {
        try requireNumeric(table, x, option: "x")
        try requireNumeric(table, y, option: "y")
        let xs = try table.numbers(x), ys = try table.numbers(y)
        let xUnit = ColumnUnit.forName(table.header[x]), yUnit = ColumnUnit.forName(table.header[y])
        let (xAxis, xDiv) = xUnit.axis(values: xs.compactMap { $0 }, log: logX)
        let (yAxis, yDiv) = yUnit.axis(values: ys.compactMap { $0 }, log: logY)
        let groups = color.map { levels(table, $0) } ?? [""]
        let colorUnit = color.map { ColumnUnit.forName(table.header[$0]) }
        let colorNumeric = color.map { table.isNumeric($0) } ?? false
        var series: [LineChart.Series] = []
        for g in groups {
            var rows: [Int] = []
            for i in table.rows.indices {
                guard xs[i] != nil, ys[i] != nil else { continue }
                if let c = color, table.rows[i].fields[c].trimmingCharacters(in: .whitespaces) != g { continue }
                rows.append(i)
            }
            rows.sort { (xs[$0]!, $0) < (xs[$1]!, $1) }
            for (a, b) in zip(rows, rows.dropFirst()) where xs[a] == xs[b] {
                let cols = differing(table, a, b, ignoring: Set([x, y] + (color.map { [$0] } ?? [])))
                let hint = cols.isEmpty ? "the rows are duplicates" : "they differ in \(cols.prefix(4).joined(separator: ", "))"
                throw RidgeError.usage("\(table.file): lines \(table.rows[a].line) and \(table.rows[b].line) have the same \(table.header[x])"
                                       + (color == nil ? "" : " and \(table.header[color!])") + " (\(hint)): "
                                       + "choose one line per value with --color COL, or a slice with --where COL=VALUE")
            }
            guard !rows.isEmpty else { continue }
            var name = g
            if let colorUnit, colorNumeric, let v = table.number(g, column: color!) { name = colorUnit.format(v) }
            series.append(LineChart.Series(name: name, points: rows.map { DataPoint(xs[$0]! / xDiv, ys[$0]! / yDiv) }))
        }
        guard !series.isEmpty else {
            throw RidgeError.data(file: table.file, at: nil, "no row has both \(table.header[x]) and \(table.header[y])")
        }
        var chart = LineChart(title: title ?? "\(yUnit.title) vs \(xUnit.title)", xAxis: xAxis, yAxis: yAxis, series: series,
                              width: width, height: height)
        // Numeric series in order of their value: colours follow a sequential order, not names.
        if colorNumeric {
            chart.colors = Dictionary(uniqueKeysWithValues: series.enumerated().map { ($0.element.name, Palette.default.color(at: $0.offset)) })
        }
        chart.legendTitle = colorUnit?.title
        if color == nil { chart.legend = .hidden }
        return chart
    }

    /// `z` over the grid of `x` (columns) and `y` (rows, largest on top) values.
    public static func heatmap(_ table: SweepTable, x: Int, y: Int, z: Int, logZ: Bool, title: String?,
                               width: Double = 860, height: Double = 520) throws -> Heatmap {
        try requireNumeric(table, z, option: "z")
        let zs = try table.numbers(z)
        let xLevels = levels(table, x), yLevels = Array(levels(table, y).reversed())
        let xi = Dictionary(uniqueKeysWithValues: xLevels.enumerated().map { ($1, $0) })
        let yi = Dictionary(uniqueKeysWithValues: yLevels.enumerated().map { ($1, $0) })
        var values = [[Double?]](repeating: [Double?](repeating: nil, count: xLevels.count), count: yLevels.count)
        var from = [[Int?]](repeating: [Int?](repeating: nil, count: xLevels.count), count: yLevels.count)
        let zUnit = ColumnUnit.forName(table.header[z])
        let (zAxis, zDiv) = zUnit.axis(values: zs.compactMap { $0 }, log: logZ)
        for (i, r) in table.rows.enumerated() {
            guard let v = zs[i] else { continue }
            let c = xi[r.fields[x].trimmingCharacters(in: .whitespaces)]!, rr = yi[r.fields[y].trimmingCharacters(in: .whitespaces)]!
            if let other = from[rr][c] {
                let cols = differing(table, other, i, ignoring: [x, y, z])
                throw RidgeError.usage("\(table.file): lines \(table.rows[other].line) and \(r.line) fall in the same cell (\(table.header[x]), \(table.header[y]))"
                                       + (cols.isEmpty ? "" : "; they differ in \(cols.prefix(4).joined(separator: ", "))")
                                       + ": choose a slice with --where COL=VALUE")
            }
            from[rr][c] = i
            values[rr][c] = v / zDiv
        }
        func label(_ column: Int, _ level: String) -> String {
            guard table.isNumeric(column), let v = table.number(level, column: column) else { return level }
            return ColumnUnit.forName(table.header[column]).format(v)
        }
        let xTitle = ColumnUnit.forName(table.header[x]).title, yTitle = ColumnUnit.forName(table.header[y]).title
        var h = Heatmap(title: title ?? "\(zUnit.title) over \(xTitle) × \(yTitle)", xCategories: xLevels.map { label(x, $0) },
                        yCategories: yLevels.map { label(y, $0) }, values: values, xTitle: xTitle, yTitle: yTitle,
                        valueAxis: zAxis, width: width, height: height)
        h.tooltips = (0..<yLevels.count).map { r in
            (0..<xLevels.count).map { c in
                guard let i = from[r][c], let v = zs[i] else { return nil }
                return "\(table.header[x]) = \(label(x, xLevels[c]))\n\(table.header[y]) = \(label(y, yLevels[r]))\n\(table.header[z]) = \(zUnit.format(v))"
            }
        }
        return h
    }
}
