package import Foundation
internal import PostgresNIO
package import RecoupCore
internal import RecoupInsights
package import RecoupStore

extension PostgresStore {
    /// Stores a batch with one statement per table (arrays bound and `unnest`ed), so that a batch of 100 costs about ten
    /// round trips, not hundreds.
    ///
    /// Idempotent under races between replicas: the returns are inserted with `ON CONFLICT (id) DO NOTHING`, in id
    /// order (two batches sharing ids then wait on each other in the same order and never deadlock); an id that comes
    /// back from none of the inserts was stored before, by this batch's first element with that id or by another
    /// transaction (committed: the insert waited for it), and its stored payload hash decides duplicate or conflict.
    package func ingest(_ batch: [NewReturn], now: Date, actor: String?) async throws -> [IngestOutcome] {
        let t = now.storedSeconds
        let day = Day(containingSecondsSinceEpoch: t)
        // The first element of each return_id is the one stored; a later one is judged against what is stored then.
        var first: [ExactID: Int] = [:]
        for (index, item) in batch.enumerated() where first[ExactID(item.record.returnID)] == nil {
            first[ExactID(item.record.returnID)] = index
        }
        let candidates = first.values.sorted { ExactID.precedes(batch[$0].record.returnID, batch[$1].record.returnID) }
        return try await write { [first] db in
            let created = try await insertReturns(db, candidates.map { batch[$0] }, at: t)
            var stored = try await storedPayloads(db, returnIDs: first.keys.filter { !created.contains($0) }.map(\.id))
            // The elements stored now, in batch order: their rows, audit rows and counts follow the batch.
            let fresh = batch.indices.filter { index in
                let id = ExactID(batch[index].record.returnID)
                return first[id] == index && created.contains(id)
            }.map { batch[$0] }
            for item in fresh { stored[ExactID(item.record.returnID)] = (item.payloadHash, item.assessment.payload) }
            var outcomes: [IngestOutcome] = []
            outcomes.reserveCapacity(batch.count)
            for (index, item) in batch.enumerated() {
                let id = ExactID(item.record.returnID)
                if first[id] == index, created.contains(id) {
                    outcomes.append(.created(assessment: item.assessment.payload))
                    continue
                }
                guard let existing = stored[id] else {
                    throw StoreError.corrupt("return \(id.id) was neither stored nor found after its insert")
                }
                guard existing.payloadHash == item.payloadHash else {
                    outcomes.append(.conflict(returnID: id.id))
                    continue
                }
                guard let assessment = existing.assessment else { throw StoreError.corrupt("return \(id.id) has no assessment") }
                outcomes.append(.duplicate(assessment: assessment))
            }
            guard !fresh.isEmpty else { return outcomes }

            try await insertAssessments(db, fresh.map { ($0.record.returnID, $0.assessment) }, at: t)
            try await enqueue(db, fresh, now: now)
            try await flag(db, fresh, at: t)
            try await insertShadows(db, fresh, at: t)
            try await db.execute(
                """
                INSERT INTO audit_event (return_id, kind, actor, detail, at)
                SELECT u.id, \(AuditKind.ingested), \(actor)::text, u.detail, \(t)
                FROM unnest(\(fresh.map(\.record.returnID))::text[],
                    \(fresh.map { "lane \($0.assessment.lane), model \($0.assessment.modelVersion)" })::text[]) AS u(id, detail)
                """
            )

            // The running totals, last: their rows are shared by every ingest, so their locks are held only until commit.
            var facts: [ReturnFacts] = []  // what the insights' running totals count
            var cycles: [CycleRollupKey: CycleCounts] = [:]
            var profiles: [String: ProfileTotals] = [:]
            var predicted: [Disposition: Int] = [:]
            facts.reserveCapacity(fresh.count)
            for item in fresh {
                let a = item.assessment
                let fact = ReturnFacts(record: item.record, labels: nil)
                facts.append(fact)
                predicted[a.disposition, default: 0] += 1
                let queue = StoredQueueTimes(
                    lane: a.lane.rawValue,
                    warehouseID: item.record.warehouseID,
                    serviceLevelHours: a.rank.serviceLevelHours,
                    enqueuedAt: t
                )
                cycles.addArrival(of: fact, queue: queue, day: day)
                for p in item.profiles {
                    profiles[p.modelVersion, default: ProfileTotals(modelVersion: p.modelVersion)].counts.add(p.cells)
                }
            }
            try await Self.add(profiles.values, on: day, db)
            try await Self.movePredicted(predicted, db)
            try await Self.apply(RollupChange.stored(facts, on: day), db)
            try await Self.apply(cycles, db)
            try await Self.record(facts.compactMap(CustomerHistory.init), db)
            return outcomes
        }
    }

