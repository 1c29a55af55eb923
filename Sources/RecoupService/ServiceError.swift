package import RecoupCore
package import RecoupScoring
package import RecoupStore

/// Why a use case refused: a code a client can match (the API's `error.code`), a message naming the offending value,
/// and the field and record it is about. Adapters map ``code`` to their own form (an HTTP status, a page).
package struct ServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of refusal.
    package enum Code: String, Sendable, CaseIterable {
        /// A request value is out of range or of the wrong kind.
        case invalidInput = "invalid_input"
        /// A return record breaks the contract.
        case invalidRecord = "invalid_record"
        /// The body is not JSON.
        case malformedJSON = "malformed_json"
        /// More records than one request may carry.
        case tooManyRecords = "too_many_records"
        /// No such return, claim, flag or key.
        case notFound = "not_found"
        /// No such lane in the lane policy.
        case unknownLane = "unknown_lane"
        /// The request contradicts the current state (a lease, a closed review, a different payload).
        case conflict
        /// No model is loaded.
        case noModel = "no_model"
        /// A model bundle was refused; the previous one keeps serving.
        case bundleRefused = "bundle_refused"
        /// The database cannot be reached now; the request can be sent again (nothing was written).
        case unavailable
        /// The store failed (logged; no internals in the message).
        case internalError = "internal"
    }

    package var code: Code
    package var message: String
    package var field: String?
    package var record: String?

    package init(_ code: Code, _ message: String, field: String? = nil, record: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.record = record
    }

    package var description: String { "\(code.rawValue): \(message)" }

    /// An out-of-range or malformed request value.
    package static func invalid(_ message: String, field: String? = nil, record: String? = nil) -> ServiceError {
        ServiceError(.invalidInput, message, field: field, record: record)
    }

    /// A bad record: its first error.
    package init(_ error: RecordError) {
        let detail = ErrorDetail(error)
        self.init(.invalidRecord, detail.message, field: detail.field, record: detail.record)
    }

    /// The service's form of a store error.
    package init(_ error: StoreError) {
        switch error {
        case .returnNotFound, .claimNotFound, .anomalyNotFound, .keyNotFound, .authorizationNotFound:
            self.init(.notFound, error.description)
        case .notLeasedByToken, .leaseExpired, .alreadyCompleted, .reviewClosed:
            self.init(.conflict, error.description)
        case .cannotOpen, .corrupt:
            self.init(.internalError, "internal error")
        case .unavailable:
            self.init(.unavailable, "the database is unavailable; try again shortly")
        case .unstorableText:
            self.init(.invalidInput, "a text value holds the character U+0000, which text values may not contain")
        }
    }

    /// The error as the API writes it.
    package var detail: ErrorDetail { ErrorDetail(code: code.rawValue, message: message, field: field, record: record) }
}

/// Runs a store call, turning its typed errors into service errors (anything else propagates: a 500).
func storeCall<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as StoreError {
        throw ServiceError(error)
    }
}
