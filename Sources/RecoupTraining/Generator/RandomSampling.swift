internal import Foundation
internal import RecoupLearning

/// The distributions the synthetic generator draws from, over a seeded ``SplitMix64``.
extension SplitMix64 {
    /// `true` with probability `p`.
    mutating func chance(_ p: Double) -> Bool { nextUnit() < p }

    /// Uniform in `[a, b)`.
    mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * nextUnit() }

    /// Uniform integer in `range`.
    mutating func integer(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u1 = max(nextUnit(), 1e-300)
        let u2 = nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Log-normal with the given median and log-scale spread.
    mutating func logNormal(median: Double, sigma: Double) -> Double {
        median * exp(sigma * normal())
    }

    /// Exponential with the given mean.
    mutating func exponential(mean: Double) -> Double {
        -mean * log(max(1 - nextUnit(), 1e-300))
    }

    /// Poisson (Knuth for small means, normal approximation above 30).
    mutating func poisson(mean: Double) -> Int {
        if mean > 30 { return max(0, Int((mean + mean.squareRoot() * normal()).rounded())) }
        let limit = exp(-mean)
        var k = 0
        var p = nextUnit()
        while p > limit {
            k += 1
            p *= nextUnit()
        }
        return k
    }

    /// Binomial by summing Bernoulli draws (n is small here).
    mutating func binomial(_ n: Int, _ p: Double) -> Int {
        var k = 0
        for _ in 0..<max(0, n) where chance(p) { k += 1 }
        return k
    }

    /// An index drawn with probability proportional to `weights`.
    mutating func pick(weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var u = nextUnit() * total
        for (i, w) in weights.enumerated() {
            u -= w
            if u < 0 { return i }
        }
        return weights.count - 1
    }

    /// One element drawn uniformly.
    mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
}

/// A deterministic seed for item `index` of stream `stream` under a master seed, so that rows can be generated in
/// any order (and in parallel) with the same result.
func derivedSeed(_ seed: UInt64, stream: UInt64, index: Int) -> UInt64 {
    var mixer = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03) ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
    _ = mixer.next()
    return mixer.next()
}