    package func detail(returnID: String, now: Date) async throws -> ReturnDetail {
        try await read { db in
            guard let stored = try await db.value("SELECT record FROM return_item WHERE id = \(returnID)", as: Data.self) else {
                throw StoreError.returnNotFound(returnID)
            }
            let history = try await db.rows("SELECT kind, actor, detail, at FROM audit_event WHERE return_id = \(returnID) ORDER BY id").map { row in
                AuditEntry(
                    kind: try row.get("kind", as: AuditKind.self),
                    actor: try row.get("actor", as: String?.self),
                    detail: try row.get("detail", as: String?.self),
                    at: try row.date("at")
                )
            }
            return ReturnDetail(
                record: try record(stored, returnID: returnID),
                assessment: try await latestAssessment(db, returnID: returnID),
                queue: try await queuePosition(db, returnID: returnID, now: now),
                inspection: try await inspection(db, returnID: returnID),
                history: history,
                authorization: try await storedAuthorization(db, returnID: returnID, receiptAsOf: nil)
            )
        }
    }

    /// The queue row is locked (`FOR UPDATE`) before anything is read or written: a claim committed meanwhile makes
    /// the item no longer queued (the condition is checked again on the row as committed), and a second reassessment
    /// of the same return waits, then reads the assessment this one wrote as the previous one.
    package func reassess(returnID: String, _ a: StoredAssessment, now: Date) async throws -> Bool {
        try await write { db in
            let t = now.storedSeconds
            guard
                try await db.value(
                    """
                    SELECT true FROM queue_entry
                    WHERE return_id = \(returnID)
                        AND (state = \(QueueState.queued) OR (state = \(QueueState.leased) AND lease_until <= \(t)))
                    FOR UPDATE
                    """,
                    as: Bool.self
                ) != nil
            else { return false }
            let previous = try await db.value(
                "SELECT disposition FROM assessment WHERE return_id = \(returnID) ORDER BY id DESC LIMIT 1",
                as: Disposition.self
            )
            try await insertAssessment(db, returnID: returnID, a, at: t)
            var moved = [a.disposition: 1]
            if let previous { moved[previous, default: 0] -= 1 }
            try await Self.movePredicted(moved, db)
            rankChanges.lower(to: a.rank.nextChange(after: now)?.storedSeconds)
            try await db.execute(
                """
                UPDATE queue_entry SET lane = \(a.lane), state = \(QueueState.queued), claim_token = NULL, station_id = NULL,
                    lease_until = NULL, service_level_hours = \(a.rank.serviceLevelHours), rank = \(a.rank.storedBytes()),
                    rank_key = \(a.rank.key(at: now)), rerank_at = \(a.rank.nextChange(after: now)?.storedSeconds),
                    recovery_value = \(a.recoveryValue)
                WHERE return_id = \(returnID)
                """
            )
            try await audit(db, returnID, .reassessed, actor: nil, detail: "lane \(a.lane), model \(a.modelVersion)", at: t)
            return true
        }
    }

