internal import Crypto
internal import Foundation
internal import Hummingbird
internal import Prometheus
internal import RecoupCore
internal import RecoupScoring
internal import RecoupStore

/// Receiving and scoring: `POST /v1/returns` (validate, score, store, enqueue), `POST /v1/score` (stateless) and
/// `GET /v1/returns/{id}`.
struct ReturnsController {
    let dependencies: ServerDependencies

    func register(on group: RouterGroup<AppRequestContext>) {
        group.group().add(middleware: RequireRole(.warehouse)).post("returns", use: ingest)
        group.group().add(middleware: RequireRole(.warehouse, .risk, .analyst)).post("score", use: score)
        group.group().add(middleware: RequireRole(.warehouse, .risk, .analyst)).get("returns/:id", use: detail)
    }

    /// The records of a request body, in input order: parsed ones and failures.
    struct Records {
        var single: Bool
        var count: Int
        var batch: ReturnBatch
    }

    func readRecords(_ request: Request) async throws -> Records {
        let limits = dependencies.configuration.limits
        let bytes = Array(try await request.collectBody(limit: limits.maxBodyBytes))
        let document: JSONValue
        do {
            document = try JSONValue.parse(bytes)
        } catch {
            throw APIError(.badRequest, code: "malformed_json", message: error.description)
        }
        let elements: [JSONValue]
        var single = false
        switch document {
        case .object where document["returns"] != nil:
            guard case .array(let items) = document["returns"]! else {
                throw APIError.badRequest("returns must be an array of return records", field: "returns")
            }
            elements = items
        case .object:
            elements = [document]
            single = true
        case .array(let items):
            elements = items
        default:
            throw APIError.badRequest("the body must be a return record or {\"returns\": [...]}, got \(document.kindName)")
        }
        guard !elements.isEmpty else { throw APIError.badRequest("returns is empty", field: "returns") }
        guard elements.count <= limits.maxBatchRecords else {
            throw APIError(
                .contentTooLarge, code: "too_many_records",
                message: "\(elements.count) records in one request; the limit is \(limits.maxBatchRecords)", field: "returns")
        }
        return Records(single: single, count: elements.count, batch: ReturnJSONReader.read(elements: elements, labels: .ignore, single: single))
    }

    func scorer() throws -> Scorer {
        guard let scorer = dependencies.models.current.scorer else {
            throw APIError(.serviceUnavailable, code: "no_model", message: "no model is loaded; POST /v1/models/reload after training one")
        }
        return scorer
    }

    // MARK: POST /v1/score

    @Sendable func score(request: Request, context: AppRequestContext) async throws -> Response {
        let explain = try Self.explain(request)
        let scorer = try scorer()
        let records = try await readRecords(request)
        if records.single, let error = records.batch.errors.first {
            dependencies.metrics.rejectedRecords.increment()
            throw APIError(error)
        }
        let start = ContinuousClock.now
        let assessments = scorer.assess(records.batch.records, explain: explain)
        dependencies.metrics.scoringLatency.recordNanoseconds((ContinuousClock.now - start).nanoseconds)
        dependencies.metrics.scoredRecords.increment(by: Int64(assessments.count))
        dependencies.metrics.rejectedRecords.increment(by: Int64(records.count - assessments.count))
        var results = [String?](repeating: nil, count: records.count)
        for (parsed, a) in zip(records.batch.returns, assessments) { results[parsed.position.index] = ScoredOutput.json(a) }
        for (position, errors) in Self.grouped(records.batch.errors) { results[position] = Self.failure(errors) }
        let body = "{\"model_version\":" + JSONText.string(scorer.version) + ",\"scored\":\(assessments.count),\"failed\":\(records.count - assessments.count),\"results\":["
            + results.map { $0 ?? "null" }.joined(separator: ",") + "]}"
        return .json(body)
    }

    // MARK: POST /v1/returns

