import XCTest
@testable import Ridge

/// Values, paths, the grid's order and ids, shards and the Pareto front.
final class SweepGridTests: XCTestCase {
    func texts(_ spec: String, _ kind: SweepValueKind) throws -> [String] {
        try SweepValues.parse(spec, kind: kind, path: "x").map(\.text)
    }

    func testListsAndRangesParseInTheFieldsDimension() throws {
        XCTAssertEqual(try texts("2TB/s,3.35TB/s,4.8 TB/s", .quantity(.bandwidth)), ["2000000000000", "3350000000000", "4800000000000"])
        XCTAssertEqual(try texts("40GiB..160GiB:4", .quantity(.bytes)), ["42949672960", "85899345920", "128849018880", "171798691840"])
        XCTAssertEqual(try texts("500T..2000T:x2", .quantity(.flopRate)), ["500000000000000", "1000000000000000.0", "2000000000000000.0"])
        XCTAssertEqual(try texts("1..100:x3", .integer), ["1", "3", "9", "27", "81"], "a geometric range stops before passing its end")
        XCTAssertEqual(try texts("1..32:4", .integer), ["1", "11", "22", "32"], "integer fields round")
        XCTAssertEqual(try texts("1..32:x2", .integer), ["1", "2", "4", "8", "16", "32"])
        XCTAssertEqual(try texts("0.1..0.3:3", .quantity(.count)), ["0.1", "0.2", "0.3"])
        XCTAssertEqual(try texts("2000..500:x2", .quantity(.count)), ["2000", "1000", "500"], "descending")
        XCTAssertEqual(try texts("lru, belady", .name), ["lru", "belady"])
        XCTAssertEqual(try texts("300W", .quantity(.power)), ["300"])
    }

    func testBadValuesAreUsageErrorsThatSayWhatWasExpected() {
        let cases: [(String, SweepValueKind, String)] = [
            ("", .integer, "no values"),
            ("1,,2", .integer, "empty value"),
            ("1,2,", .integer, "empty value"),
            ("1.5", .integer, "whole numbers"),
            ("1..8", .integer, "needs a count or a factor"),
            ("1..8:1", .integer, "at least 2"),
            ("1..8:two", .integer, "at least 2"),
            ("1TB/s..2TB/s:x1", .quantity(.bandwidth), "above 1"),
            ("1TB/s..2TB/s:xq", .quantity(.bandwidth), "above 1"),
            ("0..2TB/s:x2", .quantity(.bandwidth), "above zero"),
            ("1GiB", .quantity(.bandwidth), "not a unit of bandwidth"),
            ("fast", .quantity(.bandwidth), "not a quantity"),
            ("1,1", .integer, "appears twice"),
            ("1..2:4", .integer, "appears twice"),
            ("2TB/s,2000GB/s", .quantity(.bandwidth), "appears twice"),
            ("3..3:2", .integer, "same value"),
            ("bf16..fp8:2", .name, "takes names"),
        ]
        for (spec, kind, reason) in cases {
            assertThrows("--vary x=\(spec)", .usage(reason)) { _ = try SweepValues.parse(spec, kind: kind, path: "x") }
        }
    }

    func testEveryNumberInEveryBundledProfileIsAFieldWithAKnownDimension() throws {
        XCTAssertFalse(ProfileLoader.bundledNames.isEmpty)
        for name in ProfileLoader.bundledNames {
            let (json, _) = try ProfileLoader.resolve(name, relativeTo: nil, chain: [])
            for path in ProfileLoader.numericPaths(json, prefix: "") where !path.hasPrefix("sources") && !path.hasPrefix("calibration") {
                // `sources` and the `calibration` record are provenance, not fields a sweep varies.
                XCTAssertNotNil(ProfileFields.kind(of: path), "\(name): \(path)")
            }
        }
        XCTAssertEqual(ProfileFields.kind(of: "memories.flash.requestSizeBandwidth[2][0]"), .quantity(.bytes))
        XCTAssertEqual(ProfileFields.kind(of: "memories.flash.requestSizeBandwidth[2][1]"), .quantity(.bandwidth))
        XCTAssertEqual(ProfileFields.kind(of: "engines.gpu.computeUnits"), .integer)
        XCTAssertEqual(ProfileFields.kind(of: "engines.gpu.efficiency.tiles[3][1]"), .integer)
        XCTAssertEqual(ProfileFields.kind(of: "engines.gpu.efficiency.byKind.attention.waveTail"), .quantity(.count))
        XCTAssertNil(ProfileFields.kind(of: "engines.gpu.efficiency.tiles[3][2]"))
        XCTAssertNil(ProfileFields.kind(of: "engines.gpu.peak.bf61"))
        XCTAssertNil(ProfileFields.kind(of: "memories.hbm"))
    }

    func testWorkloadParametersAreTheGeneratorOptions() {
        XCTAssertEqual(Set(SweepPlan.workloadParameters.keys), Set(WorkloadOptions.valued))
        XCTAssertEqual(Set(SweepPlan.simulationParameters.keys), Set(SweepCommand.simulationNames))
    }

