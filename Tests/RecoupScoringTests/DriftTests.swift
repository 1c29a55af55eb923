import Foundation
import RecoupCore
import RecoupTestSupport
import RecoupTraining
import Testing

@testable import RecoupScoring

@Suite("Drift: reference profiles and PSI")
struct DriftTests {
    /// A distribution of `counts` (no missing values) as a profile holds it.
    func distribution(_ counts: [Int]) -> ProfileDistribution {
        var d = ProfileDistribution.numeric("x", upperBounds: (1..<counts.count).map(Float.init))
        d.counts = counts
        return d
    }

    func psi(_ reference: [Int], _ live: [Int]) -> Double? {
        DriftReport.row(distribution(reference), live: live.map(Int64.init) + [0], enough: true, thresholds: .standard, prediction: false).psi
    }

    @Test("PSI with half-count smoothing equals NumPy's on the fixtures of benchmarks/make_drift_fixtures.py")
    func psiReferenceValues() throws {
        let cases: [([Int], [Int], Double)] = [
            ([10, 20, 30, 40], [40, 30, 20, 10], 0.8719768526109903),
            ([50, 50, 0, 100], [0, 60, 40, 100], 2.0214885758243337),  // empty buckets on both sides: still finite
            ([100, 200, 300], [10, 20, 30], 0.00010560890466362286),
            ([Int](repeating: 250, count: 10), [Int](repeating: 250, count: 9) + [500], 0.05652756900247914),
        ]
        for (reference, live, expected) in cases {
            let value = try #require(psi(reference, live))
            #expect(abs(value - expected) <= 1e-12 * max(1, expected), "\(reference) → \(live): \(value), NumPy \(expected)")
        }
        #expect(psi([5, 5, 5], [5, 5, 5]) == 0)
    }

    @Test("severity: none below moderate, moderate from it, major from major; thresholds must be ordered")
    func severity() {
        let t = DriftThresholds.standard
        #expect(t.severity(0.0999) == .none)
        #expect(t.severity(0.1) == .moderate)
        #expect(t.severity(0.2499) == .moderate)
        #expect(t.severity(0.25) == .major)
        #expect(DriftThresholds(moderate: 0.2, major: 0.4).severity(0.3) == .moderate)
        #expect(throws: DriftError.self) { try DriftThresholds(moderate: 0.3, major: 0.2).validate() }
        #expect(throws: DriftError.self) { try DriftThresholds(moderate: 0, major: 0.2).validate() }
    }

    @Test("the missing share is reported on its own: more missing values do not move PSI")
    func missingApart() {
        let d = distribution([100, 100, 100])
        let same = DriftReport.row(d, live: [100, 100, 100, 0], enough: true, thresholds: .standard, prediction: false)
        let missing = DriftReport.row(d, live: [100, 100, 100, 300], enough: true, thresholds: .standard, prediction: false)
        #expect(same.psi == missing.psi)
        #expect(missing.missingShare == 0.5)
        #expect(missing.referenceMissingShare == 0)
    }

    @Test("the training profile counts every training-split row once in every distribution")
    func profileCountsTheTrainingSplit() throws {
        let bundle = SmallModel.shared.bundle
        let profile = try #require(bundle.profile)
        #expect(profile.rows == bundle.trainingData.trainRows)
        for d in profile.fields + profile.predictions {
            #expect(d.counts.reduce(0, +) + d.missing == profile.rows, "\(d.name)")
        }
        let names = Set(profile.fields.map(\.name))
        #expect(names.isSuperset(of: ["category", "channel", "unit_price", "sku_return_rate_90d", "warehouse_id"]))
        #expect(names.isDisjoint(with: ["return_id", "sku", "customer_id", "order_date", "customer_comment"]))
        #expect(profile.predictions.map(\.name) == ["disposition", "fraud_risk", "recovery_value"])
        // Per warehouse: its returns' predictions, adding up to all of them.
        let segments = try #require(profile.segments)
        #expect(segments.map(\.value) == (profile.fields.first { $0.name == "warehouse_id" }?.levels ?? []) + ["<unseen>"])
        let perSite: [Int] = segments.map { $0.predictions[1].counts.reduce(0, +) }
        let all: Int = profile.predictions[1].counts.reduce(0, +)
        #expect(perSite.reduce(0, +) == all)
        // The training predictions in (at most) deciles: no bin holds much more than a tenth unless values repeat.
        let value = profile.predictions[2].counts
        #expect((5...10).contains(value.count))
        #expect(value.allSatisfy { Double($0) / Double(profile.rows) < 0.25 })
    }

