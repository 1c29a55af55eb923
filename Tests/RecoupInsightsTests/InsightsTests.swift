import Foundation
import RecoupCore
import RecoupLearning
import Testing

@testable import RecoupInsights
@testable import RecoupTraining

/// Root causes, repeat returners and leakage on generated returns whose hidden process the tests know: planted
/// problems are found, and where there is nothing to find, nothing is (at the false-discovery rate promised).
@Suite("Insights: root causes, repeat returners, leakage")
struct InsightsTests {
    static func facts(rows: Int, seed: UInt64, plant: Bool = false) -> [ReturnFacts] {
        SyntheticReturns.generate(rows: rows, seed: seed, plantProblems: plant).map { ReturnFacts(record: $0.record, labels: $0.labels) }
    }

    @Test(
        "planted problems are found: the SKUs with excess defective and size_fit returns, the channel with excess transit damage",
        arguments: [1, 2, 3] as [UInt64]
    )
    func plantedProblemsFound(seed: UInt64) {
        let rows = 10_000
        let facts = Self.facts(rows: rows, seed: seed, plant: true)
        let planted = SyntheticReturns.plantedProblems(rows: rows, seed: seed)
        let (findings, tests) = RootCauses.find(in: facts, by: [.sku, .channel])
        #expect(tests > 100)
        let found = Set(findings.map { "\($0.value) \($0.reason)" })
        for sku in planted.defectiveSKUs { #expect(found.contains("\(sku) defective"), "seed \(seed): \(sku) defective not found") }
        for sku in planted.sizeFitSKUs { #expect(found.contains("\(sku) size_fit"), "seed \(seed): \(sku) size_fit not found") }
        #expect(found.contains("\(planted.damageChannel) damaged_in_transit"), "seed \(seed)")
        for f in findings {
            #expect(f.qValue <= 0.05 && f.qValue >= f.pValue)
            #expect(abs(f.share - Double(f.reasonReturns) / Double(f.returns)) < 1e-12)
            #expect(f.share > f.baselineShare && f.lift > 1)
            #expect(f.shareLowerBound <= f.share)
        }
        #expect(findings.map(\.moneyAtStake) == findings.map(\.moneyAtStake).sorted(by: >))
        for f in findings where f.dimension == .sku {
            #expect(f.parent == facts.first { $0.sku == f.value }!.category)
        }
    }

    /// With the reasons shuffled within each category, no SKU and no channel differs from its parent but by chance:
    /// every test is a true null, so Benjamini–Hochberg at q = 0.05 lets a finding through in at most about 5% of runs.
    @Test("with nothing to find (reasons shuffled within the category), no finding in at least 95 of 100 seeds")
    func shuffledNull() {
        var seedsWithFindings = 0
        for seed in 1...100 as ClosedRange<UInt64> {
            var facts = Self.facts(rows: 3_000, seed: 1_000 + seed)
            var rng = SplitMix64(seed: seed)
            var byCategory: [String: [Int]] = [:]
            for (i, f) in facts.enumerated() { byCategory[f.category, default: []].append(i) }
            for category in byCategory.keys.sorted() {  // in a fixed order: the same shuffle every run
                let indices = byCategory[category]!
                var reasons = indices.map { facts[$0].reason }
                for i in stride(from: reasons.count - 1, to: 0, by: -1) { reasons.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
                for (i, index) in indices.enumerated() { facts[index].reason = reasons[i] }
            }
            if !RootCauses.find(in: facts, by: [.sku]).findings.isEmpty { seedsWithFindings += 1 }
        }
        print("INSIGHTS shuffled null: \(seedsWithFindings) of 100 seeds with a finding")
        #expect(seedsWithFindings <= 5, "\(seedsWithFindings) of 100 seeds had a finding")
    }

    /// Generated without planted problems, the only SKU-level differences in the hidden process are SKUs' own defect
    /// rates: a `defective` finding must be a SKU whose true defect rate is above its category's, and no other reason
    /// may be found in more than 5 of 100 seeds.
    @Test("without planted problems: defective findings are SKUs whose true defect rate is high; no other finding in 95 of 100 seeds")
    func unplantedFindingsAreTrue() {
        var seedsWithOtherFindings = 0
        var defectiveFindings = 0
        for seed in 1...100 as ClosedRange<UInt64> {
            let rows = 3_000
            let world = SyntheticWorld(seed: 2_000 + seed, rows: rows)
            let findings = RootCauses.find(in: Self.facts(rows: rows, seed: 2_000 + seed), by: [.sku]).findings
            if findings.contains(where: { $0.reason != "defective" }) { seedsWithOtherFindings += 1 }
            for f in findings where f.reason == "defective" {
                defectiveFindings += 1
                let sku = world.skus.first { $0.id == f.value }!
                let category = world.skusByCategory[sku.category].map { world.skus[$0].defectRate }
                #expect(sku.defectRate > category.reduce(0, +) / Double(category.count), "seed \(seed): \(f.value)")
            }
        }
        print(
            "INSIGHTS unplanted: \(seedsWithOtherFindings) of 100 seeds with a finding other than defective; \(defectiveFindings) defective findings, all SKUs with a high true defect rate"
        )
        #expect(seedsWithOtherFindings <= 5, "\(seedsWithOtherFindings) of 100 seeds had a finding other than defective")
        #expect(defectiveFindings > 0)
    }

    @Test("repeat returners: a customer with 9 returns of 10 orders where the population returns 20% is found; one with 2 of 10 is not")
    func repeatReturners() {
        var facts = Self.facts(rows: 2_000, seed: 7).filter { $0.customerOrders12m != nil }
        for i in facts.indices {
            facts[i].customerOrders12m = 10
            facts[i].customerReturns12m = 2
        }
        facts[0].customerID = "C-SERIAL"
        facts[0].customerReturns12m = 9
        facts[1].customerID = "C-ORDINARY"
        let found = RootCauses.repeatReturners(in: facts)
        #expect(found.map(\.customerID) == ["C-SERIAL"])
        #expect(found.first.map { $0.pValue < 1e-4 && $0.returns == 9 && $0.orders == 10 } == true)
    }

    @Test("leakage: refunded minus recovered over inspected returns, the same total whatever the grouping; weeks start on Monday")
    func leakage() {
        var facts = Self.facts(rows: 3_000, seed: 9)
        for i in stride(from: 0, to: facts.count, by: 7) { facts[i].recovered = nil }  // not inspected yet
        let inspected = facts.filter { $0.recovered != nil }
        let total = inspected.reduce(0) { $0 + $1.refund - $1.recovered! }
        for grouping in LeakageGrouping.allCases {
            let rows = Leakage.by(grouping, in: facts)
            #expect(rows.reduce(0) { $0 + $1.returns } == facts.count, "\(grouping)")
            #expect(rows.reduce(0) { $0 + $1.inspected } == inspected.count, "\(grouping)")
            #expect(abs(rows.reduce(0) { $0 + $1.leakage } - total) < 1e-6 * total, "\(grouping)")
            for row in rows where row.refunded > 0 { #expect(abs(row.recoveryRate - row.recovered / row.refunded) < 1e-12) }
        }
        for row in Leakage.by(.week, in: facts) { #expect(Day(parsing: row.key)!.weekday == 0, "\(row.key)") }
    }

    @Test("cycle-time histogram: every quantile within 2.2% of the exact order statistic; merging counts equals adding durations")
    func durationHistogram() {
        var rng = SplitMix64(seed: 11)
        // Log-uniform from a minute to 60 days, as waits in a queue spread.
        let durations = (0..<20_000).map { _ in 60 * exp(rng.nextUnit() * log(86_400.0)) }
        var histogram = DurationHistogram()
        for d in durations { histogram.add(seconds: d) }
        let sorted = durations.sorted()
        for p in [0.01, 0.1, 0.5, 0.9, 0.99] {
            let exact = sorted[Int((p * Double(sorted.count)).rounded(.up)) - 1]
            let approximate = histogram.quantile(p)!
            #expect(abs(approximate - exact) / exact <= 0.022, "p = \(p): \(approximate) against \(exact)")
        }
        var merged = DurationHistogram()
        for (bucket, count) in histogram.buckets { merged.add(bucket: bucket, count: count) }
        #expect(merged == histogram)
        #expect(DurationHistogram().quantile(0.5) == nil)
        #expect(
            DurationHistogram.bucket(seconds: 0) == 0 && DurationHistogram.bucket(seconds: .nan) == 0 && DurationHistogram.seconds(bucket: 0) == 0
        )
    }
}
