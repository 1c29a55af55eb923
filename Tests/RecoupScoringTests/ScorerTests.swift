import Foundation
import RecoupCore
import RecoupLearning
import RecoupTestSupport
import RecoupTraining
import Testing

@testable import RecoupScoring

@Suite("Scorer")
struct ScorerTests {
    let scorer = Scorer(bundle: SmallModel.shared.bundle, policy: .default)
    var records: [ReturnRecord] { SmallModel.shared.data.prefix(60).map(\.record) }

    @Test("every assessment is complete: probabilities sum to 1, risk in [0,1], interval around the value, a known lane")
    func complete() {
        for a in scorer.assess(records) {
            #expect(abs(a.dispositionProbabilities.reduce(0, +) - 1) < 1e-6)
            #expect((0...1).contains(a.fraudRisk))
            #expect(a.recoveryValueLow <= a.recoveryValue && a.recoveryValue <= a.recoveryValueHigh)
            #expect(a.recoveryValueLow >= 0)
            #expect(scorer.policy.lane(named: a.lane) != nil)
            #expect(a.modelVersion == "small-test")
            #expect(
                a.disposition
                    == Disposition(index: a.dispositionProbabilities.indices.max { a.dispositionProbabilities[$0] < a.dispositionProbabilities[$1] }!)
            )
            #expect(Set(a.reasons.map(\.head)) == Set(Reason.Head.allCases))
            #expect(a.reasons.count <= 3 * Reason.Head.allCases.count)
        }
    }

    @Test("one record scored alone equals the same record in a batch")
    func singleEqualsBatch() {
        let batch = scorer.assess(records)
        for (record, a) in zip(records, batch).prefix(20) {
            let single = scorer.assess(record)
            #expect(abs(single.fraudRisk - a.fraudRisk) < 1e-6)
            #expect(abs(single.recoveryValue - a.recoveryValue) < 1e-6)
            #expect(zip(single.dispositionProbabilities, a.dispositionProbabilities).allSatisfy { abs($0 - $1) < 1e-6 })
            #expect(single.lane == a.lane)
            #expect(single.reasons.map(\.text) == a.reasons.map(\.text))
        }
    }

    @Test("an unknown category, brand and reason still score")
    func unknownLevels() {
        var record = records[0]
        record.category = "spaceships"
        record.brandTier = "luxury++"
        record.reasonCode = ReasonCode(rawValue: "aliens")
        record.warehouseID = "WH99"
        let a = scorer.assess(record)
        #expect(abs(a.dispositionProbabilities.reduce(0, +) - 1) < 1e-6)
        #expect(a.fraudRisk.isFinite)
    }

    @Test("reasons point at what moved the score: a serial mismatch raises fraud risk and is named")
    func reasonsFollowTheSignal() {
        // An honest-looking serial-tracked electronics return, then the same with a swapped serial and a light box.
        var honest = records.first { $0.category == "electronics" } ?? records[0]
        honest.category = "electronics"
        honest.hasSerial = true
        honest.serialMatches = true
        honest.weightKgDeclared = 2
        honest.weightKgMeasured = 2.01
        honest.accessoriesComplete = true
        var swapped = honest
        swapped.serialMatches = false
        swapped.weightKgMeasured = 1.18
        swapped.accessoriesComplete = false
        // The rules on at fixed thresholds (a bundle fits its own; a lane policy may override them).
        var policy = LanePolicy.default
        policy.anomaly.serialMismatch = true
        policy.anomaly.weightDeviation = .on(0.15)
        let scorer = Scorer(bundle: SmallModel.shared.bundle, policy: policy)
        let before = scorer.assess(honest)
        let after = scorer.assess(swapped)
        #expect(after.fraudRisk > before.fraudRisk)
        let fraudReasons = after.reasons.filter { $0.head == .fraud }.map(\.text).joined(separator: " | ")
        #expect(
            fraudReasons.contains("serial") || fraudReasons.contains("weigh") || fraudReasons.contains("accessories"),
            "fraud reasons: \(fraudReasons)"
        )
        #expect(!before.reasons.filter { $0.head == .fraud }.map(\.text).joined().contains("serial number does not match"))
        // The hard signals flag it for the risk team whatever the model says, with the value in the sentence.
        #expect(after.anomalies.map(\.kind).contains(.serialMismatch))
        #expect(after.anomalies.contains { $0.reason.contains("41% less than declared") })
        #expect(after.lane == "risk_review")
    }

    @Test("the scorer flags with the bundle's fitted flags, and the lane policy's overrides win")
    func fittedFlags() throws {
        let flagging = try #require(SmallModel.shared.bundle.flagging)
        #expect(scorer.anomaly == flagging.policy)
        var policy = LanePolicy.default
        policy.anomaly.fraudRiskThreshold = 0.99
        #expect(Scorer(bundle: SmallModel.shared.bundle, policy: policy).anomaly.fraudRiskThreshold == 0.99)
        var older = SmallModel.shared.bundle
        older.flagging = nil
        #expect(Scorer(bundle: older, policy: .default).anomaly == .neutral)
    }

    @Test("the contract's scored output: CSV columns in order, JSON keys, reasons joined with '; '")
    func scoredOutput() throws {
        let a = scorer.assess(records[0])
        #expect(ScoredOutput.csvHeader.prefix(4) == ["return_id", "disposition", "p_restock_new", "p_open_box"])
        #expect(ScoredOutput.csvHeader.suffix(3) == ["model_version", "stage", "error"])
        let fields = ScoredOutput.csvFields(a)
        #expect(fields.count == ScoredOutput.csvHeader.count)
        #expect(fields[0] == a.returnID)
        #expect(fields[ScoredOutput.columns.firstIndex(of: "reasons")!] == ScoredOutput.reasons(a).joined(separator: "; "))
        let json = try JSONSerialization.jsonObject(with: Data(ScoredOutput.json(a))) as! [String: Any]
        for column in ScoredOutput.columns { #expect(json[column] != nil, "\(column)") }
        #expect((json["reasons"] as? [String])?.count == ScoredOutput.reasons(a).count)
    }
}