    package func returnsToReassess(notScoredBy modelVersion: String, limit: Int, now: Date) async throws -> [ReassessCandidate] {
        let t = now.storedSeconds
        return try await read { db in
            try await db.rows(
                """
                SELECT q.return_id, q.enqueued_at, r.record FROM queue_entry q JOIN return_item r ON r.id = q.return_id
                WHERE (q.state = \(QueueState.queued) OR (q.state = \(QueueState.leased) AND q.lease_until <= \(t))) AND (
                    q.rank IS NULL
                    OR (SELECT a.model_version FROM assessment a WHERE a.return_id = q.return_id ORDER BY a.id DESC LIMIT 1)
                        <> \(modelVersion)
                )
                ORDER BY q.enqueued_at, q.return_id LIMIT \(limit)
                """
            ).map { row in
                ReassessCandidate(
                    record: try record(try row.get("record", as: Data.self), returnID: try row.get("return_id", as: String.self)),
                    enqueuedAt: try row.date("enqueued_at")
                )
            }
        }
    }

    package func inspectedReturns() async throws -> [LabelledReturn] {
        try await read { db in
            try await db.rows(
                """
                SELECT r.id, r.record, i.disposition, i.recovery_value,
                    (i.fraud_confirmed OR COALESCE(a.status = \(AnomalyStatus.confirmedFraud), false)) AS fraud
                FROM inspection i JOIN return_item r ON r.id = i.return_id LEFT JOIN anomaly a ON a.return_id = i.return_id
                ORDER BY i.inspected_at, i.return_id
                """
            ).map { row in
                LabelledReturn(
                    record: try record(try row.get("record", as: Data.self), returnID: try row.get("id", as: String.self)),
                    labels: ReturnLabels(
                        disposition: try row.get("disposition", as: Disposition.self),
                        fraudFlag: try row.get("fraud", as: Bool.self),
                        recoveryValue: try row.get("recovery_value", as: Double.self)
                    )
                )
            }
        }
    }

    // MARK: - Ingest's statements (one per table and batch)

    /// Inserts the returns not stored yet; returns the ids inserted now. `items` come in id order (see ``ingest``).
    private func insertReturns(_ db: Connection, _ items: [NewReturn], at t: Double) async throws -> Set<ExactID> {
        guard !items.isEmpty else { return [] }
        let ids = try await db.values(
            """
            INSERT INTO return_item (id, record, payload_hash, warehouse_id, category, reason_code, refund_amount, created_at)
            SELECT u.id, u.record, u.hash, u.warehouse, u.category, u.reason, u.refund, \(t)
            FROM unnest(\(items.map(\.record.returnID))::text[], \(items.map { ByteBuffer(bytes: $0.recordJSON) })::bytea[],
                \(items.map(\.payloadHash))::text[], \(items.map(\.record.warehouseID))::text[],
                \(items.map { ReturnRecord.normalized($0.record.category) })::text[], \(items.map(\.record.reasonCode.rawValue))::text[],
                \(items.map(\.record.refundAmount))::float8[]) AS u(id, record, hash, warehouse, category, reason, refund)
            ON CONFLICT (id) DO NOTHING
            RETURNING id
            """,
            as: String.self
        )
        return Set(ids.map(ExactID.init))
    }

    /// The stored payload hash and latest assessment of returns stored before (the assessment `nil` when missing).
    private func storedPayloads(_ db: Connection, returnIDs: [String]) async throws -> [ExactID: (payloadHash: String, assessment: Data?)] {
        guard !returnIDs.isEmpty else { return [:] }
        var stored: [ExactID: (payloadHash: String, assessment: Data?)] = [:]
        for row in try await db.rows(
            """
            SELECT r.id, r.payload_hash,
                (SELECT a.payload FROM assessment a WHERE a.return_id = r.id ORDER BY a.id DESC LIMIT 1) AS payload
            FROM return_item r WHERE r.id = ANY(\(returnIDs)::text[])
            """
        ) {
            stored[ExactID(try row.get("id", as: String.self))] = (
                try row.get("payload_hash", as: String.self), try row.get("payload", as: Data?.self)
            )
        }
        return stored
    }