    @Test("without enough rows there is no PSI, and the report says so")
    func notEnoughData() throws {
        let scorer = Scorer(bundle: SmallModel.shared.bundle, policy: .default)
        let report = try scorer.drift(SmallModel.shared.data.prefix(50).map(\.record))
        #expect(!report.enoughData)
        #expect(report.fields.allSatisfy { $0.psi == nil && $0.severity == nil })
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        #expect(json.contains("\"status\":\"not_enough_data\""))
        #expect(json.contains("\"psi\":null"))
    }

    @Test("a bundle written before profiles still loads, and drift says its profile is missing")
    func olderBundleWithoutProfile() throws {
        var bundle = SmallModel.shared.bundle
        bundle.profile = nil
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("recoup-old-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let written = try bundle.write(into: folder)
        let json = try String(contentsOf: written.appendingPathComponent("bundle.json"), encoding: .utf8)
        #expect(!json.contains("\"profile\""))
        let decoded = try ModelBundle.load(from: written)
        #expect(decoded.profile == nil)
        let scorer = Scorer(bundle: decoded, policy: .default)
        #expect(throws: DriftError.noProfile(version: "small-test")) { try scorer.drift(SmallModel.shared.data.map(\.record)) }
    }

    @Test("same process, new sample of 5,000: no field reaches moderate")
    func sameProcessIsQuiet() throws {
        let trained = try SmallModel.train(rows: 4_000, seed: 1, version: "reference")
        let scorer = Scorer(bundle: trained.bundle, policy: .default)
        let report = try scorer.drift(SyntheticReturns.generate(rows: 5_000, seed: 9).map(\.record))
        #expect(report.enoughData)
        for row in report.fields {
            #expect(row.severity == DriftSeverity.none, "\(row.name): PSI \(row.psi ?? -1)")
        }
        // Every warehouse seen in training has its own predictions, and none has moved.
        #expect(report.segments.count == trained.bundle.profile?.segments?.count)
        for segment in report.segments where segment.rows >= report.minRows {
            #expect(segment.predictions.allSatisfy { $0.severity == DriftSeverity.none }, "\(segment.value)")
        }
    }
}

@Suite("Drift on a shifted process")
struct ShiftedProcessTests {
    @Test("recoup generate --drift: the shifted fields are moderate or major, new SKUs show as missing return rates")
    func shiftedFieldsAreFound() throws {
        let trained = try SmallModel.train(rows: 4_000, seed: 1, version: "reference")
        let scorer = Scorer(bundle: trained.bundle, policy: .default)
        let report = try scorer.drift(SyntheticReturns.generate(rows: 5_000, seed: 9, drift: true).map(\.record))
        let rows = Dictionary(uniqueKeysWithValues: report.fields.map { ($0.name, $0) })
        for shifted in ["category", "channel", "unit_price"] {
            let row = try #require(rows[shifted])
            #expect(row.severity == .moderate || row.severity == .major, "\(shifted): PSI \(row.psi ?? -1)")
        }
        // 30% of returns for new SKUs: the return rate goes missing, reported on its own.
        let rate = try #require(rows["sku_return_rate_90d"])
        #expect((rate.missingShare ?? 0) - rate.referenceMissingShare > 0.2)
        // The fields the shift leaves alone stay quiet.
        for quiet in ["quantity", "is_gift", "promo_flag"] {
            #expect(rows[quiet]?.severity == DriftSeverity.none, "\(quiet): PSI \(rows[quiet]?.psi ?? -1)")
        }
        // The largest PSI comes first.
        #expect(report.fields.map { $0.psi ?? 0 } == report.fields.map { $0.psi ?? 0 }.sorted(by: >))
        // The swap-fraud ring at one warehouse moves that warehouse's fraud risk most.
        func fraudPSI(_ segment: DriftSegment) -> Double { segment.predictions.first { $0.name == "fraud_risk" }?.psi ?? -1 }
        let ring = try #require(report.segments.first { $0.value == GeneratorDrift.standard.fraudWarehouse.lowercased() })
        let ringRow = try #require(ring.predictions.first { $0.name == "fraud_risk" })
        #expect(ringRow.severity == .moderate || ringRow.severity == .major, "fraud_risk at the ring's warehouse: PSI \(ringRow.psi ?? -1)")
        #expect(report.segments.filter { $0.value != ring.value }.allSatisfy { fraudPSI($0) < fraudPSI(ring) })
    }
}
