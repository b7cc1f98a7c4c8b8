import XCTest
@testable import Ridge

final class ReportScaleTests: XCTestCase {
    func testLinearMapsEnds() {
        let s = Scale(.linear, domain: -2...8, range: (100, 600))
        XCTAssertEqual(s.map(-2), 100)
        XCTAssertEqual(s.map(8), 600)
        XCTAssertEqual(s.map(3), 350)
        XCTAssertEqual(s.invert(350), 3, accuracy: 1e-12)
        let y = Scale(.linear, domain: 0...1, range: (400, 0))
        XCTAssertEqual(y.map(0), 400)
        XCTAssertEqual(y.map(1), 0)
    }

    func testLogMapsEnds() {
        let s = Scale(.log10, domain: 0.1...1000, range: (0, 400))
        XCTAssertEqual(s.map(0.1), 0, accuracy: 1e-9)
        XCTAssertEqual(s.map(1000), 400, accuracy: 1e-9)
        XCTAssertEqual(s.map(10), 200, accuracy: 1e-9)
        XCTAssertEqual(s.invert(200), 10, accuracy: 1e-9)
        XCTAssertTrue(s.map(0).isNaN)
        XCTAssertTrue(s.map(-1).isNaN)
    }

    func testDegenerateDomainsAreRepaired() {
        XCTAssertEqual(Scale(.linear, domain: 0...0).domain, 0...1)
        XCTAssertEqual(Scale(.linear, domain: 4...4).domain, 2...6)
        XCTAssertEqual(Scale(.log10, domain: 10...10).domain, 1...100)
        XCTAssertEqual(Scale(.log10, domain: 0...100).domain, 0.1...100)
    }

    func testNiceLinearTicks() {
        XCTAssertEqual(Scale(.linear, domain: 0...10).ticks(count: 5), [0, 2, 4, 6, 8, 10])
        XCTAssertEqual(Scale(.linear, domain: 0...1).ticks(count: 5), [0, 0.2, 0.4, 0.6, 0.8, 1])
        XCTAssertEqual(Scale(.linear, domain: 0...0.3).ticks(count: 3), [0, 0.1, 0.2, 0.3])
        XCTAssertEqual(Scale(.linear, domain: -1...1).ticks(count: 4), [-1, -0.5, 0, 0.5, 1])
        XCTAssertEqual(Scale(.linear, domain: 0.13...0.87).ticks(count: 5), [0.2, 0.4, 0.6, 0.8])
        XCTAssertEqual(Scale(.linear, domain: 0...7300).ticks(count: 6), [0, 2000, 4000, 6000])
        XCTAssertEqual(Scale.niceStep(span: 7, count: 10), 1)
        XCTAssertEqual(Scale.niceStep(span: 0.0037, count: 4), 0.001)
        // Every step is 1, 2 or 5 × 10ⁿ.
        for span in [0.0031, 0.77, 3.0, 14.0, 999.0, 123_456.0] {
            for count in 2...10 {
                let m = Scale.decompose(Scale.niceStep(span: span, count: count)).0
                XCTAssertTrue([1, 2, 5, 10].contains(m), "span \(span) count \(count) mantissa \(m)")
            }
        }
    }

    func testNicedLinearDomain() {
        let s = Scale(.linear, domain: 0.13...9.2).niced(count: 5)
        XCTAssertEqual(s.domain, 0...10)
        XCTAssertEqual(s.niced(count: 5).domain, s.domain, "idempotent")
        XCTAssertEqual(Scale(.linear, domain: 1.5e-3...7.2e-3).niced(count: 6).domain, 0...8e-3)
        XCTAssertEqual(Scale(.linear, domain: 21...78).niced(count: 6).domain, 20...80)
    }

    func testLogTicksAreDecades() {
        let s = Scale(.log10, domain: 0.1...1000)
        XCTAssertEqual(s.ticks(count: 6), [0.1, 1, 10, 100, 1000])
        let minor = s.minorTicks(count: 6)
        XCTAssertTrue(minor.contains(0.2) && minor.contains(900) && minor.contains(50))
        XCTAssertFalse(minor.contains(10))
        XCTAssertEqual(minor.count, 4 * 8)
        // Decades only, thinned to every 3rd when there are many.
        let wide = Scale(.log10, domain: 1e-3...1e12).ticks(count: 6)
        XCTAssertEqual(wide, [1e-3, 1, 1e3, 1e6, 1e9, 1e12])
        for t in wide {
            XCTAssertEqual(log10(t), log10(t).rounded(), accuracy: 1e-12)
        }
        // Non-decade bounds: only the decades inside.
        XCTAssertEqual(Scale(.log10, domain: 3...4500).ticks(), [10, 100, 1000])
        // Sub-decade domains fall back to 1-2-5.
        XCTAssertEqual(Scale(.log10, domain: 1.5...9).ticks(), [2, 5])
    }

    func testNicedLogDomainIsWholeDecades() {
        let s = Scale(.log10, domain: 0.37...4200).niced()
        XCTAssertEqual(s.domain, 0.1...10000)
        XCTAssertEqual(Scale(.log10, domain: 1...100).niced().domain, 1...100)
    }

    func testSIFormatter() {
        let si = TickFormat.si()
        XCTAssertEqual(si(0), "0")
        XCTAssertEqual(si(1500), "1.5k")
        XCTAssertEqual(si(1e12), "1T")
        XCTAssertEqual(si(999.9), "1k")
        XCTAssertEqual(si(0.02), "20m")
        XCTAssertEqual(si(-2.5e9), "-2.5G")
        XCTAssertEqual(si(123456), "123k")
        XCTAssertEqual(TickFormat.seconds(2e-6), "2 µs")
        XCTAssertEqual(TickFormat.seconds(0.0025), "2.5 ms")
        XCTAssertEqual(TickFormat.seconds(0), "0 s")
        XCTAssertEqual(TickFormat.si(unit: "FLOP/s")(9.894e14), "989 TFLOP/s")
        XCTAssertEqual(TickFormat.bytes()(1536), "1.5 KiB")
        XCTAssertEqual(TickFormat.percent()(0.25), "25%")
        XCTAssertEqual(TickFormat.decimal(maxFractionDigits: 1)(3.14159), "3.1")
        let g = TickFormat.general()
        XCTAssertEqual([0.1, 1, 250, 12_345, 3e9, 2e-5, -0.5, 0].map(g), ["0.1", "1", "250", "12.3k", "3G", "2e-5", "-0.5", "0"])
        // Ticks of a sub-unit axis read cleanly.
        XCTAssertEqual(Scale(.linear, domain: 0...0.003).ticks(count: 3).map(TickFormat.seconds),
                       ["0 s", "1 ms", "2 ms", "3 ms"])
    }

    func testAxisLabelAndDataDomain() {
        XCTAssertEqual(Axis.log("Arithmetic intensity", unit: "FLOP/byte").label, "Arithmetic intensity (FLOP/byte)")
        XCTAssertEqual(Axis.linear("Time").label, "Time")
        XCTAssertEqual(Axis.log().dataDomain([-1, 0, 5, 50, .nan]), 5...50)
        XCTAssertEqual(Axis.linear(includesZero: true).dataDomain([3, 7]), 0...7)
    }
}
