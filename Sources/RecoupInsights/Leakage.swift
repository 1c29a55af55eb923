package import RecoupCore

/// Refunds paid against value recovered, for one group of returns.
package struct LeakageRow: Sendable, Hashable, Codable {
    package var key: String
    package var returns: Int
    /// Returns whose recovered value is known (inspected); refund, recovery and leakage count only those.
    package var inspected: Int
    package var refunded: Double
    package var recovered: Double
    /// Refunded minus recovered.
    package var leakage: Double
    /// Recovered over refunded.
    package var recoveryRate: Double

    enum CodingKeys: String, CodingKey {
        case key, returns, inspected, refunded, recovered, leakage
        case recoveryRate = "recovery_rate"
    }
}

/// What leakage can be grouped by.
package enum LeakageGrouping: String, CaseIterable, Sendable, Codable {
    case channel, category, reason, disposition
    case warehouseID = "warehouse_id"
    /// The week the return was requested (its Monday).
    case week

    func key(_ fact: ReturnFacts) -> String {
        switch self {
        case .channel: fact.channel
        case .category: fact.category
        case .reason: fact.reason.rawValue
        case .disposition: fact.disposition?.rawValue ?? "not inspected"
        case .warehouseID: fact.warehouseID
        case .week: (fact.requested + -fact.requested.weekday).description
        }
    }
}

package enum Leakage {
    /// Leakage per group, the largest first (by week: in time order).
    package static func by(_ grouping: LeakageGrouping, in facts: [ReturnFacts]) -> [LeakageRow] {
        var rows: [String: LeakageRow] = [:]
        for fact in facts {
            let key = grouping.key(fact)
            var row = rows[key] ?? LeakageRow(key: key, returns: 0, inspected: 0, refunded: 0, recovered: 0, leakage: 0, recoveryRate: 0)
            row.returns += 1
            if let recovered = fact.recovered {
                row.inspected += 1
                row.refunded += fact.refund
                row.recovered += recovered
            }
            rows[key] = row
        }
        let all = rows.values.map { row in
            var row = row
            row.leakage = row.refunded - row.recovered
            row.recoveryRate = row.refunded > 0 ? row.recovered / row.refunded : 0
            return row
        }
        if grouping == .week { return all.sorted { $0.key < $1.key } }
        return all.sorted { ($0.leakage, $1.key) > ($1.leakage, $0.key) }
    }
}
