// Return authorizations: the decision taken on a return request before the item ships back, stored idempotently on
// `return_id` and linked, once the item arrives, to its receipt-stage assessment (same `return_id`).

package import Foundation
package import RecoupCore

/// A decision to store.
package struct NewAuthorization: Sendable, Equatable {
    package var returnID: String
    /// Hash of the request's canonical record (the caller computes it like ingest's payload hash): the same id with
    /// another hash is a conflict.
    package var payloadHash: String
    package var decision: ReturnDecision
    /// When an approved return's refund is paid; `nil` when the decision sets no timing.
    package var refundTiming: RefundTiming?
    /// The model that took the decision.
    package var modelVersion: String
    /// The answer as JSON, returned as is by later reads.
    package var payload: Data

    package init(
        returnID: String,
        payloadHash: String,
        decision: ReturnDecision,
        refundTiming: RefundTiming?,
        modelVersion: String,
        payload: Data
    ) {
        self.returnID = returnID
        self.payloadHash = payloadHash
        self.decision = decision
        self.refundTiming = refundTiming
        self.modelVersion = modelVersion
        self.payload = payload
    }
}

/// A stored decision on a return request.
package struct StoredAuthorization: Sendable, Equatable {
    package var returnID: String
    package var payloadHash: String
    package var decision: ReturnDecision
    package var refundTiming: RefundTiming?
    package var modelVersion: String
    /// The answer as JSON, as it was stored.
    package var payload: Data
    /// When the decision was stored.
    package var decidedAt: Date
    /// Who stored it (an API key's label), when known.
    package var actor: String?
    /// The item's receipt-stage assessment once it has arrived (ingested with the same return_id): `nil` before.
    package var receipt: ReceiptLink?

    package init(
        returnID: String,
        payloadHash: String,
        decision: ReturnDecision,
        refundTiming: RefundTiming?,
        modelVersion: String,
        payload: Data,
        decidedAt: Date,
        actor: String?,
        receipt: ReceiptLink?
    ) {
        self.returnID = returnID
        self.payloadHash = payloadHash
        self.decision = decision
        self.refundTiming = refundTiming
        self.modelVersion = modelVersion
        self.payload = payload
        self.decidedAt = decidedAt
        self.actor = actor
        self.receipt = receipt
    }
}

/// What became of an authorized return once the item arrived at the warehouse.
package struct ReceiptLink: Sendable, Equatable {
    /// When the return was ingested.
    package var receivedAt: Date
    /// The model of its latest assessment.
    package var modelVersion: String
    /// Its latest assessment's stored JSON.
    package var assessment: Data
    /// Where it is in the inspection queue (an expired lease reads as queued).
    package var queueState: QueueState

    package init(receivedAt: Date, modelVersion: String, assessment: Data, queueState: QueueState) {
        self.receivedAt = receivedAt
        self.modelVersion = modelVersion
        self.assessment = assessment
        self.queueState = queueState
    }
}

/// What storing one decision did.
package enum AuthorizationOutcome: Sendable, Equatable {
    /// New, stored now.
    case decided(StoredAuthorization)
    /// Same return_id and same payload hash: the stored decision, nothing written.
    case duplicate(StoredAuthorization)
    /// Same return_id, another payload hash: nothing written.
    case conflict(returnID: String)
}
