package import Foundation
internal import Hummingbird
internal import RecoupCore
internal import RecoupService
internal import RecoupStore

/// Open routes: `GET /healthz` (liveness, with what the service runs on), `GET /readyz` (can it serve now),
/// `GET /metrics` (Prometheus) and `GET /openapi.yaml`.
struct HealthController {
    let dependencies: ServerDependencies

    func register(on router: Router<AppRequestContext>) {
        router.get("healthz", use: health)
        router.get("readyz", use: ready)
        router.get("metrics", use: metrics)
        router.get("openapi.yaml", use: openAPI)
    }

    /// Whether a dependency is usable.
    enum Status: String, Codable {
        case ok
        case degraded
        case error
    }

    struct Health: ResponseEncodable {
        struct DatabaseInfo: Codable {
            var status: Status
            var path: String
            var journalMode: String?
            var engine: StoreEngine?
            var engineVersion: String?
            /// The SQLite version (absent on PostgreSQL; `engine_version` says the same for both).
            var sqliteVersion: String?
            var migrations: Int?
            var error: String?
        }
        struct ModelInfo: Encodable {
            var status: ModelsController.ServingStatus
            var version: String?
            var loadedAt: Date?
        }
        var status: Status
        var version: String
        var database: DatabaseInfo
        var model: ModelInfo
    }

    var service: ReturnsService { dependencies.service }

    /// Whether the store answers within `limit`: a database that does not answer is not ready, and a load balancer's
    /// health check must not wait for the pool's own timeouts.
    private func storeAnswers(within limit: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await service.storeStatus()) != nil }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            defer { group.cancelAll() }
            return await group.next() ?? false
        }
    }

    @Sendable func health(request: Request, context: AppRequestContext) async throws -> Health {
        let databaseInfo: Health.DatabaseInfo
        do {
            let status = try await service.storeStatus()
            databaseInfo = .init(
                status: .ok,
                path: status.location,
                journalMode: status.journalMode,
                engine: status.engine,
                engineVersion: status.engineVersion,
                sqliteVersion: status.engine == .sqlite ? status.engineVersion : nil,
                migrations: status.appliedMigrations.count
            )
        } catch {
            databaseInfo = .init(status: .error, path: service.store.location, error: "\(error)")
        }
        let model = service.models.current
        return Health(
            status: databaseInfo.status == .ok ? .ok : .degraded,
            version: RecoupVersion.current,
            database: databaseInfo,
            model: .init(status: model.version == nil ? .notLoaded : .loaded, version: model.version, loadedAt: model.loadedAt)
        )
    }

    /// Ready when the database answers within 2 s and a model is loaded.
    @Sendable func ready(request: Request, context: AppRequestContext) async throws -> Response {
        var ready = service.models.current.version != nil
        if ready { ready = await storeAnswers(within: .seconds(2)) }
        return Response(
            status: ready ? .ok : .serviceUnavailable,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: ready ? #"{"ready":true}"# : #"{"ready":false}"#))
        )
    }

    @Sendable func metrics(request: Request, context: AppRequestContext) async throws -> Response {
        try await service.refreshGauges()
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4"],
            body: .init(byteBuffer: ByteBuffer(bytes: dependencies.metricsText()))
        )
    }

    @Sendable func openAPI(request: Request, context: AppRequestContext) async throws -> Response {
        guard let data = OpenAPIDocument.data else {
            throw APIError(.notFound, code: "not_found", message: "openapi.yaml is not bundled")
        }
        return Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// The OpenAPI document bundled with the server (`openapi.yaml` at the repository root links to it).
package enum OpenAPIDocument {
    package static let data: Data? = Bundle.module.url(forResource: "openapi", withExtension: "yaml").flatMap {
        try? Data(contentsOf: $0)
    }
}
