package import Foundation
internal import GRDB
package import RecoupCore
package import RecoupInsights
internal import RecoupStore

// The insights read running totals, never the returns: `insightRollup` (counts and money per dimension, group,
// parent, reason and day stored), `cycleRollup` (cycle-time histograms per warehouse, lane, stage and day) and
// `customerHistory` (each customer's latest 12-month counts). Ingest, claims and inspections keep them current in the
// same transaction as the change they count; migration v5 filled them from the returns already stored.

extension SQLiteStore {
    package func rootCauseCells(_ dimension: InsightDimension, since: Day?) async throws -> [RootCauseCell] {
        try await writer.read { db in
            // The primary key starts (dimension, value, parent, reason): the rows come grouped, with no sort.
            try db.rows(
                """
                SELECT value, parent, reason, SUM(returns) AS n, SUM(refunded - recovered) AS money
                FROM insightRollup
                WHERE dimension = \(RollupDimension(dimension)) AND day >= \(since?.daysSinceEpoch ?? Int.min)
                GROUP BY value, parent, reason HAVING SUM(returns) > 0
                """
            ).map { row in
                RootCauseCell(
                    value: row["value"],
                    parent: row["parent"],
                    reason: ReasonCode(rawValue: row["reason"]),
                    returns: row["n"],
                    money: row["money"]
                )
            }
        }
    }

    package func leakage(_ grouping: LeakageGrouping, since: Day?) async throws -> [LeakageRow] {
        let key: SQL = grouping == .reason ? "reason" : "value"
        return try await writer.read { db in
            try db.rows(
                """
                SELECT \(key) AS key, SUM(returns) AS returns, SUM(refunded) AS refunded, SUM(inspected) AS inspected,
                    SUM(inspectedRefunded) AS inspectedRefunded, SUM(recovered) AS recovered, SUM(lostToWaiting) AS lostToWaiting
                FROM insightRollup
                WHERE dimension = \(grouping.rollup) AND day >= \(since?.daysSinceEpoch ?? Int.min)
                GROUP BY 1 HAVING SUM(returns) > 0
                """
            ).map { row in
                LeakageRow(key: row["key"], counts(row), waitingKnown: true)
            }
            .sorted(by: grouping.order)
        }
    }

    package func cycleTimes(since: Day?, now: Date) async throws -> [CycleTimeRow] {
        let from = since?.daysSinceEpoch ?? Int.min
        return try await writer.read { db in
            var tally = CycleTimeTally()
            // The primary key starts (warehouseID, lane, stage, bucket): the rows come grouped, with no sort.
            for row in try db.rows(
                """
                SELECT warehouseID, lane, stage, bucket, SUM(count) AS n, SUM(late) AS late FROM cycleRollup
                WHERE day >= \(from) GROUP BY warehouseID, lane, stage, bucket
                """
            ) {
                tally.add(
                    warehouseID: row["warehouseID"],
                    lane: row["lane"],
                    stage: try row.required("stage"),
                    bucket: row["bucket"],
                    count: row["n"],
                    late: row["late"]
                )
            }
            let fromSeconds = since.map { Double($0.daysSinceEpoch) * 86_400 } ?? -Double.greatestFiniteMagnitude
            for row in try db.rows(
                """
                SELECT warehouseID, lane, COUNT(*) AS n FROM queueEntry
                WHERE state IN (\(QueueState.queued), \(QueueState.leased)) AND enqueuedAt >= \(fromSeconds)
                    AND enqueuedAt + serviceLevelHours * 3600 < \(now.storedSeconds)
                GROUP BY warehouseID, lane
                """
            ) {
                tally.addWaiting(warehouseID: row["warehouseID"], lane: row["lane"], count: row["n"])
            }
            return tally.rows
        }
    }

    package func customerHistories(minReturns: Int) async throws -> (tested: [CustomerHistory], orders: Int, returns: Int) {
        try await writer.read { db in
            let totals = try db.row("SELECT COALESCE(SUM(orders), 0) AS orders, COALESCE(SUM(returns), 0) AS returns FROM customerHistory")
            let tested = try db.rows("SELECT customerID, orders, returns, asOf FROM customerHistory WHERE returns >= \(minReturns)").map { row in
                CustomerHistory(customerID: row["customerID"], orders: row["orders"], returns: row["returns"], asOf: Day(daysSinceEpoch: row["asOf"]))
            }
            return (tested, totals?["orders"] ?? 0, totals?["returns"] ?? 0)
        }
    }

    private func counts(_ row: Row) -> RollupCounts {
        RollupCounts(
            returns: row["returns"],
            refunded: row["refunded"],
            inspected: row["inspected"],
            inspectedRefunded: row["inspectedRefunded"],
            recovered: row["recovered"],
            lostToWaiting: row["lostToWaiting"]
        )
    }

    // MARK: Keeping the totals (in the caller's transaction)

    /// Adds a change to the insight rollup.
    static func apply(_ change: RollupChange, _ db: Database) throws {
        let upsert = try db.cachedStatement(
            sql: """
                INSERT INTO insightRollup (dimension, value, parent, reason, day, returns, refunded, inspected, inspectedRefunded, recovered,
                    lostToWaiting)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (dimension, value, parent, reason, day) DO UPDATE SET
                    returns = returns + excluded.returns, refunded = refunded + excluded.refunded,
                    inspected = inspected + excluded.inspected, inspectedRefunded = inspectedRefunded + excluded.inspectedRefunded,
                    recovered = recovered + excluded.recovered, lostToWaiting = lostToWaiting + excluded.lostToWaiting
                """
        )
        for (key, c) in change.rows {
            try upsert.execute(arguments: [
                key.dimension.rawValue, key.value, key.parent, key.reason.rawValue, key.day.daysSinceEpoch,
                c.returns, c.refunded, c.inspected, c.inspectedRefunded, c.recovered, c.lostToWaiting,
            ])
        }
    }

    /// Adds durations to the cycle-time rollup.
    static func apply(_ cycles: [CycleRollupKey: CycleCounts], _ db: Database) throws {
        let upsert = try db.cachedStatement(
            sql: """
                INSERT INTO cycleRollup (warehouseID, lane, stage, day, bucket, count, late) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (warehouseID, lane, stage, bucket, day) DO UPDATE SET count = count + excluded.count, late = late + excluded.late
                """
        )
        for (key, c) in cycles {
            try upsert.execute(arguments: [key.warehouseID, key.lane, key.stage.rawValue, key.day.daysSinceEpoch, key.bucket, c.count, c.late])
        }
    }

    /// Keeps each customer's counts from their latest return's record.
    static func record(_ histories: [CustomerHistory], _ db: Database) throws {
        let upsert = try db.cachedStatement(
            sql: """
                INSERT INTO customerHistory (customerID, orders, returns, asOf) VALUES (?, ?, ?, ?)
                ON CONFLICT (customerID) DO UPDATE SET orders = excluded.orders, returns = excluded.returns, asOf = excluded.asOf
                WHERE excluded.asOf >= asOf
                """
        )
        for h in histories { try upsert.execute(arguments: [h.customerID, h.orders, h.returns, h.asOf.daysSinceEpoch]) }
    }
}
