internal import Foundation
package import Hummingbird
internal import Logging
package import RecoupService
package import RecoupStore

/// Lets a `/v1` route through for a valid API key of one of the given roles (admin always): 401 when the key is
/// missing, malformed, unknown or revoked, 403 when its role may not use the route. Authentication and the role check
/// are one middleware, so that a request pays one executor hop for both (see ``RequestStage``).
package struct Authorize: RouterMiddleware {
    package typealias Context = AppRequestContext
    let keys: APIKeys
    let roles: Set<Role>

    package init(_ keys: APIKeys, _ roles: Role...) {
        self.keys = keys
        self.roles = Set(roles).union([.admin])
    }

    @concurrent package func handle(
        _ request: Request,
        context: AppRequestContext,
        next: @concurrent (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        let identity: APIIdentity
        switch try await serviceCall({ try await keys.verify(authorization: request.headers[.authorization]) }) {
        case .failure(let refusal):
            throw APIError(.unauthorized, code: "unauthorized", message: refusal.description)
        case .success(let verified):
            identity = verified
        }
        guard roles.contains(identity.role) else {
            throw APIError(
                .forbidden,
                code: "forbidden",
                message: "role \(identity.role.rawValue) may not do this; allowed: \(roles.map(\.rawValue).sorted().joined(separator: ", "))"
            )
        }
        var context = context
        context.identity = identity
        context.logger[metadataKey: "api.key"] = .string(identity.prefix)
        return try await next(request, context)
    }
}
