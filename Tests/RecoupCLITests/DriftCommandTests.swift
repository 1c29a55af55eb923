import ArgumentParser
import Foundation
import RecoupCore
import RecoupScoring
import RecoupTestSupport
import RecoupTraining
import Testing

@testable import recoup

/// `recoup drift` end to end in process: the JSON object the issue documents, fields ordered by PSI.
@Suite("drift command")
struct DriftCommandTests {
    @Test("--json prints one object: model_version, rows, fields (by PSI, largest first) and predictions; --report writes a page")
    func json() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("recoup-drift-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let bundle = try SmallModel.shared.bundle.write(into: folder)
        let drifted = SyntheticReturns.generate(rows: 1_500, seed: 5, drift: true)
        let data = folder.appendingPathComponent("drifted.csv")
        try Data(ReturnRecord.csv(drifted.map(\.record))).write(to: data)
        let report = folder.appendingPathComponent("drift.html")
        let command = try #require(
            try Recoup.parseAsRoot(["drift", "--model", bundle.path, "--data", data.path, "--json", "--report", report.path]) as? Recoup.Drift
        )
        let scorer = Scorer(bundle: SmallModel.shared.bundle, policy: .default)
        let expected = try scorer.drift(drifted.map(\.record))
        let printed = try JSONSerialization.jsonObject(with: Data(try Recoup.Drift.json(expected).utf8)) as? [String: Any] ?? [:]
        try command.run()
        #expect(printed["model_version"] as? String == "small-test")
        #expect(printed["rows"] as? Int == 1_500)
        let fields = printed["fields"] as? [[String: Any]] ?? []
        #expect(fields.first.map { Set($0.keys) } == ["field", "psi", "severity", "missing_share", "reference_missing_share"])
        let psi = fields.compactMap { $0["psi"] as? Double }
        #expect(psi.count == fields.count && psi == psi.sorted(by: >))
        #expect(["moderate", "major"].contains(fields.first { $0["field"] as? String == "category" }?["severity"] as? String))
        let predictions = printed["predictions"] as? [[String: Any]] ?? []
        #expect(predictions.map { $0["head"] as? String ?? "" }.sorted() == ["disposition", "fraud_risk", "recovery_value"])
        let page = try String(contentsOf: report, encoding: .utf8)
        #expect(page.contains("Drift against model small-test") && page.contains("<svg"))
    }

    @Test("a bundle without a reference profile: a one-line error that says so")
    func noProfile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("recoup-drift-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var old = SmallModel.shared.bundle
        old.profile = nil
        let bundle = try old.write(into: folder)
        let data = folder.appendingPathComponent("data.csv")
        try Data(ReturnRecord.csv(SmallModel.shared.data.map(\.record))).write(to: data)
        let command = try #require(try Recoup.parseAsRoot(["drift", "--model", bundle.path, "--data", data.path]) as? Recoup.Drift)
        #expect {
            try command.run()
        } throws: {
            "\($0)".contains("has no reference profile")
        }
    }
}
