import Foundation
import Hummingbird
import HummingbirdTesting
import RecoupCore
import RecoupSQLite
import RecoupScoring
import RecoupService
import RecoupTestStores
import RecoupTestSupport
import RecoupTraining
import Testing

@testable import RecoupServer
@testable import RecoupStore

/// Contract JSON of generated records.
func recordJSON(_ record: ReturnRecord) -> String { String(decoding: record.json(), as: UTF8.self) }

@Suite("Ingest and scoring routes")
struct ReturnsRoutesTests {
    let records = SmallModel.shared.data.prefix(5).map(\.record)

    @Test("POST /v1/score: one record or a batch, in the contract's form; a bad record does not sink the good ones", arguments: Backend.enabled)
    func score(_ backend: Backend) async throws {
        let server = try await TestServer.make(backend: backend, model: true)
        try await server.app().test(.router) { client in
            try await client.execute(
                uri: "/v1/score",
                method: .post,
                headers: server.auth(.analyst),
                body: ByteBuffer(string: recordJSON(records[0]))
            ) { response in
                #expect(response.status == .ok)
                let results = field(response.body, "results") as? [[String: Any]] ?? []
                #expect(results.count == 1)
                #expect(results.first?["return_id"] as? String == records[0].returnID)
                #expect(results.first?["model_version"] as? String == "small-test")
                #expect(results.first?["reasons"] is [String])
            }
            var bad = recordJSON(records[2])
            bad = bad.replacingOccurrences(of: "\"unit_price\":", with: "\"unit_price\":\"NaN\",\"x\":")
            let batch = "{\"returns\":[\(recordJSON(records[1])),\(bad),\(recordJSON(records[3]))]}"
            try await client.execute(uri: "/v1/score", method: .post, headers: server.auth(.warehouse), body: ByteBuffer(string: batch)) { response in
                #expect(response.status == .ok)
                #expect(field(response.body, "scored") as? Int == 2)
                #expect(field(response.body, "failed") as? Int == 1)
                let results = field(response.body, "results") as? [[String: Any]] ?? []
                #expect(results.map { $0["return_id"] as? String } == [records[1].returnID, records[2].returnID, records[3].returnID])
                let error = results[1]["error"] as? [String: Any]
                #expect(error?["field"] as? String == "unit_price")
                #expect((error?["message"] as? String)?.contains(records[2].returnID) == true)
                #expect(results[2]["fraud_risk"] is Double)
            }
        }
    }

