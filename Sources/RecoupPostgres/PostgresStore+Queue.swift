package import Foundation
internal import PostgresNIO
internal import RecoupCore
internal import RecoupInsights
package import RecoupStore

extension PostgresStore {
    /// The top items of the lane of the warehouse, queued or with an expired lease (claimable again without a sweep):
    /// the queued ones read in rank order from the partial index `queue_entry_queued`, the expired ones found by their
    /// expiry in `queue_entry_lease` (so that a claim never walks past the items other stations hold), both locked with
    /// `SKIP LOCKED`, and the best `count` of the two taken: stations
    /// claiming at once from several replicas each take different items and never wait for one another. The lease, the
    /// claim row and the audit rows are one statement; the first claims' cycle times the last, so that the hot rollup
    /// rows stay locked only until the commit.
    package func claim(_ request: ClaimRequest, token: String, now: Date) async throws -> Claim {
        try await write { db in
            let t = now.storedSeconds
            let expires = t + request.leaseSeconds
            if rankChanges.mayBeDue(at: t) { _ = try await applyRankChanges(db, now: now) }
            var firstClaims: [CycleRollupKey: CycleCounts] = [:]
            let detail = "token \(token), lease \(Int(request.leaseSeconds)) s"
            let rows = try await db.rows(ClaimStatement(request: request, token: token, now: t, expires: expires, detail: detail))
            let items = try rows.map { row in
                let enqueued = try row.get("enqueued_at", as: Double.self)
                if try row.get("first_claim", as: Bool.self) {  // its first claim: the end of its wait for a station
                    firstClaims.add(
                        .receivedToClaimed,
                        seconds: t - enqueued,
                        warehouseID: try row.get("warehouse_id"),
                        lane: request.lane.rawValue,
                        day: Day(containingSecondsSinceEpoch: enqueued)
                    )
                }
                return (
                    key: try row.get("rank_key", as: Double.self),
                    item: ClaimedItem(
                        returnID: try row.get("return_id"),
                        rank: try rank(row),
                        recoveryValue: try row.get("recovery_value"),
                        enqueuedAt: Date(storedSeconds: enqueued)
                    )
                )
            }.sorted { ($0.key, $1.item.returnID) > ($1.key, $0.item.returnID) }.map(\.item)
            try await Self.apply(firstClaims, db)
            return Claim(
                token: token,
                lane: request.lane,
                warehouseID: request.warehouseID,
                stationID: request.stationID,
                expiresAt: Date(storedSeconds: expires),
                items: items
            )
        }
    }

    package func extendClaim(token: String, leaseSeconds: Double, now: Date) async throws -> (expiresAt: Date, returnIDs: [String]) {
        try await write { db in
            let t = now.storedSeconds
            let expires = t + leaseSeconds
            let detail = "token \(token)"
            try await requireActiveClaim(
                db,
                token,
                "UPDATE claim SET expires_at = \(expires) WHERE token = \(token) AND released_at IS NULL RETURNING token"
            )
            let ids = try await db.values(
                """
                WITH extended AS (
                    UPDATE queue_entry SET lease_until = \(expires)
                    WHERE claim_token = \(token) AND state = \(QueueState.leased) AND lease_until > \(t)
                    RETURNING return_id),
                audited AS (
                    INSERT INTO audit_event (return_id, kind, actor, detail, at)
                    SELECT return_id, \(AuditKind.leaseExtended), NULL::text, \(detail), \(t) FROM extended ORDER BY return_id)
                SELECT return_id FROM extended
                """,
                as: String.self
            ).sorted()
            return (Date(storedSeconds: expires), ids)
        }
    }

    package func releaseClaim(token: String, now: Date) async throws -> [String] {
        try await write { db in
            let t = now.storedSeconds
            let detail = "token \(token)"
            try await requireActiveClaim(
                db,
                token,
                "UPDATE claim SET released_at = \(t) WHERE token = \(token) AND released_at IS NULL RETURNING token"
            )
            return try await db.values(
                """
                WITH released AS (
                    UPDATE queue_entry SET state = \(QueueState.queued), claim_token = NULL, station_id = NULL, lease_until = NULL
                    WHERE claim_token = \(token) AND state = \(QueueState.leased)
                    RETURNING return_id),
                audited AS (
                    INSERT INTO audit_event (return_id, kind, actor, detail, at)
                    SELECT return_id, \(AuditKind.released), NULL::text, \(detail), \(t) FROM released ORDER BY return_id)
                SELECT return_id FROM released
                """,
                as: String.self
            ).sorted()
        }
    }

    /// Items locked by a transaction in progress (a claim taking them again, an inspection, a release) are skipped: that
    /// transaction decides their state, and a later sweep finds them if they are still expired.
    package func expireLeases(now: Date) async throws -> Int {
        try await write { db in
            let t = now.storedSeconds
            return try await db.value(
                """
                WITH due AS (
                    SELECT return_id FROM queue_entry WHERE state = \(QueueState.leased) AND lease_until <= \(t)
                    ORDER BY return_id FOR UPDATE SKIP LOCKED),
                expired AS (
                    UPDATE queue_entry q SET state = \(QueueState.queued), claim_token = NULL, station_id = NULL, lease_until = NULL
                    FROM due WHERE q.return_id = due.return_id
                    RETURNING q.return_id),
                audited AS (
                    INSERT INTO audit_event (return_id, kind, actor, detail, at)
                    SELECT return_id, \(AuditKind.leaseExpired), NULL::text, NULL::text, \(t) FROM expired ORDER BY return_id)
                SELECT COUNT(*) FROM expired
                """,
                as: Int.self
            ) ?? 0
        }
    }

