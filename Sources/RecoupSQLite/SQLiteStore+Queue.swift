package import Foundation
internal import GRDB
internal import RecoupCore
internal import RecoupInsights
package import RecoupStore

extension SQLiteStore {
    /// The top items of the lane of the warehouse, queued or with an expired lease: each kind read in rank order from
    /// the index `(lane, warehouseID, state, rankKey)`, so that a claim reads about `count` rows, not the lane.
    package func claim(_ request: ClaimRequest, token: String, now: Date) async throws -> Claim {
        try await writer.write { db in
            let t = now.storedSeconds
            let expires = t + request.leaseSeconds
            _ = try applyRankChanges(db, now: now)
            var firstClaims: [CycleRollupKey: CycleCounts] = [:]
            let items = try db.rows(
                """
                UPDATE queueEntry SET state = \(QueueState.leased), claimToken = \(token), stationID = \(request.stationID),
                    leaseExpiresAt = \(expires), claimCount = claimCount + 1, firstClaimedAt = COALESCE(firstClaimedAt, \(t))
                WHERE returnID IN (
                    SELECT returnID FROM (
                        SELECT returnID, rankKey FROM (
                            SELECT returnID, rankKey FROM queueEntry
                            WHERE lane = \(request.lane) AND warehouseID = \(request.warehouseID) AND state = \(QueueState.queued)
                            ORDER BY rankKey DESC, returnID LIMIT \(request.count))
                        UNION ALL
                        SELECT returnID, rankKey FROM (
                            SELECT returnID, rankKey FROM queueEntry
                            WHERE lane = \(request.lane) AND warehouseID = \(request.warehouseID) AND state = \(QueueState.leased)
                                AND leaseExpiresAt <= \(t)
                            ORDER BY rankKey DESC, returnID LIMIT \(request.count)))
                    ORDER BY rankKey DESC, returnID LIMIT \(request.count))
                RETURNING returnID, rank, rankKey, serviceLevelHours, recoveryValue, enqueuedAt, firstClaimedAt, warehouseID
                """
            ).map { row in
                if row["firstClaimedAt"] == t {  // its first claim: the end of its wait for a station
                    let enqueued: Double = row["enqueuedAt"]
                    firstClaims.add(
                        .receivedToClaimed,
                        seconds: t - enqueued,
                        warehouseID: row["warehouseID"],
                        lane: request.lane.rawValue,
                        day: Day(containingSecondsSinceEpoch: enqueued)
                    )
                }
                return (
                    key: row["rankKey"] as Double,
                    item: ClaimedItem(
                        returnID: row["returnID"],
                        rank: try rank(row),
                        recoveryValue: row["recoveryValue"],
                        enqueuedAt: row.date("enqueuedAt")
                    )
                )
            }.sorted { ($0.key, $1.item.returnID) > ($1.key, $0.item.returnID) }.map(\.item)
            try Self.apply(firstClaims, db)
            try db.execute(
                literal: """
                    INSERT INTO claim (token, lane, warehouseID, stationID, expiresAt, createdAt)
                    VALUES (\(token), \(request.lane), \(request.warehouseID), \(request.stationID), \(expires), \(t))
                    """
            )
            for item in items {
                try audit(
                    db,
                    item.returnID,
                    .claimed,
                    actor: request.stationID,
                    detail: "token \(token), lease \(Int(request.leaseSeconds)) s",
                    at: t
                )
            }
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
        try await writer.write { db in
            let t = now.storedSeconds
            try requireActiveClaim(db, token)
            let expires = t + leaseSeconds
            let ids = try db.values(
                """
                UPDATE queueEntry SET leaseExpiresAt = \(expires)
                WHERE claimToken = \(token) AND state = \(QueueState.leased) AND leaseExpiresAt > \(t)
                RETURNING returnID
                """,
                as: String.self
            ).sorted()
            try db.execute(literal: "UPDATE claim SET expiresAt = \(expires) WHERE token = \(token)")
            for id in ids { try audit(db, id, .leaseExtended, actor: nil, detail: "token \(token)", at: t) }
            return (Date(storedSeconds: expires), ids)
        }
    }

    package func releaseClaim(token: String, now: Date) async throws -> [String] {
        try await writer.write { db in
            let t = now.storedSeconds
            try requireActiveClaim(db, token)
            let ids = try db.values(
                """
                UPDATE queueEntry SET state = \(QueueState.queued), claimToken = NULL, stationID = NULL, leaseExpiresAt = NULL
                WHERE claimToken = \(token) AND state = \(QueueState.leased)
                RETURNING returnID
                """,
                as: String.self
            ).sorted()
            try db.execute(literal: "UPDATE claim SET releasedAt = \(t) WHERE token = \(token)")
            for id in ids { try audit(db, id, .released, actor: nil, detail: "token \(token)", at: t) }
            return ids
        }
    }

    package func expireLeases(now: Date) async throws -> Int {
        try await writer.write { db in
            let t = now.storedSeconds
            let ids = try db.values(
                """
                UPDATE queueEntry SET state = \(QueueState.queued), claimToken = NULL, stationID = NULL, leaseExpiresAt = NULL
                WHERE state = \(QueueState.leased) AND leaseExpiresAt <= \(t)
                RETURNING returnID
                """,
                as: String.self
            )
            for id in ids { try audit(db, id, .leaseExpired, actor: nil, detail: nil, at: t) }
            return ids.count
        }
    }

    package func applyRankChanges(now: Date) async throws -> Int {
        try await writer.write { db in try applyRankChanges(db, now: now) }
    }

    package func laneStats(warehouseID: String?, now: Date) async throws -> [LaneStats] {
        let t = now.storedSeconds
        // Read from the covering index queueEntry_laneStats alone, one state at a time so that each range comes in
        // (warehouse, lane) order and groups without a sort; never the queue's wide rows. A lease past its expiry counts
        // as waiting.
        let warehouse: SQL = warehouseID.map { "AND warehouseID = \($0)" } ?? ""
        return try await writer.read { db in
            var byLane: [LaneName: LaneStats] = [:]
            let rows = try [QueueState.queued, .leased].flatMap { state in
                try db.rows(
                    """
                    SELECT lane,
                        COUNT(*) AS depth,
                        SUM(CASE WHEN state = \(QueueState.leased) AND leaseExpiresAt > \(t) THEN 1 ELSE 0 END) AS leasedCount,
                        MAX(\(t) - enqueuedAt) AS oldest,
                        SUM(recoveryValue) AS value,
                        SUM(CASE WHEN (\(t) - enqueuedAt) > serviceLevelHours * 3600 THEN 1 ELSE 0 END) AS late
                    FROM queueEntry
                    WHERE state = \(state) \(warehouse)
                    GROUP BY warehouseID, lane
                    """
                )
            }
            for row in rows {
                let lane: LaneName = try row.required("lane")
                var stats = byLane[lane] ?? LaneStats(lane: lane, depth: 0, leased: 0, oldestAgeHours: 0, valueAtStake: 0, pastServiceLevel: 0)
                stats.depth += row["depth"]
                stats.leased += row["leasedCount"]
                stats.valueAtStake += row["value"] ?? 0
                stats.pastServiceLevel += row["late"]
                stats.oldestAgeHours = max(stats.oldestAgeHours, (row["oldest"] as Double? ?? 0) / 3600)
                byLane[lane] = stats
            }
            return byLane.values.sorted { $0.lane < $1.lane }
        }
    }

    package func completeInspection(returnID: String, token: String, outcome: InspectionOutcome, now: Date) async throws {
        try await writer.write { db in
            let t = now.storedSeconds
            guard
                let row = try db.row(
                    """
                    SELECT q.state, q.claimToken, q.leaseExpiresAt, q.stationID, q.returnID, q.rank, q.rankKey, q.lane, q.warehouseID,
                        q.serviceLevelHours, q.enqueuedAt, q.firstClaimedAt, r.record, r.createdAt
                    FROM queueEntry q JOIN returnItem r ON r.id = q.returnID WHERE q.returnID = \(returnID)
                    """
                )
            else { throw StoreError.returnNotFound(returnID) }
            let state: QueueState = try row.required("state")
            if state == .completed { throw StoreError.alreadyCompleted(returnID) }
            guard state == .leased, (row["claimToken"] as String?) == token else {
                throw StoreError.notLeasedByToken(returnID: returnID, token: token)
            }
            guard let expires = row["leaseExpiresAt"] as Double?, expires > t else { throw StoreError.leaseExpired(returnID: returnID) }
            let station: String? = row["stationID"]
            try db.execute(
                literal: """
                    INSERT INTO inspection (returnID, grade, disposition, recoveryValue, fraudConfirmed, notes, stationID, inspectedAt)
                    VALUES (\(returnID), \(outcome.grade), \(outcome.disposition), \(outcome.recoveryValue), \(outcome.fraudConfirmed),
                        \(outcome.notes), \(station), \(t))
                    """
            )
            try db.execute(
                literal: """
                    UPDATE queueEntry SET state = \(QueueState.completed), completedAt = \(t), claimToken = NULL, leaseExpiresAt = NULL,
                        rerankAt = NULL
                    WHERE returnID = \(returnID)
                    """
            )
            try countInspection(row, outcome, completedAt: t, db)
            try audit(
                db,
                returnID,
                .inspected,
                actor: station,
                detail: "\(outcome.disposition.rawValue), recovered \(outcome.recoveryValue), fraud \(outcome.fraudConfirmed)",
                at: t
            )
        }
    }

    /// Moves an inspected return in the insight totals from "not inspected" to its outcome, with the value it lost
    /// waiting, and counts its cycle times (`row`: the queue entry and the return's record and creation time).
    private func countInspection(_ row: Row, _ outcome: InspectionOutcome, completedAt: Double, _ db: Database) throws {
        let before = ReturnFacts(record: try record(row["record"], returnID: row["returnID"]), labels: nil)
        let queue = StoredQueueTimes(
            lane: row["lane"],
            warehouseID: row["warehouseID"],
            serviceLevelHours: row["serviceLevelHours"],
            enqueuedAt: row["enqueuedAt"],
            firstClaimedAt: row["firstClaimedAt"]
        )
        var after = before
        after.recovered = outcome.recoveryValue
        after.disposition = outcome.disposition
        after.lostToWaiting = try rank(row).terms.valueLost(from: Date(storedSeconds: queue.enqueuedAt), to: Date(storedSeconds: completedAt))
        let day = Day(containingSecondsSinceEpoch: row["createdAt"])
        try Self.apply(RollupChange.inspected(from: before, to: after, on: day), db)
        var cycles: [CycleRollupKey: CycleCounts] = [:]
        cycles.addInspection(queue: queue, completedAt: completedAt, day: day)
        try Self.apply(cycles, db)
    }

    /// Throws ``StoreError/claimNotFound(_:)`` unless `token` names a claim that was not released.
    private func requireActiveClaim(_ db: Database, _ token: String) throws {
        guard try db.value("SELECT 1 FROM claim WHERE token = \(token) AND releasedAt IS NULL", as: Bool.self) != nil else {
            throw StoreError.claimNotFound(token)
        }
    }
}
