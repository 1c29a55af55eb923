internal import Foundation
internal import Hummingbird
internal import RecoupScoring
internal import RecoupService
internal import RecoupStore

extension ModelMonitor: ResponseEncodable {}

/// `GET /v1/models`, `POST /v1/models/reload`, the monitor and the shadow challenger.
struct ModelsController {
    let dependencies: ServerDependencies

    var service: ReturnsService { dependencies.service }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.group().add(middleware: Authorize(dependencies.service.keys, .analyst)).get("models", use: list)
        group.group().add(middleware: Authorize(dependencies.service.keys)).post("models/reload", use: reload)
        group.group().add(middleware: Authorize(dependencies.service.keys, .analyst)).get("models/monitor", use: monitor)
        let shadow = group.group().add(middleware: Authorize(dependencies.service.keys))
        shadow.post("models/shadow", use: startShadow)
        shadow.delete("models/shadow", use: stopShadow)
    }

    /// The largest `min_rows` the monitor takes.
    static let maxMinRows = 1_000_000_000

    /// The query parameters of the monitor.
    static let monitorQuery: [QueryParameter] = [.days, .minRows]

    @Sendable func monitor(request: Request, context: AppRequestContext) async throws -> ModelMonitor {
        let days = try InsightsController.days(request) ?? 7
        var minRows: Int?
        if let raw = request.query(.minRows) {
            guard let value = Int(String(raw)), (1...Self.maxMinRows).contains(value) else {
                throw APIError.badRequest("min_rows must be an integer in 1...\(Self.maxMinRows), got \"\(raw)\"", field: "min_rows")
            }
            minRows = value
        }
        return try await serviceCall { try await service.monitor(days: days, minRows: minRows) }
    }

    struct ShadowRequest: Decodable {
        var version: String
        enum CodingKeys: String, CodingKey, CaseIterable { case version }
    }

    struct ShadowResponse: ResponseEncodable {
        var shadow: String?
        var previous: String?
    }

    @Sendable func startShadow(request: Request, context: AppRequestContext) async throws -> ShadowResponse {
        let body = try await request.collectBody(limit: dependencies.configuration.limits.maxSmallBodyBytes)
        let version = try decodeJSONBody(ShadowRequest.self, from: body).version
        let started = try await serviceCall { try await service.startShadow(version: version) }
        return ShadowResponse(shadow: started.version, previous: started.previous)
    }

    @Sendable func stopShadow(request: Request, context: AppRequestContext) async throws -> ShadowResponse {
        ShadowResponse(shadow: nil, previous: service.stopShadow())
    }

    /// Whether a bundle is serving.
    enum ServingStatus: String, Encodable {
        case loaded
        case notLoaded = "not_loaded"
    }

    struct ModelsResponse: ResponseEncodable {
        struct Head: Encodable {
            var learner: String
            var reason: String
            var metrics: [String: Double]
            /// The metrics on the bundle's held-out test split.
            var test: [String: Double]?
        }
        struct Serving: Encodable {
            var status: ServingStatus
            var version: String?
            var loadedAt: Date?
            var heads: [String: Head]?
            /// The request stage's heads (for returns not yet received); `nil` for a bundle trained before stages.
            var requestHeads: [String: Head]?
        }
        /// A bundle of the models folder with its held-out test metrics per head, or why it cannot be read.
        struct Bundle: Encodable {
            var version: String
            var createdAt: Date?
            var test: [String: [String: Double]]?
            var problem: String?
        }
        var serving: Serving
        var active: String?
        var available: [String]
        var bundles: [Bundle]
    }

    @Sendable func list(request: Request, context: AppRequestContext) async throws -> ModelsResponse {
        let (current, active, available) = service.modelsOverview()
        func heads(_ summaries: [String: HeadSummary]?) -> [String: ModelsResponse.Head]? {
            summaries?.mapValues { ModelsResponse.Head(learner: $0.learner, reason: $0.reason, metrics: $0.metrics, test: $0.test) }
        }
        return ModelsResponse(
            serving: .init(
                status: current.scorer == nil ? .notLoaded : .loaded,
                version: current.version,
                loadedAt: current.loadedAt,
                heads: heads(current.scorer?.bundle.headSummaries),
                requestHeads: heads(current.scorer?.bundle.requestStage?.summaries)
            ),
            active: active,
            available: available,
            bundles: await service.bundleOverviews().map {
                ModelsResponse.Bundle(version: $0.version, createdAt: $0.createdAt, test: $0.heads?.compactMapValues(\.test), problem: $0.problem)
            }
        )
    }

    struct ReloadRequest: Decodable {
        var version: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case version }
    }

    struct ReloadResponse: ResponseEncodable {
        var version: String
        var previous: String?
        var reassessing: Int
    }

    @Sendable func reload(request: Request, context: AppRequestContext) async throws -> ReloadResponse {
        let body = try await request.collectBody(limit: dependencies.configuration.limits.maxSmallBodyBytes)
        let version =
            body.allSatisfy({ $0 == 0x20 || $0 == 0x0A }) ? nil : try decodeJSONBody(ReloadRequest?.self, from: body)?.version
        let swap = try await serviceCall { try await service.loadModel(version: version) }
        return ReloadResponse(version: swap.version, previous: swap.previous, reassessing: swap.reassessing)
    }
}
