import Foundation
import Hummingbird
import HummingbirdTesting
import RecoupCore
import RecoupInsights
import RecoupTraining
import Testing

@testable import RecoupServer
@testable import RecoupStore

/// `GET /v1/insights/root-causes` and `GET /v1/insights/leakage` over ingested returns: the same findings as
/// `recoup insights` computes offline on the same records.
@Suite("Insights routes")
struct InsightsRoutesTests {
    @Test("root causes over the store equal the offline computation on the same returns; the planted channel is found")
    func rootCausesMatchOffline() async throws {
        let server = try await TestServer.make(model: true)
        let generated = SyntheticReturns.generate(rows: 2_000, seed: 21, plantProblems: true)
        let records = generated.map(\.record)
        try await server.app().test(.router) { client in
            for start in stride(from: 0, to: records.count, by: 500) {
                let batch = records[start..<min(start + 500, records.count)].map(recordJSON).joined(separator: ",")
                try await client.execute(uri: "/v1/returns", method: .post, headers: server.auth(.admin), body: ByteBuffer(string: "[\(batch)]")) {
                    #expect($0.status == .ok)
                    #expect(field($0.body, "accepted") as? Int == min(500, records.count - start))
                }
            }
            let offline = RootCauses.find(in: records.map { ReturnFacts(record: $0, labels: nil) }, by: [.channel, .category]).findings
            var online: [[String: Any]] = []
            for dimension in ["channel", "category"] {
                try await client.execute(uri: "/v1/insights/root-causes?dimension=\(dimension)&days=30", method: .get, headers: server.auth(.analyst))
                {
                    #expect($0.status == .ok)
                    #expect(field($0.body, "tests") as? Int ?? 0 > 0)
                    online += field($0.body, "root_causes") as? [[String: Any]] ?? []
                }
            }
            // One request per dimension controls the FDR per dimension; offline here did both at once, so compare
            // each dimension's findings with an offline run of that dimension alone.
            for dimension in [InsightDimension.channel, .category] {
                let alone = RootCauses.find(in: records.map { ReturnFacts(record: $0, labels: nil) }, by: [dimension]).findings
                let served = online.filter { $0["dimension"] as? String == dimension.rawValue }
                #expect(served.map { "\($0["value"]!) \($0["reason"]!)" } == alone.map { "\($0.value) \($0.reason)" }, "\(dimension)")
                for (s, o) in zip(served, alone) {
                    #expect(abs((s["q_value"] as? Double ?? -1) - o.qValue) <= 1e-12 * max(1, o.qValue))
                    #expect(abs((s["money_at_stake"] as? Double ?? -1) - o.moneyAtStake) <= 1e-6 * max(1, o.moneyAtStake))
                }
            }
            #expect(offline.contains { $0.value == "marketplace" && $0.reason == "damaged_in_transit" })
            #expect(online.contains { $0["value"] as? String == "marketplace" && $0["reason"] as? String == "damaged_in_transit" })

            try await client.execute(uri: "/v1/insights/leakage?by=reason", method: .get, headers: server.auth(.risk)) {
                #expect($0.status == .ok)
                let rows = field($0.body, "rows") as? [[String: Any]] ?? []
                #expect(rows.reduce(0) { $0 + ($1["returns"] as? Int ?? 0) } == records.count)
                #expect(rows.allSatisfy { $0["inspected"] as? Int == 0 })  // nothing inspected yet
            }
            // Repeat returners: the store's customer counts give the offline findings.
            let repeatOffline = RootCauses.repeatReturners(in: records.map { ReturnFacts(record: $0, labels: nil) })
            try await client.execute(uri: "/v1/insights/repeat-returners", method: .get, headers: server.auth(.risk)) {
                #expect($0.status == .ok)
                let served = field($0.body, "repeat_returners") as? [[String: Any]] ?? []
                #expect(served.map { $0["customer_id"] as? String ?? "" } == repeatOffline.map(\.customerID))
                #expect(zip(served, repeatOffline).allSatisfy { abs(($0["q_value"] as? Double ?? -1) - $1.qValue) <= 1e-12 })
            }
            // Cycle times: every return's request-to-receipt days, per warehouse and arrival lane; nothing claimed yet.
            try await client.execute(uri: "/v1/insights/cycle-times?days=7", method: .get, headers: server.auth(.analyst)) {
                #expect($0.status == .ok)
                let rows = field($0.body, "rows") as? [[String: Any]] ?? []
                let stages = rows.flatMap { $0["stages"] as? [[String: Any]] ?? [] }
                #expect(stages.allSatisfy { $0["stage"] as? String == CycleStage.requestedToReceived.rawValue })
                #expect(stages.reduce(0) { $0 + ($1["count"] as? Int ?? 0) } == records.count)
                #expect(Set(rows.map { $0["warehouse_id"] as? String ?? "" }) == Set(records.map(\.warehouseID)))
            }
            for query in ["q=2", "q=x"] {
                try await client.execute(uri: "/v1/insights/repeat-returners?\(query)", method: .get, headers: server.auth(.analyst)) {
                    #expect($0.status == .badRequest, "\(query)")
                }
            }
            try await client.execute(uri: "/v1/insights/cycle-times?days=-1", method: .get, headers: server.auth(.analyst)) {
                #expect($0.status == .badRequest)
            }
            for query in ["dimension=colour", "days=0", "days=abc", "q=1", "q=0"] {
                try await client.execute(uri: "/v1/insights/root-causes?\(query)", method: .get, headers: server.auth(.analyst)) {
                    #expect($0.status == .badRequest, "\(query)")
                    #expect(errorField($0.body, "field") as? String == String(query.split(separator: "=")[0]), "\(query)")
                }
            }
            try await client.execute(uri: "/v1/insights/leakage?by=month", method: .get, headers: server.auth(.analyst)) {
                #expect($0.status == .badRequest)
                #expect(errorField($0.body, "field") as? String == "by")
            }
        }
    }
}
