internal import Foundation

/// Small, dependency-free SVG charts for the evaluation report: lines, scatter, bars and a heat map. Every chart is
/// a self-contained `<svg>` element (no scripts, no network), sized in CSS pixels.
enum SVGChart {
    static let palette = ["#2563eb", "#ea580c", "#16a34a", "#9333ea", "#dc2626", "#0891b2"]
    static let width = 420.0
    static let height = 300.0
    static let margin = (left: 56.0, right: 16.0, top: 28.0, bottom: 44.0)

    struct Series {
        var name: String
        var points: [(x: Double, y: Double)]
    }

    /// Lines over a fixed `[0, 1]²` or given ranges, with an optional diagonal (ROC, calibration).
    static func lines(
        title: String,
        xLabel: String,
        yLabel: String,
        series: [Series],
        xRange: ClosedRange<Double> = 0...1,
        yRange: ClosedRange<Double> = 0...1,
        diagonal: Bool = false,
        markers: Bool = false
    ) -> String {
        var body = frame(title: title, xLabel: xLabel, yLabel: yLabel, xRange: xRange, yRange: yRange)
        if diagonal {
            body +=
                "<line x1='\(px(xRange.lowerBound, xRange))' y1='\(py(yRange.lowerBound, yRange))' x2='\(px(xRange.upperBound, xRange))' y2='\(py(yRange.upperBound, yRange))' stroke='#9ca3af' stroke-dasharray='4 4'/>"
        }
        for (i, s) in series.enumerated() where !s.points.isEmpty {
            let color = palette[i % palette.count]
            let path = s.points.map { "\(f(px($0.x, xRange))),\(f(py($0.y, yRange)))" }.joined(separator: " ")
            body += "<polyline fill='none' stroke='\(color)' stroke-width='2' points='\(path)'/>"
            if markers {
                for p in s.points { body += "<circle cx='\(f(px(p.x, xRange)))' cy='\(f(py(p.y, yRange)))' r='3' fill='\(color)'/>" }
            }
        }
        body += legend(series.map(\.name))
        return svg(body)
    }

    /// A scatter plot (at most `limit` points, evenly subsampled) with the y = x line.
    static func scatter(title: String, xLabel: String, yLabel: String, series: [Series], limit: Int = 1500) -> String {
        let all = series.flatMap(\.points)
        let top = max(1, all.map { max($0.x, $0.y) }.sorted().dropLast(all.count / 200).last ?? 1)
        let range = 0...top
        var body = frame(title: title, xLabel: xLabel, yLabel: yLabel, xRange: range, yRange: range)
        body +=
            "<line x1='\(px(0, range))' y1='\(py(0, range))' x2='\(px(top, range))' y2='\(py(top, range))' stroke='#9ca3af' stroke-dasharray='4 4'/>"
        for (i, s) in series.enumerated() {
            let step = max(1, s.points.count / limit)
            let color = palette[i % palette.count]
            for p in stride(from: 0, to: s.points.count, by: step).map({ s.points[$0] }) where p.x <= top && p.y <= top {
                body += "<circle cx='\(f(px(p.x, range)))' cy='\(f(py(p.y, range)))' r='1.6' fill='\(color)' fill-opacity='0.35'/>"
            }
        }
        body += legend(series.map(\.name))
        return svg(body)
    }

    /// Horizontal bars: one group of bars per label, one bar per series.
    static func bars(title: String, labels: [String], series: [(name: String, values: [Double])], format: (Double) -> String) -> String {
        let rowHeight = 16.0 * Double(max(1, series.count)) + 6
        let h = margin.top + rowHeight * Double(labels.count) + 24
        let left = 150.0
        let plotWidth = width - left - 60
        let top = max(series.flatMap(\.values).max() ?? 1, 1e-12)
        var body = "<text x='\(f(width / 2))' y='18' text-anchor='middle' class='title'>\(escape(title))</text>"
        for (row, label) in labels.enumerated() {
            let y0 = margin.top + Double(row) * rowHeight
            body += "<text x='\(f(left - 6))' y='\(f(y0 + rowHeight / 2 + 4))' text-anchor='end' class='tick'>\(escape(label))</text>"
            for (k, s) in series.enumerated() where row < s.values.count {
                let v = s.values[row]
                let w = max(0, v / top * plotWidth)
                let y = y0 + Double(k) * 16
                body += "<rect x='\(f(left))' y='\(f(y))' width='\(f(w))' height='13' fill='\(palette[k % palette.count])'/>"
                body += "<text x='\(f(left + w + 4))' y='\(f(y + 11))' class='tick'>\(escape(format(v)))</text>"
            }
        }
        if series.count > 1 { body += legend(series.map(\.name), y: h - 8) }
        return svg(body, height: h)
    }

