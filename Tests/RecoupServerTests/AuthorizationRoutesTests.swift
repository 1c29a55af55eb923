import Foundation
import Hummingbird
import HummingbirdTesting
import RecoupCore
import RecoupFeatures
import RecoupScoring
import RecoupService
import RecoupTestSupport
import Testing

@testable import RecoupServer
@testable import RecoupStore

@Suite("Authorization routes")
struct AuthorizationRoutesTests {
    let records = SmallModel.shared.data.prefix(6).map(\.record)

    /// A request: the record without its receipt fields.
    func request(_ i: Int) -> ReturnRecord { records[i].removing(FeatureSpec.defaultReceiptFields) }

    /// The decision a lone request gets from a server with `policy`.
    func decide(_ record: ReturnRecord, policy: GovernancePolicy) async throws -> [String: Any] {
        let server = try await TestServer.make(model: true, governance: policy)
        let text = try await server.app().test(.router) { client in
            try await client.execute(
                uri: "/v1/authorizations",
                method: .post,
                headers: server.auth(.warehouse),
                body: ByteBuffer(string: recordJSON(record))
            ) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                return String(buffer: response.body)
            }
        }
        let answer = try json(ByteBuffer(string: text))
        #expect(answer["status"] as? String == "decided")
        return answer["authorization"] as? [String: Any] ?? [:]
    }

    @Test("every decision path: deny, manual review, keep it, approve with each refund timing")
    func decisionPaths() async throws {
        var late = request(0)
        late.returnRequestedDate = late.orderDate + 45
        let denied = try await decide(late, policy: .default)
        #expect(denied["decision"] as? String == "deny")
        #expect(denied["refund_timing"] is NSNull)
        #expect((denied["reasons"] as? [String])?.first?.contains("45 days") == true)

        var strict = GovernancePolicy.default
        strict.approval = .init(maxRefund: 0.5, maxFraudRisk: 1)
        strict.refundAtFirstScan = .init(maxRefund: 0.5, maxFraudRisk: 1)
        let reviewed = try await decide(request(1), policy: strict)
        #expect(reviewed["decision"] as? String == "manual_review")
        #expect(reviewed["refund_timing"] as? String == "after_inspection")

        var costly = GovernancePolicy.default
        costly.handlingCost = .init(default: 1_000_000)
        costly.keepIt = .init(maxRefund: 1_000_000, maxFraudRisk: 1)
        costly.approval = .init(maxRefund: 1_000_000, maxFraudRisk: 1)
        let kept = try await decide(request(2), policy: costly)
        #expect(kept["decision"] as? String == "keep_it")
        #expect(kept["refund_timing"] is NSNull)
        let money = try #require(kept["money"] as? [String: Any])
        #expect(money["handling_cost"] as? Double == 1_000_000)
        let net = try #require(money["net"] as? [String: Any])
        let refund = records[2].unitPrice * Double(records[2].quantity)
        #expect(abs((net["keep_it"] as? Double ?? 0) + refund) < 0.006)

        var generous = GovernancePolicy.default
        generous.shippingCostDefault = 0
        generous.handlingCost = .init(default: 0)
        generous.approval = .init(maxRefund: 1_000_000, maxFraudRisk: 1)
        generous.refundAtFirstScan = .init(maxRefund: 1_000_000, maxFraudRisk: 1)
        var free = request(3)
        free.shippingCostBack = 0
        let fast = try await decide(free, policy: generous)
        #expect(fast["decision"] as? String == "approve_return")
        #expect(fast["refund_timing"] as? String == "at_first_scan")
        generous.refundAtFirstScan = .init(maxRefund: 0, maxFraudRisk: 0)
        let slow = try await decide(free, policy: generous)
        #expect(slow["decision"] as? String == "approve_return")
        #expect(slow["refund_timing"] as? String == "after_inspection")
        // Every decision is taken at the request stage, on the request-stage scores it shows.
        for answer in [denied, reviewed, kept, fast, slow] {
            #expect(answer["stage"] as? String == "request")
            #expect((answer["assessment"] as? [String: Any])?["stage"] as? String == "request")
        }
    }

    @Test("idempotent on return_id: the same request answers the stored decision, another is a 409; a batch reports each")
    func idempotent() async throws {
        let server = try await TestServer.make(model: true)
        try await server.app().test(.router) { client in
            let body = ByteBuffer(string: recordJSON(request(0)))
            let firstText = try await client.execute(uri: "/v1/authorizations", method: .post, headers: server.auth(.risk), body: body) {
                response in
                #expect(response.status == .ok)
                return String(buffer: response.body)
            }
            let first = try json(ByteBuffer(string: firstText))
            try await client.execute(uri: "/v1/authorizations", method: .post, headers: server.auth(.warehouse), body: body) { response in
                #expect(response.status == .ok)
                let again = try json(response.body)
                #expect(again["status"] as? String == "duplicate")
                #expect(
                    NSDictionary(dictionary: again["authorization"] as! [String: Any])
                        == NSDictionary(dictionary: first["authorization"] as! [String: Any])
                )
                #expect(again["decided_at"] as? String == first["decided_at"] as? String)
            }
            var changed = request(0)
            changed.unitPrice += 1
            try await client.execute(
                uri: "/v1/authorizations",
                method: .post,
                headers: server.auth(.warehouse),
                body: ByteBuffer(string: recordJSON(changed))
            ) { response in
                #expect(response.status == .conflict)
                #expect(errorField(response.body, "field") as? String == "return_id")
            }
            let lone = recordJSON(request(5)).replacingOccurrences(of: "\"unit_price\":", with: "\"unit_price\":-3,\"x\":")
            try await client.execute(uri: "/v1/authorizations", method: .post, headers: server.auth(.warehouse), body: ByteBuffer(string: lone)) {
                response in
                #expect(response.status == .badRequest)
                #expect(errorField(response.body, "field") as? String == "unit_price")
            }
            let bad = recordJSON(request(2)).replacingOccurrences(of: "\"quantity\":", with: "\"quantity\":0,\"x\":")
            let batch = "{\"returns\":[\(recordJSON(changed)),\(recordJSON(request(1))),\(bad),\(recordJSON(request(0)))]}"
            try await client.execute(uri: "/v1/authorizations", method: .post, headers: server.auth(.warehouse), body: ByteBuffer(string: batch)) {
                response in
                #expect(response.status == .ok)
                let answer = try json(response.body)
                #expect(answer["decided"] as? Int == 1 && answer["duplicates"] as? Int == 1)
                #expect(answer["conflicts"] as? Int == 1 && answer["invalid"] as? Int == 1)
                let results = answer["results"] as? [[String: Any]] ?? []
                #expect(results.map { $0["status"] as? String } == ["conflict", "decided", "invalid", "duplicate"])
                #expect((results[2]["error"] as? [String: Any])?["field"] as? String == "quantity")
            }
        }
    }

    @Test("GET: 404 before a decision; once the item arrives, its receipt-stage assessment is linked to the decision")
    func linkedOnArrival() async throws {
        let server = try await TestServer.make(model: true)
        let id = records[4].returnID
        try await server.app().test(.router) { client in
            try await client.execute(uri: "/v1/authorizations/\(id)", method: .get, headers: server.auth(.risk)) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(
                uri: "/v1/authorizations",
                method: .post,
                headers: server.auth(.warehouse),
                body: ByteBuffer(string: recordJSON(request(4)))
            ) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/authorizations/\(id)", method: .get, headers: server.auth(.warehouse)) { response in
                #expect(response.status == .ok)
                let answer = try json(response.body)
                #expect(answer["receipt"] is NSNull)
                #expect(answer["decided_by"] as? String != nil)
            }
            // The item arrives with its receipt fields: scored at the receipt stage and linked.
            try await client.execute(
                uri: "/v1/returns",
                method: .post,
                headers: server.auth(.warehouse),
                body: ByteBuffer(string: recordJSON(records[4]))
            ) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/authorizations/\(id)", method: .get, headers: server.auth(.risk)) { response in
                let answer = try json(response.body)
                let receipt = try #require(answer["receipt"] as? [String: Any])
                #expect(receipt["queue_state"] as? String == "queued")
                #expect((receipt["assessment"] as? [String: Any])?["stage"] as? String == "receipt")
                #expect((answer["authorization"] as? [String: Any])?["stage"] as? String == "request")
            }
            try await client.execute(uri: "/v1/returns/\(id)", method: .get, headers: server.auth(.warehouse)) { response in
                let detail = try json(response.body)
                #expect((detail["authorization"] as? [String: Any])?["return_id"] as? String == id)
                let kinds = (detail["history"] as? [[String: Any]])?.compactMap { $0["kind"] as? String } ?? []
                #expect(kinds.prefix(2) == ["authorized", "ingested"])
            }
        }
    }

    @Test("POST /v1/score: ?stage= picks the stage; a record without receipt fields is scored at the request stage")
    func scoreStage() async throws {
        let server = try await TestServer.make(model: true)
        try await server.app().test(.router) { client in
            let batch = ByteBuffer(string: "{\"returns\":[\(recordJSON(records[0])),\(recordJSON(request(1)))]}")
            for (query, expected) in [
                ("", ["receipt", "request"]), ("?stage=request", ["request", "request"]), ("?stage=receipt", ["receipt", "receipt"]),
            ] {
                try await client.execute(uri: "/v1/score\(query)", method: .post, headers: server.auth(.analyst), body: batch) { response in
                    #expect(response.status == .ok)
                    let results = field(response.body, "results") as? [[String: Any]] ?? []
                    #expect(results.map { $0["stage"] as? String } == expected, "\(query)")
                }
            }
            try await client.execute(uri: "/v1/score?stage=arrival", method: .post, headers: server.auth(.analyst), body: batch) { response in
                #expect(response.status == .badRequest)
                #expect(errorField(response.body, "field") as? String == "stage")
            }
        }
        // A bundle without a request stage: ?stage=request and authorizations are refused, naming why.
        var bundle = SmallModel.shared.bundle
        bundle.requestStage = nil
        let old = try await TestServer.make(model: true)
        _ = old.dependencies.service.models.swap(
            ServingModel(scorer: Scorer(bundle: bundle, policy: .default), policy: .default, loadedAt: old.clock.now)
        )
        try await old.app().test(.router) { client in
            try await client.execute(
                uri: "/v1/score?stage=request",
                method: .post,
                headers: old.auth(.analyst),
                body: ByteBuffer(string: recordJSON(records[0]))
            ) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(
                uri: "/v1/authorizations",
                method: .post,
                headers: old.auth(.warehouse),
                body: ByteBuffer(string: recordJSON(request(0)))
            ) { response in
                #expect(response.status == .serviceUnavailable)
                #expect((errorField(response.body, "message") as? String)?.contains("no request stage") == true)
            }
        }
    }
}
