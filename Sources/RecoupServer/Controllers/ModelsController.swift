internal import Foundation
internal import Hummingbird
internal import RecoupScoring
internal import RecoupService
internal import RecoupStore

/// `GET /v1/models` and `POST /v1/models/reload`.
struct ModelsController {
    let dependencies: ServerDependencies

    var service: ReturnsService { dependencies.service }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.group().add(middleware: RequireRole(.analyst)).get("models", use: list)
        group.group().add(middleware: RequireRole()).post("models/reload", use: reload)
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
        }
        var serving: Serving
        var active: String?
        var available: [String]
    }

    @Sendable func list(request: Request, context: AppRequestContext) async throws -> ModelsResponse {
        let (current, active, available) = service.modelsOverview()
        let heads = current.scorer?.bundle.headSummaries.mapValues {
            ModelsResponse.Head(learner: $0.learner, reason: $0.reason, metrics: $0.metrics, test: $0.test)
        }
        return ModelsResponse(
            serving: .init(
                status: current.scorer == nil ? .notLoaded : .loaded,
                version: current.version,
                loadedAt: current.loadedAt,
                heads: heads
            ),
            active: active,
            available: available
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
