package import Foundation

/// What an API key may do. Each route's roles are listed in the README ("HTTP API").
package enum Role: String, Sendable, Codable, CaseIterable {
    /// Receiving docks and inspection stations: ingest, claim, inspect, read lanes.
    case warehouse
    /// The risk team: anomalies and their review.
    case risk
    /// Analysts and operations leads: summaries, lanes, models, stateless scoring.
    case analyst
    /// Everything, including model reloads.
    case admin
}

/// A stored API key (never its secret: only a hash of it).
package struct StoredAPIKey: Sendable, Equatable {
    package var id: Int64
    package var prefix: String
    package var secretHash: String
    package var role: Role
    package var label: String?
    package var createdAt: Date
    package var revokedAt: Date?

    package init(id: Int64, prefix: String, secretHash: String, role: Role, label: String?, createdAt: Date, revokedAt: Date?) {
        self.id = id
        self.prefix = prefix
        self.secretHash = secretHash
        self.role = role
        self.label = label
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// A signed-in session of the web pages, as the store gives it back: valid (not expired, its key not revoked).
package struct StoredSession: Sendable, Equatable {
    /// The API key the session was opened with; its role is the session's.
    package var key: StoredAPIKey
    /// The token every form post of the session must carry.
    package var csrfToken: String
    package var createdAt: Date
    package var expiresAt: Date

    package init(key: StoredAPIKey, csrfToken: String, createdAt: Date, expiresAt: Date) {
        self.key = key
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
