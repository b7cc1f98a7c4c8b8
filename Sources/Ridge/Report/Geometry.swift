// Clipping of data lines to the plot area (so no clip-path ids are needed when several charts are
// inlined in one HTML page).

enum Geometry {
    /// Clips segment a→b to `rect` (Liang–Barsky). Returns nil when fully outside.
    static func clip(_ a: SVGPoint, _ b: SVGPoint, to rect: PlotRect) -> (SVGPoint, SVGPoint)? {
        guard a.x.isFinite, a.y.isFinite, b.x.isFinite, b.y.isFinite else { return nil }
        let dx = b.x - a.x, dy = b.y - a.y
        var t0 = 0.0, t1 = 1.0
        let eps = 1e-9
        let checks: [(Double, Double)] = [
            (-dx, a.x - rect.x), (dx, rect.maxX - a.x), (-dy, a.y - rect.y), (dy, rect.maxY - a.y),
        ]
        for (p, q) in checks {
            if abs(p) < eps {
                if q < -eps { return nil }
            } else {
                let r = q / p
                if p < 0 {
                    if r > t1 { return nil }
                    if r > t0 { t0 = r }
                } else {
                    if r < t0 { return nil }
                    if r < t1 { t1 = r }
                }
            }
        }
        return (SVGPoint(a.x + t0 * dx, a.y + t0 * dy), SVGPoint(a.x + t1 * dx, a.y + t1 * dy))
    }

    /// Clips a polyline to `rect`, returning the visible runs. Non-finite points break the line.
    static func clip(polyline points: [SVGPoint], to rect: PlotRect) -> [[SVGPoint]] {
        var runs: [[SVGPoint]] = []
        var current: [SVGPoint] = []
        func close() {
            if current.count >= 2 { runs.append(current) }
            current = []
        }
        guard points.count >= 2 else { return [] }
        for i in 1..<points.count {
            guard let (p, q) = clip(points[i - 1], points[i], to: rect) else {
                close()
                continue
            }
            if let last = current.last, abs(last.x - p.x) < 1e-6, abs(last.y - p.y) < 1e-6 {
                current.append(q)
            } else {
                close()
                current = [p, q]
            }
        }
        close()
        return runs
    }
}