    /// A heat map of a square matrix (rows: actual, columns: predicted), each cell shaded by its share of the row.
    static func heatMap(title: String, labels: [String], matrix: [[Int]]) -> String {
        let n = labels.count
        let left = 120.0
        let top = 90.0
        let cell = min(34.0, (width - left - 10) / Double(max(n, 1)))
        let h = top + cell * Double(n) + 30
        var body = "<text x='\(f(width / 2))' y='18' text-anchor='middle' class='title'>\(escape(title))</text>"
        for (j, label) in labels.enumerated() {
            let x = left + (Double(j) + 0.5) * cell
            body += "<text transform='translate(\(f(x)),\(f(top - 6))) rotate(-55)' class='tick'>\(escape(label))</text>"
        }
        for i in 0..<n {
            let total = max(1, matrix[i].reduce(0, +))
            body += "<text x='\(f(left - 6))' y='\(f(top + (Double(i) + 0.6) * cell))' text-anchor='end' class='tick'>\(escape(labels[i]))</text>"
            for j in 0..<n {
                let share = Double(matrix[i][j]) / Double(total)
                let x = left + Double(j) * cell
                let y = top + Double(i) * cell
                body +=
                    "<rect x='\(f(x))' y='\(f(y))' width='\(f(cell - 1))' height='\(f(cell - 1))' fill='rgb(37,99,235)' fill-opacity='\(f(0.06 + 0.94 * share))'><title>\(escape(labels[i])) → \(escape(labels[j])): \(matrix[i][j])</title></rect>"
                body +=
                    "<text x='\(f(x + cell / 2))' y='\(f(y + cell / 2 + 3))' text-anchor='middle' class='cell' fill='\(share > 0.5 ? "#fff" : "#111")'>\(matrix[i][j])</text>"
            }
        }
        body += "<text x='\(f(left + cell * Double(n) / 2))' y='\(f(h - 6))' text-anchor='middle' class='axis'>predicted (rows: actual)</text>"
        return svg(body, height: h)
    }

    // MARK: Pieces

    private static func frame(title: String, xLabel: String, yLabel: String, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>) -> String {
        var s = "<text x='\(f(width / 2))' y='18' text-anchor='middle' class='title'>\(escape(title))</text>"
        s +=
            "<rect x='\(f(margin.left))' y='\(f(margin.top))' width='\(f(width - margin.left - margin.right))' height='\(f(height - margin.top - margin.bottom))' fill='none' stroke='#d1d5db'/>"
        for k in 0...4 {
            let t = Double(k) / 4
            let xv = xRange.lowerBound + t * (xRange.upperBound - xRange.lowerBound)
            let yv = yRange.lowerBound + t * (yRange.upperBound - yRange.lowerBound)
            s += "<text x='\(f(px(xv, xRange)))' y='\(f(height - margin.bottom + 14))' text-anchor='middle' class='tick'>\(tick(xv))</text>"
            s += "<text x='\(f(margin.left - 6))' y='\(f(py(yv, yRange) + 4))' text-anchor='end' class='tick'>\(tick(yv))</text>"
            if k > 0 && k < 4 {
                s +=
                    "<line x1='\(f(margin.left))' x2='\(f(width - margin.right))' y1='\(f(py(yv, yRange)))' y2='\(f(py(yv, yRange)))' stroke='#f3f4f6'/>"
            }
        }
        s +=
            "<text x='\(f(margin.left + (width - margin.left - margin.right) / 2))' y='\(f(height - 8))' text-anchor='middle' class='axis'>\(escape(xLabel))</text>"
        s +=
            "<text transform='translate(14,\(f(margin.top + (height - margin.top - margin.bottom) / 2))) rotate(-90)' text-anchor='middle' class='axis'>\(escape(yLabel))</text>"
        return s
    }

    private static func legend(_ names: [String], y: Double? = nil) -> String {
        guard names.count > 1 || y != nil else { return names.isEmpty ? "" : legend(names, y: margin.top + 14) }
        var s = ""
        var x = margin.left + 8
        let yy = y ?? margin.top + 14
        for (i, name) in names.enumerated() {
            s += "<rect x='\(f(x))' y='\(f(yy - 9))' width='10' height='10' fill='\(palette[i % palette.count])'/>"
            s += "<text x='\(f(x + 14))' y='\(f(yy))' class='tick'>\(escape(name))</text>"
            x += 24 + Double(name.count) * 6.2
        }
        return s
    }

    private static func svg(_ body: String, height h: Double = height) -> String {
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 \(f(width)) \(f(h))' width='\(f(width))' height='\(f(h))' role='img'>\(body)</svg>"
    }

    private static func px(_ x: Double, _ r: ClosedRange<Double>) -> Double {
        margin.left + (x - r.lowerBound) / max(r.upperBound - r.lowerBound, 1e-12) * (width - margin.left - margin.right)
    }

    private static func py(_ y: Double, _ r: ClosedRange<Double>) -> Double {
        height - margin.bottom - (y - r.lowerBound) / max(r.upperBound - r.lowerBound, 1e-12) * (height - margin.top - margin.bottom)
    }

    static func f(_ x: Double) -> String { String(format: "%.1f", x) }

    private static func tick(_ x: Double) -> String {
        abs(x) >= 100 ? String(format: "%.0f", x) : (abs(x) >= 10 ? String(format: "%.1f", x) : String(format: "%.2f", x))
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "'", with: "&#39;")
    }
}
