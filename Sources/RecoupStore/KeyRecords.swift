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
