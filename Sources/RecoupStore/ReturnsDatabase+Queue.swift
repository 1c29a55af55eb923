package import Foundation
internal import GRDB
internal import RecoupCore

/// One item handed to a station by a claim.
package struct ClaimedItem: Sendable, Codable, Equatable {
    package var returnID: String
    package var priority: Double
    package var recoveryValue: Double
    package var enqueuedAt: Date
}

/// A lease on some items of a lane.
package struct Claim: Sendable, Codable, Equatable {
    package var token: String
    package var lane: String
    package var warehouseID: String
    package var stationID: String
    package var expiresAt: Date
    /// Highest priority first.
    package var items: [ClaimedItem]
}

/// The state of one lane of one warehouse (or of all warehouses).
package struct LaneStats: Sendable, Codable, Equatable {
    package var lane: String
    /// Items waiting or leased.
    package var depth: Int
    package var leased: Int
    /// Age in hours of the oldest waiting or leased item.
    package var oldestAgeHours: Double
    /// Expected recovery value of the items waiting or leased.
    package var valueAtStake: Double
    /// Items that have waited longer than the lane's service level.
    package var pastServiceLevel: Int
}

extension ReturnsDatabase {
    /// Leases the top `count` items of a lane of a warehouse, by priority, to one station, atomically: inside one
    /// write transaction, so two stations never get the same item. Items whose lease has expired are claimable again.
    /// - Returns: the claim, possibly with no items when the lane is empty.
    package func claim(
        lane: String, warehouseID: String, stationID: String, count: Int, leaseSeconds: Double, now: Date,
        token: String = UUID().uuidString.lowercased()
    ) async throws -> Claim {
        try await writer.write { db in
            let t = now.storedSeconds
            let expires = t + leaseSeconds
            let rows = try Row.fetchAll(
                db,
                sql: """
                    UPDATE queueEntry SET state = 'leased', claimToken = ?, stationID = ?, leaseExpiresAt = ?,
                        claimCount = claimCount + 1
                    WHERE returnID IN (
                        SELECT returnID FROM queueEntry
                        WHERE lane = ? AND warehouseID = ? AND (state = 'queued' OR (state = 'leased' AND leaseExpiresAt <= ?))
                        ORDER BY rankKey DESC, returnID LIMIT ?)
                    RETURNING returnID, rankKey, agingWeight, serviceLevelHours, recoveryValue, enqueuedAt
                    """,
                arguments: [token, stationID, expires, lane, warehouseID, t, count])
            let items = rows.map { row in
                let rankKey: Double = row["rankKey"]
                let agingWeight: Double = row["agingWeight"]
                let sla: Double = row["serviceLevelHours"]
                return ClaimedItem(
                    returnID: row["returnID"], priority: rankKey + agingWeight * (t / 3600) / sla,
                    recoveryValue: row["recoveryValue"], enqueuedAt: Date(storedSeconds: row["enqueuedAt"]))
            }.sorted { ($0.priority, $1.returnID) > ($1.priority, $0.returnID) }
            try db.execute(
                sql: "INSERT INTO claim (token, lane, warehouseID, stationID, expiresAt, createdAt) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [token, lane, warehouseID, stationID, expires, t])
            for item in items {
                try audit(db, item.returnID, "claimed", actor: stationID, detail: "token \(token), lease \(Int(leaseSeconds)) s", at: t)
            }
            return Claim(
                token: token, lane: lane, warehouseID: warehouseID, stationID: stationID,
                expiresAt: Date(storedSeconds: expires), items: items)
        }
    }

    /// Extends the lease of every item still held under a claim to `now + leaseSeconds`.
    /// - Returns: the ids of the items still held (an item whose lease already expired is not taken back).
    /// - Throws: ``StoreError/claimNotFound(_:)`` for an unknown or released token.
    package func extendClaim(token: String, leaseSeconds: Double, now: Date) async throws -> (expiresAt: Date, returnIDs: [String]) {
        try await writer.write { db in
            let t = now.storedSeconds
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM claim WHERE token = ? AND releasedAt IS NULL", arguments: [token]) != nil
            else { throw StoreError.claimNotFound(token) }
            let expires = t + leaseSeconds
            let ids = try String.fetchAll(
                db,
                sql: """
                    UPDATE queueEntry SET leaseExpiresAt = ?
                    WHERE claimToken = ? AND state = 'leased' AND leaseExpiresAt > ?
                    RETURNING returnID
                    """,
                arguments: [expires, token, t]
            ).sorted()
            try db.execute(sql: "UPDATE claim SET expiresAt = ? WHERE token = ?", arguments: [expires, token])
            for id in ids { try audit(db, id, "lease_extended", actor: nil, detail: "token \(token)", at: t) }
            return (Date(storedSeconds: expires), ids)
        }
    }

    /// Releases a claim: every item still leased under it goes back to its lane at its old place.
    /// - Returns: the ids of the items put back.
    package func releaseClaim(token: String, now: Date) async throws -> [String] {
        try await writer.write { db in
            let t = now.storedSeconds
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM claim WHERE token = ? AND releasedAt IS NULL", arguments: [token]) != nil
            else { throw StoreError.claimNotFound(token) }
            let ids = try String.fetchAll(
                db,
                sql: """
                    UPDATE queueEntry SET state = 'queued', claimToken = NULL, stationID = NULL, leaseExpiresAt = NULL
                    WHERE claimToken = ? AND state = 'leased'
                    RETURNING returnID
                    """,
                arguments: [token]
            ).sorted()
            try db.execute(sql: "UPDATE claim SET releasedAt = ? WHERE token = ?", arguments: [t, token])
            for id in ids { try audit(db, id, "released", actor: nil, detail: "token \(token)", at: t) }
            return ids
        }
    }

    /// Puts every item whose lease has expired back in its lane (and writes it in the history).
    /// Claims and lane statistics already treat an expired lease as queued; this makes it explicit.
    /// - Returns: how many items went back.
    @discardableResult
    package func expireLeases(now: Date) async throws -> Int {
        try await writer.write { db in
            let t = now.storedSeconds
            let ids = try String.fetchAll(
                db,
                sql: """
                    UPDATE queueEntry SET state = 'queued', claimToken = NULL, stationID = NULL, leaseExpiresAt = NULL
                    WHERE state = 'leased' AND leaseExpiresAt <= ?
                    RETURNING returnID
                    """,
                arguments: [t])
            for id in ids { try audit(db, id, "lease_expired", actor: nil, detail: nil, at: t) }
            return ids.count
        }
    }

    /// Depth, leased items, oldest age, value at stake and items past their service level, per lane.
    package func laneStats(warehouseID: String?, now: Date) async throws -> [LaneStats] {
        try await writer.read { db in
            let t = now.storedSeconds
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT lane,
                        COUNT(*) AS depth,
                        SUM(CASE WHEN state = 'leased' AND leaseExpiresAt > ? THEN 1 ELSE 0 END) AS leased,
                        MAX(? - enqueuedAt) AS oldest,
                        SUM(recoveryValue) AS value,
                        SUM(CASE WHEN (? - enqueuedAt) > serviceLevelHours * 3600 THEN 1 ELSE 0 END) AS late
                    FROM queueEntry
                    WHERE state != 'completed' AND (? IS NULL OR warehouseID = ?)
                    GROUP BY lane ORDER BY lane
                    """,
                arguments: [t, t, t, warehouseID, warehouseID]
            ).map { row in
                LaneStats(
                    lane: row["lane"], depth: row["depth"], leased: row["leased"],
                    oldestAgeHours: max(0, (row["oldest"] as Double? ?? 0) / 3600),
                    valueAtStake: row["value"] ?? 0, pastServiceLevel: row["late"])
            }
        }
    }

    /// Completes an inspection: the item must be leased under `token` and its lease still running. Stores the outcome
    /// (the labels of the next training run), marks the entry completed and writes the history, in one transaction.
    package func completeInspection(
        returnID: String, token: String, outcome: InspectionOutcome, now: Date
    ) async throws {
        try await writer.write { db in
            let t = now.storedSeconds
            guard let row = try Row.fetchOne(
                db, sql: "SELECT state, claimToken, leaseExpiresAt, stationID FROM queueEntry WHERE returnID = ?",
                arguments: [returnID])
            else { throw StoreError.returnNotFound(returnID) }
            let state: String = row["state"]
            if state == "completed" { throw StoreError.alreadyCompleted(returnID) }
            guard state == "leased", (row["claimToken"] as String?) == token else {
                throw StoreError.notLeasedByToken(returnID: returnID, token: token)
            }
            guard let expires = row["leaseExpiresAt"] as Double?, expires > t else { throw StoreError.leaseExpired(returnID: returnID) }
            let station: String? = row["stationID"]
            try db.execute(
                sql: """
                    INSERT INTO inspection (returnID, grade, disposition, recoveryValue, fraudConfirmed, notes, stationID, inspectedAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    returnID, outcome.grade, outcome.disposition.rawValue, outcome.recoveryValue, outcome.fraudConfirmed,
                    outcome.notes, station, t,
                ])
            try db.execute(
                sql: """
                    UPDATE queueEntry SET state = 'completed', completedAt = ?, claimToken = NULL, leaseExpiresAt = NULL
                    WHERE returnID = ?
                    """,
                arguments: [t, returnID])
            try audit(
                db, returnID, "inspected", actor: station,
                detail: "\(outcome.disposition.rawValue), recovered \(outcome.recoveryValue), fraud \(outcome.fraudConfirmed)", at: t)
        }
    }
}
