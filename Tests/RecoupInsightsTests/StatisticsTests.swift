import Foundation
import Testing

@testable import RecoupInsights

/// The tests behind the findings against SciPy 1.17 (`benchmarks/make_insights_fixtures.py` wrote the fixture).
@Suite("Statistics against SciPy")
struct StatisticsTests {
    struct Fixture: Decodable {
        struct Binomial: Decodable { var k: Int, n: Int, p: Double, value: Double }
        struct Normal: Decodable { var z: Double, value: Double }
        struct Wilson: Decodable { var k: Int, n: Int, z: Double, value: Double }
        struct BH: Decodable { var p: [Double], q: [Double] }
        struct Hypergeometric: Decodable { var k: Int, population: Int, successes: Int, draws: Int, value: Double }
        var binomialUpperTail: [Binomial]
        var normalUpperTail: [Normal]
        var wilsonLower: [Wilson]
        var benjaminiHochberg: [BH]
        var hypergeometricUpperTail: [Hypergeometric]

        enum CodingKeys: String, CodingKey {
            case binomialUpperTail = "binomial_upper_tail"
            case normalUpperTail = "normal_upper_tail"
            case wilsonLower = "wilson_lower"
            case benjaminiHochberg = "benjamini_hochberg"
            case hypergeometricUpperTail = "hypergeometric_upper_tail"
        }
    }

    static let fixture: Fixture? = {
        guard let url = Bundle.module.url(forResource: "statistics", withExtension: "json", subdirectory: "Fixtures"),
            let data = try? Data(contentsOf: url)
        else { return nil }
        return try? JSONDecoder().decode(Fixture.self, from: data)
    }()

    static func close(_ a: Double, _ b: Double, relative: Double, absolute: Double = 1e-300) -> Bool {
        abs(a - b) <= max(absolute, relative * max(abs(a), abs(b)))
    }

    @Test("binomial upper tail P(X ≥ k): scipy.stats.binom.sf(k - 1, n, p), to 1e-9 relative, down to 1e-300")
    func binomial() throws {
        let cases = try #require(Self.fixture?.binomialUpperTail)
        #expect(cases.count >= 40)
        for c in cases {
            let value = Statistics.binomialUpperTail(c.k, c.n, c.p)
            #expect(Self.close(value, c.value, relative: 1e-9), "k \(c.k), n \(c.n), p \(c.p): \(value) vs SciPy \(c.value)")
        }
    }

    @Test("normal upper tail: scipy.stats.norm.sf, to 1e-12 relative")
    func normal() throws {
        let cases = try #require(Self.fixture?.normalUpperTail)
        for c in cases {
            #expect(Self.close(Statistics.normalUpperTail(c.z), c.value, relative: 1e-12), "z \(c.z)")
        }
    }

    @Test("Wilson score lower bound, to 1e-12")
    func wilson() throws {
        let cases = try #require(Self.fixture?.wilsonLower)
        for c in cases {
            let value = Statistics.wilsonLowerBound(c.k, c.n, z: c.z)
            #expect(Self.close(value, c.value, relative: 1e-12, absolute: 1e-15), "k \(c.k), n \(c.n), z \(c.z): \(value) vs \(c.value)")
        }
    }

    @Test("Benjamini–Hochberg q-values: scipy.stats.false_discovery_control(p, method='bh'), to 1e-12")
    func benjaminiHochberg() throws {
        let cases = try #require(Self.fixture?.benjaminiHochberg)
        for c in cases {
            let q = Statistics.benjaminiHochberg(c.p)
            #expect(q.count == c.q.count)
            for (a, b) in zip(q, c.q) { #expect(Self.close(a, b, relative: 1e-12, absolute: 1e-15), "p \(c.p.prefix(5))…: \(a) vs \(b)") }
        }
    }

    /// 1e-8, not 1e-9: for a population of a million, log C(N, n) is a difference of lgamma values near 1.3e7, whose
    /// rounding leaves about 1e-9 of relative error (SciPy's own value is 1e-10 from the exact one there).
    @Test("hypergeometric upper tail (Fisher's exact one-sided test): scipy.stats.hypergeom.sf(k - 1, N, K, n), to 1e-8 relative")
    func hypergeometric() throws {
        let cases = try #require(Self.fixture?.hypergeometricUpperTail)
        #expect(cases.count >= 15)
        for c in cases {
            let value = Statistics.hypergeometricUpperTail(c.k, population: c.population, successes: c.successes, draws: c.draws)
            #expect(Self.close(value, c.value, relative: 1e-8), "k \(c.k), N \(c.population), K \(c.successes), n \(c.draws): \(value) vs \(c.value)")
        }
    }
}
