package import Foundation
package import RecoupCore

/// What the store keeps of an assessment: the columns it filters and sorts on, and the full assessment as an opaque
/// JSON payload (the scoring layer owns its shape; the store never decodes it).
package struct StoredAssessment: Sendable, Equatable {
    package var modelVersion: String
    package var disposition: String
    package var fraudRisk: Double
    package var recoveryValue: Double
    package var lane: String
    /// The age-free part of the priority (see `PriorityPolicy.urgency`).
    package var urgency: Double
    /// Priority gained per service level waited.
    package var agingWeight: Double
    package var serviceLevelHours: Double
    /// Anomaly reasons; empty when the return is not flagged.
    package var anomalyReasons: [String]
    /// Fraud risk × refund amount.
    package var exposure: Double
    /// The assessment as JSON, returned as is.
    package var payload: Data

    package init(
        modelVersion: String, disposition: String, fraudRisk: Double, recoveryValue: Double, lane: String,
        urgency: Double, agingWeight: Double, serviceLevelHours: Double, anomalyReasons: [String], exposure: Double,
        payload: Data
    ) {
        self.modelVersion = modelVersion
        self.disposition = disposition
        self.fraudRisk = fraudRisk
        self.recoveryValue = recoveryValue
        self.lane = lane
        self.urgency = urgency
        self.agingWeight = agingWeight
        self.serviceLevelHours = serviceLevelHours
        self.anomalyReasons = anomalyReasons
        self.exposure = exposure
        self.payload = payload
    }

    /// The priority after `ageHours` in the queue.
    package func priority(ageHours: Double) -> Double {
        urgency + agingWeight * max(0, ageHours) / serviceLevelHours
    }
}

/// A validated, scored return to ingest.
package struct NewReturn: Sendable {
    package var record: ReturnRecord
    /// Fingerprint of the submitted payload: the same id with another fingerprint is a conflict.
    package var payloadHash: String
    package var assessment: StoredAssessment

    package init(record: ReturnRecord, payloadHash: String, assessment: StoredAssessment) {
        self.record = record
        self.payloadHash = payloadHash
        self.assessment = assessment
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

/// Where a return stands in the queue.
package struct QueueState: Sendable, Codable, Equatable {
    package var lane: String
    package var warehouseID: String
    /// `queued`, `leased` or `completed` (a lease past its expiry reads as `queued`).
    package var state: String
    package var priority: Double
    package var enqueuedAt: Date
    package var leaseExpiresAt: Date?
    package var stationID: String?
    package var completedAt: Date?
    package var claimCount: Int
}

/// One entry of a return's history (the audit log).
package struct AuditEntry: Sendable, Codable, Equatable {
    package var kind: String
    package var actor: String?
    package var detail: String?
    package var at: Date
}

/// Everything known about one return.
package struct ReturnDetail: Sendable {
    package var record: ReturnRecord
    /// The latest assessment's JSON.
    package var assessment: Data
    package var queue: QueueState?
    package var inspection: InspectionOutcome?
    package var history: [AuditEntry]
}

/// The result of an inspection: grade, disposition, recovered value, fraud. These become the labels.
package struct InspectionOutcome: Sendable, Codable, Equatable {
    package var grade: String?
    package var disposition: Disposition
    package var recoveryValue: Double
    package var fraudConfirmed: Bool
    package var notes: String?

    package init(grade: String?, disposition: Disposition, recoveryValue: Double, fraudConfirmed: Bool, notes: String?) {
        self.grade = grade
        self.disposition = disposition
        self.recoveryValue = recoveryValue
        self.fraudConfirmed = fraudConfirmed
        self.notes = notes
    }
}

extension Date {
    /// Seconds since 1970, as stored.
    var storedSeconds: Double { timeIntervalSince1970 }
    init(storedSeconds: Double) { self.init(timeIntervalSince1970: storedSeconds) }
}
