import XCTest
@testable import Ridge

final class ReportSVGDocumentTests: XCTestCase {
    func testNumberFormatting() {
        XCTAssertEqual(SVGFormat.number(12), "12")
        XCTAssertEqual(SVGFormat.number(12.5), "12.5")
        XCTAssertEqual(SVGFormat.number(0.125), "0.13")
        XCTAssertEqual(SVGFormat.number(1.0 / 3.0), "0.33")
        XCTAssertEqual(SVGFormat.number(-1.5), "-1.5")
        XCTAssertEqual(SVGFormat.number(-0.001), "0")
        XCTAssertEqual(SVGFormat.number(-0.0), "0")
        XCTAssertEqual(SVGFormat.number(0.05), "0.05")
        XCTAssertEqual(SVGFormat.number(1e6), "1000000")
        XCTAssertEqual(SVGFormat.number(.nan), "0")
        XCTAssertEqual(SVGFormat.number(.infinity), "0")
        XCTAssertEqual(SVGFormat.decimal(1e20, maxFractionDigits: 2), "1e+20")
        XCTAssertEqual(SVGFormat.decimal(3.14159, maxFractionDigits: 4), "3.1416")
        XCTAssertEqual(SVGFormat.decimal(2.5, maxFractionDigits: 0), "3")
    }

    func testEscaping() {
        XCTAssertEqual(SVGFormat.escape("a<b & c>\"d\"'"), "a&lt;b &amp; c&gt;&quot;d&quot;&apos;")
        XCTAssertEqual(SVGFormat.escape("x\u{0}y\u{1B}z"), "xyz", "invalid XML characters are dropped")
        XCTAssertEqual(SVGFormat.escape("a\nb", inAttribute: true), "a&#10;b")

        var doc = SVGDocument(width: 100, height: 50)
        doc.text("<&>\"", x: 1, y: 2, title: "tip <&>\"")
        doc.group(title: "g & <h>") { g in
            g.rect(x: 0, y: 0, width: 1, height: 1, style: .fill("#000"), title: "r\"&")
        }
        doc.append(SVGNode("metadata", attributes: [SVGAttribute("data-x", "\"<&>\"\n")]))
        let svg = doc.render()
        XCTAssertTrue(svg.contains(">&lt;&amp;&gt;&quot;"))
        XCTAssertFalse(svg.contains("<&>"))
        guard let check = XMLCheck.parse(svg) else { return XCTFail("not well-formed:\n\(svg)") }
        XCTAssertTrue(check.texts.contains("<&>\""), "round-trips through an XML parser")
        XCTAssertTrue(check.texts.contains("g & <h>"))
    }

    func testRenderStructure() {
        var doc = SVGDocument(width: 200, height: 100, accessibleLabel: "demo")
        doc.rect(x: 10, y: 10, width: -5, height: 20, style: SVGStyle(fill: "#123456", stroke: "#000", strokeWidth: 1.5))
        doc.line(x1: 0, y1: 0, x2: 10, y2: 10, style: .stroke("#000", dash: [4, 2]))
        doc.polyline([SVGPoint(0, 0), SVGPoint(1.006, 2)], style: .stroke("#f00"))
        doc.circle(cx: 5, cy: 5, r: 2, style: .fill("#0f0"))
        var p = SVGPath()
        p.move(to: SVGPoint(0, 0))
        p.line(to: SVGPoint(10, 0.5))
        p.close()
        doc.path(p, style: .fill("#00f"))
        doc.text("rot", x: 50, y: 50, anchor: .end, baseline: .middle, rotation: -90)
        let svg = doc.render()
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"200\" height=\"100\" viewBox=\"0 0 200 100\""))
        XCTAssertTrue(svg.contains("<rect x=\"5\" y=\"10\" width=\"5\" height=\"20\" fill=\"#123456\" stroke=\"#000\" stroke-width=\"1.5\"/>"))
        XCTAssertTrue(svg.contains("stroke-dasharray=\"4 2\""))
        XCTAssertTrue(svg.contains("points=\"0,0 1.01,2\""))
        XCTAssertTrue(svg.contains("d=\"M0 0 L10 0.5 Z\""))
        XCTAssertTrue(svg.contains("transform=\"rotate(-90 50 50)\""))
        XCTAssertTrue(svg.contains("aria-label=\"demo\""))
        XCTAssertTrue(doc.renderStandalone().hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg"))
        let check = XMLCheck.parse(svg)
        XCTAssertNotNil(check)
        XCTAssertEqual(check?.counts["rect"], 2, "background + rect")
    }

    func testPaletteAssignmentIsStable() {
        let a = Palette.okabeIto.assign(["softmax", "matmul", "attention", "matmul"])
        let b = Palette.okabeIto.assign(["attention", "softmax", "matmul"])
        XCTAssertEqual(a, b)
        XCTAssertEqual(a["attention"], Palette.okabeIto.colors[0])
        XCTAssertEqual(a["matmul"], Palette.okabeIto.colors[1])
        let c = Palette.okabeIto.assign(["x", "y"], overrides: ["y": "#123456"])
        XCTAssertEqual(c["y"], "#123456")
        XCTAssertEqual(Palette.tableau10.color(at: 10), Palette.tableau10.colors[0])
        XCTAssertEqual(ColorScale.viridis.color(at: 0), "#440154")
        XCTAssertEqual(ColorScale.viridis.color(at: 1), "#FDE725")
    }

    func testClipping() {
        let r = PlotRect(x: 0, y: 0, width: 10, height: 10)
        let c = Geometry.clip(SVGPoint(-5, 5), SVGPoint(15, 5), to: r)
        XCTAssertEqual(c?.0, SVGPoint(0, 5))
        XCTAssertEqual(c?.1, SVGPoint(10, 5))
        XCTAssertNil(Geometry.clip(SVGPoint(-5, -5), SVGPoint(-1, 20), to: r))
        let runs = Geometry.clip(polyline: [SVGPoint(1, 1), SVGPoint(5, 5), SVGPoint(5, 20), SVGPoint(6, 20),
                                            SVGPoint(6, 5), SVGPoint(8, 5)], to: r)
        XCTAssertEqual(runs.count, 2)
    }
}
