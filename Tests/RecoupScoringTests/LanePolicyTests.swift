import Foundation
import RecoupCore
import Testing

@testable import RecoupScoring

@Suite("Lane policy")
struct LanePolicyTests {
    let policy = LanePolicy.default
    /// Flags at fixed thresholds (a bundle's fitted ones in production).
    let flags = AnomalyPolicy(fraudRiskThreshold: 0.5, serialMismatch: true, weightDeviation: 0.15, customerReturnRate: 0.6, customerMinOrders: 5)

    func lane(_ record: ReturnRecord, _ probs: [Double], risk: Double = 0.01, value: Double = 40, policy: LanePolicy? = nil) -> String {
        let policy = policy ?? self.policy
        let anomalies = flags.flags(record: record, fraudRisk: risk)
        return policy.route(
            RoutingFacts(
                record: record,
                dispositionProbabilities: probs,
                fraudRisk: risk,
                recoveryValue: value,
                anomalies: anomalies
            )
        ).name.rawValue
    }

    @Test("the shipped policy loads and validates")
    func shippedPolicyIsValid() throws {
        try policy.validate()
        #expect(
            policy.lanes.map(\.name) == [
                "risk_review", "electronics_test", "fast_restock", "refurbish_bench", "outlet_liquidation", "standard",
            ]
        )
    }

    @Test("each rule routes its own case")
    func eachRule() {
        #expect(lane(sampleRecord(), probabilities(.restockNew)) == "fast_restock")
        #expect(lane(sampleRecord(category: "electronics"), probabilities(.openBox)) == "electronics_test")
        #expect(lane(sampleRecord(category: "home_goods"), probabilities(.refurbish)) == "refurbish_bench")
        #expect(lane(sampleRecord(), probabilities(.liquidate)) == "outlet_liquidation")
        #expect(lane(sampleRecord(), probabilities(.restockNew, 0.4)) == "standard")
        #expect(lane(sampleRecord(), probabilities(.returnToVendor)) == "standard")
        #expect(lane(sampleRecord(), probabilities(.restockNew), risk: 0.9) == "risk_review")
    }

    @Test("precedence: an anomaly wins over every other rule")
    func precedence() {
        var record = sampleRecord(category: "electronics")
        record.hasSerial = true
        record.serialMatches = false
        #expect(lane(record, probabilities(.openBox)) == "risk_review")
        // Electronics that would be refurbished go to the electronics test first (rule 2 before rule 3).
        #expect(lane(sampleRecord(category: "electronics"), probabilities(.refurbish)) == "electronics_test")
    }

    @Test("capability: a warehouse without a bench or a test station never routes there; by default every lane runs everywhere")
    func capabilities() {
        var mapped = policy
        mapped.capabilities.warehouses = ["WH2": ["refurbish_bench"], "WH3": ["electronics_test"]]
        #expect(lane(sampleRecord(category: "home_goods", warehouse: "WH3"), probabilities(.refurbish), policy: mapped) == "standard")
        #expect(lane(sampleRecord(category: "home_goods", warehouse: "WH2"), probabilities(.refurbish), policy: mapped) == "refurbish_bench")
        #expect(lane(sampleRecord(category: "electronics", warehouse: "WH2"), probabilities(.openBox), policy: mapped) == "fast_restock")
        #expect(lane(sampleRecord(category: "electronics", warehouse: "wh3"), probabilities(.openBox), policy: mapped) == "electronics_test")
        // An unlisted warehouse has the default capabilities; the shipped policy lists none.
        #expect(lane(sampleRecord(category: "home_goods", warehouse: "NEW9"), probabilities(.refurbish), policy: mapped) == "refurbish_bench")
        #expect(policy.capabilities.warehouses.isEmpty)
        for warehouse in ["WH1", "WH3", "WH5", "ANY"] {
            #expect(lane(sampleRecord(category: "home_goods", warehouse: warehouse), probabilities(.refurbish)) == "refurbish_bench")
            #expect(lane(sampleRecord(category: "electronics", warehouse: warehouse), probabilities(.openBox)) == "electronics_test")
        }
    }

    @Test("hard anomaly signals each raise a flag that names the value")
    func anomalyFlags() {
        var record = sampleRecord()
        record.weightKgMeasured = 0.59
        record.customerOrders12m = 10
        record.customerReturns12m = 8
        record.hasSerial = true
        record.serialMatches = false
        let raised = flags.flags(record: record, fraudRisk: 0.7)
        #expect(raised.map(\.kind) == [.fraudRisk, .serialMismatch, .weightDeviation, .customerReturnRate])
        #expect(raised[2].reason.hasPrefix("weighs 41% less than declared"))
        #expect(raised[3].reason.contains("8 of 10"))
        #expect(flags.flags(record: sampleRecord(), fraudRisk: 0.1).isEmpty)
        // The neutral flags of a bundle trained before flags were fitted: the model at 0.5 and the serial number only.
        #expect(AnomalyPolicy.neutral.flags(record: record, fraudRisk: 0.4).map(\.kind) == [.serialMismatch])
    }

    @Test("the policy's anomaly section overrides the bundle's fitted flags, rule by rule")
    func anomalyOverrides() throws {
        let json = Data(#"{"fraudRiskThreshold": 0.3, "weightDeviation": false, "customerReturnRate": 0.9}"#.utf8)
        let overrides = try JSONDecoder().decode(AnomalyOverrides.self, from: json)
        let applied = overrides.applied(to: flags)
        #expect(applied.fraudRiskThreshold == 0.3)
        #expect(applied.weightDeviation == nil)
        #expect(applied.customerReturnRate == 0.9)
        #expect(applied.serialMismatch == flags.serialMismatch)
        #expect(AnomalyOverrides().applied(to: flags) == flags)
        #expect(throws: (any Error).self) { try JSONDecoder().decode(AnomalyOverrides.self, from: Data(#"{"weightDeviation": true}"#.utf8)) }
    }

    @Test("a policy with an unknown field, an unknown lane or no catch-all is refused with its reason")
    func invalidPolicies() throws {
        var p = policy
        p.rules[0].when = .compare(field: "fraud_rsik", op: .gte, value: 0.5)
        #expect(throws: LanePolicyError.unknownField(rule: 0, field: "fraud_rsik")) { try p.validate() }
        p = policy
        p.rules[1].lane = "nowhere"
        #expect(throws: LanePolicyError.unknownLane(rule: 1, lane: "nowhere")) { try p.validate() }
        p = policy
        p.rules.removeLast()
        #expect(throws: LanePolicyError.noCatchAll(lane: "outlet_liquidation")) { try p.validate() }
        let bad = Data(#"{"formatVersion": 1, "rules": []}"#.utf8)
        #expect(throws: (any Error).self) { try LanePolicy.load(from: bad, source: "bad.json") }
    }

    /// The shipped policy's JSON with `edit` applied to its object.
    func shippedJSON(_ edit: (inout [String: Any]) -> Void) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: "default-lane-policy", withExtension: "json"))
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        edit(&object)
        return try JSONSerialization.data(withJSONObject: object)
    }

    @Test("a policy file with an unknown key, an old format or a negative threshold is refused with the key named")
    func strictFile() throws {
        #expect(try LanePolicy.load(from: shippedJSON { _ in }, source: "p.json") == policy)
        let typo = try shippedJSON { o in
            var priority = o["priority"] as! [String: Any]
            priority["baseDailyDecai"] = 0.01
            o["priority"] = priority
        }
        #expect(throws: LanePolicyError.unknownKey(source: "p.json", path: "priority.baseDailyDecai")) {
            try LanePolicy.load(from: typo, source: "p.json")
        }
        let ordering = try shippedJSON { o in
            var lanes = o["lanes"] as! [[String: Any]]
            lanes[2]["ordering"] = "value_decay"
            o["lanes"] = lanes
        }
        #expect(throws: LanePolicyError.unknownKey(source: "p.json", path: "lanes[2].ordering")) {
            try LanePolicy.load(from: ordering, source: "p.json")
        }
        let old = try shippedJSON { $0["formatVersion"] = 1 }
        #expect(throws: LanePolicyError.unsupportedFormatVersion(1)) { try LanePolicy.load(from: old, source: "p.json") }
        #expect("\(LanePolicyError.unsupportedFormatVersion(1))".contains("lanes[].ordering"))
        let negative = try shippedJSON { $0["anomaly"] = ["weightDeviation": -0.1] }
        #expect(throws: LanePolicyError.self) { try LanePolicy.load(from: negative, source: "p.json") }
        do {
            _ = try LanePolicy.load(from: negative, source: "p.json")
        } catch {
            #expect("\(error)".contains("anomaly.weightDeviation"))
        }
        let negativeDecay = try shippedJSON { o in
            var priority = o["priority"] as! [String: Any]
            priority["refundDays"] = -1
            o["priority"] = priority
        }
        #expect(throws: LanePolicyError.invalidSetting("priority.refundDays must be a finite number >= 0, got -1.0")) {
            try LanePolicy.load(from: negativeDecay, source: "p.json")
        }
    }

    @Test("conditions round-trip through JSON")
    func conditionCoding() throws {
        let data = try JSONEncoder().encode(policy)
        let decoded = try JSONDecoder().decode(LanePolicy.self, from: data)
        #expect(decoded == policy)
    }
}
