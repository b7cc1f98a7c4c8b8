import Foundation
import XCTest
@testable import Ridge

/// `ridge report`: one self-contained HTML page.
final class ReportCommandTests: XCTestCase {
    /// The inline `<svg>…</svg>` elements of a page.
    func svgs(_ html: String) -> [String] {
        var out: [String] = []
        var rest = html[...]
        while let start = rest.range(of: "<svg "), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
            out.append(String(rest[start.lowerBound..<end.upperBound]))
            rest = rest[end.upperBound...]
        }
        return out
    }

    func testReportForTheDefaultWorkloadIsSelfContained() throws {
        let dir = TempDir()
        let out = try ridge(["report", "-o", dir.path + "/report.html"])
        XCTAssertTrue(out.contains("llama-2-7b b1 p512 g128 on h100-sxm"), out)
        let html = try String(contentsOfFile: dir.path + "/report.html", encoding: .utf8)
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        XCTAssertTrue(html.contains("<style>"))
        // Nothing fetched, nothing run: no scripts, no links to resources, no URL but the SVG namespace.
        for banned in ["<script", "<link", "<img", "<iframe", "src=", "href=", "url(", "@import"] {
            XCTAssertFalse(html.contains(banned), banned)
        }
        XCTAssertEqual(html.components(separatedBy: "http").count - 1, html.components(separatedBy: "http://www.w3.org/2000/svg").count - 1)
        for id in ["summary", "roofline", "timeline", "breakdown", "memory", "costs"] {
            XCTAssertTrue(html.contains("<section id=\"\(id)\">"), id)
        }
        // The page shows the same time to first token as `ridge simulate` on the same defaults.
        let summary = try ridge(["simulate"])
        let ttftLine = try XCTUnwrap(summary.split(separator: "\n").first { $0.hasPrefix("time to first token") })
        let ttft = String(ttftLine.dropFirst("time to first token".count)).trimmingCharacters(in: .whitespaces)
        XCTAssertTrue(ttft.hasSuffix(" ms"), ttft)
        for text in ["time to first token", ttft, "Operator classes by total time", "Everything fit: no spill", "Power and energy"] {
            XCTAssertTrue(html.contains(text), text)
        }
        // The charts: roofline, three timelines, time by kind and by bound, memory, energy; each well-formed.
        let charts = svgs(html)
        XCTAssertEqual(charts.count, 8)
        let trees = charts.compactMap(SVGTree.parse)
        XCTAssertEqual(trees.count, charts.count, "every inline SVG is well-formed XML")
        XCTAssertEqual(trees[0].elements("g", in: "lines").compactMap(\.title), ["hbm 3.35 TB/s", "host via pcie 51 GB/s"])
        XCTAssertGreaterThan(trees[0].elements("circle", in: "points").count, 10)
        XCTAssertEqual(trees[1].elements("g", in: "bars").filter { $0.attributes["class"] == "track" }.count, 1)
        XCTAssertTrue(trees[6].texts.contains("Allocated (GiB)"))
        XCTAssertEqual(trees[6].elements("polyline", in: "lines").count, 1, "hbm, the one tier in use")
        XCTAssertFalse(html.contains("NaN"))
        XCTAssertLessThan(html.utf8.count, 2_000_000)
    }

    func testReportOfASpillingRunShowsTheSpillAndIsDeterministic() throws {
        let dir = TempDir()
        let args = ["--model", "llama-2-7b", "--batch", "1", "--prompt", "64", "--generate", "4", "--kv-capacity", "12.5GiB", "--power-cap", "300W"]
        try ridge(["report", "-o", dir.path + "/a.html"] + args)
        try ridge(["report", "-o", dir.path + "/b.html"] + args)
        let a = try String(contentsOfFile: dir.path + "/a.html", encoding: .utf8)
        XCTAssertEqual(a, try String(contentsOfFile: dir.path + "/b.html", encoding: .utf8), "byte-identical")
        for text in ["The working set did not fit", "makespan with unlimited capacity", "swap/pcie", "swap hbm→host", "power cap", "300 W"] {
            XCTAssertTrue(a.contains(text), text)
        }
        let memory = try XCTUnwrap(svgs(a).compactMap(SVGTree.parse).first { $0.texts.contains { $0.hasPrefix("Allocated") } })
        XCTAssertEqual(memory.elements("polyline", in: "lines").count, 2, "hbm and host")
        XCTAssertTrue(memory.texts.contains { $0.hasPrefix("hbm capacity") }, "the full tier's capacity is drawn")
    }

    func testReportOfATraceFile() throws {
        let dir = TempDir()
        try ridge(["trace", "llm", "--model", "llama-2-7b", "--batch", "1", "--prompt", "32", "--generate", "2", "-o", dir.path + "/t.jsonl"])
        try ridge(["report", "--trace", dir.path + "/t.jsonl", "-o", dir.path + "/r.html"])
        let html = try String(contentsOfFile: dir.path + "/r.html", encoding: .utf8)
        XCTAssertEqual(svgs(html).compactMap(SVGTree.parse).count, svgs(html).count)
        XCTAssertTrue(html.contains("time per output token"))
    }

    /// Renders the page in headless Chromium (scripts/screenshot-report.sh). Starting a browser
    /// takes seconds, so this runs when RIDGE_BROWSER_TEST=1 (as `.ci/run` sets it) and a Chromium
    /// is installed; otherwise it is skipped and says why.
    func testReportRendersInHeadlessChromium() throws {
        guard ProcessInfo.processInfo.environment["RIDGE_BROWSER_TEST"] == "1" else {
            throw XCTSkip("browser check skipped: set RIDGE_BROWSER_TEST=1 (as .ci/run does) to screenshot a report in headless Chromium")
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/screenshot-report.sh").path
        let names = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        guard names.contains(where: { n in path.contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(n)") } }) else {
            throw XCTSkip("no Chromium on PATH (tried \(names.joined(separator: ", "))): the browser rendering check is skipped; install it with apt-get install chromium")
        }
        let dir = TempDir()
        try ridge(["report", "--model", "llama-2-7b", "--batch", "1", "--prompt", "64", "--generate", "4", "-o", dir.path + "/r.html"])
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [script, dir.path + "/r.html", dir.path + "/r.png", "1000", "3000"]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        let png = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.path + "/r.png")))
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "a PNG")
        let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }
        XCTAssertEqual(width, 1000)
        // A blank page of this size compresses to a few KiB; the charts and tables make it far larger.
        XCTAssertGreaterThan(png.count, 100_000)
    }

    func testReportUsageErrors() {
        let dir = TempDir()
        for args in [["report"], ["report", "-o", dir.path + "/r.html", "--format", "json"], ["report", "-o", dir.path + "/r.html", "--spill", "random"]] {
            XCTAssertEqual(expectRidgeError(args)?.kind, .usage, "\(args)")
        }
        XCTAssertEqual(dir.contents, [])
    }
}
