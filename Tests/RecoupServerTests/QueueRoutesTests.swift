import Foundation
import Hummingbird
import HummingbirdTesting
import RecoupCore
import RecoupSQLite
import RecoupService
import RecoupTestStores
import Testing

@testable import RecoupServer
@testable import RecoupStore

/// Seeds the queue directly through the store (scoring is exercised by the ingest tests).
func seed(_ server: TestServer, ids: [String], lane: LaneName = "standard", anomaly: Bool = false) async throws {
    let items = ids.enumerated().map { i, id in
        let record = ReturnRecord(
            returnID: id,
            orderID: "O",
            customerID: "C",
            sku: "S",
            category: "apparel",
            brandTier: "mid",
            channel: "web",
            warehouseID: "WH1",
            paymentMethod: "paypal",
            unitPrice: 50,
            quantity: 1,
            orderDate: Day(year: 2025, month: 1, day: 1)!,
            returnRequestedDate: Day(year: 2025, month: 1, day: 3)!,
            reasonCode: .changedMind
        )
        let urgency = Double(ids.count - i)
        return NewReturn(
            record: record,
            recordJSON: record.json(),
            payloadHash: "h-\(id)",
            assessment: StoredAssessment(
                modelVersion: "test",
                disposition: .restockNew,
                fraudRisk: anomaly ? 0.9 : 0.01,
                recoveryValue: 40,
                lane: lane,
                rank: .unexplained(key: urgency, serviceLevelHours: 72, enqueuedAt: server.clock.now),
                anomalies: anomaly ? [AnomalyFlag(kind: .serialMismatch, reason: "serial number does not match")] : [],
                exposure: anomaly ? 45 : 0.5,
                payload: Data(
                    """
                    {"return_id":"\(id)","disposition":"restock_new","p_restock_new":1,"fraud_risk":\(anomaly ? 0.9 : 0.01),\
                    "recovery_value":40,"recovery_value_low":30,"recovery_value_high":50,"lane":"\(lane.rawValue)","reasons":[],\
                    "model_version":"test"}
                    """.utf8
                ),
                predictions: .certain(.restockNew, fraudRisk: anomaly ? 0.9 : 0.01, recoveryValue: 40)
            )
        )
    }
    _ = try await server.dependencies.database.ingest(items, now: server.clock.now, actor: "test")
}

@Suite("Queue routes: lanes, claims, leases, inspections")
struct QueueRoutesTests {
    @Test("claim the top items, extend, release, claim again and complete an inspection", arguments: Backend.enabled)
    func claimFlow(_ backend: Backend) async throws {
        let server = try await TestServer.make(backend: backend)
        try await seed(server, ids: ["A", "B", "C"])
        try await server.app().test(.router) { client in
            var token = ""
            try await client.execute(
                uri: "/v1/lanes/standard/claims",
                method: .post,
                headers: server.auth(.warehouse),
                body: try body(["warehouse_id": "WH1", "station_id": "S1", "count": 2, "lease_seconds": 60])
            ) { response in
                #expect(response.status == .ok)
                let claim = try json(response.body)
                token = claim["token"] as? String ?? ""
                let items = claim["items"] as? [[String: Any]] ?? []
                #expect(items.compactMap { $0["return_id"] as? String } == ["A", "B"])
            }
            try await client.execute(uri: "/v1/lanes?warehouse=WH1", method: .get, headers: server.auth(.analyst)) { response in
                #expect(response.status == .ok)
                let lanes = try json(response.body)["lanes"] as? [[String: Any]] ?? []
                let standard = lanes.first { $0["lane"] as? String == "standard" }
                #expect(standard?["depth"] as? Int == 3)
                #expect(standard?["leased"] as? Int == 2)
                #expect(lanes.count == 6)
            }
            try await client.execute(
                uri: "/v1/claims/\(token)/extend",
                method: .post,
                headers: server.auth(.warehouse),
                body: try body(["lease_seconds": 600])
            ) { response in
                #expect(response.status == .ok)
                #expect(field(response.body, "return_ids") as? [String] == ["A", "B"])
            }
            server.clock.advance(120)  // past the first lease, within the extension
            try await client.execute(
                uri: "/v1/returns/A/inspection",
                method: .post,
                headers: server.auth(.warehouse),
                body: try body([
                    "claim_token": token, "grade": "a", "disposition": "open_box", "recovery_value": 33.5, "fraud_confirmed": false,
                ])
            ) { response in
                #expect(response.status == .ok)
                #expect(field(response.body, "state") as? String == "completed")
            }
            try await client.execute(uri: "/v1/claims/\(token)/release", method: .post, headers: server.auth(.warehouse)) { response in
                #expect(response.status == .ok)
                #expect(field(response.body, "released") as? [String] == ["B"])
            }
            try await client.execute(
                uri: "/v1/returns/A/inspection",
                method: .post,
                headers: server.auth(.warehouse),
                body: try body(["claim_token": token, "disposition": "open_box", "recovery_value": 1, "fraud_confirmed": false])
            ) { response in
                #expect(response.status == .conflict)
            }
            try await client.execute(uri: "/v1/summary", method: .get, headers: server.auth(.analyst)) { response in
                #expect(response.status == .ok)
                let summary = try json(response.body)
                #expect(summary["inspected"] as? Int == 1)
                #expect(summary["returns"] as? Int == 3)
            }
        }
    }

