import Foundation
import GRDB
import PostgresNIO
import RecoupCore
import RecoupTestStores
import Testing

@testable import RecoupPostgres
@testable import RecoupSQLite
@testable import RecoupStore

/// A decision on the request of return `id`; its payload names the id, the decision and the model.
private func newAuthorization(
    _ id: String,
    hash: String = "a",
    decision: ReturnDecision = .approveReturn,
    timing: RefundTiming? = .atFirstScan,
    version: String = "r1"
) -> NewAuthorization {
    NewAuthorization(
        returnID: id,
        payloadHash: hash,
        decision: decision,
        refundTiming: timing,
        modelVersion: version,
        payload: Data(#"{"return_id":"\#(id)","decision":"\#(decision.rawValue)","model":"\#(version)"}"#.utf8)
    )
}

/// What the store should give back for a decision stored at `at` by `actor`.
private func stored(_ new: NewAuthorization, at: Date, actor: String?, receipt: ReceiptLink? = nil) -> StoredAuthorization {
    StoredAuthorization(
        returnID: new.returnID,
        payloadHash: new.payloadHash,
        decision: new.decision,
        refundTiming: new.refundTiming,
        modelVersion: new.modelVersion,
        payload: new.payload,
        decidedAt: at,
        actor: actor,
        receipt: receipt
    )
}

/// The tables these tests count, named in each store's schema.
private enum CountedTable {
    case audit, authorizations

    func name(in store: any ReturnsStore) -> String {
        switch (self, store is SQLiteStore) {
        case (.audit, true): "auditEvent"
        case (.audit, false): "audit_event"
        case (.authorizations, true): "returnAuthorization"
        case (.authorizations, false): "return_authorization"
        }
    }
}

/// Counts the rows of a table.
private func count(_ table: CountedTable, in store: any ReturnsStore) async throws -> Int {
    let sql = "SELECT COUNT(*) FROM \(table.name(in: store))"
    if let sqlite = store as? SQLiteStore { return try await sqlite.writer.read { db in try Int.fetchOne(db, sql: sql) ?? 0 } }
    let postgres = try #require(store as? PostgresStore)
    return try await postgres.read { db in try await db.value(PostgresQuery(unsafeSQL: sql), as: Int.self) ?? 0 }
}

/// The `authorized` audit rows (with the return_id each is written under), oldest first.
private func authorizedAudit(in store: any ReturnsStore) async throws -> [(returnID: String?, entry: AuditEntry)] {
    if let sqlite = store as? SQLiteStore {
        return try await sqlite.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT returnID, actor, detail, at FROM auditEvent WHERE kind = 'authorized' ORDER BY id").map { row in
                (row["returnID"], AuditEntry(kind: .authorized, actor: row["actor"], detail: row["detail"], at: row.date("at")))
            }
        }
    }
    let postgres = try #require(store as? PostgresStore)
    return try await postgres.read { db in
        try await db.rows("SELECT return_id, actor, detail, at FROM audit_event WHERE kind = \(AuditKind.authorized) ORDER BY id").map { row in
            (
                try row.get("return_id", as: String?.self),
                AuditEntry(kind: .authorized, actor: try row.get("actor"), detail: try row.get("detail"), at: try row.date("at"))
            )
        }
    }
}

@Suite("Return authorizations")
struct AuthorizationStoreTests {
    @Test(
        "a decision is stored once: the same hash again is a duplicate, another hash a conflict, in one batch and across calls",
        arguments: Backend.enabled
    )
    func idempotent(_ backend: Backend) async throws {
        try await backend.withStore { db in
            let approve = newAuthorization("A1")
            let keep = newAuthorization("A2", decision: .keepIt, timing: nil)
            let first = try await db.authorize(
                [approve, approve, newAuthorization("A1", hash: "b", decision: .deny, timing: nil), keep],
                now: t0,
                actor: "key:abc"
            )
            #expect(
                first == [
                    .decided(stored(approve, at: t0, actor: "key:abc")),
                    .duplicate(stored(approve, at: t0, actor: "key:abc")),
                    .conflict(returnID: "A1"),
                    .decided(stored(keep, at: t0, actor: "key:abc")),
                ]
            )
            let audit = try await authorizedAudit(in: db)
            #expect(audit.map(\.returnID) == ["A1", "A2"])
            #expect(
                audit.map(\.entry) == [
                    AuditEntry(kind: .authorized, actor: "key:abc", detail: "approve_return, refund at_first_scan", at: t0),
                    AuditEntry(kind: .authorized, actor: "key:abc", detail: "keep_it", at: t0),
                ]
            )
            let auditRows = try await count(.audit, in: db)
            #expect(auditRows == 2)

