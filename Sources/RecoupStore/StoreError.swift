/// Errors of the store, each naming what it was about. The server maps them to HTTP statuses.
package enum StoreError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The database file could not be opened or created.
    case cannotOpen(path: String, reason: String)
    /// No return with this id.
    case returnNotFound(String)
    /// No claim with this token (or it was released).
    case claimNotFound(String)
    /// The return is not leased under this token.
    case notLeasedByToken(returnID: String, token: String)
    /// The lease ran out before the inspection came in; the item went back to its lane.
    case leaseExpired(returnID: String)
    /// The return was already inspected.
    case alreadyCompleted(String)
    /// The return is not flagged.
    case anomalyNotFound(String)
    /// The review's decision cannot follow the flag's current status.
    case reviewClosed(returnID: String, status: AnomalyStatus)
    /// No API key with this id.
    case keyNotFound(Int64)
    /// No decision stored for this return_id.
    case authorizationNotFound(String)
    /// A stored value could not be read back.
    case corrupt(String)
    /// A text value the database cannot keep (the character U+0000 in PostgreSQL text).
    case unstorableText(String)
    /// The database server cannot be reached now (a shared store): try again later; nothing was written.
    case unavailable(String)

    package var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open database \(path): \(reason)"
        case .returnNotFound(let id): "no return with return_id \"\(id)\""
        case .claimNotFound(let token): "no active claim with token \"\(token)\""
        case .notLeasedByToken(let id, let token): "return \"\(id)\" is not leased under claim token \"\(token)\""
        case .leaseExpired(let id): "the lease on return \"\(id)\" expired; claim it again"
        case .alreadyCompleted(let id): "return \"\(id)\" was already inspected"
        case .anomalyNotFound(let id): "return \"\(id)\" is not flagged as an anomaly"
        case .reviewClosed(let id, let status): "the anomaly on return \"\(id)\" is already closed as \(status.rawValue)"
        case .keyNotFound(let id): "no API key with id \(id)"
        case .authorizationNotFound(let id): "no authorization for return_id \"\(id)\""
        case .corrupt(let what): "stored data cannot be read: \(what)"
        case .unavailable(let what): "the database is unavailable: \(what)"
        case .unstorableText(let what): "a text value cannot be stored: \(what)"
        }
    }
}
