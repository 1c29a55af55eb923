import Foundation
import RecoupCore
import Testing

@testable import RecoupScoring

@Suite("Governance policy")
struct GovernancePolicyTests {
    let policy = GovernancePolicy.default

    /// A sample record with a refund of `price × quantity`, requested `days` after the order.
    func record(
        price: Double = 50,
        quantity: Int = 1,
        days: Int = 9,
        channel: String = "web",
        category: String = "apparel"
    ) -> ReturnRecord {
        var record = sampleRecord(category: category, price: price)
        record.quantity = quantity
        record.channel = channel
        record.returnRequestedDate = record.orderDate + days
        return record
    }

    /// The shipped policy with `windows` as its return windows.
    func with(windows: [GovernancePolicy.ReturnWindow]) -> GovernancePolicy {
        var p = policy
        p.returnWindows = windows
        return p
    }

    /// The shipped policy's JSON with `edit` applied to its object.
    func shippedJSON(_ edit: (inout [String: Any]) -> Void) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: "default-governance-policy", withExtension: "json"))
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        edit(&object)
        return try JSONSerialization.data(withJSONObject: object)
    }

    @Test("the shipped policy loads and validates, with its generic defaults")
    func shippedPolicyIsValid() throws {
        try policy.validate()
        #expect(policy.formatVersion == 1)
        #expect(policy.returnWindows == [GovernancePolicy.ReturnWindow(days: 30)])
        #expect(policy.shippingCostDefault == 8)
        #expect(policy.handlingCost == GovernancePolicy.HandlingCost(default: 5, warehouses: [:]))
        #expect(policy.approval == GovernancePolicy.Limits(maxRefund: 1000, maxFraudRisk: 0.5))
        #expect(policy.keepIt == GovernancePolicy.Limits(maxRefund: 50, maxFraudRisk: 0.1))
        #expect(policy.refundAtFirstScan == GovernancePolicy.Limits(maxRefund: 250, maxFraudRisk: 0.05))
        #expect(try GovernancePolicy.load(from: shippedJSON { _ in }, source: "g.json") == policy)
        let decoded = try JSONDecoder().decode(GovernancePolicy.self, from: JSONEncoder().encode(policy))
        #expect(decoded == policy)
    }

    @Test("deny: requested after the window, which names the days and the window")
    func deny() {
        let p = with(windows: [.init(days: 60), .init(channel: "marketplace", days: 30)])
        let late = p.decide(record(days: 41, channel: " Marketplace"), fraudRisk: 0.03125, recoveryValue: 30)
        #expect(late.decision == .deny)
        #expect(late.refundTiming == nil)
        #expect(late.reasons == ["requested 41 days after the order; the window for marketplace is 30 days"])
        #expect(late.money.refund == 50)
        #expect(late.money.expectedNetRecovery == 17)
        // On the last day of the window the request is in time.
        #expect(p.decide(record(days: 30, channel: "marketplace"), fraudRisk: 0.03125, recoveryValue: 30).decision == .approveReturn)
        // The catch-all's words.
        let old = policy.decide(record(days: 31), fraudRisk: 0.03125, recoveryValue: 30)
        #expect(old.reasons == ["requested 31 days after the order; the return window is 30 days"])
    }

    @Test("manual review by refund: above approval.max_refund, refunded after inspection")
    func manualReviewByRefund() {
        let a = policy.decide(record(price: 600, quantity: 2), fraudRisk: 0.03125, recoveryValue: 900)
        #expect(a.decision == .manualReview)
        #expect(a.refundTiming == .afterInspection)
        #expect(
            a.reasons == [
                "a person approves it first: the refund of 1200.00 is above the approval limit of 1000.00",
                "refund after inspection: the refund of 1200.00 is above the first-scan limit of 250.00",
            ]
        )
        #expect(
            a.money
                == AuthorizationMoney(refund: 1200, expectedRecoveryValue: 900, returnShippingCost: 8, handlingCost: 5, fraudRisk: 0.03125)
        )
        #expect(a.money.expectedFraudLoss == 37.5)
        #expect(a.money.expectedNetRecovery == 887)
        #expect(a.money.net.keepIt == -1200)
        #expect(a.money.net.shipBackRefundAfterInspection == -275.5)
        #expect(a.money.net.shipBackRefundAtFirstScan == -313)
    }

    @Test("manual review by risk: above approval.max_fraud_risk, refunded after inspection")
    func manualReviewByRisk() {
        let a = policy.decide(record(), fraudRisk: 0.75, recoveryValue: 30)
        #expect(a.decision == .manualReview)
        #expect(a.refundTiming == .afterInspection)
        #expect(
            a.reasons == [
                "a person approves it first: the fraud risk of 0.75 is above the approval limit of 0.50",
                "refund after inspection: the fraud risk of 0.75 is above the first-scan limit of 0.05",
            ]
        )
        #expect(a.money.refund == 50)
        #expect(a.money.returnShippingCost == 8)
        #expect(a.money.handlingCost == 5)
        #expect(a.money.fraudRisk == 0.75)
        #expect(a.money.expectedFraudLoss == 37.5)
        #expect(a.money.expectedNetRecovery == 17)
        #expect(a.money.net.keepIt == -50)
        #expect(a.money.net.shipBackRefundAfterInspection == 4.5)
        #expect(a.money.net.shipBackRefundAtFirstScan == -33)
    }

    @Test("keep it: shipping it back costs more than it recovers, within the keep-it limits")
    func keepIt() {
        let a = policy.decide(record(price: 20), fraudRisk: 0.0625, recoveryValue: 3.5)
        #expect(a.decision == .keepIt)
        #expect(a.refundTiming == nil)
        #expect(a.reasons == ["the customer keeps the item: recovering about 3.50 costs 8.00 shipping and 5.00 handling"])
        #expect(a.money.refund == 20)
        #expect(a.money.expectedFraudLoss == 1.25)
        #expect(a.money.expectedNetRecovery == -9.5)
        #expect(a.money.net.keepIt == -20)
        #expect(a.money.net.shipBackRefundAfterInspection == -28.25)
        #expect(a.money.net.shipBackRefundAtFirstScan == -29.5)
        // Above a keep-it limit it ships back anyway, and the reason says which.
        let dear = policy.decide(record(price: 80), fraudRisk: 0.03125, recoveryValue: 3.5)
        #expect(dear.decision == .approveReturn)
        #expect(dear.refundTiming == .atFirstScan)
        #expect(
            dear.reasons[0]
                == "ship it back although recovering about 3.50 costs 8.00 shipping and 5.00 handling: "
                + "the refund of 80.00 is above the keep-it limit of 50.00"
        )
        #expect(policy.decide(record(price: 20), fraudRisk: 0.125, recoveryValue: 3.5).decision == .approveReturn)
    }

    @Test("the record's return shipping cost and the warehouse's handling cost are used when given")
    func costs() {
        var p = policy
        p.handlingCost.warehouses = ["WH2": 7.5]
        var r = record(price: 20)
        r.warehouseID = " wh2"
        r.shippingCostBack = 4.25
        #expect(p.handlingCost(warehouse: "WH2") == 7.5)
        #expect(p.handlingCost(warehouse: "wh2 ") == 7.5)
        #expect(p.handlingCost(warehouse: "WH1") == 5)
        let a = p.decide(r, fraudRisk: 0.0625, recoveryValue: 3.5)
        #expect(a.money.returnShippingCost == 4.25)
        #expect(a.money.handlingCost == 7.5)
        #expect(a.money.expectedNetRecovery == -8.25)
        #expect(a.reasons == ["the customer keeps the item: recovering about 3.50 costs 4.25 shipping and 7.50 handling"])
    }

    @Test("approve, refund at first scan: low risk, small refund")
    func approveAtFirstScan() {
        let a = policy.decide(record(), fraudRisk: 0.03125, recoveryValue: 40)
        #expect(a.decision == .approveReturn)
        #expect(a.refundTiming == .atFirstScan)
        #expect(
            a.reasons == [
                "ship it back: recovering about 40.00 covers the 8.00 shipping and 5.00 handling",
                "refund at the carrier's first scan: the fraud risk of 0.031 is at most 0.05 and the refund of 50.00 at most 250.00",
            ]
        )
        #expect(a.money.expectedFraudLoss == 1.5625)
        #expect(a.money.expectedNetRecovery == 27)
        #expect(a.money.net.keepIt == -50)
        #expect(a.money.net.shipBackRefundAfterInspection == -21.4375)
        #expect(a.money.net.shipBackRefundAtFirstScan == -23)
    }

    @Test("approve, refund after inspection: above both first-scan limits")
    func approveAfterInspection() {
        let a = policy.decide(record(price: 300), fraudRisk: 0.25, recoveryValue: 200)
        #expect(a.decision == .approveReturn)
        #expect(a.refundTiming == .afterInspection)
        #expect(
            a.reasons == [
                "ship it back: recovering about 200.00 covers the 8.00 shipping and 5.00 handling",
                "refund after inspection: the refund of 300.00 is above the first-scan limit of 250.00 "
                    + "and the fraud risk of 0.25 is above the first-scan limit of 0.05",
            ]
        )
        #expect(a.money.expectedFraudLoss == 75)
        #expect(a.money.expectedNetRecovery == 187)
        #expect(a.money.net.keepIt == -300)
        #expect(a.money.net.shipBackRefundAfterInspection == -38)
        #expect(a.money.net.shipBackRefundAtFirstScan == -113)
    }

    @Test("the most specific window wins; no matching entry means no limit")
    func mostSpecificWindow() throws {
        let p = with(windows: [
            .init(days: 60), .init(channel: "marketplace", days: 30), .init(category: "electronics", days: 14),
            .init(channel: "Marketplace", category: "Electronics", days: 7),
        ])
        try p.validate()
        #expect(p.window(for: record()) == 60)
        #expect(p.window(for: record(channel: "marketplace")) == 30)
        #expect(p.window(for: record(category: "electronics")) == 14)
        #expect(p.window(for: record(channel: " MARKETPLACE", category: "electronics ")) == 7)
        #expect(
            p.decide(record(days: 8, channel: "marketplace", category: "electronics"), fraudRisk: 0.03125, recoveryValue: 40).reasons
                == ["requested 8 days after the order; the window for marketplace electronics is 7 days"]
        )
        let channelOnly = with(windows: [.init(channel: "marketplace", days: 30)])
        #expect(channelOnly.window(for: record()) == nil)
        #expect(channelOnly.decide(record(days: 400), fraudRisk: 0.03125, recoveryValue: 40).decision == .approveReturn)
        #expect(channelOnly.decide(record(days: 31, channel: "marketplace"), fraudRisk: 0.03125, recoveryValue: 40).decision == .deny)
    }

    @Test("a file with an unknown key or another format is refused with the key named")
    func strictFile() throws {
        let typo = try shippedJSON { o in
            var keep = o["keep_it"] as! [String: Any]
            keep["max_risk"] = 0.2
            o["keep_it"] = keep
        }
        #expect(throws: GovernancePolicyError.unknownKey(source: "g.json", path: "keep_it.max_risk")) {
            try GovernancePolicy.load(from: typo, source: "g.json")
        }
        #expect(
            "\(GovernancePolicyError.unknownKey(source: "g.json", path: "keep_it.max_risk"))"
                == "governance policy g.json has an unknown key \"keep_it.max_risk\""
        )
        let window = try shippedJSON { $0["return_windows"] = [["days": 30], ["chanel": "marketplace", "days": 20]] as [[String: Any]] }
        #expect(throws: GovernancePolicyError.unknownKey(source: "g.json", path: "return_windows[1].chanel")) {
            try GovernancePolicy.load(from: window, source: "g.json")
        }
        let future = try shippedJSON { $0["format_version"] = 2 }
        #expect(throws: GovernancePolicyError.unsupportedFormatVersion(2)) { try GovernancePolicy.load(from: future, source: "g.json") }
        // A section left out is the shipped default's; a setting left out of a section is named.
        let missing = try shippedJSON { $0["approval"] = nil }
        #expect(try GovernancePolicy.load(from: missing, source: "g.json") == .default)
        let partial = try shippedJSON { $0["approval"] = ["max_refund": 10] }
        #expect(throws: GovernancePolicyError.self) { try GovernancePolicy.load(from: partial, source: "g.json") }
        do {
            _ = try GovernancePolicy.load(from: partial, source: "g.json")
        } catch {
            #expect("\(error)".contains("max_fraud_risk"))
        }
    }

    @Test("negative costs and refunds, risks outside [0, 1] and empty windows are refused with the key named")
    func invalidSettings() throws {
        var p = policy
        p.handlingCost.warehouses = ["WH1": 4, "WH2": -1]
        #expect(throws: GovernancePolicyError.invalidSetting("handling_cost.warehouses.WH2 must be >= 0, got -1.0")) { try p.validate() }
        #expect(
            "\(GovernancePolicyError.invalidSetting("handling_cost.warehouses.WH2 must be >= 0, got -1.0"))"
                == "governance policy: handling_cost.warehouses.WH2 must be >= 0, got -1.0"
        )
        p = policy
        p.handlingCost.default = -5
        #expect(throws: GovernancePolicyError.invalidSetting("handling_cost.default must be >= 0, got -5.0")) { try p.validate() }
        p = policy
        p.shippingCostDefault = -0.5
        #expect(throws: GovernancePolicyError.invalidSetting("shipping_cost_default must be >= 0, got -0.5")) { try p.validate() }
        p = policy
        p.approval.maxRefund = -1
        #expect(throws: GovernancePolicyError.invalidSetting("approval.max_refund must be >= 0, got -1.0")) { try p.validate() }
        p = policy
        p.keepIt.maxFraudRisk = 1.5
        #expect(throws: GovernancePolicyError.invalidSetting("keep_it.max_fraud_risk must be in [0, 1], got 1.5")) { try p.validate() }
        p = policy
        p.refundAtFirstScan.maxFraudRisk = -0.1
        #expect(throws: GovernancePolicyError.invalidSetting("refund_at_first_scan.max_fraud_risk must be in [0, 1], got -0.1")) {
            try p.validate()
        }
        p = with(windows: [.init(days: 30), .init(channel: "marketplace", days: 30), .init(category: "electronics", days: 0)])
        #expect(throws: GovernancePolicyError.invalidSetting("return_windows[2].days must be > 0, got 0")) { try p.validate() }
        p = policy
        p.handlingCost.warehouses = ["WH2": 4, "wh2": 6]
        #expect(throws: GovernancePolicyError.self) { try p.validate() }
        // Through a file too.
        let negative = try shippedJSON { $0["handling_cost"] = ["default": 5, "warehouses": ["WH2": -1]] as [String: Any] }
        #expect(throws: GovernancePolicyError.invalidSetting("handling_cost.warehouses.WH2 must be >= 0, got -1.0")) {
            try GovernancePolicy.load(from: negative, source: "g.json")
        }
    }

    @Test("overlapping windows: a duplicate, or a channel entry and a category entry with no entry for their pair")
    func overlappingWindows() throws {
        let duplicate = with(windows: [.init(days: 30), .init(channel: "Marketplace", days: 30), .init(channel: " marketplace", days: 20)])
        #expect(throws: GovernancePolicyError.duplicateWindows(first: 1, second: 2, channel: "marketplace", category: nil)) {
            try duplicate.validate()
        }
        #expect(
            "\(GovernancePolicyError.duplicateWindows(first: 1, second: 2, channel: "marketplace", category: nil))"
                == "governance policy: return_windows[1] and return_windows[2] are both the window for "
                + "channel \"marketplace\" (any category)"
        )
        let twoCatchAlls = with(windows: [.init(days: 30), .init(days: 45)])
        #expect(throws: GovernancePolicyError.duplicateWindows(first: 0, second: 1, channel: nil, category: nil)) {
            try twoCatchAlls.validate()
        }

        var windows: [GovernancePolicy.ReturnWindow] = [
            .init(days: 30), .init(channel: "marketplace", days: 30), .init(category: "electronics", days: 14),
        ]
        let ambiguous = with(windows: windows)
        let error = GovernancePolicyError.ambiguousWindows(
            channelEntry: 1,
            categoryEntry: 2,
            channel: "marketplace",
            category: "electronics"
        )
        #expect(throws: error) { try ambiguous.validate() }
        #expect("\(error)".contains("return_windows[1] (channel \"marketplace\") and return_windows[2] (category \"electronics\")"))
        #expect("\(error)".contains("no entry names that pair"))
        // Naming the exact pair resolves it.
        windows.append(.init(channel: "marketplace", category: "electronics", days: 14))
        try with(windows: windows).validate()
    }

    @Test("the authorization encodes with snake_case keys and the net of each option as an object")
    func coding() throws {
        let a = policy.decide(record(), fraudRisk: 0.03125, recoveryValue: 40)
        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(a)) as? [String: Any])
        #expect(object["decision"] as? String == "approve_return")
        #expect(object["refund_timing"] as? String == "at_first_scan")
        let money = try #require(object["money"] as? [String: Any])
        #expect(
            Set(money.keys) == [
                "refund", "expected_recovery_value", "return_shipping_cost", "handling_cost", "fraud_risk", "expected_fraud_loss",
                "expected_net_recovery", "net",
            ]
        )
        let net = try #require(money["net"] as? [String: Any])
        #expect(Set(net.keys) == ["keep_it", "ship_back_refund_after_inspection", "ship_back_refund_at_first_scan"])
        #expect(try JSONDecoder().decode(ReturnAuthorization.self, from: JSONEncoder().encode(a)) == a)
    }

    @Test("realized money of each decision, for a fraud and for an honest return")
    func realized() {
        let deny = policy.decide(record(days: 45), fraudRisk: 0.03125, recoveryValue: 30)
        #expect(deny.realized(fraud: false, recoveryValue: 30) == .zero)
        #expect(deny.realized(fraud: true, recoveryValue: 30) == .zero)

        let keep = policy.decide(record(price: 20), fraudRisk: 0.0625, recoveryValue: 3.5)
        #expect(keep.realized(fraud: false, recoveryValue: 3.5) == RealizedMoney(refundsPaid: 20))
        #expect(keep.realized(fraud: true, recoveryValue: 3.5) == RealizedMoney(refundsPaid: 20, refundsPaidToFraud: 20))
        #expect(keep.realized(fraud: true, recoveryValue: 3.5).net == -20)

        let firstScan = policy.decide(record(), fraudRisk: 0.03125, recoveryValue: 40)
        #expect(
            firstScan.realized(fraud: false, recoveryValue: 35)
                == RealizedMoney(refundsPaid: 50, shippingAndHandling: 13, valueRecovered: 35)
        )
        #expect(firstScan.realized(fraud: false, recoveryValue: 35).net == -28)
        let fraudPaid = firstScan.realized(fraud: true, recoveryValue: 2)
        #expect(fraudPaid == RealizedMoney(refundsPaid: 50, refundsPaidToFraud: 50, shippingAndHandling: 13, valueRecovered: 2))
        #expect(fraudPaid.net == -61)

        let inspected = policy.decide(record(price: 300), fraudRisk: 0.25, recoveryValue: 200)
        #expect(
            inspected.realized(fraud: false, recoveryValue: 210)
                == RealizedMoney(refundsPaid: 300, shippingAndHandling: 13, valueRecovered: 210)
        )
        #expect(inspected.realized(fraud: false, recoveryValue: 210).net == -103)
        #expect(inspected.realized(fraud: true, recoveryValue: 0) == RealizedMoney(shippingAndHandling: 13))
        #expect(inspected.realized(fraud: true, recoveryValue: 0).net == -13)

        let review = policy.decide(record(), fraudRisk: 0.75, recoveryValue: 30)
        #expect(
            review.realized(fraud: false, recoveryValue: 30) == RealizedMoney(refundsPaid: 50, shippingAndHandling: 13, valueRecovered: 30)
        )
        #expect(review.realized(fraud: true, recoveryValue: 0) == RealizedMoney(shippingAndHandling: 13))
        // A review without a timing is treated as refunded after inspection; one at first scan pays the fraud.
        var untimed = review
        untimed.refundTiming = nil
        #expect(untimed.realized(fraud: true, recoveryValue: 0) == RealizedMoney(shippingAndHandling: 13))
        var early = review
        early.refundTiming = .atFirstScan
        #expect(
            early.realized(fraud: true, recoveryValue: 0) == RealizedMoney(refundsPaid: 50, refundsPaidToFraud: 50, shippingAndHandling: 13)
        )

        let total = keep.realized(fraud: true, recoveryValue: 3.5) + fraudPaid + deny.realized(fraud: false, recoveryValue: 0)
        #expect(total == RealizedMoney(refundsPaid: 70, refundsPaidToFraud: 70, shippingAndHandling: 13, valueRecovered: 2))
        #expect(total.net == -81)
    }
}