    @Test("an expired lease puts the item back: another station gets it, the late inspection is a 409", arguments: Backend.enabled)
    func leaseExpiry(_ backend: Backend) async throws {
        let server = try await TestServer.make(backend: backend)
        try await seed(server, ids: ["A"])
        try await server.app().test(.router) { client in
            let claimBody = { (station: String) in try body(["warehouse_id": "WH1", "station_id": station, "count": 1, "lease_seconds": 30]) }
            var first = ""
            try await client.execute(uri: "/v1/lanes/standard/claims", method: .post, headers: server.auth(.warehouse), body: try claimBody("S1")) {
                first = try json($0.body)["token"] as? String ?? ""
            }
            try await client.execute(uri: "/v1/lanes/standard/claims", method: .post, headers: server.auth(.warehouse), body: try claimBody("S2")) {
                #expect((field($0.body, "items") as? [Any])?.isEmpty == true)
            }
            server.clock.advance(31)
            try await client.execute(uri: "/v1/lanes/standard/claims", method: .post, headers: server.auth(.warehouse), body: try claimBody("S2")) {
                #expect(((field($0.body, "items") as? [[String: Any]]) ?? []).first?["return_id"] as? String == "A")
            }
            try await client.execute(
                uri: "/v1/returns/A/inspection",
                method: .post,
                headers: server.auth(.warehouse),
                body: try body(["claim_token": first, "disposition": "outlet", "recovery_value": 5, "fraud_confirmed": false])
            ) { response in
                #expect(response.status == .conflict)
                let error = try json(response.body)["error"] as? [String: Any]
                #expect((error?["message"] as? String)?.contains("not leased under claim token") == true)
            }
        }
    }

