package import Foundation
package import Hummingbird
package import RecoupService

/// The request context of every route: Hummingbird's core storage plus the caller's identity once authenticated.
/// Responses are JSON with snake_case keys (the contract's style) and ISO 8601 dates.
package struct AppRequestContext: RequestContext {
    package var coreContext: CoreRequestContextStorage
    /// Set by ``Authorize`` on `/v1` routes.
    package var identity: APIIdentity?
    /// Set by the pages' session middleware on `/ui` pages (with ``identity`` to the session's key).
    package var web: WebIdentity?

    package init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    package var responseEncoder: JSONEncoder { Self.encoder }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
}
