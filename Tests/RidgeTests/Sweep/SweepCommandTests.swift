import Foundation
import XCTest
@testable import Ridge

/// `ridge sweep` end to end: rows, determinism across --jobs, equality with `ridge simulate`,
/// resume after a kill, shards and merge, Pareto, and bad command lines.
final class SweepCommandTests: XCTestCase {
    /// 3 bandwidths × 4 batches × 3 prompts on llama-2-7b, short prompts and 3 generated tokens.
    let grid = ["sweep", "--profile", "a100-sxm-80gb", "--model", "llama-2-7b", "--generate", "3",
                "--vary", "memories.hbm.bandwidth=1TB/s,2TB/s,3TB/s", "--vary", "batch=1,2,4,8", "--vary", "prompt=16,32,64"]
    /// 2 × 2 × 3 configurations, for the resume, shard and Pareto tests.
    let small = ["sweep", "--profile", "a100-sxm-80gb", "--model", "llama-2-7b", "--generate", "2",
                 "--vary", "memories.hbm.bandwidth=1TB/s,3TB/s", "--vary", "batch=1,4", "--vary", "prompt=8,16,32"]

    func text(_ path: String) throws -> String { String(decoding: try FileIO.readBytes(path), as: UTF8.self) }

    func table(_ path: String) throws -> (columns: [String], rows: [[String: SweepCell]]) {
        let file = try SweepFile.read(path, format: SweepFormat(path: path)!)
        return (file.columns, file.rows.map { Dictionary(uniqueKeysWithValues: zip(file.columns, $0.cells)) })
    }

    func testThirtySixRowsMoveTheRightWayAndDoNotDependOnJobs() throws {
        let dir = try Scratch()
        _ = try RidgeCLI.run(grid + ["-o", dir.file("one.csv"), "--jobs", "1"])
        _ = try RidgeCLI.run(grid + ["-o", dir.file("two.csv"), "--jobs", "2"])
        let one = try text(dir.file("one.csv"))
        XCTAssertEqual(try text(dir.file("two.csv")), one)
        XCTAssertEqual(try text(dir.file("two.csv.sweep.json")), try text(dir.file("one.csv.sweep.json")))

        let (columns, rows) = try table(dir.file("one.csv"))
        XCTAssertEqual(rows.count, 36)
        XCTAssertEqual(Array(columns.prefix(4)), ["config", "batch", "prompt", "memories.hbm.bandwidth"])
        for name in ["makespanSeconds", "timeToFirstTokenSeconds", "timePerOutputTokenSeconds", "tokensPerSecond", "energyJoules",
                     "joulesPerToken", "bound", "memories.hbm.peakBytes", "spill.extraSeconds", "power.averageWatts", "error"] {
            XCTAssertTrue(columns.contains(name), name)
        }
        XCTAssertEqual(Set(rows.map { $0["config"]! }).count, 36)
        XCTAssertTrue(rows.allSatisfy { $0["error"] == .null })
        func value(_ row: [String: SweepCell], _ column: String) -> Double { row[column]!.number! }
        func find(_ bw: Double, _ batch: Double, _ prompt: Double) -> [String: SweepCell] {
            rows.first { value($0, "memories.hbm.bandwidth") == bw && value($0, "batch") == batch && value($0, "prompt") == prompt }!
        }
        for batch in [1.0, 2, 4, 8] {
            for prompt in [16.0, 32, 64] {
                let tpot = [1e12, 2e12, 3e12].map { value(find($0, batch, prompt), "timePerOutputTokenSeconds") }
                XCTAssertTrue(tpot[0] > tpot[1] && tpot[1] > tpot[2], "more bandwidth → faster decode: \(tpot)")
                let tps = [1e12, 2e12, 3e12].map { value(find($0, batch, prompt), "tokensPerSecond") }
                XCTAssertTrue(tps[0] < tps[1] && tps[1] < tps[2], "more bandwidth → more tokens/s: \(tps)")
            }
            let ttft = [16.0, 32, 64].map { value(find(2e12, batch, $0), "timeToFirstTokenSeconds") }
            XCTAssertTrue(ttft[0] < ttft[1] && ttft[1] < ttft[2], "a longer prompt takes longer to prefill: \(ttft)")
        }
        let byBatch = [1.0, 2, 4, 8].map { value(find(2e12, $0, 32), "tokensPerSecond") }
        XCTAssertEqual(byBatch, byBatch.sorted(), "decode is memory-bound: a bigger batch gives more tokens/s")
    }

