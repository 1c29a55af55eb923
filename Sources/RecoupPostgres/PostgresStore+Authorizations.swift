package import Foundation
internal import PostgresNIO
internal import RecoupCore
package import RecoupStore

extension PostgresStore {
    /// Stores a batch in a few statements (arrays bound and `unnest`ed), idempotent under races like ``ingest``: the
    /// decisions are inserted with `ON CONFLICT (return_id) DO NOTHING` in id order, and a return_id not inserted now was
    /// decided before (by an earlier element of this batch or by another transaction), whose stored payload hash then
    /// decides duplicate or conflict.
    package func authorize(_ batch: [NewAuthorization], now: Date, actor: String?) async throws -> [AuthorizationOutcome] {
        let t = now.storedSeconds
        // The first element of each return_id is the one stored; a later one is judged against what is stored then.
        var first: [ExactID: Int] = [:]
        for (index, item) in batch.enumerated() where first[ExactID(item.returnID)] == nil {
            first[ExactID(item.returnID)] = index
        }
        let candidates = first.values.sorted { ExactID.precedes(batch[$0].returnID, batch[$1].returnID) }.map { batch[$0] }
        return try await write { [first] db in
            var created: Set<ExactID> = []
            if !candidates.isEmpty {
                let ids = try await db.values(
                    """
                    INSERT INTO return_authorization (return_id, payload_hash, decision, refund_timing, model_version, payload,
                        decided_at, actor)
                    SELECT u.id, u.hash, u.decision, NULLIF(u.timing, ''), u.model, u.payload, \(t), \(actor)::text
                    FROM unnest(\(candidates.map(\.returnID))::text[], \(candidates.map(\.payloadHash))::text[],
                        \(candidates.map(\.decision.rawValue))::text[], \(candidates.map { $0.refundTiming?.rawValue ?? "" })::text[],
                        \(candidates.map(\.modelVersion))::text[], \(candidates.map { ByteBuffer(bytes: $0.payload) })::bytea[])
                        AS u(id, hash, decision, timing, model, payload)
                    ON CONFLICT (return_id) DO NOTHING
                    RETURNING return_id
                    """,
                    as: String.self
                )
                created = Set(ids.map(ExactID.init))
            }
            var stored = try await storedAuthorizations(db, returnIDs: first.keys.filter { !created.contains($0) }.map(\.id))
            // The decisions stored now, in batch order (as read back: the same values).
            let fresh = batch.indices.filter { index in
                let id = ExactID(batch[index].returnID)
                return first[id] == index && created.contains(id)
            }.map { batch[$0] }
            for item in fresh {
                stored[ExactID(item.returnID)] = StoredAuthorization(
                    returnID: item.returnID,
                    payloadHash: item.payloadHash,
                    decision: item.decision,
                    refundTiming: item.refundTiming,
                    modelVersion: item.modelVersion,
                    payload: item.payload,
                    decidedAt: Date(storedSeconds: t),
                    actor: actor,
                    receipt: nil
                )
            }
            // Every outcome but a conflict carries the stored decision with its receipt link as of now.
            var answered: [ExactID] = []
            for (index, item) in batch.enumerated() {
                let id = ExactID(item.returnID)
                guard let decision = stored[id] else {
                    throw StoreError.corrupt("the authorization of return \(item.returnID) does not read back")
                }
                if (first[id] == index && created.contains(id)) || decision.payloadHash == item.payloadHash { answered.append(id) }
            }
            let receipts = try await receiptLinks(db, returnIDs: Array(Set(answered)).map(\.id), now: now)
            var outcomes: [AuthorizationOutcome] = []
            outcomes.reserveCapacity(batch.count)
            for (index, item) in batch.enumerated() {
                let id = ExactID(item.returnID)
                guard var decision = stored[id] else { continue }  // checked above
                decision.receipt = receipts[id]
                if first[id] == index && created.contains(id) {
                    outcomes.append(.decided(decision))
                } else if decision.payloadHash == item.payloadHash {
                    outcomes.append(.duplicate(decision))
                } else {
                    outcomes.append(.conflict(returnID: item.returnID))
                }
            }
            if !fresh.isEmpty {
                try await db.execute(
                    """
                    INSERT INTO audit_event (return_id, kind, actor, detail, at)
                    SELECT u.id, \(AuditKind.authorized), \(actor)::text, u.detail, \(t)
                    FROM unnest(\(fresh.map(\.returnID))::text[],
                        \(fresh.map { $0.decision.rawValue + ($0.refundTiming.map { ", refund \($0.rawValue)" } ?? "") })::text[])
                        AS u(id, detail)
                    """
                )
            }
            return outcomes
        }
    }

