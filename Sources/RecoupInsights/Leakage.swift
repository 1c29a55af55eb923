internal import RecoupCore

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

    /// A group's row from its sums; leakage and the recovery rate follow from them.
    package init(key: String, returns: Int, inspected: Int, refunded: Double, recovered: Double) {
        self.key = key
        self.returns = returns
        self.inspected = inspected
        self.refunded = refunded
        self.recovered = recovered
        leakage = refunded - recovered
        recoveryRate = refunded > 0 ? recovered / refunded : 0
    }
}

/// What leakage can be grouped by.
package enum LeakageGrouping: String, CaseIterable, Sendable, Codable {
    case channel, category, reason, disposition
    case warehouseID = "warehouse_id"
    /// The week the return was requested (its Monday).
    case week

    /// The disposition key of returns not inspected yet.
    package static let notInspected = "not inspected"

    /// How rows are listed: weeks in time order, any other grouping the largest leakage first.
    package func order(_ a: LeakageRow, _ b: LeakageRow) -> Bool {
        self == .week ? a.key < b.key : (a.leakage, b.key) > (b.leakage, a.key)
    }

    func key(_ fact: ReturnFacts) -> String {
        switch self {
        case .channel: fact.channel
        case .category: fact.category
        case .reason: fact.reason.rawValue
        case .disposition: fact.disposition?.rawValue ?? Self.notInspected
        case .warehouseID: fact.warehouseID
        case .week: (fact.requested + -fact.requested.weekday).description
        }
    }
}

package enum Leakage {
    /// Leakage per group, the largest first (by week: in time order).
    package static func by(_ grouping: LeakageGrouping, in facts: [ReturnFacts]) -> [LeakageRow] {
        var sums: [String: (returns: Int, inspected: Int, refunded: Double, recovered: Double)] = [:]
        for fact in facts {
            let key = grouping.key(fact)
            var sum = sums[key] ?? (0, 0, 0, 0)
            sum.returns += 1
            if let recovered = fact.recovered {
                sum.inspected += 1
                sum.refunded += fact.refund
                sum.recovered += recovered
            }
            sums[key] = sum
        }
        return sums.map {
            LeakageRow(
                key: $0.key,
                returns: $0.value.returns,
                inspected: $0.value.inspected,
                refunded: $0.value.refunded,
                recovered: $0.value.recovered
            )
        }
        .sorted(by: grouping.order)
    }
}
