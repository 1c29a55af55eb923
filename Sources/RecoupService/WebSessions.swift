internal import Crypto
package import Foundation
package import RecoupStore

/// A signed-in web session: who it is and the token its form posts must carry.
package struct WebIdentity: Sendable, Equatable {
    package var api: APIIdentity
    package var csrfToken: String
    package var expiresAt: Date
}

/// Web sessions of the pages, opened with an API key.
///
/// The cookie holds a random 32-byte secret; the store keeps only its SHA-256, so a copy of the database opens no
/// session. A session has the role of its key, ends at its expiry (``lifetime``) or at sign-out, and at once when
/// its key is revoked. Each session has its own CSRF token, compared in constant time.
package struct WebSessions: Sendable {
    let store: any ReturnsStore
    let keys: APIKeys
    /// How long a session lasts from sign-in.
    package let lifetime: Duration
    /// A shift: 12 hours.
    package static let defaultLifetime: Duration = .seconds(12 * 3600)
    let clock: @Sendable () -> Date

    package init(store: any ReturnsStore, keys: APIKeys, lifetime: Duration, clock: @escaping @Sendable () -> Date) {
        self.store = store
        self.keys = keys
        self.lifetime = lifetime
        self.clock = clock
    }

    /// A new session: the cookie's value (to send once) and the identity.
    package struct Opened: Sendable {
        package var cookie: String
        package var identity: WebIdentity
    }

    /// Opens a session for an API key as typed into the sign-in form (surrounding blanks ignored).
    /// - Returns: the session, or why the key was refused.
    package func signIn(apiKey: String) async throws -> Result<Opened, APIKeys.Refusal> {
        switch try await keys.verify(authorization: "Bearer " + apiKey.trimmingCharacters(in: .whitespacesAndNewlines)) {
        case .failure(let refusal):
            return .failure(refusal == .missing ? .malformed : refusal)
        case .success(let api):
            let secret = Self.randomToken()
            let csrf = Self.randomToken()
            let now = clock()
            let expiresAt = now.addingTimeInterval(lifetime.seconds)
            try await store.insertSession(idHash: APIKeys.hash(secret), keyID: api.keyID, csrfToken: csrf, expiresAt: expiresAt, now: now)
            return .success(Opened(cookie: secret, identity: WebIdentity(api: api, csrfToken: csrf, expiresAt: expiresAt)))
        }
    }

    /// The session a cookie names, or `nil` when it is unknown, expired or its key was revoked.
    package func identity(cookie: String) async throws -> WebIdentity? {
        guard Self.isToken(cookie), let session = try await store.session(idHash: APIKeys.hash(cookie), now: clock()) else { return nil }
        let key = session.key
        return WebIdentity(
            api: APIIdentity(keyID: key.id, prefix: key.prefix, role: key.role),
            csrfToken: session.csrfToken,
            expiresAt: session.expiresAt
        )
    }

    /// Ends the session a cookie names (nothing happens for an unknown one).
    package func signOut(cookie: String) async throws {
        guard Self.isToken(cookie) else { return }
        try await store.deleteSession(idHash: APIKeys.hash(cookie), now: clock())
    }

    /// Whether a posted CSRF token is the expected one (constant time).
    package static func csrfMatches(_ posted: String?, expected: String) -> Bool {
        guard let posted, !expected.isEmpty else { return false }
        return APIKeys.constantTimeEqual(posted, expected)
    }

    /// 32 random bytes in lower-case hex.
    package static func randomToken() -> String {
        var rng = SystemRandomNumberGenerator()
        return APIKeys.hex((0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }

    /// A well-formed token: 64 hex digits (anything else is not looked up).
    static func isToken(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval`.
    package var seconds: TimeInterval {
        let (s, attoseconds) = components
        return TimeInterval(s) + TimeInterval(attoseconds) / 1e18
    }

    /// The duration in hours.
    package var hours: Double { seconds / 3600 }
}