    package func authorization(returnID: String, now: Date) async throws -> StoredAuthorization {
        try await read { db in
            guard let stored = try await storedAuthorization(db, returnID: returnID, receiptAsOf: now) else {
                throw StoreError.authorizationNotFound(returnID)
            }
            return stored
        }
    }

    // MARK: - Shared pieces

    /// The decision stored for a return request, or `nil`; with its receipt link as of `receiptAsOf`, or none when
    /// that is `nil` (the return's detail carries the assessment and the queue position itself).
    func storedAuthorization(_ db: Connection, returnID: String, receiptAsOf now: Date?) async throws -> StoredAuthorization? {
        guard var stored = try await storedAuthorizations(db, returnIDs: [returnID])[ExactID(returnID)] else { return nil }
        if let now { stored.receipt = try await receiptLink(db, returnID: returnID, now: now) }
        return stored
    }

    /// The decisions stored for some return requests, without their receipt links.
    private func storedAuthorizations(_ db: Connection, returnIDs: [String]) async throws -> [ExactID: StoredAuthorization] {
        guard !returnIDs.isEmpty else { return [:] }
        var stored: [ExactID: StoredAuthorization] = [:]
        for row in try await db.rows(
            """
            SELECT return_id, payload_hash, decision, refund_timing, model_version, payload, decided_at, actor
            FROM return_authorization WHERE return_id = ANY(\(returnIDs)::text[])
            """
        ) {
            let returnID = try row.get("return_id", as: String.self)
            stored[ExactID(returnID)] = StoredAuthorization(
                returnID: returnID,
                payloadHash: try row.get("payload_hash", as: String.self),
                decision: try row.get("decision", as: ReturnDecision.self),
                refundTiming: try row.get("refund_timing", as: RefundTiming?.self),
                modelVersion: try row.get("model_version", as: String.self),
                payload: try row.get("payload", as: Data.self),
                decidedAt: try row.date("decided_at"),
                actor: try row.get("actor", as: String?.self),
                receipt: nil
            )
        }
        return stored
    }

    /// The return ingested under an authorized request's id, or `nil` before the item arrives: when it was received,
    /// its latest assessment and its queue state at `now` (an expired lease reads as queued, as in
    /// ``queuePosition(_:returnID:now:)``).
    func receiptLink(_ db: Connection, returnID: String, now: Date) async throws -> ReceiptLink? {
        try await receiptLinks(db, returnIDs: [returnID], now: now)[ExactID(returnID)]
    }

    /// The receipt links of some return_ids in one query; an id not ingested yet has none.
    private func receiptLinks(_ db: Connection, returnIDs: [String], now: Date) async throws -> [ExactID: ReceiptLink] {
        guard !returnIDs.isEmpty else { return [:] }
        var links: [ExactID: ReceiptLink] = [:]
        for row in try await db.rows(
            """
            SELECT r.id, r.created_at, a.model_version, a.payload, q.state, q.lease_until
            FROM return_item r
            LEFT JOIN LATERAL (
                SELECT model_version, payload FROM assessment WHERE return_id = r.id ORDER BY id DESC LIMIT 1) a ON true
            LEFT JOIN queue_entry q ON q.return_id = r.id
            WHERE r.id = ANY(\(returnIDs)::text[])
            """
        ) {
            let returnID = try row.get("id", as: String.self)
            guard let modelVersion = try row.get("model_version", as: String?.self), let payload = try row.get("payload", as: Data?.self)
            else { throw StoreError.corrupt("return \(returnID) has no assessment") }
            guard var state = try row.get("state", as: QueueState?.self) else {
                throw StoreError.corrupt("return \(returnID) has no queue entry")
            }
            if state == .leased, let expires = try row.optionalDate("lease_until"), expires <= now { state = .queued }
            links[ExactID(returnID)] = ReceiptLink(
                receivedAt: try row.date("created_at"),
                modelVersion: modelVersion,
                assessment: payload,
                queueState: state
            )
        }
        return links
    }
}
