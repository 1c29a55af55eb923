import Foundation
import Hummingbird
import HummingbirdTesting
import RecoupCore
import RecoupLearning
import RecoupScoring
import RecoupTestSupport
import RecoupTraining
import Testing

@testable import RecoupServer
@testable import RecoupStore

/// Ingests labelled returns, then claims and inspects every one through the API with its true labels.
func ingestAndInspect(_ rows: [LabelledReturn], server: TestServer, client: some TestClientProtocol) async throws {
    let batch = rows.map { recordJSON($0.record) }.joined(separator: ",")
    try await client.execute(uri: "/v1/returns", method: .post, headers: server.auth(.warehouse), body: ByteBuffer(string: "[\(batch)]")) {
        #expect($0.status == .ok)
        #expect(field($0.body, "accepted") as? Int == rows.count)
    }
    let labels = Dictionary(uniqueKeysWithValues: rows.map { ($0.record.returnID, $0.labels) })
    var inspected = 0
    for warehouse in Set(rows.map(\.record.warehouseID)).sorted() {
        for lane in LanePolicy.default.lanes.map(\.name.rawValue) {
            while true {
                var token = ""
                var ids: [String] = []
                try await client.execute(
                    uri: "/v1/lanes/\(lane)/claims",
                    method: .post,
                    headers: server.auth(.warehouse),
                    body: try body(["warehouse_id": warehouse, "station_id": "S1", "count": 100])
                ) { response in
                    let claim = try json(response.body)
                    token = claim["token"] as? String ?? ""
                    ids = (claim["items"] as? [[String: Any]] ?? []).compactMap { $0["return_id"] as? String }
                }
                if ids.isEmpty { break }
                for id in ids {
                    let truth = try #require(labels[id])
                    try await client.execute(
                        uri: "/v1/returns/\(id)/inspection",
                        method: .post,
                        headers: server.auth(.warehouse),
                        body: try body([
                            "claim_token": token, "disposition": truth.disposition.rawValue, "recovery_value": truth.recoveryValue,
                            "fraud_confirmed": truth.fraudFlag,
                        ])
                    ) { #expect($0.status == .ok) }
                    inspected += 1
                }
            }
        }
    }
    #expect(inspected == rows.count)
}

@Suite("Model monitor routes")
struct MonitorRoutesTests {
    @Test("live accuracy from inspections through the API equals recoup evaluate on the same records, to 1e-6; drift equals the offline table")
    func liveAccuracyEqualsEvaluate() async throws {
        let server = try await TestServer.make(model: true)
        let rows = SyntheticReturns.generate(rows: 260, seed: 31)
        let scorer = Scorer(bundle: SmallModel.shared.bundle, policy: .default)
        let evaluation = Evaluation(scorer: scorer, rows: rows)
        let offline = try scorer.drift(rows.map(\.record), minRows: 100)
        try await server.app().test(.router) { client in
            try await client.execute(uri: "/v1/models/monitor", method: .get, headers: server.auth(.analyst)) { response in
                #expect(response.status == .ok)
                let live = try json(response.body)["live"] as? [[String: Any]] ?? []
                #expect(live.first?["status"] as? String == "not_enough_labels")
            }
            try await ingestAndInspect(rows, server: server, client: client)
            try await client.execute(uri: "/v1/models/monitor?days=1&min_rows=100", method: .get, headers: server.auth(.analyst)) { response in
                #expect(response.status == .ok)
                let monitor = try json(response.body)
                let live = try #require((monitor["live"] as? [[String: Any]])?.first)
                #expect(live["model_version"] as? String == "small-test")
                #expect(live["labels"] as? Int == rows.count)
                #expect(live["status"] as? String == "ok")
                let heads = live["heads"] as? [[String: Any]] ?? []
                func metric(_ head: String, _ name: String) -> Double? {
                    (heads.first { $0["head"] as? String == head }?["live"] as? [String: Double])?[name]
                }
                let expected: [(String, String, Double)] = [
                    ("disposition", "accuracy", evaluation.disposition.accuracy), ("disposition", "macro_f1", evaluation.disposition.macroF1),
                    ("disposition", "log_loss", evaluation.disposition.logLoss), ("fraud", "pr_auc", evaluation.fraud.prAUC),
                    ("fraud", "roc_auc", evaluation.fraud.rocAUC), ("fraud", "log_loss", evaluation.fraud.logLoss),
                    ("recovery", "mae", evaluation.recovery.mae), ("recovery", "rmse", evaluation.recovery.rmse),
                    ("recovery", "r2", evaluation.recovery.r2), ("recovery", "interval_coverage", evaluation.intervalCoverage),
                ]
                for (head, name, value) in expected {
                    let served = try #require(metric(head, name), "\(head) \(name)")
                    #expect(abs(served - value) <= 1e-6, "\(head) \(name): served \(served), evaluate \(value)")
                }
                #expect(heads.allSatisfy { $0["held_out"] != nil && $0["degraded"] is Bool })
                #expect((live["fraud_calibration"] as? [[String: Any]])?.count == 10)

                let drift = try #require((monitor["drift"] as? [[String: Any]])?.first)
                #expect(drift["role"] as? String == "serving")
                let report = try #require(drift["report"] as? [String: Any])
                #expect(report["rows"] as? Int == rows.count)
                #expect(report["status"] as? String == "ok")
                let fields = report["fields"] as? [[String: Any]] ?? []
                #expect(fields.map { $0["field"] as? String ?? "" } == offline.fields.map(\.name))
                for (served, computed) in zip(fields, offline.fields) {
                    #expect(abs((served["psi"] as? Double ?? -1) - computed.psi!) <= 1e-6, "\(computed.name)")
                }
            }
            // The monitor's numbers are Prometheus gauges too.
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains(#"recoup_monitor_psi{model="small-test",role="serving",head="inputs"}"#))
                #expect(text.contains(#"recoup_monitor_live_metric{model="small-test",head="fraud",metric="pr_auc"}"#))
            }
        }
    }

    @Test("a shadow challenger scores every ingested return beside the champion and is compared on the same inspected items")
    func shadowChallenger() async throws {
        let models = FileManager.default.temporaryDirectory.appendingPathComponent("recoup-shadow-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: models) }
        let challenger = try SmallModel.train(rows: 800, seed: 2, version: "challenger").bundle
        try challenger.write(into: models)
        var old = challenger
        old.version = "no-profile"
        old.profile = nil
        try old.write(into: models)
        let server = try await TestServer.make(model: true, modelsDirectory: models)
        let rows = SyntheticReturns.generate(rows: 220, seed: 32)
        try await server.app().test(.router) { client in
            try await client.execute(uri: "/v1/models/shadow", method: .post, headers: server.auth(.admin), body: try body(["version": "nope"])) {
                #expect($0.status == .notFound)
            }
            try await client.execute(
                uri: "/v1/models/shadow",
                method: .post,
                headers: server.auth(.analyst),
                body: try body(["version": "challenger"])
            ) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/v1/models/shadow", method: .post, headers: server.auth(.admin), body: try body(["version": "challenger"]))
            {
                #expect($0.status == .ok)
                #expect(field($0.body, "shadow") as? String == "challenger")
            }
            try await ingestAndInspect(rows, server: server, client: client)
            try await client.execute(uri: "/v1/models/monitor?min_rows=100", method: .get, headers: server.auth(.admin)) { response in
                #expect(response.status == .ok)
                let monitor = try json(response.body)
                #expect(monitor["shadow_version"] as? String == "challenger")
                let comparison = try #require((monitor["shadow_comparisons"] as? [[String: Any]])?.first)
                #expect(comparison["champion"] as? String == "small-test")
                #expect(comparison["challenger"] as? String == "challenger")
                #expect(comparison["items"] as? Int == rows.count)
                let deltas = comparison["deltas"] as? [String: Double] ?? [:]
                #expect(Set(deltas.keys) == ["disposition.macro_f1", "fraud.pr_auc", "recovery.r2"])
                // Where the two disagree, at most one is right; the counts add up.
                let d = comparison["disagreements"] as? [String: Int] ?? [:]
                #expect(d["items"] == (d["champion_right"] ?? -1) + (d["challenger_right"] ?? -1) + (d["neither_right"] ?? -1))
                // The challenger's deltas are its own metrics minus the champion's on the same items.
                let challengerF1 = (comparison["challenger_metrics"] as? [[String: Any]])?.first?["metrics"] as? [String: Double]
                let championF1 = (comparison["champion_metrics"] as? [[String: Any]])?.first?["metrics"] as? [String: Double]
                #expect(abs((challengerF1?["macro_f1"] ?? 0) - (championF1?["macro_f1"] ?? 0) - (deltas["disposition.macro_f1"] ?? 1)) < 1e-12)
                // Both models' profiles counted every ingested return.
                let drift = monitor["drift"] as? [[String: Any]] ?? []
                #expect(drift.map { $0["role"] as? String } == ["serving", "shadow"])
                #expect(drift.allSatisfy { ($0["report"] as? [String: Any])?["rows"] as? Int == rows.count })
            }
            // The champion's queue was never touched by the challenger: every item was inspected under the champion.
            try await client.execute(uri: "/v1/returns/\(rows[0].record.returnID)", method: .get, headers: server.auth(.analyst)) {
                #expect((field($0.body, "assessment") as? [String: Any])?["model_version"] as? String == "small-test")
            }
            try await client.execute(uri: "/v1/models/shadow", method: .post, headers: server.auth(.admin), body: try body(["version": "no-profile"]))
            {
                #expect($0.status == .ok)
                #expect(field($0.body, "previous") as? String == "challenger")
            }
            try await client.execute(uri: "/v1/models/monitor", method: .get, headers: server.auth(.analyst)) { response in
                let drift = try json(response.body)["drift"] as? [[String: Any]] ?? []
                let shadow = drift.first { $0["role"] as? String == "shadow" }
                #expect(shadow?["profile"] as? String == "missing")
                #expect((shadow?["message"] as? String)?.contains("no reference profile") == true)
            }
            try await client.execute(uri: "/v1/models/shadow", method: .delete, headers: server.auth(.admin)) {
                #expect($0.status == .ok)
                #expect(field($0.body, "previous") as? String == "no-profile")
            }
            try await client.execute(uri: "/v1/models/monitor?min_rows=0", method: .get, headers: server.auth(.analyst)) {
                #expect($0.status == .badRequest)
                #expect(errorField($0.body, "field") as? String == "min_rows")
            }
        }
    }
}
