import Foundation
package import RecoupCore

/// The decision on a return request, before the item ships back (``GovernancePolicy/decide(_:fraudRisk:recoveryValue:)``).
package struct ReturnAuthorization: Sendable, Equatable, Codable {
    package var decision: ReturnDecision
    /// `nil` for keep_it (refunded when approved, nothing ships) and deny (no refund).
    package var refundTiming: RefundTiming?
    /// Why, in words a person reads, one sentence per rule that decided (decision first, then timing).
    package var reasons: [String]
    package var money: AuthorizationMoney

    package init(decision: ReturnDecision, refundTiming: RefundTiming?, reasons: [String], money: AuthorizationMoney) {
        self.decision = decision
        self.refundTiming = refundTiming
        self.reasons = reasons
        self.money = money
    }

    enum CodingKeys: String, CodingKey {
        case decision
        case refundTiming = "refund_timing"
        case reasons
        case money
    }
}

/// The money behind a decision, as expected when it is taken. Plain amounts (not rounded).
package struct AuthorizationMoney: Sendable, Equatable, Codable {
    /// Expected net money of each option, from the retailer's side, refund included.
    package struct NetByOption: Sendable, Equatable, Codable {
        /// `−refund`: refunded, nothing comes back.
        package let keepIt: Double
        /// `expectedNetRecovery − (1 − fraudRisk) × refund`: a fraud found at inspection is not refunded.
        package let shipBackRefundAfterInspection: Double
        /// `expectedNetRecovery − refund`: every refund is paid.
        package let shipBackRefundAtFirstScan: Double

        enum CodingKeys: String, CodingKey {
            case keepIt = "keep_it"
            case shipBackRefundAfterInspection = "ship_back_refund_after_inspection"
            case shipBackRefundAtFirstScan = "ship_back_refund_at_first_scan"
        }
    }

    /// `unit_price × quantity`.
    package let refund: Double
    /// The model's recovery value of the item, if it comes back.
    package let expectedRecoveryValue: Double
    /// The record's `shipping_cost_back`, else the policy's `shipping_cost_default`.
    package let returnShippingCost: Double
    /// The receiving warehouse's handling cost.
    package let handlingCost: Double
    /// The model's fraud risk.
    package let fraudRisk: Double
    /// `fraudRisk × refund`: what refunding before inspection risks.
    package let expectedFraudLoss: Double
    /// `expectedRecoveryValue − returnShippingCost − handlingCost`: what shipping the item back is worth.
    package let expectedNetRecovery: Double
    package let net: NetByOption

    package init(refund: Double, expectedRecoveryValue: Double, returnShippingCost: Double, handlingCost: Double, fraudRisk: Double) {
        self.refund = refund
        self.expectedRecoveryValue = expectedRecoveryValue
        self.returnShippingCost = returnShippingCost
        self.handlingCost = handlingCost
        self.fraudRisk = fraudRisk
        self.expectedFraudLoss = fraudRisk * refund
        let netRecovery = expectedRecoveryValue - returnShippingCost - handlingCost
        self.expectedNetRecovery = netRecovery
        self.net = NetByOption(
            keepIt: -refund,
            shipBackRefundAfterInspection: netRecovery - (1 - fraudRisk) * refund,
            shipBackRefundAtFirstScan: netRecovery - refund
        )
    }

    enum CodingKeys: String, CodingKey {
        case refund
        case expectedRecoveryValue = "expected_recovery_value"
        case returnShippingCost = "return_shipping_cost"
        case handlingCost = "handling_cost"
        case fraudRisk = "fraud_risk"
        case expectedFraudLoss = "expected_fraud_loss"
        case expectedNetRecovery = "expected_net_recovery"
        case net
    }
}

