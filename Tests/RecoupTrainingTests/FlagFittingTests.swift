import Foundation
import RecoupCore
import RecoupScoring
import RecoupTestSupport
import Testing

@testable import RecoupTraining

@Suite("Flags sized to the review team")
struct FlagFittingTests {
    static let rows = SyntheticReturns.generate(rows: 4000, seed: 31)

    static func train(reviewRate: Double) throws -> ModelBundle {
        var configuration = SmallModel.configuration
        configuration.reviewRate = reviewRate
        let csv = ReturnRecord.csv(rows.map(\.record), labels: rows.map(\.labels))
        return try TrainingPipeline(configuration: configuration).run(csv: csv, source: "flags").bundle
    }

    @Test("the flags reach the review rate on the validation split, and the scorer raises exactly the flags measured", arguments: [0.02, 0.06])
    func reviewRate(rate: Double) throws {
        let bundle = try Self.train(reviewRate: rate)
        let flagging = try #require(bundle.flagging)
        #expect(flagging.reviewRate == rate)
        #expect(abs(flagging.validation.flagRate - rate) <= 0.2 * rate, "validation flag rate \(flagging.validation.flagRate)")
        // What the bundle reports is what serving raises: score the validation split through the scorer.
        let split = try TimeSplit(Self.rows.map(\.record.orderDate), validationFraction: 0.2, testFraction: 0.1)
        let validation = split.validation.map { Self.rows[$0] }
        let scorer = Scorer(bundle: bundle, policy: .default)
        let measured = FlagQuality(flags: scorer.assess(validation.map(\.record)).map(\.anomalies), fraud: validation.map(\.labels.fraudFlag))
        #expect(measured == flagging.validation)
        let test = try #require(flagging.test)
        #expect(test.returns == split.test.count)
        #expect(test.flagRate > 0)
    }

    @Test("a rule is on only when it is at least as precise as the model at the same rate, on enough evidence")
    func rulesEarnTheirPlace() throws {
        let flagging = try #require(try Self.train(reviewRate: 0.04).flagging)
        #expect(!flagging.rules.isEmpty)
        // The rules that are on leave room for the model within the review rate.
        let split = try TimeSplit(Self.rows.map(\.record.orderDate), validationFraction: 0.2, testFraction: 0.1)
        let byRules = split.validation.filter { !flagging.policy.rulesOnly.flags(record: Self.rows[$0].record, fraudRisk: 0).isEmpty }
        #expect(Double(byRules.count) <= 0.04 * Double(split.validation.count) + 0.5)
        for rule in flagging.rules {
            let evidence = Int((rule.rate * Double(flagging.validation.returns)).rounded())
            if rule.enabled { #expect(evidence >= 5 && rule.precision >= rule.modelPrecisionAtSameRate, "\(rule)") }
            switch rule.kind {
            case .serialMismatch: #expect(flagging.policy.serialMismatch == rule.enabled)
            case .weightDeviation: #expect((flagging.policy.weightDeviation != nil) == rule.enabled)
            case .customerReturnRate: #expect((flagging.policy.customerReturnRate != nil) == rule.enabled)
            case .fraudRisk: Issue.record("the model is not a rule")
            }
            if rule.kind != .serialMismatch { #expect((rule.threshold ?? 0) > 0) }
        }
        // Every rule stays available at its fitted threshold.
        let every = flagging.everyRule
        #expect(every.serialMismatch)
        #expect(every.fraudRiskThreshold == flagging.policy.fraudRiskThreshold)
    }

    @Test(
        "a review rate outside (0, 0.5] is refused with the value named",
        arguments: [#"{"review_rate": 0}"#, #"{"review_rate": 0.51}"#, #"{"review_rate": -0.1}"#]
    )
    func badReviewRate(json: String) {
        #expect {
            _ = try TrainingConfiguration.load(json: Array(json.utf8), source: "train.json")
        } throws: { error in
            "\(error)".contains("review_rate must be in (0, 0.5]")
        }
    }
}

@Suite("Replay")
struct ReplayTests {
    static let rows = SyntheticReturns.generate(rows: 1500, seed: 33)

    @Test("with room for everything on arrival every policy recovers the same money; shares of the oracle's gain are relative to FIFO")
    func unlimitedCapacity() throws {
        let scorer = Scorer(bundle: SmallModel.shared.bundle, policy: .default)
        let results = ReplaySimulator(scorer: scorer, capacityPerDay: 100_000).run(Self.rows)
        #expect(results.map(\.policy) == ReplaySimulator.Policy.allCases)
        let fraud = Self.rows.filter(\.labels.fraudFlag)
        for r in results {
            #expect(abs(r.recoveredValue - r.valueIfInstant) < 1e-6 * r.valueIfInstant)
            #expect(r.fraudCaughtBeforeRefund == fraud.count)
            #expect(abs(r.fraudRefundSaved - fraud.reduce(0) { $0 + $1.record.refundAmount }) < 1e-6)
            #expect(r.pastServiceLevel == 0 && r.meanWaitDays == 0)
        }
    }

    @Test("under a backlog the oracle beats FIFO, shares are measured from FIFO, the JSON has the documented keys")
    func backlog() throws {
        let scorer = Scorer(bundle: SmallModel.shared.bundle, policy: .default)
        let results = ReplaySimulator(scorer: scorer, capacityPerDay: 2).run(Self.rows)
        let byPolicy = Dictionary(uniqueKeysWithValues: results.map { ($0.policy, $0) })
        let fifo = try #require(byPolicy[.fifo])
        let oracle = try #require(byPolicy[.oracle])
        #expect(oracle.money > fifo.money)
        #expect(fifo.shareOfOracleGain == 0 && oracle.shareOfOracleGain == 1)
        for r in results {
            #expect(r.inspected == Self.rows.count)
            #expect(abs(r.money - r.recoveredValue - r.fraudRefundSaved) < 1e-6)
            #expect(r.recoveredValue < r.valueIfInstant)
        }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(ReplaySimulator.json(results).utf8)) as? [[String: Any]])
        let keys: Set<String> = [
            "policy", "recovered_value", "fraud_caught_before_refund", "fraud_refund_saved", "money", "past_service_level",
            "mean_wait_days", "share_of_oracle_gain",
        ]
        #expect(json.count == results.count)
        #expect(json.allSatisfy { keys.isSubset(of: Set($0.keys)) })
        #expect(ReplaySimulator.table(results).contains("share of oracle gain"))
    }
}
