import Foundation
import RecoupCore
import RecoupScoring
import RecoupService
import RecoupStore
import RecoupTestSupport
import Testing

/// A JSON object's text with sorted keys (to compare answers).
func canonical(_ object: [String: Any]) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
}

@Suite("Scoring and ingest use cases")
struct ScoringUseCaseTests {
    @Test("a batch scored in parts on the thread pool answers exactly as its records scored one by one, in order")
    func partsAgreeWithSingles() async throws {
        let service = try makeService()
        let records = SmallModel.shared.data.prefix(600).map(\.record)
        let batch = try json(try await service.score(body(records), explain: true).json)
        let results = batch["results"] as? [[String: Any]] ?? []
        #expect(results.count == 600)
        #expect(batch["scored"] as? Int == 600)
        for i in stride(from: 0, to: 600, by: 37) {
            let single = try json(try await service.score(records[i].json(), explain: true).json)
            let one = (single["results"] as? [[String: Any]])?.first ?? [:]
            #expect(try canonical(one) == canonical(results[i]), "record \(i)")
        }
    }

    @Test("bad records in a batch are answered in their place; the good ones are stored and queued")
    func badRecordsInPlace() async throws {
        let service = try makeService()
        var records = SmallModel.shared.data.prefix(300).map(\.record)
        records[150].returnID = ""
        var text = String(decoding: body(records), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"return_id\":\"\"", with: "\"return_id\":null")
        let answer = try json(try await service.ingest(Array(text.utf8), actor: "dock").json)
        #expect(answer["accepted"] as? Int == 299)
        #expect(answer["invalid"] as? Int == 1)
        let results = answer["results"] as? [[String: Any]] ?? []
        #expect(results.count == 300)
        #expect(results[150]["status"] as? String == "invalid")
        #expect((results[150]["error"] as? [String: Any])?["field"] as? String == "return_id")
        #expect(results[151]["return_id"] as? String == records[151].returnID)
        #expect(try await service.summary().returns == 299)
    }

    @Test("a lone bad record is refused with its first error; no model is a refusal too")
    func refusals() async throws {
        let service = try makeService()
        await #expect { try await service.score(Array(#"{"return_id": "x"}"#.utf8), explain: true) } throws: {
            ($0 as? ServiceError)?.code == .invalidRecord
        }
        await #expect { try await service.score(Array("[]".utf8), explain: true) } throws: { ($0 as? ServiceError)?.field == "returns" }
        await #expect { try await service.score(Array("{".utf8), explain: true) } throws: { ($0 as? ServiceError)?.code == .malformedJSON }
        let empty = try makeService(model: false)
        await #expect { try await empty.ingest(SmallModel.shared.data[0].record.json(), actor: nil) } throws: {
            ($0 as? ServiceError)?.code == .noModel
        }
    }
}
