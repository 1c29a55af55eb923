internal import Foundation
internal import GRDB
package import RecoupCore
package import RecoupStore

extension SQLiteStore {
    package func profileTotals(since: Day?) async throws -> [ProfileTotals] {
        try await writer.read { db in
            var totals: [String: ProfileTotals] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: "SELECT modelVersion, rows, counts FROM monitorProfile WHERE day >= ?",
                arguments: [since?.daysSinceEpoch ?? Int.min]
            )
            while let row = try rows.next() {
                let version: String = row["modelVersion"]
                let values = try ProfileTotals.values(storedBytes: row["counts"], modelVersion: version)
                totals[version, default: ProfileTotals(modelVersion: version)].counts.add(ProfileCounts(rows: row["rows"], values: values))
            }
            return totals.values.sorted { $0.modelVersion < $1.modelVersion }
        }
    }

    package func monitoredOutcomes(since: Day?) async throws -> [MonitoredOutcome] {
        let from = since.map { Double($0.daysSinceEpoch) * 86_400 } ?? -Double.greatestFiniteMagnitude
        return try await writer.read { db in
            // The assessment an item was inspected under is its latest; fraud is confirmed at the station or in review.
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT i.returnID, i.disposition, i.recoveryValue, i.inspectedAt,
                        (i.fraudConfirmed OR COALESCE(an.status = ?, 0)) AS fraud,
                        a.modelVersion, a.predictions, s.modelVersion AS shadowVersion, s.predictions AS shadowPredictions
                    FROM inspection i
                    JOIN assessment a ON a.id = (SELECT MAX(id) FROM assessment WHERE returnItemId = i.returnID)
                    LEFT JOIN anomaly an ON an.returnID = i.returnID
                    LEFT JOIN shadowAssessment s ON s.returnID = i.returnID
                    WHERE i.inspectedAt >= ? AND a.predictions IS NOT NULL
                    ORDER BY i.inspectedAt, i.returnID
                    """,
                arguments: [AnomalyStatus.confirmedFraud.rawValue, from]
            )
            var outcomes: [MonitoredOutcome] = []
            while let row = try rows.next() {
                let id: String = row["returnID"]
                let shadow = try (row["shadowPredictions"] as Data?).map { bytes in
                    ShadowAssessment(modelVersion: row["shadowVersion"], predictions: try PredictionValues(storedBytes: bytes, returnID: id))
                }
                outcomes.append(
                    MonitoredOutcome(
                        returnID: id,
                        modelVersion: row["modelVersion"],
                        predictions: try PredictionValues(storedBytes: row["predictions"], returnID: id),
                        labels: ReturnLabels(
                            disposition: try row.required("disposition"),
                            fraudFlag: row["fraud"],
                            recoveryValue: row["recoveryValue"]
                        ),
                        inspectedAt: row.date("inspectedAt"),
                        shadow: shadow
                    )
                )
            }
            return outcomes
        }
    }

    /// Adds an ingest's profile counts to each model's row of the day.
    static func add(_ totals: some Collection<ProfileTotals>, on day: Day, _ db: Database) throws {
        for total in totals where total.counts.rows > 0 {
            var counts = total.counts
            if let row = try Row.fetchOne(
                db,
                sql: "SELECT rows, counts FROM monitorProfile WHERE modelVersion = ? AND day = ?",
                arguments: [total.modelVersion, day.daysSinceEpoch]
            ) {
                let stored = try ProfileTotals.values(storedBytes: row["counts"], modelVersion: total.modelVersion)
                counts.add(ProfileCounts(rows: row["rows"], values: stored))
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO monitorProfile (modelVersion, day, rows, counts) VALUES (?, ?, ?, ?)",
                arguments: [total.modelVersion, day.daysSinceEpoch, counts.rows, ProfileTotals.storedBytes(counts.values)]
            )
        }
    }
}
