// RecoupServer: the HTTP adapter (Hummingbird 2) over RecoupService's use cases.
//
// Owns routing, authentication (API keys and roles), request decoding, the mapping of service errors to statuses and
// the JSON of each answer. Controllers decode a request, call one use case and encode its answer; they never reach
// the store. The background services (lease expiry, re-scoring) run in the application's ServiceGroup.

internal import Foundation
package import Hummingbird
package import Logging
internal import RecoupCore
internal import RecoupService

/// Builds the service over its dependencies, with its background services. The caller runs it with `runService()`,
/// which handles SIGINT and SIGTERM with a graceful shutdown (in-flight requests finish, background work stops, then
/// the process exits).
package func buildApplication(
    configuration: ServerConfiguration,
    dependencies: ServerDependencies,
    logger: Logger
) async throws -> some ApplicationProtocol {
    let router = buildRouter(dependencies)
    let service = dependencies.service
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "recoup"),
        services: [
            PeriodicService.queueUpkeep(service, logger: logger), RescoringService(service: service, logger: logger),
            PeriodicService.monitoring(service, logger: logger), PeriodicService.modelFollower(service, logger: logger),
        ],
        logger: logger
    )
    app.beforeServerStarts {
        try await service.recordStart()
    }
    return app
}

/// The routes, without a server: used by `buildApplication` and by in-process router tests.
///
/// Open: `/healthz`, `/readyz`, `/metrics`, `/openapi.yaml`. Everything under `/v1` needs an API key of a role the
/// route allows (``Authorize``). The web pages under `/ui` need a session opened with a key (``PagesController``). A request no route takes gets a JSON 404, or a 405 with `Allow` when its path
/// exists with other methods.
package func buildRouter(_ dependencies: ServerDependencies) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    let routes = RouteTable()
    router.add(
        middleware: RequestPipeline([
            RequestMetricsMiddleware(factory: dependencies.service.metrics.factory),
            UnmatchedRouteMiddleware(routes: routes),
            ConcurrencyLimitMiddleware(
                limit: dependencies.configuration.limits.maxConcurrentRequests,
                shed: dependencies.service.metrics.shedRequests
            ),
        ])
    )
    HealthController(dependencies: dependencies).register(on: router)
    let v1 = router.group("v1")
    ReturnsController(dependencies: dependencies).register(on: v1)
    QueueController(dependencies: dependencies).register(on: v1)
    ModelsController(dependencies: dependencies).register(on: v1)
    RiskController(dependencies: dependencies).register(on: v1)
    AuthorizationsController(dependencies: dependencies).register(on: v1)
    InsightsController(dependencies: dependencies).register(on: v1)
    PagesController(dependencies: dependencies).register(on: router)
    routes.register(router.routes)
    return router
}
