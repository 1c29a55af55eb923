internal import Foundation

/// The tests behind the findings: the hypergeometric upper tail (Fisher's exact one-sided test of a group against the
/// rest of its parent), the binomial upper tail (an exact one-sided test of a proportion), the Wilson score bound, the
/// normal tail and Benjamini–Hochberg q-values. Checked against SciPy in `RecoupInsightsTests`
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

    /// P(X ≥ k) for X ~ Hypergeometric(population N, K successes in it, n drawn) (SciPy's
    /// `hypergeom.sf(k - 1, N, K, n)`): Fisher's exact one-sided test that a group of n, drawn from a parent of N with
    /// K returns of a reason, has at least k of them. Exact under the null that the group is a random part of its
    /// parent, which the binomial against the rest's share is not (the rest's share falls as k rises).
    package static func hypergeometricUpperTail(_ k: Int, population: Int, successes: Int, draws: Int) -> Double {
        let (N, K, n) = (population, successes, draws)
        precondition(N >= 0 && K >= 0 && K <= N && n >= 0 && n <= N, "hypergeometricUpperTail: N \(N), K \(K), n \(n)")
        let low = max(0, n - (N - K))
        let high = min(n, K)
        if k <= low { return 1 }
        if k > high { return 0 }
        let logPMF: (Int) -> Double = { i in logChoose(K, i) + logChoose(N - K, n - i) - logChoose(N, n) }
        // pmf(i + 1) / pmf(i) and its inverse, in logs.
        let up: (Int) -> Double = { i in log(Double(K - i)) + log(Double(n - i)) - log(Double(i + 1)) - log(Double(N - K - n + i + 1)) }
        let mean = Double(n) * Double(K) / Double(N)
        if Double(k) > mean {
            return terms(from: k, to: high, first: logPMF(k), step: up)
        }
        return max(0, 1 - terms(from: k - 1, to: low, first: logPMF(k - 1), step: { i in -up(i - 1) }))
    }

    /// Σ exp(log pmf) from `start` to `end` (either direction), from the largest term outwards, where `step(i)` is
    /// log pmf(next) − log pmf(i).
    private static func terms(from start: Int, to end: Int, first: Double, step: (Int) -> Double) -> Double {
        var logTerm = first
        var sum = 0.0
        var i = start
        let direction = end >= start ? 1 : -1
        while true {
            let term = exp(logTerm - first)
            sum += term
            if term < 1e-17 * sum || i == end { break }
            logTerm += step(i)
            i += direction
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