    /// The queue entries of returns stored now.
    private func enqueue(_ db: Connection, _ items: [NewReturn], now: Date) async throws {
        let t = now.storedSeconds
        // An array element cannot be NULL here: NaN stands for "no next change" (PostgreSQL's NaN equals NaN).
        let rerank = items.map { $0.assessment.rank.nextChange(after: now)?.storedSeconds ?? .nan }
        rankChanges.lower(to: rerank.filter { !$0.isNaN }.min())
        try await db.execute(
            """
            INSERT INTO queue_entry (return_id, lane, warehouse_id, state, service_level_hours, rank, rank_key, rerank_at,
                recovery_value, enqueued_at)
            SELECT u.id, u.lane, u.warehouse, \(QueueState.queued), u.sla, u.rank, u.key, NULLIF(u.rerank, 'NaN'::float8), u.value, \(t)
            FROM unnest(\(items.map(\.record.returnID))::text[], \(items.map(\.assessment.lane.rawValue))::text[],
                \(items.map(\.record.warehouseID))::text[], \(items.map(\.assessment.rank.serviceLevelHours))::float8[],
                \(items.map { ByteBuffer(bytes: $0.assessment.rank.storedBytes()) })::bytea[],
                \(items.map { $0.assessment.rank.key(at: now) })::float8[], \(rerank)::float8[],
                \(items.map(\.assessment.recoveryValue))::float8[]) AS u(id, lane, warehouse, sla, rank, key, rerank, value)
            """
        )
    }

    /// The risk-review flags of the returns stored now that have anomalies.
    private func flag(_ db: Connection, _ items: [NewReturn], at t: Double) async throws {
        let flagged = items.filter { !$0.assessment.anomalies.isEmpty }
        guard !flagged.isEmpty else { return }
        let reasons = try flagged.map { ByteBuffer(bytes: try JSONEncoder().encode($0.assessment.anomalies.map(\.reason))) }
        try await db.execute(
            """
            INSERT INTO anomaly (return_id, status, risk, exposure, reasons, kinds, warehouse_id, flagged_at)
            SELECT u.id, \(AnomalyStatus.open), u.risk, u.exposure, u.reasons, u.kinds, u.warehouse, \(t)
            FROM unnest(\(flagged.map(\.record.returnID))::text[], \(flagged.map(\.assessment.fraudRisk))::float8[],
                \(flagged.map(\.assessment.exposure))::float8[], \(reasons)::bytea[],
                \(flagged.map { AnomalyFlag.Kind.mask($0.assessment.anomalies.map(\.kind)) })::bigint[],
                \(flagged.map(\.record.warehouseID))::text[]) AS u(id, risk, exposure, reasons, kinds, warehouse)
            """
        )
    }

    /// The shadow challenger's assessments of the returns stored now.
    private func insertShadows(_ db: Connection, _ items: [NewReturn], at t: Double) async throws {
        let shadowed = items.compactMap { item in item.shadow.map { (id: item.record.returnID, shadow: $0) } }
        guard !shadowed.isEmpty else { return }
        try await db.execute(
            """
            INSERT INTO shadow_assessment (return_id, model_version, predictions, created_at)
            SELECT u.id, u.model, u.predictions, \(t)
            FROM unnest(\(shadowed.map(\.id))::text[], \(shadowed.map(\.shadow.modelVersion))::text[],
                \(shadowed.map { ByteBuffer(bytes: $0.shadow.predictions.storedBytes()) })::bytea[]) AS u(id, model, predictions)
            """
        )
    }

    // MARK: - Shared pieces

    /// A stored record, read back through the one JSON decoding path.
    func record(_ json: Data, returnID: String) throws -> ReturnRecord {
        do {
            return try ReturnJSONReader.record(Array(json))
        } catch {
            throw StoreError.corrupt("the stored record of return \(returnID) does not read back: \(error)")
        }
    }

