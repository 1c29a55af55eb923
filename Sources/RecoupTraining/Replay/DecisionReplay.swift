internal import Foundation
package import RecoupCore
package import RecoupScoring

/// Replays labelled returns as requests, before anything ships, and measures in money Recoup's decisions (the
/// request-stage heads and a ``GovernancePolicy``) against two rules of thumb that ship every return back:
///
/// - **recoup**: each request's decision: `keep_it` refunds and ships nothing, `approve_return` ships it back with
///   the refund at the first scan or after inspection, `manual_review` counts as approved with its refund timing (what
///   the person reviewing it would approve).
/// - **recoup_keep_it_only**: Recoup's decisions with every refund of a shipped return after inspection: what the
///   keep-it decisions are worth alone.
/// - **ship_back_refund_after_inspection**: every return ships back; only the returns not found to be fraud are refunded.
/// - **ship_back_refund_at_first_scan**: every return ships back; every refund is paid at the first scan.
///
/// Requests outside their return window are denied by all three (the window is a rule, not a model's decision) and
/// counted apart. Money comes from the labels: `recovery_value` is what shipping the item back recovers, `fraud_flag`
/// says whether a refund paid before inspection went to a fraud.
package struct DecisionReplay: Sendable {
    /// Scores at the request stage; the bundle must have one.
    package var scorer: Scorer
    package var policy: GovernancePolicy

    package init(scorer: Scorer, policy: GovernancePolicy) {
        self.scorer = scorer
        self.policy = policy
    }

    /// One strategy's money over the replayed requests.
    package struct Strategy: Sendable, Equatable, Encodable {
        package var name: String
        package var refundsPaid: Double
        package var refundsPaidToFraud: Double
        package var shippingAndHandling: Double
        package var valueRecovered: Double
        package var net: Double

        init(name: String, _ money: RealizedMoney) {
            self.name = name
            refundsPaid = money.refundsPaid
            refundsPaidToFraud = money.refundsPaidToFraud
            shippingAndHandling = money.shippingAndHandling
            valueRecovered = money.valueRecovered
            net = money.net
        }

        enum CodingKeys: String, CodingKey {
            case name, net
            case refundsPaid = "refunds_paid"
            case refundsPaidToFraud = "refunds_paid_to_fraud"
            case shippingAndHandling = "shipping_and_handling"
            case valueRecovered = "value_recovered"
        }
    }

    /// What the replay found.
    package struct Report: Sendable, Equatable, Encodable {
        package var requests: Int
        /// Requests per decision (by raw value).
        package var decisions: [String: Int]
        /// Approved returns refunded at the first scan.
        package var refundsAtFirstScan: Int
        /// `keep_it` decisions whose true recovery was below the shipping and handling they saved.
        package var keepItRight: Int
        /// The fraud among the `keep_it` decisions (refunds a shipped-back inspection could have stopped).
        package var keepItFraud: Int
        package var strategies: [Strategy]

        /// Share of `keep_it` decisions that were right; `nil` without any.
        package var keepItPrecision: Double? {
            let n = decisions[ReturnDecision.keepIt.rawValue] ?? 0
            return n == 0 ? nil : Double(keepItRight) / Double(n)
        }

        enum CodingKeys: String, CodingKey {
            case requests, decisions, strategies
            case refundsAtFirstScan = "refunds_at_first_scan"
            case keepItRight = "keep_it_right"
            case keepItFraud = "keep_it_fraud"
            case keepItPrecision = "keep_it_precision"
        }

        package func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(requests, forKey: .requests)
            try c.encode(decisions, forKey: .decisions)
            try c.encode(refundsAtFirstScan, forKey: .refundsAtFirstScan)
            try c.encode(keepItRight, forKey: .keepItRight)
            try c.encode(keepItFraud, forKey: .keepItFraud)
            try c.encodeIfPresent(keepItPrecision, forKey: .keepItPrecision)
            try c.encode(strategies, forKey: .strategies)
        }
    }

    /// Decides every row as a request (its receipt fields unseen) and adds up each strategy's money.
    package func run(_ rows: [LabelledReturn]) -> Report {
        precondition(scorer.requestStage != nil, "the decision replay needs a bundle with a request stage")
        let assessments = scorer.assess(rows.map(\.record), explain: false, stage: .request)
        var decisions: [String: Int] = [:]
        var atFirstScan = 0
        var keepItRight = 0
        var keepItFraud = 0
        var recoup = RealizedMoney.zero
        var keepItOnly = RealizedMoney.zero
        var afterInspection = RealizedMoney.zero
        var firstScan = RealizedMoney.zero
        for (row, a) in zip(rows, assessments) {
            let decision = policy.decide(row.record, fraudRisk: a.fraudRisk, recoveryValue: a.recoveryValue)
            decisions[decision.decision.rawValue, default: 0] += 1
            guard decision.decision != .deny else { continue }
            let fraud = row.labels.fraudFlag
            let recovered = row.labels.recoveryValue
            if decision.refundTiming == .atFirstScan { atFirstScan += 1 }
            if decision.decision == .keepIt {
                if recovered < decision.money.returnShippingCost + decision.money.handlingCost { keepItRight += 1 }
                if fraud { keepItFraud += 1 }
            }
            recoup = recoup + decision.realized(fraud: fraud, recoveryValue: recovered)
            var inspected = decision
            if inspected.refundTiming != nil { inspected.refundTiming = .afterInspection }
            keepItOnly = keepItOnly + inspected.realized(fraud: fraud, recoveryValue: recovered)
            var shipped = decision
            shipped.decision = .approveReturn
            shipped.refundTiming = .afterInspection
            afterInspection = afterInspection + shipped.realized(fraud: fraud, recoveryValue: recovered)
            shipped.refundTiming = .atFirstScan
            firstScan = firstScan + shipped.realized(fraud: fraud, recoveryValue: recovered)
        }
        return Report(
            requests: rows.count,
            decisions: decisions,
            refundsAtFirstScan: atFirstScan,
            keepItRight: keepItRight,
            keepItFraud: keepItFraud,
            strategies: [
                Strategy(name: "recoup", recoup),
                Strategy(name: "recoup_keep_it_only", keepItOnly),
                Strategy(name: "ship_back_refund_after_inspection", afterInspection),
                Strategy(name: "ship_back_refund_at_first_scan", firstScan),
            ]
        )
    }

    /// The report as a plain-text table.
    package static func table(_ report: Report) -> String {
        func money(_ x: Double) -> String { String(format: "%.0f", x) }
        func column(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
        let counts = ReturnDecision.allCases.map { "\($0.rawValue) \(report.decisions[$0.rawValue] ?? 0)" }.joined(separator: ", ")
        var text = "\(report.requests) requests: \(counts); \(report.refundsAtFirstScan) refunded at the first scan\n"
        if let precision = report.keepItPrecision {
            text += String(
                format: "keep_it right (true recovery below shipping + handling): %d of %d (%.1f%%); fraud among them: %d\n",
                report.keepItRight,
                report.decisions[ReturnDecision.keepIt.rawValue] ?? 0,
                100 * precision,
                report.keepItFraud
            )
        }
        text += "\n" + column("strategy", 36) + ["refunds", "to fraud", "ship+handle", "recovered", "net"].map { column($0, 14) }.joined() + "\n"
        for s in report.strategies {
            text += column(s.name, 36)
            text += [s.refundsPaid, s.refundsPaidToFraud, s.shippingAndHandling, s.valueRecovered, s.net].map { column(money($0), 14) }.joined()
            text += "\n"
        }
        return text
    }

    /// The report as JSON.
    package static func json(_ report: Report) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }
}