@Suite("Scored output numbers")
struct ScoredOutputNumberTests {
    /// What the writer must print: Swift's shortest form of the value rounded to 6 decimals (an integer when whole);
    /// from 10⁹ on, where a double holds no more than about 6 decimals anyway, the value itself.
    static func expected(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let rounded = abs(x) < 1e9 ? (x * 1e6).rounded() / 1e6 : x
        return rounded == rounded.rounded() && abs(rounded) < 1e15 ? String(Int64(rounded)) : String(rounded)
    }

    @Test("probabilities and priorities are written digit by digit exactly as their shortest round-trip form")
    func probabilities() {
        var rng = SplitMix64(seed: 5)
        var values: [Double] = [
            0, 1, -1, 0.5, 1e-4, 0.0001004, 9.9e-5, 0.000012, 123_456.789_012_5, 1e9 - 0.5, -0.125, .nan, .infinity, 1e305, -1.7976931348623157e308,
            3e14 + 0.5,
        ]
        for _ in 0..<20_000 {
            let magnitude = pow(10, Double.random(in: -7...10, using: &rng))
            values.append((Double.random(in: -1...1, using: &rng)) * magnitude)
        }
        for x in values {
            var writer = JSONWriter()
            writer.probability(x)
            #expect(writer.text == Self.expected(x), "\(x)")
        }
    }

    @Test("money is written in cents with two decimals")
    func money() {
        for (x, text) in [(0.0, "0.00"), (12.5, "12.50"), (-3.456, "-3.46"), (0.004, "0.00"), (1e16, "0"), (99.999, "100.00")] {
            var writer = JSONWriter()
            writer.money(x)
            #expect(writer.text == text, "\(x)")
        }
    }
}