            // Later calls: the stored decision comes back as it was (time, actor, payload), and nothing is written.
            let again = try await db.authorize(
                [approve, newAuthorization("A1", hash: "b"), newAuthorization("A2", hash: "c", decision: .keepIt, timing: nil)],
                now: t0 + 60,
                actor: "key:other"
            )
            #expect(again == [.duplicate(stored(approve, at: t0, actor: "key:abc")), .conflict(returnID: "A1"), .conflict(returnID: "A2")])
            #expect(try await count(.audit, in: db) == auditRows)
            #expect(try await count(.authorizations, in: db) == 2)
            #expect(try await db.authorization(returnID: "A1", now: t0 + 60) == stored(approve, at: t0, actor: "key:abc"))
            #expect(try await db.authorization(returnID: "A2", now: t0 + 60) == stored(keep, at: t0, actor: "key:abc"))
        }
    }

    @Test("a conflict alone writes nothing", arguments: Backend.enabled)
    func conflictWritesNothing(_ backend: Backend) async throws {
        try await backend.withStore { db in
            _ = try await db.authorize([newAuthorization("A1")], now: t0, actor: nil)
            let before = try await count(.audit, in: db)
            let outcome = try await db.authorize([newAuthorization("A1", hash: "b", decision: .manualReview, timing: nil)], now: t0 + 1, actor: nil)
            #expect(outcome == [.conflict(returnID: "A1")])
            #expect(try await count(.audit, in: db) == before)
            #expect(try await db.authorization(returnID: "A1", now: t0 + 1).decision == .approveReturn)
        }
    }

    @Test("an unknown return_id has no authorization", arguments: Backend.enabled)
    func notFound(_ backend: Backend) async throws {
        try await backend.withStore { db in
            await #expect(throws: StoreError.authorizationNotFound("nope")) { try await db.authorization(returnID: "nope", now: t0) }
            // An ingested return with no decision on its request is not an authorization either.
            _ = try await db.ingest([newReturn("R1")], now: t0, actor: nil)
            await #expect(throws: StoreError.authorizationNotFound("R1")) { try await db.authorization(returnID: "R1", now: t0) }
            #expect(try await db.detail(returnID: "R1", now: t0).authorization == nil)
            #expect(StoreError.authorizationNotFound("nope").description.contains("\"nope\""))
        }
    }

    @Test("the receipt link is nil before the item arrives and follows its latest assessment and queue state after", arguments: Backend.enabled)
    func receiptLink(_ backend: Backend) async throws {
        try await backend.withStore { db in
            let approve = newAuthorization("A1")
            _ = try await db.authorize([approve], now: t0, actor: "key:abc")
            #expect(try await db.authorization(returnID: "A1", now: t0).receipt == nil)

            let arrived = t0 + 86_400
            _ = try await db.ingest([newReturn("A1")], now: arrived, actor: "dock")
            let received = ReceiptLink(receivedAt: arrived, modelVersion: "m1", assessment: assessment().payload, queueState: .queued)
            #expect(try await db.authorization(returnID: "A1", now: arrived) == stored(approve, at: t0, actor: "key:abc", receipt: received))
            // A duplicate after the arrival carries the link too.
            #expect(
                try await db.authorize([approve], now: arrived, actor: nil) == [
                    .duplicate(stored(approve, at: t0, actor: "key:abc", receipt: received))
                ]
            )

            // A model swap: the link follows the latest assessment.
            #expect(try await db.reassess(returnID: "A1", assessment(version: "m2"), now: arrived + 60))
            var link = try #require(try await db.authorization(returnID: "A1", now: arrived + 60).receipt)
            #expect(link.modelVersion == "m2" && link.assessment == assessment(version: "m2").payload && link.receivedAt == arrived)

            // Leased, then its lease expires: it reads as queued again, as in the return's detail.
            _ = try await db.claim(lane: "standard", warehouseID: "WH1", stationID: "S1", count: 1, leaseSeconds: 60, now: arrived + 120)
            link = try #require(try await db.authorization(returnID: "A1", now: arrived + 130).receipt)
            #expect(link.queueState == .leased)
            link = try #require(try await db.authorization(returnID: "A1", now: arrived + 600).receipt)
            #expect(link.queueState == .queued)
            #expect(try await db.detail(returnID: "A1", now: arrived + 600).queue?.state == .queued)
        }
    }

    @Test("a decision stored after the item arrived is linked at once", arguments: Backend.enabled)
    func decidedAfterArrival(_ backend: Backend) async throws {
        try await backend.withStore { db in
            _ = try await db.ingest([newReturn("A1")], now: t0, actor: nil)
            let keep = newAuthorization("A1", decision: .keepIt, timing: nil)
            let outcome = try await db.authorize([keep], now: t0 + 5, actor: nil)
            let received = ReceiptLink(receivedAt: t0, modelVersion: "m1", assessment: assessment().payload, queueState: .queued)
            #expect(outcome == [.decided(stored(keep, at: t0 + 5, actor: nil, receipt: received))])
        }
    }

    @Test("the return's detail carries the decision (without a receipt link) and its history starts with it", arguments: Backend.enabled)
    func detailCarriesAuthorization(_ backend: Backend) async throws {
        try await backend.withStore { db in
            let approve = newAuthorization("A1", timing: .afterInspection)
            _ = try await db.authorize([approve], now: t0, actor: "key:abc")
            await #expect(throws: StoreError.returnNotFound("A1")) { try await db.detail(returnID: "A1", now: t0) }
            _ = try await db.ingest([newReturn("A1")], now: t0 + 3600, actor: "dock")
            let detail = try await db.detail(returnID: "A1", now: t0 + 3600)
            #expect(detail.authorization == stored(approve, at: t0, actor: "key:abc"))
            #expect(detail.history.map(\.kind) == [.authorized, .ingested])
            #expect(
                detail.history.first
                    == AuditEntry(kind: .authorized, actor: "key:abc", detail: "approve_return, refund after_inspection", at: t0)
            )
        }
    }

    @Test("every audit kind reads back from its stored name")
    func auditKindsRoundTrip() {
        for kind in AuditKind.allCases {
            #expect(AuditKind(rawValue: kind.rawValue) == kind)
        }
        #expect(AuditKind.authorized.rawValue == "authorized")
        #expect(AuditKind.allCases.count == Set(AuditKind.allCases.map(\.rawValue)).count)
    }

    @Test("a database from before authorizations were kept opens: its returns keep their history and can be linked")
    func migration() async throws {
        let (path, cleanup) = temporaryDatabasePath()
        defer { cleanup() }
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path,
            withIntermediateDirectories: true
        )
        do {
            let queue = try DatabaseQueue(path: path)
            try SQLiteStore.migrator.migrate(queue, upTo: "v8-summary-totals")
            try await queue.write { db in
                try db.execute(
                    literal: """
                        INSERT INTO returnItem (id, record, payloadHash, warehouseID, category, reasonCode, refundAmount, createdAt)
                        VALUES ('OLD-1', \(Data(record("OLD-1").json())), 'h', 'WH1', 'apparel', 'size_fit', 40, \(t0.storedSeconds))
                        """
                )
                try db.execute(
                    literal: """
                        INSERT INTO assessment (returnItemId, modelVersion, disposition, fraudRisk, recoveryValue, lane, anomaly, payload, createdAt)
                        VALUES ('OLD-1', 'm1', 'restock_new', 0.01, 30, 'standard', 0, \(Data("{}".utf8)), \(t0.storedSeconds))
                        """
                )
                try db.execute(
                    literal: """
                        INSERT INTO queueEntry (returnID, lane, warehouseID, state, serviceLevelHours, rankKey, recoveryValue, enqueuedAt)
                        VALUES ('OLD-1', 'standard', 'WH1', 'queued', 72, 1, 30, \(t0.storedSeconds))
                        """
                )
                try db.execute(
                    literal:
                        "INSERT INTO auditEvent (returnID, kind, actor, detail, at) VALUES ('OLD-1', 'ingested', NULL, NULL, \(t0.storedSeconds))"
                )
            }
        }
        let db = try SQLiteStore.open(path: path)
        #expect(try await db.status().appliedMigrations == SQLiteStore.migrationNames)
        #expect(SQLiteStore.migrationNames.contains("v9-authorizations"))
        #expect(try await db.detail(returnID: "OLD-1", now: t0).history.map(\.kind) == [.ingested])
        let approve = newAuthorization("OLD-1")
        let received = ReceiptLink(receivedAt: t0, modelVersion: "m1", assessment: Data("{}".utf8), queueState: .queued)
        #expect(
            try await db.authorize([approve], now: t0 + 10, actor: nil) == [.decided(stored(approve, at: t0 + 10, actor: nil, receipt: received))]
        )
        let detail = try await db.detail(returnID: "OLD-1", now: t0 + 10)
        #expect(detail.history.map(\.kind) == [.ingested, .authorized])
        #expect(detail.authorization == stored(approve, at: t0 + 10, actor: nil))
    }
}
