internal import Foundation

/// The tests behind the findings: the binomial upper tail (an exact one-sided test of a proportion), the Wilson score
/// bound, the normal tail and Benjamini–Hochberg q-values. Checked against SciPy in `RecoupInsightsTests`
/// (`benchmarks/make_insights_fixtures.py` writes the reference values).
package enum Statistics {
    /// P(X ≥ k) for X ~ Binomial(n, p): the p-value of "the share k/n is above p" (SciPy's `binom.sf(k - 1, n, p)`).
    ///
    /// Summed in log space from the larger side of the mode outwards, term by term with the pmf's ratio, so it is
    /// exact to rounding for any n (a million returns included) and never underflows to 0 before 1e-300.
    package static func binomialUpperTail(_ k: Int, _ n: Int, _ p: Double) -> Double {
        precondition(n >= 0 && p >= 0 && p <= 1, "binomialUpperTail: n \(n), p \(p)")
        if k <= 0 { return 1 }
        if k > n { return 0 }
        if p == 0 { return 0 }
        if p == 1 { return 1 }
        let mean = Double(n) * p
        if Double(k) > mean {
            return tailSum(from: k, to: n, n: n, p: p)
        }
        // k at or below the mean: the upper tail is most of the mass; 1 − the lower tail, which is the small side.
        return max(0, 1 - tailSum(from: k - 1, to: 0, n: n, p: p))
    }

    /// Σ pmf(i) for i from `start` towards `end` (either direction), starting at the term nearest the mode and
    /// stopping once the terms no longer matter.
    private static func tailSum(from start: Int, to end: Int, n: Int, p: Double) -> Double {
        let logP = log(p)
        let logQ = log1p(-p)
        var logTerm = logChoose(n, start) + Double(start) * logP + Double(n - start) * logQ
        var sum = 0.0
        var i = start
        let step = end >= start ? 1 : -1
        // Sum relative to the first term (the largest of the tail), then scale: no underflow of the terms themselves.
        let first = logTerm
        while true {
            let term = exp(logTerm - first)
            sum += term
            if term < 1e-17 * sum || i == end { break }
            if step == 1 {
                logTerm += log(Double(n - i)) - log(Double(i + 1)) + logP - logQ
            } else {
                logTerm += log(Double(i)) - log(Double(n - i + 1)) + logQ - logP
            }
            i += step
        }
        return exp(first + log(sum))
    }

    /// log C(n, k).
    private static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n) + 1) - lgamma(Double(k) + 1) - lgamma(Double(n - k) + 1)
    }

    /// P(Z ≥ z) for a standard normal Z, accurate in the far tail (`erfc`, no 1 − Φ cancellation).
    package static func normalUpperTail(_ z: Double) -> Double { 0.5 * erfc(z / 2.0.squareRoot()) }

    /// The Wilson score interval's lower bound for k successes in n trials at critical value z (1.645: one-sided
    /// 95%). A share whose bound is above a baseline is above it with that confidence, however few the trials.
    package static func wilsonLowerBound(_ k: Int, _ n: Int, z: Double = 1.6448536269514722) -> Double {
        guard n > 0 else { return 0 }
        let nd = Double(n)
        let share = Double(k) / nd
        let z2 = z * z
        let centre = share + z2 / (2 * nd)
        let spread = z * (share * (1 - share) / nd + z2 / (4 * nd * nd)).squareRoot()
        return max(0, (centre - spread) / (1 + z2 / nd))
    }

    /// Benjamini–Hochberg q-values, in the order of `pValues` (SciPy's `false_discovery_control(p, method="bh")`):
    /// a finding with q ≤ α keeps the expected share of false findings among all findings at most α.
    package static func benjaminiHochberg(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        guard m > 0 else { return [] }
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
        var q = [Double](repeating: 1, count: m)
        var running = 1.0
        for rank in stride(from: m, through: 1, by: -1) {
            let i = order[rank - 1]
            running = min(running, pValues[i] * Double(m) / Double(rank))
            q[i] = min(1, running)
        }
        return q
    }
}
