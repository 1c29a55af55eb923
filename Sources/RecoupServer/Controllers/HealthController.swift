internal import Foundation
internal import Hummingbird
internal import RecoupCore
internal import RecoupStore

/// `GET /healthz` (liveness, with what the service runs on) and `GET /readyz` (can it serve requests now).
struct HealthController {
    let database: ReturnsDatabase

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("healthz", use: health)
        routes.get("readyz", use: ready)
        return routes
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
        }
        var status: String
        var version: String
        var database: DatabaseInfo
        var model: ModelInfo
    }

    @Sendable func health(request: Request, context: AppRequestContext) async throws -> Health {
        let databaseInfo: Health.DatabaseInfo
        do {
            let status = try await database.status()
            databaseInfo = .init(
                status: "ok", path: status.path, journalMode: status.journalMode, sqliteVersion: status.sqliteVersion,
                migrations: status.appliedMigrations.count)
        } catch {
            databaseInfo = .init(status: "error", path: database.path, error: "\(error)")
        }
        return Health(
            status: databaseInfo.status == "ok" ? "ok" : "degraded",
            version: RecoupVersion.current,
            database: databaseInfo,
            model: .init(status: "not_loaded")
        )
    }

    @Sendable func ready(request: Request, context: AppRequestContext) async throws -> Response {
        do {
            _ = try await database.status()
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"ready":true}"#)))
        } catch {
            return Response(
                status: .serviceUnavailable, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"ready":false}"#)))
        }
    }
}