    /// Moves the running counts of the returns' latest predicted dispositions (the summary's mix) by some changes, in
    /// one statement that upserts them in disposition order (concurrent transactions lock the rows in the same order).
    static func movePredicted(_ changes: [Disposition: Int], _ db: Connection) async throws {
        let moves = changes.filter { $0.value != 0 }.sorted { $0.key.rawValue < $1.key.rawValue }
        guard !moves.isEmpty else { return }
        try await db.execute(
            """
            INSERT INTO predicted_disposition (disposition, count, shard)
            SELECT *, \(Self.counterShard())::int2 FROM unnest(\(moves.map(\.key.rawValue))::text[], \(moves.map(\.value))::bigint[])
            ON CONFLICT (disposition, shard) DO UPDATE SET count = predicted_disposition.count + excluded.count
            """
        )
    }

    /// Writes an assessment: it becomes the return's latest (the caller moves the predicted counts).
    func insertAssessment(_ db: Connection, returnID: String, _ a: StoredAssessment, at t: Double) async throws {
        try await insertAssessments(db, [(returnID, a)], at: t)
    }

    /// Writes assessments in one statement (at most one per return: each becomes its return's latest).
    func insertAssessments(_ db: Connection, _ items: [(returnID: String, assessment: StoredAssessment)], at t: Double) async throws {
        guard !items.isEmpty else { return }
        let a = items.map(\.assessment)
        try await db.execute(
            """
            INSERT INTO assessment (return_id, model_version, disposition, fraud_risk, recovery_value, lane, anomaly, payload,
                predictions, created_at)
            SELECT u.id, u.model, u.disposition, u.risk, u.value, u.lane, u.anomaly, u.payload, u.predictions, \(t)
            FROM unnest(\(items.map(\.returnID))::text[], \(a.map(\.modelVersion))::text[], \(a.map(\.disposition.rawValue))::text[],
                \(a.map(\.fraudRisk))::float8[], \(a.map(\.recoveryValue))::float8[], \(a.map(\.lane.rawValue))::text[],
                \(a.map { !$0.anomalies.isEmpty })::boolean[], \(a.map { ByteBuffer(bytes: $0.payload) })::bytea[],
                \(a.map { ByteBuffer(bytes: $0.predictions.storedBytes()) })::bytea[])
                AS u(id, model, disposition, risk, value, lane, anomaly, payload, predictions)
            """
        )
    }

    /// The JSON of a return's latest assessment.
    func latestAssessment(_ db: Connection, returnID: String) async throws -> Data {
        try await latestAssessmentVersion(db, returnID: returnID).payload
    }

    /// A return's latest assessment: the model that made it and its JSON.
    func latestAssessmentVersion(_ db: Connection, returnID: String) async throws -> (modelVersion: String, payload: Data) {
        guard
            let row = try await db.row(
                "SELECT model_version, payload FROM assessment WHERE return_id = \(returnID) ORDER BY id DESC LIMIT 1"
            )
        else { throw StoreError.corrupt("return \(returnID) has no assessment") }
        return (try row.get("model_version", as: String.self), try row.get("payload", as: Data.self))
    }

    func queuePosition(_ db: Connection, returnID: String, now: Date) async throws -> QueuePosition? {
        guard
            let row = try await db.row(
                """
                SELECT return_id, lane, warehouse_id, state, rank, rank_key, service_level_hours, enqueued_at, lease_until,
                    station_id, completed_at, claim_count
                FROM queue_entry WHERE return_id = \(returnID)
                """
            )
        else { return nil }
        var state = try row.get("state", as: QueueState.self)
        let expires = try row.optionalDate("lease_until")
        if state == .leased, let expires, expires <= now { state = .queued }
        return QueuePosition(
            lane: try row.get("lane", as: LaneName.self),
            warehouseID: try row.get("warehouse_id", as: String.self),
            state: state,
            rank: try rank(row),
            enqueuedAt: try row.date("enqueued_at"),
            leaseExpiresAt: state == .leased ? expires : nil,
            stationID: state == .leased ? try row.get("station_id", as: String?.self) : nil,
            completedAt: try row.optionalDate("completed_at"),
            claimCount: try row.get("claim_count", as: Int.self)
        )
    }

