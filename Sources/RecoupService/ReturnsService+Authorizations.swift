internal import Foundation
package import RecoupCore
internal import RecoupScoring
package import RecoupStore

/// What happened to one record of an authorization request, in input order.
package enum AuthorizationSlot: Sendable {
    /// Decided now, or already decided with the same payload (the stored decision), or already decided with another.
    case outcome(AuthorizationOutcome)
    /// The record breaks the contract.
    case failed([RecordError])
}

extension ReturnsService {
    /// Decides return requests before the items ship: each record is scored at the request stage (its receipt fields
    /// unseen), the governance policy decides (`deny`, `manual_review`, `keep_it` or `approve_return`, and the refund's
    /// timing), and the decision is stored with an audit entry, idempotent on `return_id` (the same payload answers the
    /// stored decision, another is a conflict). A lone bad record is refused with its first error, a lone conflicting one
    /// with a conflict.
    /// - Returns: whether the body was a lone record, and each record's slot in input order.
    package func authorize(_ body: [UInt8], actor: String?) async throws -> (single: Bool, slots: [AuthorizationSlot]) {
        let scorer = try scorer()
        guard let request = scorer.requestStage else {
            throw ServiceError(
                .noModel,
                "the serving model \(scorer.version) has no request stage (it was trained before stages); retrain it with recoup train"
            )
        }
        let document = try document(body)
        let policy = governance
        let parts = try await executor.map(document.count) { range in
            AuthorizationPart(document.read(labels: .ignore, range: range), scorer: request, policy: policy)
        }
        let decisions = parts.flatMap(\.decisions)
        if document.isSingle, case .failed(let errors) = parts[0].slots[0] { throw ServiceError(errors[0]) }
        let outcomes = try await storeCall { try await store.authorize(decisions, now: clock(), actor: actor) }
        if document.isSingle, case .conflict(let id) = outcomes[0] { throw Self.authorizationConflict(id) }
        var next = outcomes.makeIterator()
        let slots = parts.flatMap(\.slots).map { slot -> AuthorizationSlot in
            if case .failed(let errors) = slot { return .failed(errors) }
            return .outcome(next.next()!)
        }
        return (document.isSingle, slots)
    }

    /// The decision taken on a return request, with the receipt-stage assessment of the item once it has arrived.
    /// - Throws: ``ServiceError/Code/notFound``.
    package func authorization(returnID: String) async throws -> StoredAuthorization {
        try await storeCall { try await store.authorization(returnID: returnID, now: clock()) }
    }

    package static func authorizationConflict(_ returnID: String) -> ServiceError {
        ServiceError(.conflict, "return \(returnID) was already decided for a different request", field: "return_id", record: returnID)
    }
}

/// One part of an authorization batch: the decisions to store and, per position, a placeholder or the record's errors.
struct AuthorizationPart: Sendable {
    var decisions: [NewAuthorization] = []
    /// Every record in input order; the good ones' outcomes come from the store, in the order of ``decisions``.
    let slots: [ReturnBatch.Slot]

    /// Scores the good records at the request stage (`scorer` is the bundle's request stage) and decides each.
    init(_ batch: ReturnBatch, scorer: Scorer, policy: GovernancePolicy) {
        let assessments = scorer.assess(batch.records.map { $0.removing(scorer.receiptFields) }, explain: true, parallel: false)
        slots = batch.slots
        for (good, a) in assessments.enumerated() {
            let record = batch.returns[good].record
            let authorization = policy.decide(record, fraudRisk: a.fraudRisk, recoveryValue: a.recoveryValue)
            var writer = JSONWriter(reservingCapacity: 2048)
            ScoredOutput.write(authorization, assessment: a, into: &writer)
            decisions.append(
                NewAuthorization(
                    returnID: record.returnID,
                    payloadHash: ReturnsService.payloadHash(record.json()),
                    decision: authorization.decision,
                    refundTiming: authorization.refundTiming,
                    modelVersion: a.modelVersion,
                    payload: Data(writer.bytes)
                )
            )
        }
    }
}
