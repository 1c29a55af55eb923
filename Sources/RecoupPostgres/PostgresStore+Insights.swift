package import Foundation
internal import PostgresNIO
package import RecoupCore
package import RecoupInsights
internal import RecoupStore

// The insights read running totals, never the returns: `insight_rollup` (counts and money per dimension, group,
// parent, reason and day stored), `cycle_rollup` (cycle-time histograms per warehouse, lane, stage and day) and
// `customer_history` (each customer's latest 12-month counts). Ingest, claims and inspections keep them current in the
// same transaction as the change they count, by upserts that add to the stored sums: replicas writing at once add
// their changes, never overwrite one another's.

extension PostgresStore {
    package func rootCauseCells(_ dimension: InsightDimension, since: Day?) async throws -> [RootCauseCell] {
        try await read { db in
            try await db.rows(
                """
                SELECT value, parent, reason, SUM(returns)::bigint AS n, SUM(refunded - recovered) AS money
                FROM insight_rollup
                WHERE dimension = \(RollupDimension(dimension)) AND day >= \(since?.daysSinceEpoch ?? Int.min)
                GROUP BY value, parent, reason HAVING SUM(returns) > 0
                """
            ).map { row in
                RootCauseCell(
                    value: try row.get("value"),
                    parent: try row.get("parent"),
                    reason: ReasonCode(rawValue: try row.get("reason")),
                    returns: try row.get("n"),
                    money: try row.get("money")
                )
            }
        }
    }

    package func leakage(_ grouping: LeakageGrouping, since: Day?) async throws -> [LeakageRow] {
        let key = grouping == .reason ? "reason" : "value"  // a column name chosen here, never from input
        return try await read { db in
            try await db.rows(
                """
                SELECT \(unescaped: key) AS key, SUM(returns)::bigint AS returns, SUM(refunded) AS refunded,
                    SUM(inspected)::bigint AS inspected, SUM(inspected_refunded) AS inspected_refunded, SUM(recovered) AS recovered,
                    SUM(lost_to_waiting) AS lost_to_waiting
                FROM insight_rollup
                WHERE dimension = \(grouping.rollup) AND day >= \(since?.daysSinceEpoch ?? Int.min)
                GROUP BY 1 HAVING SUM(returns) > 0
                """
            ).map { row in
                LeakageRow(key: try row.get("key"), try counts(row), waitingKnown: true)
            }
            .sorted(by: grouping.order)
        }
    }

    package func cycleTimes(since: Day?, now: Date) async throws -> [CycleTimeRow] {
        let from = since?.daysSinceEpoch ?? Int.min
        return try await read { db in
            var tally = CycleTimeTally()
            for row in try await db.rows(
                """
                SELECT warehouse_id, lane, stage, bucket, SUM(count)::bigint AS n, SUM(late)::bigint AS late FROM cycle_rollup
                WHERE day >= \(from) GROUP BY warehouse_id, lane, stage, bucket
                """
            ) {
                tally.add(
                    warehouseID: try row.get("warehouse_id"),
                    lane: try row.get("lane"),
                    stage: try row.get("stage"),
                    bucket: try row.get("bucket"),
                    count: try row.get("n"),
                    late: try row.get("late")
                )
            }
            // The open items (state <> completed: queued or leased), read from the partial index queue_entry_open.
            let fromSeconds = since.map { Double($0.daysSinceEpoch) * 86_400 } ?? -Double.greatestFiniteMagnitude
            for row in try await db.rows(
                """
                SELECT warehouse_id, lane, COUNT(*) AS n FROM queue_entry
                WHERE state <> \(QueueState.completed) AND enqueued_at >= \(fromSeconds)
                    AND enqueued_at + service_level_hours * 3600 < \(now.storedSeconds)
                GROUP BY warehouse_id, lane
                """
            ) {
                tally.addWaiting(warehouseID: try row.get("warehouse_id"), lane: try row.get("lane"), count: try row.get("n"))
            }
            return tally.rows
        }
    }

    package func customerHistories(minReturns: Int) async throws -> (tested: [CustomerHistory], orders: Int, returns: Int) {
        try await read { db in
            let totals = try await db.row(
                "SELECT COALESCE(SUM(orders), 0)::bigint AS orders, COALESCE(SUM(returns), 0)::bigint AS returns FROM customer_history"
            )
            let tested = try await db.rows(
                "SELECT customer_id, orders, returns, as_of FROM customer_history WHERE returns >= \(minReturns)"
            ).map { row in
                CustomerHistory(
                    customerID: try row.get("customer_id"),
                    orders: try row.get("orders"),
                    returns: try row.get("returns"),
                    asOf: Day(daysSinceEpoch: try row.get("as_of"))
                )
            }
            return (tested, try totals?.get("orders", as: Int.self) ?? 0, try totals?.get("returns", as: Int.self) ?? 0)
        }
    }