    @Test("POST /v1/returns stores, scores and queues; the same payload again is the same answer; another payload is 409", arguments: Backend.enabled)
    func ingestIdempotent(_ backend: Backend) async throws {
        let server = try await TestServer.make(backend: backend, model: true)
        try await server.app().test(.router) { client in
            let body = "{\"returns\":[\(recordJSON(records[0])),\(recordJSON(records[1]))]}"
            var first: [[String: Any]] = []
            try await client.execute(uri: "/v1/returns", method: .post, headers: server.auth(.warehouse), body: ByteBuffer(string: body)) {
                response in
                #expect(response.status == .ok)
                #expect(field(response.body, "accepted") as? Int == 2)
                first = field(response.body, "results") as? [[String: Any]] ?? []
            }
            try await client.execute(uri: "/v1/returns", method: .post, headers: server.auth(.warehouse), body: ByteBuffer(string: body)) {
                response in
                #expect(response.status == .ok)
                let again = field(response.body, "results") as? [[String: Any]] ?? []
                #expect(NSDictionary(dictionary: again[0]).isEqual(to: first[0]))
            }
            var changed = records[0]
            changed.unitPrice += 1
            try await client.execute(
                uri: "/v1/returns",
                method: .post,
                headers: server.auth(.warehouse),
                body: ByteBuffer(string: recordJSON(changed))
            ) { response in
                #expect(response.status == .conflict)
                #expect(errorField(response.body, "field") as? String == "return_id")
            }
            try await client.execute(uri: "/v1/returns/\(records[0].returnID)", method: .get, headers: server.auth(.risk)) { response in
                #expect(response.status == .ok)
                #expect((field(response.body, "record") as? [String: Any])?["return_id"] as? String == records[0].returnID)
                let queue = field(response.body, "queue") as? [String: Any]
                #expect(queue?["state"] as? String == "queued")
                // Why first: the terms of the rank key, and one sentence.
                let why = queue?["why_first"] as? [String: Any]
                #expect((why?["summary"] as? String)?.contains("a day in value") == true)
                #expect((why?["inspection_minutes"] as? Double ?? 0) > 0)
                #expect(why?["due_at"] is String && why?["refund_at"] is String)
                #expect((field(response.body, "assessment") as? [String: Any])?["lane"] is String)
                #expect(((field(response.body, "history") as? [[String: Any]]) ?? []).first?["kind"] as? String == "ingested")
            }
            try await client.execute(uri: "/v1/returns/nope", method: .get, headers: server.auth(.risk)) { #expect($0.status == .notFound) }
        }
    }

    @Test(
        "bad input is a 4xx naming the field, never a 500",
        arguments: [
            ("{\"returns\": [", 400, "", "malformed_json"),
            ("[]", 400, "returns", "invalid_input"),
            ("42", 400, "", "invalid_input"),
            ("{\"returns\": 5}", 400, "returns", "invalid_input"),
            ("{\"return_id\": \"R1\"}", 400, "order_id", "invalid_record"),
            ("{\"return_id\": \"\", \"unit_price\": \"abc\"}", 400, "return_id", "invalid_record"),
        ]
    )
    func badInput(body: String, status: Int, field: String, code: String) async throws {
        let server = try await TestServer.make(model: true)
        try await server.app().test(.router) { client in
            for uri in ["/v1/score", "/v1/returns"] {
                try await client.execute(uri: uri, method: .post, headers: server.auth(.warehouse), body: ByteBuffer(string: body)) { response in
                    #expect(Int(response.status.code) == status, "\(uri) \(body)")
                    #expect(errorField(response.body, "code") as? String == code, "\(uri) \(body)")
                    if !field.isEmpty { #expect(errorField(response.body, "field") as? String == field, "\(uri) \(body)") }
                }
            }
        }
    }

    @Test("too many records is a 413; no model loaded is a 503", arguments: Backend.enabled)
    func limits(_ backend: Backend) async throws {
        let server = try await TestServer.make(backend: backend, model: true) { $0.service.maxBatchRecords = 2 }
        try await server.app().test(.router) { client in
            let body = "{\"returns\":[" + records.prefix(3).map(recordJSON).joined(separator: ",") + "]}"
            try await client.execute(uri: "/v1/score", method: .post, headers: server.auth(.analyst), body: ByteBuffer(string: body)) { response in
                #expect(response.status == .contentTooLarge)
                #expect(errorField(response.body, "code") as? String == "too_many_records")
            }
        }
        let empty = try await TestServer.make(backend: backend, model: false)
        try await empty.app().test(.router) { client in
            try await client.execute(uri: "/v1/score", method: .post, headers: empty.auth(.analyst), body: ByteBuffer(string: recordJSON(records[0])))
            {
                #expect($0.status == .serviceUnavailable)
            }
        }
    }
}

@Suite("Model routes", .serialized)
struct ModelRoutesTests {
    @Test("reload swaps in a good bundle and re-scores the queue; a tampered one is refused and the old keeps serving", arguments: Backend.enabled)
    func reload(_ backend: Backend) async throws {
        let models = FileManager.default.temporaryDirectory.appendingPathComponent("recoup-models-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: models) }
        let bundle = SmallModel.shared.bundle
        var second = bundle
        second.version = "small-test-2"
        try second.write(into: models)
        var broken = bundle
        broken.version = "broken"
        let brokenFolder = try broken.write(into: models)
        try Data("{\"format_version\":1}".utf8).write(to: brokenFolder.appendingPathComponent("bundle.json"))
        try ModelBundle.setActive("small-test-2", in: models)

        let server = try await TestServer.make(backend: backend, model: true, modelsDirectory: models)
        let records = SmallModel.shared.data.prefix(3).map(\.record)
        try await server.app().test(.router) { client in
            let body = "{\"returns\":[" + records.map(recordJSON).joined(separator: ",") + "]}"
            try await client.execute(uri: "/v1/returns", method: .post, headers: server.auth(.warehouse), body: ByteBuffer(string: body)) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/v1/models/reload", method: .post, headers: server.auth(.analyst)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/v1/models/reload", method: .post, headers: server.auth(.admin)) { response in
                #expect(response.status == .ok)
                #expect(field(response.body, "version") as? String == "small-test-2")
                #expect(field(response.body, "previous") as? String == "small-test")
            }
            try await client.execute(
                uri: "/v1/models/reload",
                method: .post,
                headers: server.auth(.admin),
                body: ByteBuffer(string: #"{"version":"broken"}"#)
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect((errorField(response.body, "message") as? String)?.contains("checksum") == true)
            }
            try await client.execute(uri: "/v1/models", method: .get, headers: server.auth(.analyst)) { response in
                #expect(response.status == .ok)
                let serving = field(response.body, "serving") as? [String: Any]
                #expect(serving?["version"] as? String == "small-test-2")
                #expect(field(response.body, "active") as? String == "small-test-2")
                #expect(field(response.body, "available") as? [String] == ["broken", "small-test-2"])
            }
        }
        // The background re-scoring moves every queued item to the new model.
        for _ in 0..<100 {
            let pending = try await server.dependencies.database.returnsToReassess(notScoredBy: "small-test-2", limit: 10, now: server.clock.now)
            if pending.isEmpty { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try await server.dependencies.database.returnsToReassess(notScoredBy: "small-test-2", limit: 10, now: server.clock.now).isEmpty)
    }
}
