package import Foundation
internal import GRDB
internal import RecoupCore
package import RecoupStore

extension SQLiteStore {
    package func authorize(_ batch: [NewAuthorization], now: Date, actor: String?) async throws -> [AuthorizationOutcome] {
        try await writer.write { db in
            let t = now.storedSeconds
            var outcomes: [AuthorizationOutcome] = []
            outcomes.reserveCapacity(batch.count)
            func readBack(_ db: Database, _ id: String) throws -> StoredAuthorization {
                guard let stored = try storedAuthorization(db, returnID: id, receiptAsOf: now) else {
                    throw StoreError.corrupt("the authorization of return \(id) does not read back")
                }
                return stored
            }
            for item in batch {
                let id = item.returnID
                // An earlier element of this batch is already in the table: the transaction reads its own writes.
                if let existing = try db.value("SELECT payloadHash FROM returnAuthorization WHERE returnID = \(id)", as: String.self) {
                    outcomes.append(existing == item.payloadHash ? .duplicate(try readBack(db, id)) : .conflict(returnID: id))
                    continue
                }
                try db.execute(
                    literal: """
                        INSERT INTO returnAuthorization (returnID, payloadHash, decision, refundTiming, modelVersion, payload, decidedAt, actor)
                        VALUES (\(id), \(item.payloadHash), \(item.decision), \(item.refundTiming), \(item.modelVersion), \(item.payload),
                            \(t), \(actor))
                        """
                )
                let detail = item.decision.rawValue + (item.refundTiming.map { ", refund \($0.rawValue)" } ?? "")
                try audit(db, id, .authorized, actor: actor, detail: detail, at: t)
                outcomes.append(.decided(try readBack(db, id)))
            }
            return outcomes
        }
    }

    package func authorization(returnID: String, now: Date) async throws -> StoredAuthorization {
        try await writer.read { db in
            guard let stored = try storedAuthorization(db, returnID: returnID, receiptAsOf: now) else {
                throw StoreError.authorizationNotFound(returnID)
            }
            return stored
        }
    }

    // MARK: - Shared pieces

    /// The decision stored for a return request, or `nil`; with its receipt link as of `receiptAsOf`, or none when
    /// that is `nil` (the return's detail carries the assessment and the queue position itself).
    func storedAuthorization(_ db: Database, returnID: String, receiptAsOf now: Date?) throws -> StoredAuthorization? {
        guard let row = try db.row("SELECT * FROM returnAuthorization WHERE returnID = \(returnID)") else { return nil }
        return StoredAuthorization(
            returnID: returnID,
            payloadHash: row["payloadHash"],
            decision: try row.required("decision"),
            refundTiming: try (row["refundTiming"] as String?).map { _ in try row.required("refundTiming") },
            modelVersion: row["modelVersion"],
            payload: row["payload"],
            decidedAt: row.date("decidedAt"),
            actor: row["actor"],
            receipt: try now.flatMap { try receiptLink(db, returnID: returnID, now: $0) }
        )
    }

    /// The return ingested under an authorized request's id, or `nil` before the item arrives: when it was received,
    /// its latest assessment and its queue state at `now` (read as ``detail(returnID:now:)`` reads them).
    func receiptLink(_ db: Database, returnID: String, now: Date) throws -> ReceiptLink? {
        guard let receivedAt = try db.value("SELECT createdAt FROM returnItem WHERE id = \(returnID)", as: Double.self) else { return nil }
        let latest = try latestAssessmentVersion(db, returnID: returnID)
        guard let queue = try queuePosition(db, returnID: returnID, now: now) else {
            throw StoreError.corrupt("return \(returnID) has no queue entry")
        }
        return ReceiptLink(
            receivedAt: Date(storedSeconds: receivedAt),
            modelVersion: latest.modelVersion,
            assessment: latest.payload,
            queueState: queue.state
        )
    }
}
