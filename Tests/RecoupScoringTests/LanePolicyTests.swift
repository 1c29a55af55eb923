import Foundation
import RecoupCore
import Testing

@testable import RecoupScoring

@Suite("Lane policy")
struct LanePolicyTests {
    let policy = LanePolicy.default

    func lane(_ record: ReturnRecord, _ probs: [Double], risk: Double = 0.01, value: Double = 40) -> String {
        let anomalies = policy.anomaly.flags(record: record, fraudRisk: risk)
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

    @Test("capability: a warehouse without a bench or a test station never routes there")
    func capabilities() {
        #expect(lane(sampleRecord(category: "home_goods", warehouse: "WH3"), probabilities(.refurbish)) == "standard")
        #expect(lane(sampleRecord(category: "home_goods", warehouse: "WH2"), probabilities(.refurbish)) == "refurbish_bench")
        #expect(lane(sampleRecord(category: "electronics", warehouse: "WH2"), probabilities(.openBox)) == "fast_restock")
        #expect(lane(sampleRecord(category: "electronics", warehouse: "wh3"), probabilities(.openBox)) == "electronics_test")
        // An unlisted warehouse has the default capabilities.
        #expect(lane(sampleRecord(category: "home_goods", warehouse: "NEW9"), probabilities(.refurbish)) == "refurbish_bench")
    }

    @Test("hard anomaly signals each raise a flag that names the value")
    func anomalyFlags() {
        var record = sampleRecord()
        record.weightKgMeasured = 0.59
        record.customerOrders12m = 10
        record.customerReturns12m = 8
        record.hasSerial = true
        record.serialMatches = false
        let flags = policy.anomaly.flags(record: record, fraudRisk: 0.7)
        #expect(flags.map(\.kind) == [.fraudRisk, .serialMismatch, .weightDeviation, .customerReturnRate])
        #expect(flags[2].reason.hasPrefix("weighs 41% less than declared"))
        #expect(flags[3].reason.contains("8 of 10"))
        #expect(policy.anomaly.flags(record: sampleRecord(), fraudRisk: 0.1).isEmpty)
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

    @Test("conditions round-trip through JSON")
    func conditionCoding() throws {
        let data = try JSONEncoder().encode(policy)
        let decoded = try JSONDecoder().decode(LanePolicy.self, from: data)
        #expect(decoded == policy)
    }
}
