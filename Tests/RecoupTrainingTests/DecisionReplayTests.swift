import Foundation
import RecoupCore
import RecoupScoring
import RecoupTestSupport
import Testing

@testable import RecoupTraining

@Suite("Decision replay")
struct DecisionReplayTests {
    let scorer = Scorer(bundle: SmallModel.shared.bundle, policy: .default)
    var rows: [LabelledReturn] { SmallModel.shared.data }

    @Test("each strategy adds up its requests' money; only Recoup keeps items or refunds before inspection selectively")
    func moneyAddsUp() throws {
        var policy = GovernancePolicy.default
        policy.keepIt = .init(maxRefund: 80, maxFraudRisk: 0.2)  // enough keep-it decisions on a small sample
        let report = DecisionReplay(scorer: scorer, policy: policy).run(rows)
        #expect(report.requests == rows.count)
        #expect(report.decisions.values.reduce(0, +) == rows.count)
        let byName = Dictionary(uniqueKeysWithValues: report.strategies.map { ($0.name, $0) })
        let recoup = try #require(byName["recoup"])
        let after = try #require(byName["ship_back_refund_after_inspection"])
        let first = try #require(byName["ship_back_refund_at_first_scan"])

        // The baselines, from the labels alone.
        let assessments = scorer.assess(rows.map(\.record), explain: false, stage: .request)
        var expectedAfter = RealizedMoney.zero
        var expectedFirst = RealizedMoney.zero
        var keepIt = 0
        var keepItRight = 0
        for (row, a) in zip(rows, assessments) {
            let decision = policy.decide(row.record, fraudRisk: a.fraudRisk, recoveryValue: a.recoveryValue)
            guard decision.decision != .deny else { continue }
            let refund = row.record.unitPrice * Double(row.record.quantity)
            let cost = (row.record.shippingCostBack ?? policy.shippingCostDefault) + policy.handlingCost(warehouse: row.record.warehouseID)
            let fraud = row.labels.fraudFlag
            expectedAfter =
                expectedAfter
                + RealizedMoney(refundsPaid: fraud ? 0 : refund, shippingAndHandling: cost, valueRecovered: row.labels.recoveryValue)
            expectedFirst =
                expectedFirst
                + RealizedMoney(
                    refundsPaid: refund,
                    refundsPaidToFraud: fraud ? refund : 0,
                    shippingAndHandling: cost,
                    valueRecovered: row.labels.recoveryValue
                )
            if decision.decision == .keepIt {
                keepIt += 1
                if row.labels.recoveryValue < cost { keepItRight += 1 }
            }
        }
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-6 * max(1, abs(b)) }
        #expect(close(after.refundsPaid, expectedAfter.refundsPaid) && after.refundsPaidToFraud == 0)
        #expect(close(after.net, expectedAfter.net) && close(first.net, expectedFirst.net))
        #expect(close(first.refundsPaidToFraud, expectedFirst.refundsPaidToFraud))
        #expect(keepIt > 0 && report.decisions["keep_it"] == keepIt && report.keepItRight == keepItRight)
        // Keeping an item saves its shipping and handling and forgoes its value.
        #expect(recoup.shippingAndHandling < after.shippingAndHandling)
        #expect(close(recoup.net, recoup.valueRecovered - recoup.refundsPaid - recoup.shippingAndHandling))
        #expect(DecisionReplay.table(report).contains("ship_back_refund_at_first_scan"))
        let json = try JSONSerialization.jsonObject(with: Data(DecisionReplay.json(report).utf8)) as? [String: Any]
        #expect((json?["strategies"] as? [Any])?.count == 4)
        // Keep-it decisions alone: every refund of a shipped return after inspection, so only keep-its pay fraud.
        let keepItOnly = try #require(byName["recoup_keep_it_only"])
        #expect(keepItOnly.shippingAndHandling == recoup.shippingAndHandling && keepItOnly.valueRecovered == recoup.valueRecovered)
        #expect(keepItOnly.refundsPaidToFraud <= recoup.refundsPaidToFraud)
    }
}