    /// Each row is what `ridge simulate --format json` prints for that configuration (a profile that
    /// extends the base with the varied value), flattened.
    func testRowsEqualRidgeSimulate() throws {
        let dir = try Scratch()
        _ = try RidgeCLI.run(["sweep", "--profile", "a100-sxm-80gb", "--model", "llama-2-7b", "--prompt", "16", "--generate", "3",
                              "--vary", "links.pcie.bandwidth=16GB/s,32GB/s", "--vary", "batch=1,4",
                              "--vary", "kv-capacity=12GiB,80GiB", "--power-cap", "250W", "-o", dir.file("s.csv")])
        let (columns, rows) = try table(dir.file("s.csv"))
        XCTAssertEqual(rows.count, 8)
        for row in rows {
            let bw = row["links.pcie.bandwidth"]!.number!
            let profile = try dir.write("p\(Int(bw)).json", """
                {"extends": "a100-sxm-80gb", "links": {"pcie": {"bandwidth": \(JSONWriter.format(number: bw))}},
                 "sources": {"links.pcie.bandwidth": "test"}}
                """)
            let out = try RidgeCLI.run(["simulate", "--format", "json", "--profile", profile, "--model", "llama-2-7b", "--prompt", "16",
                                        "--generate", "3", "--power-cap", "250W", "--batch", row["batch"]!.csv,
                                        "--kv-capacity", row["kv-capacity"]!.csv]).stdout
            guard case .object(let json) = try JSONParser.parse(out) else { return XCTFail("not an object") }
            let flat = Dictionary(uniqueKeysWithValues: SweepPlan.flatten(json).map { ($0.path, $0.value) })
            for column in columns where !["config", "links.pcie.bandwidth", "batch", "kv-capacity", "error"].contains(column) {
                XCTAssertEqual(row[column], SweepCell(flat[column]), "\(column) for \(row["config"]!.csv)")
            }
        }
        XCTAssertTrue(rows.contains { $0["spill.swaps"] != .null }, "the grid must exercise the spill columns")
        XCTAssertTrue(rows.contains { $0["power.throttledOps"] != .number(0) }, "and the power cap's")
    }

    func testATraceFileIsSweptOverProfileFields() throws {
        let dir = try Scratch()
        let trace = dir.file("t.jsonl")
        _ = try RidgeCLI.run(["trace", "llm", "--model", "llama-2-7b", "--batch", "2", "--prompt", "512", "--generate", "2",
                              "--profile", "a100-sxm-80gb", "-o", trace])
        _ = try RidgeCLI.run(["sweep", "--profile", "a100-sxm-80gb", "--trace", trace, "--vary", "engines.gpu.peak.bf16=100T..400T:x2",
                              "--vary", "spill=lru,belady", "-o", dir.file("s.jsonl")])
        let (_, rows) = try table(dir.file("s.jsonl"))
        XCTAssertEqual(rows.count, 6)
        let generated = try RidgeCLI.run(["sweep", "--profile", "a100-sxm-80gb", "--model", "llama-2-7b", "--batch", "2", "--prompt", "512",
                                          "--generate", "2", "--vary", "engines.gpu.peak.bf16=100T..400T:x2", "--vary", "spill=lru,belady",
                                          "-o", dir.file("g.jsonl")])
        XCTAssertTrue(generated.stdout.contains("6 configurations"))
        let (_, again) = try table(dir.file("g.jsonl"))
        XCTAssertEqual(rows.map { $0["makespanSeconds"] }, again.map { $0["makespanSeconds"] }, "a trace file and the generator agree")
        let prefill = rows.filter { $0["spill"] == .string("lru") }.map { $0["phases.prefill.seconds"]!.number! }
        XCTAssertTrue(prefill[0] > prefill[1] && prefill[1] > prefill[2], "more FLOP/s → faster prefill: \(prefill)")
        assertFails(["sweep", "--trace", trace, "--vary", "batch=1,2"], .usage("fixed trace"))
        assertFails(["sweep", "--trace", trace, "--batch", "2", "--vary", "spill=lru"], .usage("fixed trace"))
    }