    func dims(_ order: [String]) -> [SweepDimension] {
        let all: [String: SweepDimension] = [
            "memories.hbm.bandwidth": SweepDimension(path: "memories.hbm.bandwidth", target: .profile, kind: .quantity(.bandwidth),
                                                      values: [1e12, 2e12].map { SweepValue(number: $0) }),
            "batch": SweepDimension(path: "batch", target: .workload, kind: .integer, values: [1, 2, 4].map { SweepValue(number: $0) }),
            "spill": SweepDimension(path: "spill", target: .simulation, kind: .name, values: ["lru", "belady"].map { SweepValue(name: $0) }),
        ]
        return order.map { all[$0]! }
    }

    func testRowOrderPutsWorkloadFirstAndIdsDoNotDependOnTheOrderOfVary() throws {
        let a = try SweepGrid(dims(["memories.hbm.bandwidth", "batch", "spill"]))
        let b = try SweepGrid(dims(["spill", "batch", "memories.hbm.bandwidth"]))
        XCTAssertEqual(a.count, 12)
        XCTAssertEqual(a.dimensions.map(\.path), ["batch", "memories.hbm.bandwidth", "spill"])
        XCTAssertEqual(a.values(0).map(\.text), ["1", "1000000000000", "lru"])
        XCTAssertEqual(a.values(1).map(\.text), ["1", "1000000000000", "belady"], "the last dimension varies fastest")
        XCTAssertEqual(a.values(11).map(\.text), ["4", "2000000000000", "belady"])
        func idsByValues(_ g: SweepGrid) -> [String: String] {
            Dictionary(uniqueKeysWithValues: (0..<g.count).map { i in
                (zip(g.dimensions, g.values(i)).map { "\($0.path)=\($1.text)" }.sorted().joined(separator: ";"), g.id(i))
            })
        }
        XCTAssertEqual(idsByValues(a), idsByValues(b))
        XCTAssertEqual(Set((0..<a.count).map(a.id)).count, a.count)
        XCTAssertTrue((0..<a.count).allSatisfy { a.id($0).count == 16 })
        // Workload variants group consecutive rows.
        XCTAssertEqual((0..<a.count).map { a.variant($0, .workload) }, [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
        XCTAssertEqual(a.variantCount(.profile), 2)
        assertThrows("same path twice", .usage("more than once")) { _ = try SweepGrid(dims(["batch", "batch"])) }
    }

    func testShardsPartitionTheGrid() throws {
        for total in [0, 1, 7, 36] {
            for n in 1...5 {
                var seen: [Int] = []
                for k in 1...n {
                    let s = SweepShard(index: k, count: n)
                    let mine = Array(s.configs(of: total))
                    XCTAssertEqual(mine.count, s.size(of: total))
                    XCTAssertTrue(mine.allSatisfy(s.contains))
                    seen += mine
                }
                XCTAssertEqual(seen.sorted(), Array(0..<total), "\(total) configs in \(n) shards")
            }
        }
        XCTAssertEqual(try SweepShard(parsing: "2/3"), SweepShard(index: 2, count: 3))
        for bad in ["0/3", "4/3", "1/0", "a/b", "3", "1/2/3", "-1/2"] {
            assertThrows("--shard \(bad)", .usage("K/N")) { _ = try SweepShard(parsing: bad) }
        }
    }

    func testParetoFrontIsTheNonDominatedSet() throws {
        let objectives = [ParetoObjective(column: "speed", maximize: true), ParetoObjective(column: "energy", maximize: false)]
        let points: [[Double]?] = [[10, 5], [8, 3], [10, 5], [9, 6], [7, 2], [11, 9], nil, [6, 2], [11, 10]]
        let marks = Pareto.front(points, objectives)
        XCTAssertEqual(marks, [true, true, true, false, true, true, false, false, false])
        // Brute force on random points in three objectives.
        var rng = SystemRandomNumberGenerator()
        let three = objectives + [ParetoObjective(column: "x", maximize: true)]
        let random: [[Double]?] = (0..<200).map { _ in (0..<3).map { _ in Double(Int.random(in: 0..<20, using: &rng)) } }
        let fast = Pareto.front(random, three)
        for (i, p) in random.enumerated() {
            let c = zip(p!, three).map { $1.maximize ? -$0 : $0 }
            let dominated = random.contains { q in
                let d = zip(q!, three).map { $1.maximize ? -$0 : $0 }
                return zip(d, c).allSatisfy { $0 <= $1 } && zip(d, c).contains { $0 < $1 }
            }
            XCTAssertEqual(fast[i], !dominated, "point \(i)")
        }
        XCTAssertEqual(try ParetoObjective.parse("speed:max,energy:min", columns: ["speed", "energy"]), objectives)
        assertThrows("direction", .usage("METRIC:max")) { _ = try ParetoObjective.parse("speed:up", columns: ["speed"]) }
        assertThrows("unknown", .usage("did you mean \"speed\"")) { _ = try ParetoObjective.parse("sped:max", columns: ["speed"]) }
    }

    func testCellsRoundTripThroughCSV() {
        let cells: [SweepCell] = [.null, .number(0.1), .number(1e-5), .number(2e12), .number(-3), .bool(true), .string("hbm"),
                                  .string("link:pcie"), .string("a, b"), .string("say \"hi\""), .string("1234"), .string("two\nlines")]
        for c in cells {
            let text = c.csv
            XCTAssertFalse(text.contains("\n"))
            let parsed = try? CSVTable.parse("h\n" + text + "\n", file: nil).rows.first?.fields.first ?? ""
            XCTAssertEqual(SweepCell(csv: parsed ?? "").csv, text, "\(c)")
        }
    }
}