    @Test(
        "bad claim and inspection input is a 4xx naming the field",
        arguments: [
            ("/v1/lanes/nowhere/claims", #"{"warehouse_id":"WH1","station_id":"S","count":1}"#, 404, "lane"),
            ("/v1/lanes/standard/claims", #"{"warehouse_id":"WH1","station_id":"S","count":0}"#, 400, "count"),
            ("/v1/lanes/standard/claims", #"{"warehouse_id":"WH1","station_id":"S","count":"two"}"#, 400, "count"),
            ("/v1/lanes/standard/claims", #"{"warehouse_id":"WH1","count":1}"#, 400, "station_id"),
            ("/v1/lanes/standard/claims", #"{"warehouse_id":"WH1","station_id":"S","count":1,"lease_seconds":1e9}"#, 400, "lease_seconds"),
            ("/v1/lanes/standard/claims", #"{"warehouse_id":"#, 400, ""),
            ("/v1/returns/A/inspection", #"{"claim_token":"t","disposition":"burn","recovery_value":1,"fraud_confirmed":false}"#, 400, "disposition"),
            (
                "/v1/returns/A/inspection", #"{"claim_token":"t","disposition":"outlet","recovery_value":-1,"fraud_confirmed":false}"#, 400,
                "recovery_value"
            ),
            (
                "/v1/returns/A/inspection", #"{"claim_token":"t","disposition":"outlet","recovery_value":1,"fraud_confirmed":"yes"}"#, 400,
                "fraud_confirmed"
            ),
            ("/v1/returns/ZZ/inspection", #"{"claim_token":"t","disposition":"outlet","recovery_value":1,"fraud_confirmed":false}"#, 404, ""),
        ]
    )
    func badInput(uri: String, payload: String, status: Int, field: String) async throws {
        let server = try await TestServer.make()
        try await seed(server, ids: ["A"])
        try await server.app().test(.router) { client in
            try await client.execute(uri: uri, method: .post, headers: server.auth(.warehouse), body: ByteBuffer(string: payload)) { response in
                #expect(Int(response.status.code) == status)
                let error = try json(response.body)["error"] as? [String: Any]
                #expect(error?["message"] is String)
                if !field.isEmpty { #expect(error?["field"] as? String == field) }
            }
        }
    }

    @Test("an oversized body is a 413")
    func oversized() async throws {
        let server = try await TestServer.make { $0.limits.maxSmallBodyBytes = 100 }
        try await server.app().test(.router) { client in
            let big = #"{"warehouse_id":"WH1","station_id":""# + String(repeating: "x", count: 500) + #"","count":1}"#
            try await client.execute(uri: "/v1/lanes/standard/claims", method: .post, headers: server.auth(.warehouse), body: ByteBuffer(string: big))
            {
                #expect($0.status == .contentTooLarge)
            }
        }
    }
}

@Suite("Anomaly review routes")
struct AnomalyRoutesTests {
    @Test("the risk team lists flags with reasons and exposure, reviews them, and a closed flag cannot be reviewed again", arguments: Backend.enabled)
    func review(_ backend: Backend) async throws {
        let server = try await TestServer.make(backend: backend)
        try await seed(server, ids: ["F1"], lane: "risk_review", anomaly: true)
        try await seed(server, ids: ["N1"])
        try await server.app().test(.router) { client in
            try await client.execute(uri: "/v1/anomalies?status=open&min_risk=0.5", method: .get, headers: server.auth(.risk)) { response in
                #expect(response.status == .ok)
                let items = try json(response.body)["anomalies"] as? [[String: Any]] ?? []
                #expect(items.map { $0["return_id"] as? String } == ["F1"])
                #expect(items.first?["reasons"] as? [String] == ["serial number does not match"])
                #expect(items.first?["exposure"] as? Double == 45)
            }
            try await client.execute(
                uri: "/v1/anomalies/F1/review",
                method: .post,
                headers: server.auth(.risk),
                body: try body(["decision": "confirmed_fraud", "note": "serial swapped"])
            ) { response in
                #expect(response.status == .ok)
                #expect(field(response.body, "status") as? String == "confirmed_fraud")
            }
            try await client.execute(
                uri: "/v1/anomalies/F1/review",
                method: .post,
                headers: server.auth(.risk),
                body: try body(["decision": "dismissed"])
            ) { #expect($0.status == .conflict) }
            try await client.execute(
                uri: "/v1/anomalies/N1/review",
                method: .post,
                headers: server.auth(.risk),
                body: try body(["decision": "dismissed"])
            ) { #expect($0.status == .notFound) }
            try await client.execute(
                uri: "/v1/anomalies/F1/review",
                method: .post,
                headers: server.auth(.risk),
                body: try body(["decision": "maybe"])
            ) { response in
                #expect(response.status == .badRequest)
                #expect(errorField(response.body, "field") as? String == "decision")
            }
            try await client.execute(uri: "/v1/anomalies?min_risk=2", method: .get, headers: server.auth(.risk)) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(uri: "/v1/anomalies?status=weird", method: .get, headers: server.auth(.risk)) {
                #expect($0.status == .badRequest)
            }
        }
    }
}