    /// A killed sweep leaves complete rows and perhaps a truncated last line; `--resume` keeps the
    /// rows, drops the fragment and runs the rest: exactly the full set, byte for byte.
    func testResumeAfterAKillGivesExactlyTheFullSet() throws {
        let dir = try Scratch()
        let full = dir.file("full.csv")
        _ = try RidgeCLI.run(small + ["-o", full])
        let complete = try FileIO.readBytes(full)
        let lines = complete.indices.filter { complete[$0] == 0x0A }
        let manifest = try FileIO.readBytes(full + ".sweep.json")
        // Cut: mid-header, after the header, after 6 rows, mid-row 7, just before the last newline.
        let cuts = [5, lines[0] + 1, lines[6] + 1, lines[6] + 40, complete.count - 1, complete.count, 0]
        for cut in cuts {
            let path = dir.file("cut\(cut).csv")
            try Data(complete[..<cut]).write(to: URL(fileURLWithPath: path))
            try Data(manifest).write(to: URL(fileURLWithPath: path + ".sweep.json"))
            let out = try RidgeCLI.run(small + ["-o", path, "--resume", "--jobs", "2"]).stdout
            XCTAssertEqual(try FileIO.readBytes(path), complete, "cut at byte \(cut): \(out)")
        }
        // Rows missing from the middle (edited by hand) are run and appended: the same set.
        let text = try self.text(full)
        var kept = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        kept.removeSubrange(5..<9)
        let holes = dir.file("holes.csv")
        try dir.write("holes.csv", kept.joined(separator: "\n"))
        try Data(manifest).write(to: URL(fileURLWithPath: holes + ".sweep.json"))
        let out = try RidgeCLI.run(small + ["-o", holes, "--resume"]).stdout
        XCTAssertTrue(out.contains("ran 4, 8 already"), out)
        XCTAssertEqual(Set(try self.text(holes).split(separator: "\n")), Set(text.split(separator: "\n")))
        XCTAssertEqual(try self.text(holes).split(separator: "\n").count, 13)
        // No output yet: --resume just starts.
        _ = try RidgeCLI.run(small + ["-o", dir.file("new.csv"), "--resume"])
        XCTAssertEqual(try FileIO.readBytes(dir.file("new.csv")), complete)
    }

    func testResumeRefusesAnotherSweepsOutputAndDoubledRows() throws {
        let dir = try Scratch()
        let path = dir.file("s.csv")
        _ = try RidgeCLI.run(small + ["-o", path])
        var other = small
        other[other.firstIndex(of: "batch=1,4")!] = "batch=1,8"
        assertFails(other + ["-o", path, "--resume"], .usage("different sweep"))
        assertFails(small + ["-o", path, "--resume", "--shard", "1/2"], .usage("holds shard none"))
        var lines = try text(path).split(separator: "\n").map(String.init)
        lines.append(lines[3])
        try dir.write("s.csv", lines.joined(separator: "\n") + "\n")
        assertFails(small + ["-o", path, "--resume"], .data(path, at: "line 14", "already on line 4"))
        try FileManager.default.removeItem(atPath: path + ".sweep.json")
        assertFails(small + ["-o", path, "--resume"], .io(path + ".sweep.json", "no such file"))
    }

    func testShardsMergedEqualTheUnshardedRun() throws {
        let dir = try Scratch()
        _ = try RidgeCLI.run(small + ["-o", dir.file("all.csv")])
        for k in 1...3 {
            // Shard 1 as JSON Lines: merge reads either format.
            _ = try RidgeCLI.run(small + ["-o", dir.file(k == 1 ? "s1.jsonl" : "s\(k).csv"), "--shard", "\(k)/3", "--jobs", "\(k)"])
        }
        let shard2 = try table(dir.file("s2.csv")).rows
        XCTAssertEqual(shard2.count, 4)
        let out = try RidgeCLI.run(["sweep", "merge", dir.file("s3.csv"), dir.file("s1.jsonl"), dir.file("s2.csv"), "-o", dir.file("merged.csv")])
        XCTAssertTrue(out.stdout.contains("12 configurations from 3 files"), out.stdout)
        XCTAssertEqual(try FileIO.readBytes(dir.file("merged.csv")), try FileIO.readBytes(dir.file("all.csv")))
        XCTAssertEqual(try text(dir.file("merged.csv.sweep.json")), try text(dir.file("all.csv.sweep.json")))
        // And to JSON Lines, equal to the unsharded JSON Lines run.
        _ = try RidgeCLI.run(small + ["-o", dir.file("all.jsonl")])
        _ = try RidgeCLI.run(["sweep", "merge", dir.file("s1.jsonl"), dir.file("s2.csv"), dir.file("s3.csv"), "-o", dir.file("merged.jsonl")])
        XCTAssertEqual(try FileIO.readBytes(dir.file("merged.jsonl")), try FileIO.readBytes(dir.file("all.jsonl")))
    }