extension GovernancePolicy {
    /// Decides a return request, rules in order: deny outside the return window; manual review above the approval
    /// limits; keep it when shipping it back costs more than it recovers and the keep-it limits allow; else approve.
    /// An approved or reviewed return is refunded at the first scan within the first-scan limits, else after inspection.
    package func decide(_ record: ReturnRecord, fraudRisk: Double, recoveryValue: Double) -> ReturnAuthorization {
        let money = AuthorizationMoney(
            refund: record.refundAmount,
            expectedRecoveryValue: recoveryValue,
            returnShippingCost: record.shippingCostBack ?? shippingCostDefault,
            handlingCost: handlingCost(warehouse: record.warehouseID),
            fraudRisk: fraudRisk
        )
        let refund = money.refund
        let costs = "\(format(money.returnShippingCost)) shipping and \(format(money.handlingCost)) handling"

        if let window = windowEntry(for: record)?.window {
            let days = record.returnRequestedDate - record.orderDate
            if days > window.days {
                let limit = window.scope.map { "the window for \($0) is" } ?? "the return window is"
                return ReturnAuthorization(
                    decision: .deny,
                    refundTiming: nil,
                    reasons: ["requested \(Self.days(days)) after the order; \(limit) \(Self.days(window.days))"],
                    money: money
                )
            }
        }

        let decision: ReturnDecision
        let reason: String
        if !approval.allow(refund: refund, fraudRisk: fraudRisk) {
            decision = .manualReview
            reason = "a person approves it first: " + Self.over(approval, "approval", refund: refund, fraudRisk: fraudRisk)
        } else if money.expectedNetRecovery < 0 {
            if keepIt.allow(refund: refund, fraudRisk: fraudRisk) {
                return ReturnAuthorization(
                    decision: .keepIt,
                    refundTiming: nil,
                    reasons: ["the customer keeps the item: recovering about \(format(recoveryValue)) costs \(costs)"],
                    money: money
                )
            }
            decision = .approveReturn
            reason =
                "ship it back although recovering about \(format(recoveryValue)) costs \(costs): "
                + Self.over(keepIt, "keep-it", refund: refund, fraudRisk: fraudRisk)
        } else {
            decision = .approveReturn
            reason = "ship it back: recovering about \(format(recoveryValue)) covers the \(costs)"
        }

        let timing: RefundTiming
        let when: String
        if refundAtFirstScan.allow(refund: refund, fraudRisk: fraudRisk) {
            timing = .atFirstScan
            let limits = refundAtFirstScan
            when =
                "refund at the carrier's first scan: the fraud risk of \(Self.risk(fraudRisk)) "
                + "is at most \(Self.risk(limits.maxFraudRisk)) and the refund of \(format(refund)) at most \(format(limits.maxRefund))"
        } else {
            timing = .afterInspection
            when = "refund after inspection: " + Self.over(refundAtFirstScan, "first-scan", refund: refund, fraudRisk: fraudRisk)
        }
        return ReturnAuthorization(decision: decision, refundTiming: timing, reasons: [reason, when], money: money)
    }

    /// Which of `limits` a refund and a fraud risk exceed (the negation of ``Limits/allow(refund:fraudRisk:)``), with the
    /// figures.
    private static func over(_ limits: Limits, _ name: String, refund: Double, fraudRisk: Double) -> String {
        var parts: [String] = []
        if !(refund <= limits.maxRefund) {
            parts.append("the refund of \(format(refund)) is above the \(name) limit of \(format(limits.maxRefund))")
        }
        if !(fraudRisk <= limits.maxFraudRisk) {
            parts.append("the fraud risk of \(risk(fraudRisk)) is above the \(name) limit of \(risk(limits.maxFraudRisk))")
        }
        return parts.joined(separator: " and ")
    }

    /// A probability with two decimals, or three when the third is not zero (0.05, 0.052).
    private static func risk(_ p: Double) -> String {
        let three = String(format: "%.3f", p)
        return three.hasSuffix("0") ? String(three.dropLast()) : three
    }

    private static func days(_ n: Int) -> String { n == 1 ? "1 day" : "\(n) days" }
}

/// What a decision cost once the truth is known (a fraud or not, the value the item really recovered). Sums with `+`.
package struct RealizedMoney: Sendable, Equatable {
    package var refundsPaid: Double
    /// The part of ``refundsPaid`` paid on frauds.
    package var refundsPaidToFraud: Double
    package var shippingAndHandling: Double
    package var valueRecovered: Double

    package init(refundsPaid: Double = 0, refundsPaidToFraud: Double = 0, shippingAndHandling: Double = 0, valueRecovered: Double = 0) {
        self.refundsPaid = refundsPaid
        self.refundsPaidToFraud = refundsPaidToFraud
        self.shippingAndHandling = shippingAndHandling
        self.valueRecovered = valueRecovered
    }

    package static let zero = RealizedMoney()

    /// `valueRecovered − refundsPaid − shippingAndHandling`.
    package var net: Double { valueRecovered - refundsPaid - shippingAndHandling }

    package static func + (lhs: RealizedMoney, rhs: RealizedMoney) -> RealizedMoney {
        RealizedMoney(
            refundsPaid: lhs.refundsPaid + rhs.refundsPaid,
            refundsPaidToFraud: lhs.refundsPaidToFraud + rhs.refundsPaidToFraud,
            shippingAndHandling: lhs.shippingAndHandling + rhs.shippingAndHandling,
            valueRecovered: lhs.valueRecovered + rhs.valueRecovered
        )
    }
}

extension ReturnAuthorization {
    /// What this decision costs given the truth: keep_it pays the refund (to a fraud too), ships nothing, recovers nothing;
    /// approve_return / manual_review (treated as shipped back with this refund timing, after_inspection when nil) pay
    /// shipping+handling and recover the true value; at_first_scan pays every refund, after_inspection pays only non-fraud
    /// ones; deny pays and recovers nothing.
    package func realized(fraud: Bool, recoveryValue: Double) -> RealizedMoney {
        let refund = money.refund
        switch decision {
        case .deny:
            return .zero
        case .keepIt:
            return RealizedMoney(refundsPaid: refund, refundsPaidToFraud: fraud ? refund : 0)
        case .approveReturn, .manualReview:
            let paid = ((refundTiming ?? .afterInspection) == .atFirstScan || !fraud) ? refund : 0
            return RealizedMoney(
                refundsPaid: paid,
                refundsPaidToFraud: fraud ? paid : 0,
                shippingAndHandling: money.returnShippingCost + money.handlingCost,
                valueRecovered: recoveryValue
            )
        }
    }
}
