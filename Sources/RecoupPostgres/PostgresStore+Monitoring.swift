internal import Foundation
internal import PostgresNIO
package import RecoupCore
package import RecoupStore

extension PostgresStore {
    package func profileTotals(since: Day?) async throws -> [ProfileTotals] {
        try await read { db in
            var totals: [String: ProfileTotals] = [:]
            // Streamed: one model's row per day, each a few kilobytes of counts.
            let rows = try await db.stream(
                "SELECT model_version, rows, counts FROM monitor_profile WHERE day >= \(since?.daysSinceEpoch ?? Int.min)"
            )
            for try await row in rows {
                let row = row.makeRandomAccess()
                let version = try row.get("model_version", as: String.self)
                let values = try ProfileTotals.values(storedBytes: try row.get("counts", as: Data.self), modelVersion: version)
                totals[version, default: ProfileTotals(modelVersion: version)].counts.add(ProfileCounts(rows: try row.get("rows"), values: values))
            }
            return totals.values.sorted { $0.modelVersion < $1.modelVersion }
        }
    }

    package func monitoredOutcomes(since: Day?) async throws -> [MonitoredOutcome] {
        let from = since.map { Double($0.daysSinceEpoch) * 86_400 } ?? -Double.greatestFiniteMagnitude
        return try await read { db in
            // The assessment an item was inspected under is its latest (one seek of assessment_return per inspection);
            // fraud is confirmed at the station or in review.
            let rows = try await db.stream(
                """
                SELECT i.return_id, i.disposition, i.recovery_value, i.inspected_at,
                    (i.fraud_confirmed OR COALESCE(an.status = \(AnomalyStatus.confirmedFraud), false)) AS fraud,
                    a.model_version, a.predictions, s.model_version AS shadow_version, s.predictions AS shadow_predictions
                FROM inspection i
                JOIN LATERAL (
                    SELECT model_version, predictions FROM assessment WHERE return_id = i.return_id ORDER BY id DESC LIMIT 1
                ) a ON true
                LEFT JOIN anomaly an ON an.return_id = i.return_id
                LEFT JOIN shadow_assessment s ON s.return_id = i.return_id
                WHERE i.inspected_at >= \(from) AND a.predictions IS NOT NULL
                ORDER BY i.inspected_at, i.return_id
                """
            )
            var outcomes: [MonitoredOutcome] = []
            for try await row in rows {
                let row = row.makeRandomAccess()
                let id = try row.get("return_id", as: String.self)
                let shadow = try row.get("shadow_predictions", as: Data?.self).map { bytes in
                    ShadowAssessment(
                        modelVersion: try row.get("shadow_version"),
                        predictions: try PredictionValues(storedBytes: bytes, returnID: id)
                    )
                }
                outcomes.append(
                    MonitoredOutcome(
                        returnID: id,
                        modelVersion: try row.get("model_version"),
                        predictions: try PredictionValues(storedBytes: try row.get("predictions", as: Data.self), returnID: id),
                        labels: ReturnLabels(
                            disposition: try row.get("disposition"),
                            fraudFlag: try row.get("fraud"),
                            recoveryValue: try row.get("recovery_value")
                        ),
                        inspectedAt: try row.date("inspected_at"),
                        shadow: shadow
                    )
                )
            }
            return outcomes
        }
    }

    /// Adds an ingest's profile counts to each model's row of the day (one of its shards). The counts are a vector added
    /// in Swift, so the row is read locked (`FOR UPDATE`) and written back: ingests of several replicas on the same day add in turn, none
    /// overwrites another's counts. Models in name order, so that two ingests lock their rows in the same order.
    static func add(_ totals: some Collection<ProfileTotals>, on day: Day, _ db: Connection) async throws {
        let shard = counterShard()
        for total in totals.sorted(by: { $0.modelVersion < $1.modelVersion }) where total.counts.rows > 0 {
            var written = false
            while !written {
                if let row = try await db.row(
                    """
                    SELECT rows, counts FROM monitor_profile
                    WHERE model_version = \(total.modelVersion) AND day = \(day.daysSinceEpoch) AND shard = \(shard) FOR UPDATE
                    """
                ) {
                    var counts = total.counts
                    let stored = try ProfileTotals.values(storedBytes: try row.get("counts", as: Data.self), modelVersion: total.modelVersion)
                    counts.add(ProfileCounts(rows: try row.get("rows"), values: stored))
                    try await db.execute(
                        """
                        UPDATE monitor_profile SET rows = \(counts.rows), counts = \(ProfileTotals.storedBytes(counts.values))
                        WHERE model_version = \(total.modelVersion) AND day = \(day.daysSinceEpoch) AND shard = \(shard)
                        """
                    )
                    written = true
                } else {
                    // No row yet: insert it, unless another transaction just did (then read and add to its row).
                    written =
                        try await db.value(
                            """
                            INSERT INTO monitor_profile (model_version, day, rows, counts, shard)
                            VALUES (\(total.modelVersion), \(day.daysSinceEpoch), \(total.counts.rows), \(ProfileTotals.storedBytes(total.counts.values)),
                                \(shard)::int2)
                            ON CONFLICT (model_version, day, shard) DO NOTHING RETURNING true
                            """,
                            as: Bool.self
                        ) ?? false
                }
            }
        }
    }
}