    func testMergeDetectsMissingAndDoubledConfigurations() throws {
        let dir = try Scratch()
        for k in 1...3 { _ = try RidgeCLI.run(small + ["-o", dir.file("s\(k).csv"), "--shard", "\(k)/3"]) }
        let merged = dir.file("m.csv")
        assertFails(["sweep", "merge", dir.file("s1.csv"), dir.file("s3.csv"), "-o", merged],
                    .data(nil, at: nil, "4 of 12 configurations are missing (shard 2/3 not given)"))
        assertFails(["sweep", "merge", dir.file("s1.csv"), dir.file("s2.csv"), dir.file("s3.csv"), dir.file("s2.csv"), "-o", merged],
                    .data(nil, at: nil, "4 configurations are doubled"))
        // A row copied into another shard.
        let s1 = try text(dir.file("s1.csv")), s3 = try text(dir.file("s3.csv"))
        try dir.write("s3.csv", s3 + s1.split(separator: "\n")[4] + "\n")
        assertFails(["sweep", "merge", dir.file("s1.csv"), dir.file("s2.csv"), dir.file("s3.csv"), "-o", merged],
                    .data(nil, at: nil, "1 configuration is doubled"))
        // A shard that did not finish.
        try dir.write("s3.csv", String(s3.dropLast(30)))
        assertFails(["sweep", "merge", dir.file("s1.csv"), dir.file("s2.csv"), dir.file("s3.csv"), "-o", merged],
                    .data(dir.file("s3.csv"), at: "line", "truncated"))
        // Another sweep.
        var other = small
        other[other.firstIndex(of: "prompt=8,16,32")!] = "prompt=8,16"
        _ = try RidgeCLI.run(other + ["-o", dir.file("o.csv")])
        assertFails(["sweep", "merge", dir.file("s1.csv"), dir.file("o.csv"), "-o", merged], .data(dir.file("o.csv"), at: nil, "different sweep"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: merged), "a failed merge writes nothing")
    }

    func testParetoMarksTheNonDominatedConfigurations() throws {
        let dir = try Scratch()
        let path = dir.file("p.csv")
        _ = try RidgeCLI.run(small + ["-o", path, "--pareto", "tokensPerSecond:max,energyJoules:min"])
        let (columns, rows) = try table(path)
        XCTAssertEqual(columns.last, "pareto")
        XCTAssertEqual(rows.count, 12)
        let points = rows.map { ($0["tokensPerSecond"]!.number!, $0["energyJoules"]!.number!) }
        for (i, row) in rows.enumerated() {
            let dominated = points.contains { $0.0 >= points[i].0 && $0.1 <= points[i].1 && ($0.0 > points[i].0 || $0.1 < points[i].1) }
            XCTAssertEqual(row["pareto"], .bool(!dominated), "row \(i)")
        }
        XCTAssertTrue(rows.contains { $0["pareto"] == .bool(true) })
        XCTAssertTrue(rows.contains { $0["pareto"] == .bool(false) })
        // Resuming a finished sweep keeps it as it was; shards merged recompute the front over all rows.
        let before = try FileIO.readBytes(path)
        _ = try RidgeCLI.run(small + ["-o", path, "--pareto", "tokensPerSecond:max,energyJoules:min", "--resume"])
        XCTAssertEqual(try FileIO.readBytes(path), before)
        for k in 1...2 {
            _ = try RidgeCLI.run(small + ["-o", dir.file("s\(k).csv"), "--shard", "\(k)/2", "--pareto", "tokensPerSecond:max,energyJoules:min"])
        }
        _ = try RidgeCLI.run(["sweep", "merge", dir.file("s1.csv"), dir.file("s2.csv"), "-o", dir.file("m.csv")])
        XCTAssertEqual(try FileIO.readBytes(dir.file("m.csv")), before)
        assertFails(small + ["--pareto", "tokensPerSec:max"], .usage("did you mean \"tokensPerSecond\""))
    }

