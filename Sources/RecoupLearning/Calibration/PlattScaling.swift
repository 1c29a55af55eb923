internal import Foundation

/// Platt scaling: a calibrated probability `σ(a·s + b)` of a score `s` (Platt 1999; Lin, Lin & Weng 2007).
///
/// `a` and `b` minimize the log-loss on held-out rows against Platt's smoothed targets
/// `t₊ = (N₊ + 1)/(N₊ + 2)`, `t₋ = 1/(N₋ + 2)`, by Newton's method with backtracking (Lin et al., Algorithm 1).
/// Fit it on raw scores (logits), not on rows the scorer was trained on.
package struct PlattScaling: Sendable, Codable, Equatable {
    package var a: Double
    package var b: Double

    package init(a: Double, b: Double) {
        self.a = a
        self.b = b
    }

    /// Fits `a`, `b` on scores and 0/1 labels.
    package static func fit(scores: [Double], labels: [Int], maxIterations: Int = 100) -> PlattScaling {
        precondition(scores.count == labels.count, "\(scores.count) scores for \(labels.count) labels")
        let positives = Double(labels.filter { $0 != 0 }.count)
        let negatives = Double(labels.count) - positives
        let hi = (positives + 1) / (positives + 2)
        let lo = 1 / (negatives + 2)
        let t = labels.map { $0 != 0 ? hi : lo }
        var a = 0.0
        var b = log((negatives + 1) / (positives + 1))
        // Platt's parametrization is σ(−(A s + B)); we keep a = −A, b = −B so that σ(a s + b) is the probability.
        b = -b
        func objective(_ a: Double, _ b: Double) -> Double {
            var f = 0.0
            for (s, ti) in zip(scores, t) {
                let z = a * s + b
                f += Numerics.softplus(z) - ti * z
            }
            return f
        }
        var f = objective(a, b)
        for _ in 0..<maxIterations {
            var (g1, g2, h11, h22, h21) = (0.0, 0.0, 1e-12, 1e-12, 0.0)
            for (s, ti) in zip(scores, t) {
                let p = Numerics.sigmoid(a * s + b)
                let d = p - ti
                let w = p * (1 - p)
                g1 += s * d
                g2 += d
                h11 += s * s * w
                h22 += w
                h21 += s * w
            }
            if abs(g1) < 1e-5 && abs(g2) < 1e-5 { break }
            let det = h11 * h22 - h21 * h21
            let da = -(h22 * g1 - h21 * g2) / det
            let db = -(-h21 * g1 + h11 * g2) / det
            let slope = g1 * da + g2 * db
            var step = 1.0
            while step >= 1e-10 {
                let candidate = objective(a + step * da, b + step * db)
                if candidate < f + 1e-4 * step * slope {
                    a += step * da
                    b += step * db
                    f = candidate
                    break
                }
                step /= 2
            }
            if step < 1e-10 { break }
        }
        return PlattScaling(a: a, b: b)
    }

    /// The calibrated probability of a score.
    @inline(__always)
    package func callAsFunction(_ score: Double) -> Double { Numerics.sigmoid(a * score + b) }
}
