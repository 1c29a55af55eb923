/// What a key may do. Each route's roles are listed in the README ("HTTP API").
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

/// Who is calling: the key's id, prefix and role.
package struct APIIdentity: Sendable, Equatable {
    package var keyID: Int64
    package var prefix: String
    package var role: Role

    /// A name for the audit log.
    package var actor: String { "key:\(prefix)" }
}
