package import Foundation
internal import GRDB
internal import RecoupCore
internal import RecoupInsights
package import RecoupStore

extension SQLiteStore {
    package func anomalies(_ query: AnomalyQuery) async throws -> [AnomalyItem] {
        try await writer.read { db in
            try db.rows(
                """
                SELECT * FROM anomaly
                WHERE (\(query.status) IS NULL OR status = \(query.status)) AND (\(query.minRisk) IS NULL OR risk >= \(query.minRisk))
                    AND (\(query.warehouseID) IS NULL OR warehouseID = \(query.warehouseID))
                    AND (\(query.kind?.bit) IS NULL OR kinds & \(query.kind?.bit) != 0)
                    AND (\(query.returnID) IS NULL OR returnID = \(query.returnID))
                ORDER BY exposure DESC, returnID LIMIT \(query.limit)
                """
            ).map(anomalyItem)
        }
    }

    package func review(returnID: String, decision: ReviewDecision, note: String?, reviewer: String?, now: Date) async throws -> AnomalyItem {
        try await writer.write { db in
            guard let row = try db.row("SELECT status FROM anomaly WHERE returnID = \(returnID)") else {
                throw StoreError.anomalyNotFound(returnID)
            }
            let status: AnomalyStatus = try row.required("status")
            guard status.isOpenForReview else { throw StoreError.reviewClosed(returnID: returnID, status: status) }
            let t = now.storedSeconds
            try db.execute(
                literal: """
                    UPDATE anomaly SET status = \(decision.status), reviewedAt = \(t), reviewNote = \(note), reviewer = \(reviewer)
                    WHERE returnID = \(returnID)
                    """
            )
            try audit(db, returnID, .reviewed, actor: reviewer, detail: decision.rawValue + (note.map { ": \($0)" } ?? ""), at: t)
            return try anomalyItem(try db.row("SELECT * FROM anomaly WHERE returnID = \(returnID)")!)
        }
    }

    private func anomalyItem(_ row: Row) throws -> AnomalyItem {
        AnomalyItem(
            returnID: row["returnID"],
            status: try row.required("status"),
            risk: row["risk"],
            exposure: row["exposure"],
            reasons: try JSONDecoder().decode([String].self, from: row["reasons"] as Data),
            kinds: AnomalyFlag.Kind.kinds(inMask: row["kinds"]),
            warehouseID: row["warehouseID"],
            flaggedAt: row.date("flaggedAt"),
            reviewedAt: row.optionalDate("reviewedAt"),
            reviewNote: row["reviewNote"],
            reviewer: row["reviewer"]
        )
    }

    package func summary() async throws -> OperationsSummary {
        try await writer.read { db in
            func counts(_ sql: String) throws -> [OperationsSummary.Count] {
                try Row.fetchAll(db, sql: sql).map { .init(key: $0[0], count: $0[1]) }
            }
            let returns = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM returnItem") ?? 0
            let inspected = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inspection") ?? 0
            // From running totals, not the returns: each return counts once in the rollup's category rows (by its
            // reason), and once in the predicted mix (by its latest assessment).
            let reasons = try Row.fetchAll(
                db,
                sql: """
                    SELECT reason, SUM(returns) AS n FROM insightRollup WHERE dimension = ? GROUP BY reason HAVING n > 0
                    ORDER BY n DESC, reason
                    """,
                arguments: [RollupDimension.category.rawValue]
            ).map { OperationsSummary.Count(key: $0[0], count: $0[1]) }
            let predicted = try counts("SELECT disposition, count FROM predictedDisposition WHERE count > 0 ORDER BY count DESC, disposition")
            let actual = try counts("SELECT disposition, COUNT(*) AS n FROM inspection GROUP BY disposition ORDER BY n DESC, disposition")
            let totals = try Row.fetchOne(
                db,
                sql: """
                    SELECT SUM(i.recoveryValue) AS recovered, SUM(r.refundAmount) AS refunded
                    FROM inspection i JOIN returnItem r ON r.id = i.returnID
                    """
            )
            let recovered: Double = totals?["recovered"] ?? 0
            let refunded: Double = totals?["refunded"] ?? 0
            // Per warehouse and lane: cycle-time percentiles computed here from the sorted durations. The inspections
            // drive the join (CROSS JOIN fixes the order): the planner would otherwise walk every open item of the queue
            // in (warehouse, lane) order to skip the sort, 0.14 s at 100,000 queued.
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT q.warehouseID, q.lane, (i.inspectedAt - q.enqueuedAt) / 3600.0 AS hours, i.recoveryValue, r.refundAmount
                    FROM inspection i CROSS JOIN queueEntry q ON q.returnID = i.returnID JOIN returnItem r ON r.id = i.returnID
                    """
            )
            var tally = OperationsSummary.CycleTimeTally()
            for row in rows {
                tally.add(
                    warehouseID: row["warehouseID"],
                    lane: try row.required("lane"),
                    hours: row["hours"],
                    recovered: row["recoveryValue"],
                    refunded: row["refundAmount"]
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
