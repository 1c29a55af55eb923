package import Foundation
internal import GRDB
internal import RecoupCore
package import RecoupInsights
internal import RecoupStore

extension SQLiteStore {
    package func rootCauseCells(_ dimension: InsightDimension, since: Date?) async throws -> [RootCauseCell] {
        // Column names come from this switch, never from input; the window is a bound value.
        let group: SQL =
            switch dimension {
            case .sku: "r.sku"
            case .category: "r.category"
            case .brandTier: "r.brandTier"
            case .channel: "r.channel"
            case .warehouseID: "r.warehouseID"
            case .paymentMethod: "r.paymentMethod"
            }
        let parent: SQL = dimension.parent == .category ? "r.category" : "\(InsightDimension.everyReturn)"
        let from = since?.storedSeconds ?? -Double.greatestFiniteMagnitude
        return try await writer.read { db in
            try db.rows(
                """
                SELECT \(group) AS value, \(parent) AS parent, r.reasonCode AS reason, COUNT(*) AS n,
                    SUM(r.refundAmount - COALESCE(r.recovered, 0)) AS money
                FROM returnItem r
                WHERE r.createdAt >= \(from)
                GROUP BY 1, 2, 3
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

    package func leakage(_ grouping: LeakageGrouping, since: Date?) async throws -> [LeakageRow] {
        let key: SQL =
            switch grouping {
            case .channel: "r.channel"
            case .category: "r.category"
            case .reason: "r.reasonCode"
            case .disposition: "COALESCE(r.inspectedDisposition, \(LeakageGrouping.notInspected))"
            case .warehouseID: "r.warehouseID"
            case .week: "r.requestedDay - ((r.requestedDay % 7) + 10) % 7"  // the Monday (Day.weekday: 0 = Monday)
            }
        let from = since?.storedSeconds ?? -Double.greatestFiniteMagnitude
        return try await writer.read { db in
            try db.rows(
                """
                SELECT \(key) AS key, COUNT(*) AS n, COUNT(r.recovered) AS inspected,
                    COALESCE(SUM(CASE WHEN r.recovered IS NULL THEN 0 ELSE r.refundAmount END), 0) AS refunded,
                    COALESCE(SUM(r.recovered), 0) AS recovered
                FROM returnItem r
                WHERE r.createdAt >= \(from)
                GROUP BY 1
                """
            ).map { row in
                let key: String = grouping == .week ? Day(daysSinceEpoch: row["key"]).description : row["key"]
                return LeakageRow(key: key, returns: row["n"], inspected: row["inspected"], refunded: row["refunded"], recovered: row["recovered"])
            }
            .sorted(by: grouping.order)
        }
    }
}
