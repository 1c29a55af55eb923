internal import Foundation
internal import Hummingbird
internal import RecoupCore
internal import RecoupService
internal import RecoupStore

/// Receiving and scoring: `POST /v1/returns` (validate, score, store, enqueue), `POST /v1/score` (stateless) and
/// `GET /v1/returns/{id}`.
struct ReturnsController {
    let dependencies: ServerDependencies

    var service: ReturnsService { dependencies.service }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.group().add(middleware: Authorize(dependencies.service.keys, .warehouse)).post("returns", use: ingest)
        group.group().add(middleware: Authorize(dependencies.service.keys, .warehouse, .risk, .analyst)).post("score", use: score)
        group.group().add(middleware: Authorize(dependencies.service.keys, .warehouse, .risk, .analyst)).get("returns/:id", use: detail)
    }

    @Sendable func score(request: Request, context: AppRequestContext) async throws -> Response {
        let explain = try Self.explain(request)
        let stage = try Self.stage(request)
        _ = try serviceCheck { try service.scorer(stage: stage) }  // 503 before reading a body there is no model to score
        let body = try await request.collectBody(limit: dependencies.configuration.limits.maxBodyBytes)
        return .json(try await serviceCall { try await service.score(body, explain: explain, stage: stage) }.json)
    }

    @Sendable func ingest(request: Request, context: AppRequestContext) async throws -> Response {
        _ = try serviceCheck { try service.scorer() }
        let body = try await request.collectBody(limit: dependencies.configuration.limits.maxBodyBytes)
        return .json(try await serviceCall { try await service.ingest(body, actor: context.identity?.actor) }.json)
    }

    @Sendable func detail(request: Request, context: AppRequestContext) async throws -> Response {
        let view = try await serviceCall { try await service.detail(returnID: context.parameters.path("id")) }
        let encoder = AppRequestContext.encoder
        var writer = JSONWriter(reservingCapacity: 4096)
        writer.raw("{\"record\":")
        writer.raw(view.recordJSON)
        writer.raw(",\"assessment\":")
        writer.raw(view.assessmentJSON)
        writer.raw(",\"queue\":")
        if let queue = view.queue { writer.raw(try encoder.encode(QueueDTO(queue))) } else { writer.raw("null") }
        writer.raw(",\"inspection\":")
        if let inspection = view.inspection { writer.raw(try encoder.encode(inspection)) } else { writer.raw("null") }
        writer.raw(",\"history\":")
        writer.raw(try encoder.encode(view.history))
        writer.raw(",\"authorization\":")
        if let authorization = view.authorization { writer.raw(authorization.payload) } else { writer.raw("null") }
        writer.raw("}")
        return .json(writer.bytes)
    }

    /// The query parameters of `POST /v1/score`.
    static let scoreQuery: [QueryParameter] = [.explain, .stage]

    /// The `explain` query parameter: `true` (the default) or `false`; anything else is a 400 rather than a guess.
    static func explain(_ request: Request) throws -> Bool {
        guard let raw = request.query(.explain) else { return true }
        switch raw {
        case "true": return true
        case "false": return false
        default: throw APIError.badRequest("explain must be true or false, got \"\(raw)\"", field: "explain")
        }
    }

    /// The `stage` query parameter: `request`, `receipt`, or absent (each record's stage from what it carries).
    static func stage(_ request: Request) throws -> ScoringStage? {
        guard let raw = request.query(.stage) else { return nil }
        guard let stage = ScoringStage(rawValue: String(raw)) else {
            throw APIError.badRequest("stage must be request or receipt, got \"\(raw)\"", field: "stage")
        }
        return stage
    }
}

extension Response {
    /// A JSON response from already-encoded bytes.
    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
