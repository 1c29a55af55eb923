import ArgumentParser
import Foundation
import Hummingbird
import HummingbirdTesting
import RecoupCore
import RecoupScoring
import RecoupTestSupport
import RecoupTraining
import Testing

@testable import RecoupServer
@testable import RecoupStore
@testable import recoup

/// The data scientist's loop, end to end, with the commands and routes a user runs: export the inspected labels,
/// train on them plus the original data, compare, shadow the new bundle, read the monitor, promote, reload.
@Suite("The retraining loop")
struct RetrainingLoopTests {
    @Test("export-labels → train → evaluate --compare → shadow → monitor → promote → reload")
    func loop() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("recoup-loop-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let models = folder.appendingPathComponent("models")
        let current = try SmallModel.shared.bundle.write(into: models)
        try Data("small-test\n".utf8).write(to: models.appendingPathComponent("ACTIVE"))
        let database = folder.appendingPathComponent("recoup.sqlite")
        let server = try await TestServer.make(model: true, modelsDirectory: models, database: database)
        let holdout = folder.appendingPathComponent("holdout.csv")
        let held = SyntheticReturns.generate(rows: 400, seed: 44)
        try Data(ReturnRecord.csv(held.map(\.record), labels: held.map(\.labels))).write(to: holdout)

        try await server.app().test(.router) { client in
            // A season of returns comes in and is inspected.
            try await ingestAndInspect(SyntheticReturns.generate(rows: 300, seed: 41), server: server, client: client)

            // 1. export the labels the floor produced, 2. train on them plus the original data.
            let labels = folder.appendingPathComponent("labels.csv")
            let export = try #require(try Recoup.parseAsRoot(["export-labels", "--db", database.path, "--out", labels.path]) as? Recoup.ExportLabels)
            try await export.run()
            let exported = try String(contentsOf: labels, encoding: .utf8).split(separator: "\n")
            #expect(exported.count == 301)
            let original = String(
                decoding: ReturnRecord.csv(SmallModel.shared.data.map(\.record), labels: SmallModel.shared.data.map(\.labels)),
                as: UTF8.self
            )
            let combined = folder.appendingPathComponent("combined.csv")
            try Data((original + exported.dropFirst().joined(separator: "\n") + "\n").utf8).write(to: combined)
            let config = folder.appendingPathComponent("train.json")
            try Data(#"{"trees": {"rounds": 25, "maxLeaves": 8}, "budget_seconds": 0}"#.utf8).write(to: config)
            let train = try #require(
                try Recoup.parseAsRoot([
                    "train", "--data", combined.path, "--out", models.path, "--name", "retrained", "--config", config.path, "--quiet",
                ]) as? Recoup.Train
            )
            try train.run()
            let retrained = models.appendingPathComponent("retrained")
            #expect(try ModelBundle.load(from: retrained).trainingData.rows == SmallModel.shared.data.count + 300)

            // 3. compare the two bundles on held-out returns.
            let evaluate = try #require(
                try Recoup.parseAsRoot(["evaluate", "--model", retrained.path, "--compare", current.path, "--data", holdout.path, "--json"])
                    as? Recoup.Evaluate
            )
            try evaluate.run()

            // 4. shadow the new bundle while more returns are inspected, 5. read the monitor.
            try await client.execute(uri: "/v1/models/shadow", method: .post, headers: server.auth(.admin), body: try body(["version": "retrained"]))
            {
                #expect($0.status == .ok)
            }
            try await ingestAndInspect(SyntheticReturns.generate(rows: 240, seed: 43), server: server, client: client)
            try await client.execute(uri: "/v1/models/monitor?days=1", method: .get, headers: server.auth(.analyst)) { response in
                #expect(response.status == .ok)
                let comparison = (try json(response.body)["shadow_comparisons"] as? [[String: Any]])?.first
                #expect(comparison?["challenger"] as? String == "retrained")
                #expect(comparison?["items"] as? Int == 240)
                #expect(comparison?["status"] as? String == "ok")
            }

            // 6. promote (the gate compares both on the held-out returns), 7. reload: the new bundle serves.
            let promote = try #require(
                try Recoup.parseAsRoot(["promote", retrained.path, "--data", holdout.path, "--tolerance", "0.5"]) as? Recoup.Promote
            )
            try promote.run()
            #expect(try ModelBundle.activeVersion(in: models) == "retrained")
            try await client.execute(uri: "/v1/models/reload", method: .post, headers: server.auth(.admin)) {
                #expect($0.status == .ok)
                #expect(field($0.body, "version") as? String == "retrained")
                #expect(field($0.body, "previous") as? String == "small-test")
            }
            try await client.execute(uri: "/v1/models/shadow", method: .delete, headers: server.auth(.admin)) {
                #expect(field($0.body, "previous") as? String == "retrained")
            }
        }
    }
}