    @Sendable func ingest(request: Request, context: AppRequestContext) async throws -> Response {
        let scorer = try scorer()
        let records = try await readRecords(request)
        if records.single, let error = records.batch.errors.first {
            dependencies.metrics.rejectedRecords.increment()
            throw APIError(error)
        }
        let parsed = records.batch.returns
        let assessments = scorer.assess(parsed.map(\.record))
        let items = zip(parsed, assessments).map { p, a in
            NewReturn(record: p.record, payloadHash: Self.payloadHash(p.record), assessment: StoredAssessment(a, record: p.record, policy: scorer.policy))
        }
        let outcomes = try await dependencies.database.ingest(items, now: dependencies.clock(), actor: context.identity?.actor)
        var results = [String?](repeating: nil, count: records.count)
        var accepted = 0
        var conflicts = 0
        for (p, outcome) in zip(parsed, outcomes) {
            let id = JSONText.string(p.record.returnID)
            switch outcome {
            case .created(let payload), .duplicate(let payload):
                accepted += 1
                results[p.position.index] = "{\"return_id\":\(id),\"status\":\"accepted\",\"assessment\":" + String(decoding: payload, as: UTF8.self) + "}"
            case .conflict:
                conflicts += 1
                results[p.position.index] = "{\"return_id\":\(id),\"status\":\"conflict\",\"error\":"
                    + Self.detail(code: "conflict", message: "return \(p.record.returnID) was already received with a different payload", field: "return_id", record: p.record.returnID) + "}"
            }
        }
        let invalid = records.count - parsed.count
        for (position, errors) in Self.grouped(records.batch.errors) {
            results[position] = Self.failure(errors, status: "invalid")
        }
        dependencies.metrics.ingestedRecords.increment(by: Int64(accepted))
        dependencies.metrics.rejectedRecords.increment(by: Int64(invalid))
        if records.single, conflicts == 1 {
            throw APIError(.conflict, code: "conflict", message: "return \(parsed[0].record.returnID) was already received with a different payload", field: "return_id", record: parsed[0].record.returnID)
        }
        let body = "{\"accepted\":\(accepted),\"conflicts\":\(conflicts),\"invalid\":\(invalid),\"results\":[" + results.map { $0 ?? "null" }.joined(separator: ",") + "]}"
        return .json(body)
    }

    // MARK: GET /v1/returns/{id}

    @Sendable func detail(request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.path("id")
        let detail = try await storeCall { try await dependencies.database.detail(returnID: id, now: dependencies.clock()) }
        let encoder = AppRequestContext.encoder
        func encoded(_ value: some Encodable) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        let body = "{\"record\":" + detail.record.jsonObject()
            + ",\"assessment\":" + String(decoding: detail.assessment, as: UTF8.self)
            + ",\"queue\":" + (try detail.queue.map(encoded) ?? "null")
            + ",\"inspection\":" + (try detail.inspection.map(encoded) ?? "null")
            + ",\"history\":" + (try encoded(detail.history)) + "}"
        return .json(body)
    }

    // MARK: Helpers

    /// The `explain` query parameter: `true` (the default) or `false`; anything else is a 400 rather than a guess.
    static func explain(_ request: Request) throws -> Bool {
        guard let raw = request.uri.queryParameters["explain"] else { return true }
        switch raw {
        case "true": return true
        case "false": return false
        default: throw APIError.badRequest("explain must be true or false, got \"\(raw)\"", field: "explain")
        }
    }

    /// SHA-256 of the record's canonical contract JSON: the same record sent twice (keys in any order, numbers
    /// written differently) has the same hash.
    static func payloadHash(_ record: ReturnRecord) -> String {
        SHA256.hash(data: Data(record.jsonObject().utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Errors grouped by record position (batch index), in order.
    static func grouped(_ errors: [RecordError]) -> [(Int, [RecordError])] {
        var order: [Int] = []
        var byPosition: [Int: [RecordError]] = [:]
        for e in errors {
            let i = e.position.index
            if byPosition[i] == nil { order.append(i) }
            byPosition[i, default: []].append(e)
        }
        return order.map { ($0, byPosition[$0]!) }
    }

    static func failure(_ errors: [RecordError], status: String? = nil) -> String {
        let details = errors.map { detail(code: "invalid_record", message: $0.description, field: $0.field, record: $0.returnID ?? $0.position.description) }
        return "{\"return_id\":" + (errors.first?.returnID.map(JSONText.string) ?? "null")
            + (status.map { ",\"status\":\"\($0)\"" } ?? "")
            + ",\"error\":" + details[0] + ",\"errors\":[" + details.joined(separator: ",") + "]}"
    }

    static func detail(code: String, message: String, field: String?, record: String?) -> String {
        "{\"code\":" + JSONText.string(code) + ",\"message\":" + JSONText.string(message)
            + ",\"field\":" + (field.map(JSONText.string) ?? "null") + ",\"record\":" + (record.map(JSONText.string) ?? "null") + "}"
    }
}

extension RecordPosition {
    /// The index of a record in its request (0 for a lone record).
    var index: Int {
        switch self {
        case .index(let i): i
        case .line(let l): max(0, l - 2)
        case .single: 0
        }
    }
}

extension APIError {
    /// A record's first error as a 400 naming the field and the record.
    init(_ error: RecordError) {
        self.init(.badRequest, code: "invalid_record", message: error.description, field: error.field, record: error.returnID ?? error.position.description)
    }
}

extension Response {
    /// A JSON response from already-encoded text.
    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

extension Duration {
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
