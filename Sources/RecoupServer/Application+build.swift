internal import Foundation
package import Hummingbird
package import Logging
internal import RecoupCore
internal import RecoupStore

/// Builds the service over its dependencies. The caller runs it with `runService()`, which handles SIGINT and
/// SIGTERM with a graceful shutdown (in-flight requests finish, then the process exits).
package func buildApplication(
    configuration: ServerConfiguration, dependencies: ServerDependencies, logger: Logger
) async throws -> some ApplicationProtocol {
    let router = buildRouter(dependencies)
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "recoup"),
        logger: logger
    )
    app.beforeServerStarts {
        try await dependencies.database.recordStart(version: RecoupVersion.current, at: dependencies.clock())
    }
    return app
}

/// The routes, without a server: used by `buildApplication` and by in-process router tests.
///
/// Open: `/healthz`, `/readyz`, `/metrics`, `/openapi.yaml`. Everything under `/v1` needs an API key, and each
/// route a role (``RequireRole``). A request no route takes gets a JSON 404, or a 405 with `Allow` when its path
/// exists with other methods.
package func buildRouter(_ dependencies: ServerDependencies) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    let routes = RouteTable()
    router.add(middleware: LogRequestsMiddleware(.debug))
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: UnmatchedRouteMiddleware(routes: routes))
    router.add(middleware: ConcurrencyLimitMiddleware(
        limit: dependencies.configuration.limits.maxConcurrentRequests, metrics: dependencies.metrics))
    HealthController(dependencies: dependencies).register(on: router)
    let v1 = router.group("v1").add(middleware: AuthMiddleware(keys: dependencies.keys))
    ReturnsController(dependencies: dependencies).register(on: v1)
    QueueController(dependencies: dependencies).register(on: v1)
    ModelsController(dependencies: dependencies).register(on: v1)
    RiskController(dependencies: dependencies).register(on: v1)
    routes.register(router.routes)
    return router
}
