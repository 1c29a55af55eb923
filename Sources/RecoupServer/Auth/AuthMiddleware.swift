internal import Foundation
package import Hummingbird
internal import Logging
internal import RecoupService
package import RecoupStore

/// Authenticates `/v1` requests with an API key (401 when missing, malformed, unknown or revoked).
package struct AuthMiddleware: RouterMiddleware {
    package typealias Context = AppRequestContext
    let keys: APIKeys

    package func handle(
        _ request: Request,
        context: AppRequestContext,
        next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        switch try await serviceCall({ try await keys.verify(authorization: request.headers[.authorization]) }) {
        case .failure(let refusal):
            throw APIError(.unauthorized, code: "unauthorized", message: refusal.description)
        case .success(let identity):
            var context = context
            context.identity = identity
            context.logger[metadataKey: "api.key"] = .string(identity.prefix)
            return try await next(request, context)
        }
    }
}

/// Lets a route through only for the given roles (403 otherwise). Runs after ``AuthMiddleware``.
package struct RequireRole: RouterMiddleware {
    package typealias Context = AppRequestContext
    let roles: Set<Role>

    package init(_ roles: Role...) {
        self.roles = Set(roles).union([.admin])
    }

    package func handle(
        _ request: Request,
        context: AppRequestContext,
        next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let identity = context.identity else {
            throw APIError(.unauthorized, code: "unauthorized", message: "missing Authorization: Bearer <key> header")
        }
        guard roles.contains(identity.role) else {
            throw APIError(
                .forbidden,
                code: "forbidden",
                message: "role \(identity.role.rawValue) may not do this; allowed: \(roles.map(\.rawValue).sorted().joined(separator: ", "))"
            )
        }
        return try await next(request, context)
    }
}
