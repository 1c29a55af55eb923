package import Foundation
package import RecoupCore

/// What the store keeps of an assessment: the columns it filters and sorts on, and the full assessment as an opaque
/// JSON payload (the scoring layer owns its shape; the store never decodes it).
package struct StoredAssessment: Sendable, Equatable {
    package var modelVersion: String
    package var disposition: Disposition
    package var fraudRisk: Double
    package var recoveryValue: Double
    package var lane: LaneName
    /// Where the item ranks in its lane (computed by the scoring layer's priority policy).
    package var rank: QueueRank
    /// The risk team's flags (kind and reason); empty when the return is not flagged.
    package var anomalies: [AnomalyFlag]
    /// Fraud risk × refund amount.
    package var exposure: Double
    /// The assessment as JSON, returned as is.
    package var payload: Data
    /// The predictions unrounded (live accuracy is measured on them).
    package var predictions: PredictionValues

    package init(
        modelVersion: String,
        disposition: Disposition,
        fraudRisk: Double,
        recoveryValue: Double,
        lane: LaneName,
        rank: QueueRank,
        anomalies: [AnomalyFlag],
        exposure: Double,
        payload: Data,
        predictions: PredictionValues
    ) {
        self.modelVersion = modelVersion
        self.disposition = disposition
        self.fraudRisk = fraudRisk
        self.recoveryValue = recoveryValue
        self.lane = lane
        self.rank = rank
        self.anomalies = anomalies
        self.exposure = exposure
        self.payload = payload
        self.predictions = predictions
    }
}

/// A validated, scored return to ingest.
package struct NewReturn: Sendable {
    package var record: ReturnRecord
    /// The record's canonical JSON (``RecoupCore/ReturnRecord/json(labels:)``): the stored copy.
    package var recordJSON: [UInt8]
    /// Fingerprint of the submitted payload: the same id with another fingerprint is a conflict.
    package var payloadHash: String
    package var assessment: StoredAssessment
    /// Its cells in the monitoring profiles of the models that scored it (champion, and shadow when one runs); empty
    /// when monitoring is off or the model has no profile. Counted only when the return is stored now.
    package var profiles: [ProfileCells]
    /// The shadow challenger's assessment, when one runs.
    package var shadow: ShadowAssessment?

    package init(
        record: ReturnRecord,
        recordJSON: [UInt8],
        payloadHash: String,
        assessment: StoredAssessment,
        profiles: [ProfileCells] = [],
        shadow: ShadowAssessment? = nil
    ) {
        self.record = record
        self.recordJSON = recordJSON
        self.payloadHash = payloadHash
        self.assessment = assessment
        self.profiles = profiles
        self.shadow = shadow
    }
}

/// What ingesting one return did.
package enum IngestOutcome: Sendable, Equatable {
    /// Stored and queued now.
    case created(assessment: Data)
    /// Already stored with the same payload: the stored assessment, unchanged.
    case duplicate(assessment: Data)
    /// Already stored with a different payload.
    case conflict(returnID: String)
}

/// A queued return that an older model scored, to score again after a model swap.
package struct ReassessCandidate: Sendable {
    package var record: ReturnRecord
    /// When it entered the queue (its rank keeps its place in time).
    package var enqueuedAt: Date

    package init(record: ReturnRecord, enqueuedAt: Date) {
        self.record = record
        self.enqueuedAt = enqueuedAt
    }
}

/// What happened to a return or to the service, as the audit log names it.
package enum AuditKind: String, Sendable, Codable, CaseIterable {
    case ingested
    case reassessed
    case claimed
    case leaseExtended = "lease_extended"
    case released
    case leaseExpired = "lease_expired"
    case inspected
    case reviewed
    case keyCreated = "key_created"
    case keyRevoked = "key_revoked"
    case signedIn = "signed_in"
    case signedOut = "signed_out"
    /// A decision on a return request (``ReturnsStore/authorize(_:now:actor:)``), written under its return_id before
    /// the item arrives.
    case authorized
}

/// One entry of a return's history (the audit log).
package struct AuditEntry: Sendable, Codable, Equatable {
    package var kind: AuditKind
    package var actor: String?
    package var detail: String?
    package var at: Date

    package init(kind: AuditKind, actor: String?, detail: String?, at: Date) {
        self.kind = kind
        self.actor = actor
        self.detail = detail
        self.at = at
    }
}

/// Everything known about one return.
package struct ReturnDetail: Sendable {
    package var record: ReturnRecord
    /// The latest assessment's JSON.
    package var assessment: Data
    package var queue: QueuePosition?
    package var inspection: InspectionOutcome?
    package var history: [AuditEntry]
    /// The decision taken on the return's request, when there was one (its ``StoredAuthorization/receipt`` is `nil`
    /// here: the detail carries the assessment and the queue position itself).
    package var authorization: StoredAuthorization?

    package init(
        record: ReturnRecord,
        assessment: Data,
        queue: QueuePosition?,
        inspection: InspectionOutcome?,
        history: [AuditEntry],
        authorization: StoredAuthorization? = nil
    ) {
        self.record = record
        self.assessment = assessment
        self.queue = queue
        self.inspection = inspection
        self.history = history
        self.authorization = authorization
    }
}

/// The result of an inspection: grade, disposition, recovered value, fraud. These become the labels.
package struct InspectionOutcome: Sendable, Codable, Equatable {
    package var grade: Grade?
    package var disposition: Disposition
    package var recoveryValue: Double
    package var fraudConfirmed: Bool
    package var notes: String?

    package init(grade: Grade?, disposition: Disposition, recoveryValue: Double, fraudConfirmed: Bool, notes: String?) {
        self.grade = grade
        self.disposition = disposition
        self.recoveryValue = recoveryValue
        self.fraudConfirmed = fraudConfirmed
        self.notes = notes
    }
}

/// Whether a model bundle was loaded.
package enum ModelEventOutcome: String, Sendable, Codable {
    case loaded
    case refused
}

/// The database engine behind a store.
package enum StoreEngine: String, Sendable, Codable {
    case sqlite
    case postgresql
}

/// Facts about the open store for health checks.
package struct StoreStatus: Sendable, Equatable {
    /// Where the data lives (a file path, or a server address without credentials).
    package var location: String
    /// The journal mode (SQLite).
    package var journalMode: String?
    /// The engine.
    package var engine: StoreEngine
    /// The engine's version.
    package var engineVersion: String
    /// The schema migrations applied, in order.
    package var appliedMigrations: [String]

    package init(location: String, journalMode: String?, engine: StoreEngine, engineVersion: String, appliedMigrations: [String]) {
        self.location = location
        self.journalMode = journalMode
        self.engine = engine
        self.engineVersion = engineVersion
        self.appliedMigrations = appliedMigrations
    }
}

extension Date {
    /// Seconds since 1970 (UTC), as both stores keep times: plain numbers, so that ages and lease expiries are
    /// arithmetic in SQL.
    package var storedSeconds: Double { timeIntervalSince1970 }
    package init(storedSeconds: Double) { self.init(timeIntervalSince1970: storedSeconds) }
}