    private func counts(_ row: PostgresRandomAccessRow) throws -> RollupCounts {
        RollupCounts(
            returns: try row.get("returns"),
            refunded: try row.get("refunded"),
            inspected: try row.get("inspected"),
            inspectedRefunded: try row.get("inspected_refunded"),
            recovered: try row.get("recovered"),
            lostToWaiting: try row.get("lost_to_waiting")
        )
    }

    // MARK: Keeping the totals (in the caller's transaction)

    // Each is one statement over bound arrays, in key order: transactions of several replicas upserting some of the same
    // rows lock them in the same order, so they wait for one another instead of deadlocking.

    /// Adds a change to the insight rollup.
    static func apply(_ change: RollupChange, _ db: Connection) async throws {
        guard !change.rows.isEmpty else { return }
        let rows = change.rows.sorted { a, b in
            (a.key.dimension.rawValue, a.key.value, a.key.parent, a.key.reason.rawValue, a.key.day.daysSinceEpoch)
                < (b.key.dimension.rawValue, b.key.value, b.key.parent, b.key.reason.rawValue, b.key.day.daysSinceEpoch)
        }
        try await db.execute(
            """
            INSERT INTO insight_rollup (dimension, value, parent, reason, day, returns, refunded, inspected, inspected_refunded, recovered,
                lost_to_waiting, shard)
            SELECT *, \(Self.counterShard())::int2 FROM unnest(\(rows.map(\.key.dimension.rawValue))::text[], \(rows.map(\.key.value))::text[],
                \(rows.map(\.key.parent))::text[], \(rows.map(\.key.reason.rawValue))::text[], \(rows.map(\.key.day.daysSinceEpoch))::int8[],
                \(rows.map(\.value.returns))::int8[], \(rows.map(\.value.refunded))::float8[], \(rows.map(\.value.inspected))::int8[],
                \(rows.map(\.value.inspectedRefunded))::float8[], \(rows.map(\.value.recovered))::float8[],
                \(rows.map(\.value.lostToWaiting))::float8[])
            ON CONFLICT (dimension, value, parent, reason, day, shard) DO UPDATE SET
                returns = insight_rollup.returns + excluded.returns, refunded = insight_rollup.refunded + excluded.refunded,
                inspected = insight_rollup.inspected + excluded.inspected,
                inspected_refunded = insight_rollup.inspected_refunded + excluded.inspected_refunded,
                recovered = insight_rollup.recovered + excluded.recovered,
                lost_to_waiting = insight_rollup.lost_to_waiting + excluded.lost_to_waiting
            """
        )
    }

    /// Adds durations to the cycle-time rollup.
    static func apply(_ cycles: [CycleRollupKey: CycleCounts], _ db: Connection) async throws {
        guard !cycles.isEmpty else { return }
        let rows = cycles.sorted { a, b in
            (a.key.warehouseID, a.key.lane, a.key.stage.rawValue, a.key.bucket, a.key.day.daysSinceEpoch)
                < (b.key.warehouseID, b.key.lane, b.key.stage.rawValue, b.key.bucket, b.key.day.daysSinceEpoch)
        }
        _ = try await db.rows(
            CycleRollupStatement(
                warehouseIDs: rows.map(\.key.warehouseID),
                lanes: rows.map(\.key.lane),
                stages: rows.map(\.key.stage.rawValue),
                days: rows.map(\.key.day.daysSinceEpoch),
                buckets: rows.map(\.key.bucket),
                counts: rows.map(\.value.count),
                late: rows.map(\.value.late),
                shard: counterShard()
            )
        )
    }

    /// Keeps each customer's counts from their latest return's record. A customer named twice is written once, with
    /// the history the SQLite store would keep (the latest `asOf`, the last of equals): one statement cannot upsert a
    /// row twice.
    static func record(_ histories: [CustomerHistory], _ db: Connection) async throws {
        var latest: [String: CustomerHistory] = [:]
        for h in histories where (latest[h.customerID]?.asOf).map({ $0 <= h.asOf }) ?? true { latest[h.customerID] = h }
        guard !latest.isEmpty else { return }
        let rows = latest.values.sorted { $0.customerID < $1.customerID }
        try await db.execute(
            """
            INSERT INTO customer_history (customer_id, orders, returns, as_of)
            SELECT * FROM unnest(\(rows.map(\.customerID))::text[], \(rows.map(\.orders))::int8[], \(rows.map(\.returns))::int8[],
                \(rows.map(\.asOf.daysSinceEpoch))::int8[])
            ON CONFLICT (customer_id) DO UPDATE SET orders = excluded.orders, returns = excluded.returns, as_of = excluded.as_of
            WHERE excluded.as_of >= customer_history.as_of
            """
        )
    }
}
