internal import Foundation
package import Hummingbird
package import Logging
internal import RecoupCore
package import RecoupStore

/// The request context of every route.
package typealias AppRequestContext = BasicRequestContext

/// Builds the service: the router over an open database. The caller runs it with `runService()`, which handles
/// SIGINT and SIGTERM with a graceful shutdown (in-flight requests finish, then the process exits).
package func buildApplication(
    configuration: ServerConfiguration, database: ReturnsDatabase, logger: Logger
) async throws -> some ApplicationProtocol {
    let router = buildRouter(database: database)
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "recoup"),
        logger: logger
    )
    app.beforeServerStarts {
        try await database.recordStart(version: RecoupVersion.current, at: .now)
    }
    return app
}

/// The routes, without a server: used by `buildApplication` and by in-process router tests.
package func buildRouter(database: ReturnsDatabase) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.addRoutes(HealthController(database: database).endpoints)
    return router
}
