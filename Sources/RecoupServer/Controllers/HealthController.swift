package import Foundation
internal import Hummingbird
internal import Prometheus
internal import RecoupScoring
internal import RecoupCore
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

    struct Health: ResponseEncodable {
        struct DatabaseInfo: Codable {
            var status: String
            var path: String
            var journalMode: String?
            var sqliteVersion: String?
            var migrations: Int?
            var error: String?
        }
        struct ModelInfo: Codable {
            var status: String
            var version: String?
            var loadedAt: Date?
        }
        var status: String
        var version: String
        var database: DatabaseInfo
        var model: ModelInfo
    }

    @Sendable func health(request: Request, context: AppRequestContext) async throws -> Health {
        let databaseInfo: Health.DatabaseInfo
        do {
            let status = try await dependencies.database.status()
            databaseInfo = .init(
                status: "ok", path: status.path, journalMode: status.journalMode, sqliteVersion: status.sqliteVersion,
                migrations: status.appliedMigrations.count)
        } catch {
            databaseInfo = .init(status: "error", path: dependencies.database.path, error: "\(error)")
        }
        let model = dependencies.models.current
        return Health(
            status: databaseInfo.status == "ok" ? "ok" : "degraded",
            version: RecoupVersion.current,
            database: databaseInfo,
            model: .init(status: model.version == nil ? "not_loaded" : "loaded", version: model.version, loadedAt: model.loadedAt)
        )
    }

    /// Ready when the database answers and a model is loaded.
    @Sendable func ready(request: Request, context: AppRequestContext) async throws -> Response {
        var problems: [String] = []
        do { _ = try await dependencies.database.status() } catch { problems.append("database: \(error)") }
        if dependencies.models.current.version == nil { problems.append("no model loaded") }
        let body = problems.isEmpty ? #"{"ready":true}"# : #"{"ready":false}"#
        return Response(
            status: problems.isEmpty ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    @Sendable func metrics(request: Request, context: AppRequestContext) async throws -> Response {
        let stats = try await dependencies.database.laneStats(warehouseID: nil, now: dependencies.clock())
        let current = dependencies.models.current
        var depths = Dictionary(uniqueKeysWithValues: current.policy.lanes.map { ($0.name, 0) })
        for s in stats { depths[s.lane] = s.depth }
        dependencies.metrics.update(laneDepths: depths.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, modelVersion: current.version)
        let text = dependencies.metrics.registry.emitToBuffer()
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
            body: .init(byteBuffer: ByteBuffer(bytes: text)))
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
