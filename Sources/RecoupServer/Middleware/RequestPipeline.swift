package import Hummingbird

/// A step every request passes through before its route: what a Hummingbird middleware does, in the caller's
/// isolation.
///
/// A Hummingbird middleware's `handle` is `@concurrent`, so entering one is an executor hop; with Swift concurrency
/// running on NIO's event loops (`recoup`'s `Entry`), each hop is a trip through the loop's job queue, about 1.5 µs of CPU. A
/// stage is `nonisolated(nonsending)` (the package's default), and ``RequestPipeline`` runs all of them as one
/// middleware: one hop for the chain instead of one per layer.
package protocol RequestStage: Sendable {
    func handle(
        _ request: Request,
        context: AppRequestContext,
        next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response
}

/// The router-wide stages, in order, as one Hummingbird middleware.
package struct RequestPipeline: RouterMiddleware {
    package typealias Context = AppRequestContext
    let stages: [any RequestStage]

    package init(_ stages: [any RequestStage]) {
        self.stages = stages
    }

    @concurrent package func handle(
        _ request: Request,
        context: AppRequestContext,
        next: @concurrent (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        try await run(from: 0, request, context, next)
    }

    private func run(
        from stage: Int,
        _ request: Request,
        _ context: AppRequestContext,
        _ next: @concurrent (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        guard stage < stages.count else { return try await next(request, context) }
        return try await stages[stage].handle(request, context: context) { request, context in
            try await run(from: stage + 1, request, context, next)
        }
    }
}
