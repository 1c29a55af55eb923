import ArgumentParser
import Foundation
import RecoupCore
import RecoupScoring
import RecoupTestSupport
import Testing

@testable import recoup

/// `recoup score` end to end in process: a CSV with a bad row, both output formats, rows in input order.
@Suite("score command")
struct ScoreCommandTests {
    @Test("CSV and JSON output: one row per input row, the bad one with its error, in input order")
    func formats() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("recoup-score-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let bundleFolder = try SmallModel.shared.bundle.write(into: folder)
        let records = SmallModel.shared.data.prefix(30).map(\.record)
        var text = String(decoding: ReturnRecord.csv(records), as: UTF8.self)
        // Line 12 (the 11th record) gets a quantity of zero.
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let columns = lines[0].split(separator: ",").map(String.init)
        let quantity = try #require(columns.firstIndex(of: "quantity"))
        var fields = lines[11].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        fields[quantity] = "0"
        lines[11] = fields.joined(separator: ",")
        text = lines.joined(separator: "\n")
        let input = folder.appendingPathComponent("in.csv")
        try Data(text.utf8).write(to: input)

        let csvOut = folder.appendingPathComponent("out.csv")
        let csv = try #require(
            try Recoup.parseAsRoot(["score", "--model", bundleFolder.path, "--data", input.path, "--out", csvOut.path]) as? Recoup.Score
        )
        try csv.run()
        let written = try ReturnCSVReaderRows.rows(try String(contentsOf: csvOut, encoding: .utf8))
        #expect(written.count == 31)
        #expect(written[0] == ScoredOutput.csvHeader)
        #expect(written[1...].map { $0[0] } == records.map(\.returnID))
        #expect(written[11].last?.contains("quantity") == true)
        #expect(written[1].last == "")

        let jsonOut = folder.appendingPathComponent("out.json")
        let json = try #require(
            try Recoup.parseAsRoot(["score", "--model", bundleFolder.path, "--data", input.path, "--format", "json", "--out", jsonOut.path])
                as? Recoup.Score
        )
        try json.run()
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: jsonOut)) as? [String: Any])
        #expect(answer["scored"] as? Int == 29 && answer["failed"] as? Int == 1)
        let results = try #require(answer["results"] as? [[String: Any]])
        #expect(results.map { $0["return_id"] as? String } == records.map(\.returnID))
        #expect((results[10]["error"] as? [String: Any])?["field"] as? String == "quantity")
        #expect(results[0]["model_version"] as? String == SmallModel.shared.bundle.version)
    }
}

/// Splits simple CSV (no quoted commas or line breaks in the fields these tests read) into rows of fields.
enum ReturnCSVReaderRows {
    static func rows(_ text: String) throws -> [[String]] {
        text.split(separator: "\n").map { line in
            var fields: [String] = []
            var field = ""
            var quoted = false
            for c in line {
                if c == "\"" {
                    quoted.toggle()
                } else if c == ",", !quoted {
                    fields.append(field)
                    field = ""
                } else {
                    field.append(c)
                }
            }
            fields.append(field)
            return fields
        }
    }
}
