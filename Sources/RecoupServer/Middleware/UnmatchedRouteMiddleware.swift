package import Hummingbird
internal import Synchronization

/// Answers a request that no route takes like every other error, in JSON: 405 with `Allow` when its path exists with
/// other methods (`TRACE /v1/lanes`), 404 when the path does not exist. (Hummingbird answers both with an empty 404.)
/// A ``RequestStage``.
package struct UnmatchedRouteMiddleware: RequestStage {
    let routes: RouteTable

    package func handle(
        _ request: Request,
        context: AppRequestContext,
        next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && context.endpointPath == "NotFound" {
            let path = request.uri.path
            let allowed = routes.methods(for: path)
            guard !allowed.isEmpty, !allowed.contains(request.method) else {
                throw APIError(.notFound, code: "no_route", message: "no route \(request.method) \(path); see GET /openapi.yaml")
            }
            let names = allowed.map(\.rawValue)
            var refusal = APIError(
                .methodNotAllowed,
                code: "method_not_allowed",
                message: "\(path) does not take \(request.method); it takes \(names.joined(separator: ", "))"
            )
            refusal.headers[.allow] = names.joined(separator: ", ")
            throw refusal
        }
    }
}

/// The routes of the router, by path pattern (`/v1/returns/{id}`), for ``UnmatchedRouteMiddleware``. Filled once the
/// routes are registered (the middleware must be added before them).
package final class RouteTable: Sendable {
    private let entries = Mutex<[(segments: [Substring], method: HTTPRequest.Method)]>([])

    package init() {}

    package func register(_ routes: [Router<AppRequestContext>.RouteDescription]) {
        entries.withLock { entries in
            entries = routes.map { (segments: Self.segments($0.path.description), method: $0.method) }
        }
    }

    /// The methods of the routes whose pattern matches `path`, sorted by name; empty when none does.
    package func methods(for path: String) -> [HTTPRequest.Method] {
        let parts = Self.segments(path)
        let matching = entries.withLock { entries in
            entries.filter { entry in
                entry.segments.count == parts.count
                    && zip(entry.segments, parts).allSatisfy { pattern, part in Self.isCapture(pattern) || pattern == part }
            }.map(\.method)
        }
        return Set(matching).sorted { $0.rawValue < $1.rawValue }
    }

    /// `{id}` (how a route's path describes a parameter) or `:id` (how it is registered).
    private static func isCapture(_ segment: Substring) -> Bool {
        segment.hasPrefix(":") || (segment.hasPrefix("{") && segment.hasSuffix("}"))
    }

    private static func segments(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }
}
