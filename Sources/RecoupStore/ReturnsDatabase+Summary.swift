internal import Foundation
internal import GRDB

/// What operations leads read: why items come back, where they go, how much is recovered, how long it takes.
package struct OperationsSummary: Sendable, Codable, Equatable {
    package struct Count: Sendable, Codable, Equatable {
        package var key: String
        package var count: Int
    }
    /// Cycle time (received to inspected) of one warehouse and lane.
    package struct CycleTime: Sendable, Codable, Equatable {
        package var warehouseID: String
        package var lane: String
        package var inspected: Int
        package var meanHours: Double
        package var p50Hours: Double
        package var p90Hours: Double
        /// Recovered value over refund amount of the inspected items.
        package var recoveryRate: Double
    }
    package var returns: Int
    package var inspected: Int
    package var reasons: [Count]
    /// Predicted dispositions of every return (latest assessment).
    package var predictedDispositions: [Count]
    /// Dispositions decided at inspection.
    package var inspectedDispositions: [Count]
    /// Recovered value over refund amount of every inspected item.
    package var recoveryRate: Double
    package var cycleTimes: [CycleTime]
}

extension ReturnsDatabase {
    /// The summary over every return stored.
    package func summary() async throws -> OperationsSummary {
        try await writer.read { db in
            func counts(_ sql: String) throws -> [OperationsSummary.Count] {
                try Row.fetchAll(db, sql: sql).map { .init(key: $0[0], count: $0[1]) }
            }
            let returns = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM returnItem") ?? 0
            let inspected = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inspection") ?? 0
            let reasons = try counts("SELECT reasonCode, COUNT(*) AS n FROM returnItem GROUP BY reasonCode ORDER BY n DESC, reasonCode")
            let predicted = try counts("""
                SELECT a.disposition, COUNT(*) AS n FROM assessment a
                WHERE a.id = (SELECT MAX(id) FROM assessment b WHERE b.returnItemId = a.returnItemId)
                GROUP BY a.disposition ORDER BY n DESC, a.disposition
                """)
            let actual = try counts("SELECT disposition, COUNT(*) AS n FROM inspection GROUP BY disposition ORDER BY n DESC, disposition")
            let totals = try Row.fetchOne(db, sql: """
                SELECT SUM(i.recoveryValue) AS recovered, SUM(r.refundAmount) AS refunded
                FROM inspection i JOIN returnItem r ON r.id = i.returnID
                """)
            let recovered: Double = totals?["recovered"] ?? 0
            let refunded: Double = totals?["refunded"] ?? 0
            // Per warehouse and lane: cycle-time percentiles computed here from the sorted durations.
            let rows = try Row.fetchAll(db, sql: """
                SELECT q.warehouseID, q.lane, (i.inspectedAt - q.enqueuedAt) / 3600.0 AS hours, i.recoveryValue, r.refundAmount
                FROM inspection i JOIN queueEntry q ON q.returnID = i.returnID JOIN returnItem r ON r.id = i.returnID
                ORDER BY q.warehouseID, q.lane, hours
                """)
            var groups: [String: (warehouse: String, lane: String, hours: [Double], recovered: Double, refunded: Double)] = [:]
            for row in rows {
                let w: String = row["warehouseID"]
                let l: String = row["lane"]
                let key = w + "\u{1}" + l
                var g = groups[key] ?? (w, l, [], 0, 0)
                g.hours.append(row["hours"])
                g.recovered += row["recoveryValue"]
                g.refunded += row["refundAmount"]
                groups[key] = g
            }
            let cycles = groups.values.sorted { ($0.warehouse, $0.lane) < ($1.warehouse, $1.lane) }.map { g in
                OperationsSummary.CycleTime(
                    warehouseID: g.warehouse, lane: g.lane, inspected: g.hours.count,
                    meanHours: g.hours.reduce(0, +) / Double(g.hours.count),
                    p50Hours: quantile(g.hours, 0.5), p90Hours: quantile(g.hours, 0.9),
                    recoveryRate: g.refunded > 0 ? g.recovered / g.refunded : 0)
            }
            return OperationsSummary(
                returns: returns, inspected: inspected, reasons: reasons, predictedDispositions: predicted,
                inspectedDispositions: actual, recoveryRate: refunded > 0 ? recovered / refunded : 0, cycleTimes: cycles)
        }
    }
}

/// The `q` quantile of sorted values (nearest rank).
private func quantile(_ sorted: [Double], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(sorted.count - 1, max(0, rank))]
}
