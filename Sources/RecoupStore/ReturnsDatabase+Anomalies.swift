package import Foundation
internal import GRDB

/// A flagged return as the risk team sees it.
package struct AnomalyItem: Sendable, Codable, Equatable {
    package var returnID: String
    package var status: String
    package var risk: Double
    package var exposure: Double
    package var reasons: [String]
    package var warehouseID: String
    package var flaggedAt: Date
    package var reviewedAt: Date?
    package var reviewNote: String?
    package var reviewer: String?
}

/// The risk team's decision on a flag.
package enum ReviewDecision: String, Sendable, Codable, CaseIterable {
    case confirmedFraud = "confirmed_fraud"
    case dismissed
    case escalated
}

extension ReturnsDatabase {
    /// Flags by exposure, highest first, filtered by status, minimum risk and warehouse.
    package func anomalies(status: String?, minRisk: Double?, warehouseID: String?, limit: Int) async throws -> [AnomalyItem] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM anomaly
                    WHERE (? IS NULL OR status = ?) AND (? IS NULL OR risk >= ?) AND (? IS NULL OR warehouseID = ?)
                    ORDER BY exposure DESC, returnID LIMIT ?
                    """,
                arguments: [status, status, minRisk, minRisk, warehouseID, warehouseID, limit]
            ).map(anomalyItem)
        }
    }

    /// Records a review. `confirmed_fraud` and `dismissed` close a flag; `escalated` keeps it open for a second look.
    /// - Throws: ``StoreError/anomalyNotFound(_:)``, ``StoreError/reviewClosed(returnID:status:)``.
    package func review(
        returnID: String, decision: ReviewDecision, note: String?, reviewer: String?, now: Date
    ) async throws -> AnomalyItem {
        try await writer.write { db in
            guard let status = try String.fetchOne(db, sql: "SELECT status FROM anomaly WHERE returnID = ?", arguments: [returnID])
            else { throw StoreError.anomalyNotFound(returnID) }
            guard status == "open" || status == "escalated" else { throw StoreError.reviewClosed(returnID: returnID, status: status) }
            let t = now.storedSeconds
            try db.execute(
                sql: "UPDATE anomaly SET status = ?, reviewedAt = ?, reviewNote = ?, reviewer = ? WHERE returnID = ?",
                arguments: [decision.rawValue, t, note, reviewer, returnID])
            try audit(db, returnID, "reviewed", actor: reviewer, detail: decision.rawValue + (note.map { ": \($0)" } ?? ""), at: t)
            return try anomalyItem(Row.fetchOne(db, sql: "SELECT * FROM anomaly WHERE returnID = ?", arguments: [returnID])!)
        }
    }

    private func anomalyItem(_ row: Row) throws -> AnomalyItem {
        AnomalyItem(
            returnID: row["returnID"], status: row["status"], risk: row["risk"], exposure: row["exposure"],
            reasons: try JSONDecoder().decode([String].self, from: row["reasons"] as Data),
            warehouseID: row["warehouseID"], flaggedAt: Date(storedSeconds: row["flaggedAt"]),
            reviewedAt: (row["reviewedAt"] as Double?).map(Date.init(storedSeconds:)),
            reviewNote: row["reviewNote"], reviewer: row["reviewer"])
    }
}