    /// The rank of a queue row (columns `return_id`, `rank`, `rank_key`, `service_level_hours`, `enqueued_at`).
    func rank(_ row: PostgresRandomAccessRow) throws -> QueueRank {
        guard let stored = try row.get("rank", as: Data?.self) else {
            return .unexplained(
                key: try row.get("rank_key", as: Double.self),
                serviceLevelHours: try row.get("service_level_hours", as: Double.self),
                enqueuedAt: try row.date("enqueued_at")
            )
        }
        return try QueueRank(storedBytes: stored, returnID: try row.get("return_id", as: String.self))
    }

    /// Moves every item whose rank changes by `now` (its refund issued, its service level passed) to the key in force,
    /// in one update. Rows another transaction holds are skipped (`SKIP LOCKED`), not waited for: a claim or an
    /// inspection has them, and the next pass (or the next claim) moves them.
    func applyRankChanges(_ db: Connection, now: Date) async throws -> Int {
        // In chunks read in `rerank_at` order, so that the index `queue_entry_rerank` serves each (a claim runs this
        // first; without the order PostgreSQL may scan the whole queue to find the few rows due).
        let chunk = 500
        var total = 0
        while true {
            let due = try await db.rows(DueRankChangesStatement(now: now.storedSeconds, limit: chunk))
            var ids: [String] = []
            var keys: [Double] = []
            var next: [Double] = []  // NaN: no later change
            for row in due {
                let id = try row.get("return_id", as: String.self)
                guard let stored = try row.get("rank", as: Data?.self) else { continue }
                let rank = try QueueRank(storedBytes: stored, returnID: id)
                ids.append(id)
                keys.append(rank.key(at: now))
                next.append(rank.nextChange(after: now)?.storedSeconds ?? .nan)
            }
            if !ids.isEmpty {
                try await db.execute(
                    """
                    UPDATE queue_entry q SET rank_key = u.key, rerank_at = NULLIF(u.next, 'NaN'::float8)
                    FROM unnest(\(ids)::text[], \(keys)::float8[], \(next)::float8[]) AS u(id, key, next)
                    WHERE q.return_id = u.id
                    """
                )
            }
            total += due.count
            if due.count < chunk || ids.isEmpty { break }
        }
        let next = try await db.value("SELECT min(rerank_at) FROM queue_entry", as: Double.self)
        rankChanges.checked(at: now.storedSeconds, nextDue: next)
        return total
    }

    func inspection(_ db: Connection, returnID: String) async throws -> InspectionOutcome? {
        guard
            let row = try await db.row(
                "SELECT grade, disposition, recovery_value, fraud_confirmed, notes FROM inspection WHERE return_id = \(returnID)"
            )
        else { return nil }
        return InspectionOutcome(
            grade: try row.get("grade", as: Grade?.self),
            disposition: try row.get("disposition", as: Disposition.self),
            recoveryValue: try row.get("recovery_value", as: Double.self),
            fraudConfirmed: try row.get("fraud_confirmed", as: Bool.self),
            notes: try row.get("notes", as: String?.self)
        )
    }
}

/// A return_id compared by its bytes, as the `"C"` id columns compare (Swift's `==` on strings also equates
/// canonically equivalent spellings, which the database keeps apart): the key of a batch's bookkeeping.
struct ExactID: Hashable {
    let id: String

    init(_ id: String) { self.id = id }

    static func == (lhs: ExactID, rhs: ExactID) -> Bool { lhs.id.utf8.elementsEqual(rhs.id.utf8) }

    func hash(into hasher: inout Hasher) {
        var id = id
        id.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Byte order: the order rows are inserted in, the same in every transaction.
    static func precedes(_ lhs: String, _ rhs: String) -> Bool { lhs.utf8.lexicographicallyPrecedes(rhs.utf8) }
}
