package import Foundation
internal import PostgresNIO
internal import RecoupCore
internal import RecoupInsights
package import RecoupStore

extension PostgresStore {
    /// Each filter is a bound value that is either `NULL` (no filter) or the value; text is ordered by its bytes
    /// (`COLLATE "C"` columns), as in the SQLite store.
    package func anomalies(_ query: AnomalyQuery) async throws -> [AnomalyItem] {
        try await read { db in
            try await db.rows(
                """
                SELECT * FROM anomaly
                WHERE (\(query.status)::text IS NULL OR status = \(query.status))
                    AND (\(query.minRisk)::float8 IS NULL OR risk >= \(query.minRisk))
                    AND (\(query.warehouseID)::text IS NULL OR warehouse_id = \(query.warehouseID))
                    AND (\(query.kind?.bit)::int8 IS NULL OR kinds & \(query.kind?.bit)::int8 <> 0)
                    AND (\(query.returnID)::text IS NULL OR return_id = \(query.returnID))
                ORDER BY exposure DESC, return_id LIMIT \(query.limit)
                """
            ).map(anomalyItem)
        }
    }

    /// The flag is locked while it is checked and changed: of two reviews closing it at once, the second finds it closed.
    package func review(returnID: String, decision: ReviewDecision, note: String?, reviewer: String?, now: Date) async throws -> AnomalyItem {
        try await write { db in
            guard
                let status = try await db.value("SELECT status FROM anomaly WHERE return_id = \(returnID) FOR NO KEY UPDATE", as: AnomalyStatus.self)
            else { throw StoreError.anomalyNotFound(returnID) }
            guard status.isOpenForReview else { throw StoreError.reviewClosed(returnID: returnID, status: status) }
            let t = now.storedSeconds
            guard
                let row = try await db.row(
                    """
                    UPDATE anomaly SET status = \(decision.status), reviewed_at = \(t), review_note = \(note), reviewer = \(reviewer)
                    WHERE return_id = \(returnID)
                    RETURNING *
                    """
                )
            else { throw StoreError.anomalyNotFound(returnID) }
            try await audit(db, returnID, .reviewed, actor: reviewer, detail: decision.rawValue + (note.map { ": \($0)" } ?? ""), at: t)
            return try anomalyItem(row)
        }
    }

    private func anomalyItem(_ row: PostgresRandomAccessRow) throws -> AnomalyItem {
        AnomalyItem(
            returnID: try row.get("return_id"),
            status: try row.get("status"),
            risk: try row.get("risk"),
            exposure: try row.get("exposure"),
            reasons: try JSONDecoder().decode([String].self, from: try row.get("reasons", as: Data.self)),
            kinds: AnomalyFlag.Kind.kinds(inMask: try row.get("kinds")),
            warehouseID: try row.get("warehouse_id"),
            flaggedAt: try row.date("flagged_at"),
            reviewedAt: try row.optionalDate("reviewed_at"),
            reviewNote: try row.get("review_note", as: String?.self),
            reviewer: try row.get("reviewer", as: String?.self)
        )
    }

    /// The same numbers as the SQLite store's summary (ties ordered by the bytes of the key, as SQLite's text is).
    /// Each statement reads what is committed when it starts.
    package func summary() async throws -> OperationsSummary {
        try await read { db in
            func counts(_ query: PostgresQuery) async throws -> [OperationsSummary.Count] {
                try await db.rows(query).map { .init(key: try $0.get("key"), count: try $0.get("n")) }
            }
            let returns = try await db.value("SELECT COUNT(*) FROM return_item", as: Int.self) ?? 0
            let inspected = try await db.value("SELECT COUNT(*) FROM inspection", as: Int.self) ?? 0
            // From running totals, not the returns: each return counts once in the rollup's category rows (by its
            // reason), and once in the predicted mix (by its latest assessment).
            let reasons = try await counts(
                """
                SELECT reason AS key, SUM(returns)::bigint AS n FROM insight_rollup WHERE dimension = \(RollupDimension.category)
                GROUP BY reason HAVING SUM(returns) > 0 ORDER BY n DESC, reason COLLATE "C"
                """
            )
            let predicted = try await counts(
                """
                SELECT disposition AS key, SUM(count)::bigint AS n FROM predicted_disposition GROUP BY disposition HAVING SUM(count) > 0
                ORDER BY n DESC, disposition COLLATE "C"
                """
            )
            let actual = try await counts(
                "SELECT disposition AS key, COUNT(*) AS n FROM inspection GROUP BY disposition ORDER BY n DESC, disposition COLLATE \"C\""
            )
            let totals = try await db.row(
                """
                SELECT SUM(i.recovery_value) AS recovered, SUM(r.refund_amount) AS refunded
                FROM inspection i JOIN return_item r ON r.id = i.return_id
                """
            )
            let recovered = try totals?.get("recovered", as: Double?.self) ?? 0
            let refunded = try totals?.get("refunded", as: Double?.self) ?? 0
            // Per warehouse and lane, put together as the SQLite store does (OperationsSummary.CycleTimeTally).
            var tally = OperationsSummary.CycleTimeTally()
            for row in try await db.rows(
                """
                SELECT q.warehouse_id, q.lane, (i.inspected_at - q.enqueued_at) / 3600 AS hours, i.recovery_value, r.refund_amount
                FROM inspection i JOIN queue_entry q ON q.return_id = i.return_id JOIN return_item r ON r.id = i.return_id
                """
            ) {
                tally.add(
                    warehouseID: try row.get("warehouse_id"),
                    lane: try row.get("lane"),
                    hours: try row.get("hours"),
                    recovered: try row.get("recovery_value"),
                    refunded: try row.get("refund_amount")
                )
            }
            return OperationsSummary(
                returns: returns,
                inspected: inspected,
                reasons: reasons,
                predictedDispositions: predicted,
                inspectedDispositions: actual,
                recoveryRate: refunded > 0 ? recovered / refunded : 0,
                cycleTimes: tally.cycleTimes
            )
        }
    }
}
