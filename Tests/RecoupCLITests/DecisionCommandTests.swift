import ArgumentParser
import Foundation
import RecoupCore
import RecoupScoring
import RecoupTestSupport
import Testing

@testable import recoup

/// The governance policy at start, and `recoup replay --decisions`.
@Suite("decision commands")
struct DecisionCommandTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("recoup-decisions-\(UUID().uuidString)")

    func file(_ name: String, _ text: String) throws -> String {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test(
        "serve refuses a bad governance policy at start, naming the key, before it opens anything",
        arguments: [
            ("{\"format_version\": 1, \"keep_it\": {\"max_refund\": 50, \"max_fraud_risk\": 0.1, \"max_risk\": 0.1}}", "keep_it.max_risk"),
            ("{\"format_version\": 1, \"handling_cost\": {\"default\": -1}}", "handling_cost.default"),
            (
                "{\"format_version\": 1, \"return_windows\": [{\"channel\": \"web\", \"days\": 30}, {\"category\": \"toys\", \"days\": 20}]}",
                "return_windows"
            ),
        ]
    )
    func badPolicyRefused(policy: String, named: String) async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try file("governance.json", policy)
        let db = folder.appendingPathComponent("never.sqlite").path
        let serve = try #require(try Recoup.parseAsRoot(["serve", "--db", db, "--governance-policy", path, "--port", "0"]) as? Recoup.Serve)
        do {
            try await serve.run()
            Issue.record("serve started with \(policy)")
        } catch {
            #expect("\(error)".contains(named), "\(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: db))
    }

    @Test("replay --decisions prints each strategy's money; --capacity belongs to the queue replay")
    func replayDecisions() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let bundle = try SmallModel.shared.bundle.write(into: folder)
        let rows = SmallModel.shared.data.prefix(200)
        let data = try file("rows.csv", String(decoding: ReturnRecord.csv(rows.map(\.record), labels: rows.map(\.labels)), as: UTF8.self))
        let replay = try #require(
            try Recoup.parseAsRoot(["replay", "--decisions", "--data", data, "--model", bundle.path, "--json"]) as? Recoup.Replay
        )
        try replay.run()
        #expect(throws: (any Error).self) { try Recoup.parseAsRoot(["replay", "--decisions", "--capacity", "5", "--data", data]) }
        #expect(throws: (any Error).self) { try Recoup.parseAsRoot(["replay", "--data", data]) }
    }
}
