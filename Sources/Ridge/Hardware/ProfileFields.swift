/// The numeric fields of the profile format and how `ProfileLoader` reads each one, by JSON path
/// (`memories.hbm.bandwidth`, `engines.gpu.peak.bf16`, `memories.flash.requestSizeBandwidth[2][1]`),
/// so a tool that sets a field by path (`ridge sweep --vary`) parses values in the field's unit.
/// Kept beside the loader; a test checks that every number in every bundled profile is covered.
public enum ProfileFields {
    /// How a field's value is read.
    public enum Kind: Sendable, Equatable {
        /// A quantity of this dimension (`.count` for plain numbers such as efficiencies).
        case quantity(Dimension)
        /// A whole number.
        case integer
    }

    /// The kind of the field at `path`, or nil when the profile format has no numeric field there.
    public static func kind(of path: String) -> Kind? {
        let parts = components(path)
        guard let top = parts.first else { return nil }
        switch top {
        case "powerCap": return parts.count == 1 ? .quantity(.power) : nil
        case "memories": return parts.count >= 3 ? memoryField(Array(parts.dropFirst(2))) : nil
        case "engines": return parts.count >= 3 ? engineField(Array(parts.dropFirst(2))) : nil
        case "links": return parts.count == 3 ? linkField(parts[2]) : nil
        default: return nil
        }
    }

    /// `a.b[2][1]` → `["a", "b", "[2]", "[1]"]`.
    public static func components(_ path: String) -> [String] {
        var out: [String] = []
        for piece in path.split(separator: ".", omittingEmptySubsequences: false) {
            var s = Substring(piece)
            if let bracket = s.firstIndex(of: "[") {
                out.append(String(s[..<bracket]))
                s = s[bracket...]
                while let close = s.firstIndex(of: "]") {
                    out.append(String(s[...close]))
                    s = s[s.index(after: close)...]
                }
                if !s.isEmpty { out.append(String(s)) }
            } else {
                out.append(String(s))
            }
        }
        return out
    }

    static func index(_ part: String) -> Int? {
        guard part.hasPrefix("["), part.hasSuffix("]") else { return nil }
        return Int(part.dropFirst().dropLast())
    }

    static func memoryField(_ p: [String]) -> Kind? {
        if p.count == 1 {
            switch p[0] {
            case "capacity": return .quantity(.bytes)
            case "bandwidth", "readBandwidth", "writeBandwidth": return .quantity(.bandwidth)
            case "latency": return .quantity(.time)
            case "energyPerByte": return .quantity(.energyPerByte)
            default: return nil
            }
        }
        // requestSizeBandwidth[i][0] is a request size, [i][1] a throughput.
        if p.count == 3, p[0] == "requestSizeBandwidth", index(p[1]) != nil, let j = index(p[2]) {
            return j == 0 ? .quantity(.bytes) : j == 1 ? .quantity(.bandwidth) : nil
        }
        return nil
    }

    static func engineField(_ p: [String]) -> Kind? {
        if p.first == "efficiency" {
            if p.count >= 4, p[1] == "byKind" { return efficiencyField(Array(p.dropFirst(3))) }
            return efficiencyField(Array(p.dropFirst()))
        }
        switch p.count {
        case 1:
            switch p[0] {
            case "onChipBuffer", "localBuffer": return .quantity(.bytes)
            case "computeUnits": return .integer
            case "launchOverhead": return .quantity(.time)
            default: return nil
            }
        case 2:
            switch p[0] {
            case "peak", "vectorPeak": return Precision(rawValue: p[1]) != nil ? .quantity(.flopRate) : nil
            case "power":
                switch p[1] {
                case "idle", "peak", "active": return .quantity(.power)
                default: return nil
                }
            case "datapath":
                switch p[1] {
                case "units": return .quantity(.count)
                case "clock": return .quantity(.frequency)
                default: return nil
                }
            default: return nil
            }
        case 3:
            if p[0] == "power", p[1] == "energyPerFlop" { return Precision(rawValue: p[2]) != nil ? .quantity(.energyPerFlop) : nil }
            if p[0] == "datapath", p[1] == "opsPerCycle" { return Precision(rawValue: p[2]) != nil ? .quantity(.count) : nil }
            return nil
        default:
            return nil
        }
    }

    /// A field of an `efficiency` object (or of one of its `byKind` entries): `["compute"]`,
    /// `["tiles", "[2]", "[0]"]` (tile `[m, n]` sizes are whole numbers).
    static func efficiencyField(_ p: [String]) -> Kind? {
        if p.count == 3, p[0] == "tiles", index(p[1]) != nil, let j = index(p[2]) { return j <= 1 ? .integer : nil }
        guard p.count == 1 else { return nil }
        switch p[0] {
        case "compute", "memory", "smallM", "tileIntensity", "epilogue", "overlap", "waveTail": return .quantity(.count)
        case "tileM", "tileN": return .integer
        case "overhead": return .quantity(.time)
        default: return nil
        }
    }

    static func linkField(_ key: String) -> Kind? {
        switch key {
        case "bandwidth", "reverseBandwidth": return .quantity(.bandwidth)
        case "latency", "perTransferOverhead": return .quantity(.time)
        case "energyPerByte": return .quantity(.energyPerByte)
        default: return nil
        }
    }
}