    func testBadVarySpecsAndUnknownPathsExit64() {
        let base = ["sweep", "--profile", "a100-sxm-80gb", "--generate", "2", "--prompt", "8"]
        let cases: [([String], String)] = [
            (["--vary", "memories.hbm.bandwidth"], "expects PATH=VALUES"),
            (["--vary", "=1,2"], "expects PATH=VALUES"),
            (["--vary", "batch="], "no values"),
            (["--vary", "batch=1,,2"], "empty value"),
            (["--vary", "batch=1.5,2"], "whole numbers"),
            (["--vary", "memories.hbm.bandwidth=2TB/s..4TB/s"], "needs a count or a factor"),
            (["--vary", "memories.hbm.bandwidth=1GiB,2GiB"], "not a unit of bandwidth"),
            (["--vary", "memories.hbm.capacity=40GiB..160GiB:x0.5"], "above 1"),
            (["--vary", "memories.hbm.bandwidth=-1TB/s,2TB/s"], "memories.hbm.bandwidth=-1000000000000"),
            (["--vary", "engines.gpu.power.peak=10W,400W"], "below idle power"),
            (["--vary", "batch=0,1"], "--vary batch=0: --batch expects a whole number"),
            (["--vary", "spill=lru,sometimes"], "unknown policy \"sometimes\""),
            (["--vary", "dtype=bf16,bf17"], "unknown precision \"bf17\""),
            (["--vary", "batch=1,2", "--vary", "batch=4"], "more than once"),
            (["--vary", "memories.hbm.bandwith=1TB/s"], "did you mean \"memories.hbm.bandwidth\""),
            (["--vary", "memories.hmb.capacity=40GiB"], "did you mean \"memories.hbm.capacity\""),
            (["--vary", "engines.gpu.peak.bf61=1P"], "did you mean \"engines.gpu.peak.bf16\""),
            (["--vary", "batchsize=1,2"], "did you mean \"batch\""),
            (["--vary", "description=1,2"], "has no numeric field"),
            ([], "at least one --vary"),
            (["--vary", "batch=1", "--shard", "4/3"], "--shard expects K/N"),
            (["--vary", "batch=1", "--resume"], "--resume needs -o"),
            (["--vary", "batch=1", "-o", "out.txt"], "must end in .csv or .jsonl"),
            (["--vary", "batch=1", "--jobs", "0"], "--jobs expects"),
        ]
        for (extra, reason) in cases {
            assertFails(base + extra, .usage(reason))
        }
        let unknown = expectRidgeError(base + ["--vary", "memories.hbm.bandwith=1TB/s"])
        XCTAssertTrue(unknown?.message.contains("memories.hbm.bandwith") ?? false, "the message names the path")
        // A field the format defines but the profile does not set: allowed when its parent exists.
        XCTAssertNoThrow(try RidgeCLI.run(base + ["--vary", "powerCap=200W,300W", "-o", NSTemporaryDirectory() + "ridge-sweep-\(UUID()).csv"]))
    }

    func testAConfigurationThatCannotRunGetsAnErrorRow() throws {
        let dir = try Scratch()
        let out = try RidgeCLI.run(["sweep", "--profile", "a100-sxm-80gb", "--prompt", "8", "--generate", "2", "--spill", "none",
                                    "--vary", "memories.hbm.capacity=8GiB,80GiB", "-o", dir.file("e.csv")]).stdout
        XCTAssertTrue(out.contains("1 failed"), out)
        let (_, rows) = try table(dir.file("e.csv"))
        XCTAssertEqual(rows.count, 2)
        guard case .string(let message) = rows[0]["error"]! else { return XCTFail("no error for 8 GiB") }
        XCTAssertTrue(message.contains("does not fit"), message)
        XCTAssertEqual(rows[0]["makespanSeconds"], .null)
        XCTAssertEqual(rows[1]["error"], .null)
    }

    func testProgressLine() {
        let line = SweepProgress.line(done: 250, total: 1000, seconds: 5)
        XCTAssertTrue(line.contains("250/1000 configs"), line)
        XCTAssertTrue(line.contains("50/s"), line)
        XCTAssertTrue(line.contains("ETA 15 s"), line)
    }
}