    package func applyRankChanges(now: Date) async throws -> Int {
        try await write { db in try await applyRankChanges(db, now: now) }
    }

    /// One scan of the open items (the covering partial index `queue_entry_open`), grouped by lane. A lease past its
    /// expiry counts as waiting.
    package func laneStats(warehouseID: String?, now: Date) async throws -> [LaneStats] {
        let t = now.storedSeconds
        return try await read { db in
            try await db.rows(
                """
                SELECT lane,
                    COUNT(*) AS depth,
                    COUNT(*) FILTER (WHERE state = \(QueueState.leased) AND lease_until > \(t)) AS leased_count,
                    MAX(\(t) - enqueued_at) AS oldest,
                    SUM(recovery_value) AS value,
                    COUNT(*) FILTER (WHERE (\(t) - enqueued_at) > service_level_hours * 3600) AS late
                FROM queue_entry
                WHERE state <> \(QueueState.completed) AND (\(warehouseID)::text IS NULL OR warehouse_id = \(warehouseID))
                GROUP BY lane
                """
            ).map { row in
                LaneStats(
                    lane: try row.get("lane"),
                    depth: try row.get("depth"),
                    leased: try row.get("leased_count"),
                    oldestAgeHours: max(0, (try row.get("oldest", as: Double?.self) ?? 0) / 3600),
                    valueAtStake: try row.get("value", as: Double?.self) ?? 0,
                    pastServiceLevel: try row.get("late")
                )
            }
            .sorted { $0.lane < $1.lane }
        }
    }

    /// The queue row is locked first, so that the checks hold until the commit: a station whose lease expired cannot
    /// complete an item another station has claimed since.
    package func completeInspection(returnID: String, token: String, outcome: InspectionOutcome, now: Date) async throws {
        try await write { db in
            let t = now.storedSeconds
            guard
                let row = try await db.row(
                    """
                    SELECT q.state, q.claim_token, q.lease_until, q.station_id, q.return_id, q.rank, q.rank_key, q.lane, q.warehouse_id,
                        q.service_level_hours, q.enqueued_at, q.first_claimed_at, r.record, r.created_at
                    FROM queue_entry q JOIN return_item r ON r.id = q.return_id WHERE q.return_id = \(returnID)
                    FOR NO KEY UPDATE OF q
                    """
                )
            else { throw StoreError.returnNotFound(returnID) }
            let state = try row.get("state", as: QueueState.self)
            if state == .completed { throw StoreError.alreadyCompleted(returnID) }
            guard state == .leased, try row.get("claim_token", as: String?.self) == token else {
                throw StoreError.notLeasedByToken(returnID: returnID, token: token)
            }
            guard let expires = try row.get("lease_until", as: Double?.self), expires > t else { throw StoreError.leaseExpired(returnID: returnID) }
            let station = try row.get("station_id", as: String?.self)
            let detail = "\(outcome.disposition.rawValue), recovered \(outcome.recoveryValue), fraud \(outcome.fraudConfirmed)"
            try await db.execute(
                """
                WITH completed AS (
                    UPDATE queue_entry SET state = \(QueueState.completed), completed_at = \(t), claim_token = NULL, lease_until = NULL,
                        rerank_at = NULL
                    WHERE return_id = \(returnID)),
                audited AS (
                    INSERT INTO audit_event (return_id, kind, actor, detail, at)
                    VALUES (\(returnID), \(AuditKind.inspected), \(station), \(detail), \(t)))
                INSERT INTO inspection (return_id, grade, disposition, recovery_value, fraud_confirmed, notes, station_id, inspected_at)
                VALUES (\(returnID), \(outcome.grade), \(outcome.disposition), \(outcome.recoveryValue), \(outcome.fraudConfirmed),
                    \(outcome.notes), \(station), \(t))
                """
            )
            try await countInspection(row, outcome, completedAt: t, db)
        }
    }

    /// Moves an inspected return in the insight totals from "not inspected" to its outcome, with the value it lost
    /// waiting, and counts its cycle times (`row`: the queue entry and the return's record and creation time).
    private func countInspection(_ row: PostgresRandomAccessRow, _ outcome: InspectionOutcome, completedAt: Double, _ db: Connection) async throws {
        let before = ReturnFacts(record: try record(try row.get("record", as: Data.self), returnID: try row.get("return_id")), labels: nil)
        let queue = StoredQueueTimes(
            lane: try row.get("lane"),
            warehouseID: try row.get("warehouse_id"),
            serviceLevelHours: try row.get("service_level_hours"),
            enqueuedAt: try row.get("enqueued_at"),
            firstClaimedAt: try row.get("first_claimed_at", as: Double?.self)
        )
        var after = before
        after.recovered = outcome.recoveryValue
        after.disposition = outcome.disposition
        after.lostToWaiting = try rank(row).terms.valueLost(from: Date(storedSeconds: queue.enqueuedAt), to: Date(storedSeconds: completedAt))
        let day = Day(containingSecondsSinceEpoch: try row.get("created_at"))
        try await Self.apply(RollupChange.inspected(from: before, to: after, on: day), db)
        var cycles: [CycleRollupKey: CycleCounts] = [:]
        cycles.addInspection(queue: queue, completedAt: completedAt, day: day)
        try await Self.apply(cycles, db)
    }

    /// Runs `update` on the claim row (it returns the token) and throws ``StoreError/claimNotFound(_:)`` when it names no
    /// claim that was not released. The row stays locked: a concurrent release of the same claim waits, then finds it
    /// released.
    private func requireActiveClaim(_ db: Connection, _ token: String, _ update: PostgresQuery) async throws {
        guard try await db.value(update, as: String.self) != nil else { throw StoreError.claimNotFound(token) }
    }
}
