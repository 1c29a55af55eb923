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
    /// The part of the leakage the inspected returns lost waiting for their inspection, by the priority policy's decay
    /// model (`nil` offline, where the file has no inspection times).
    package var lostToWaiting: Double?

    enum CodingKeys: String, CodingKey {
        case key, returns, inspected, refunded, recovered, leakage
        case recoveryRate = "recovery_rate"
        case lostToWaiting = "lost_to_waiting"
    }

    /// A group's row from its sums; leakage and the recovery rate follow from them. `waitingKnown`: whether the
    /// sums include the value lost to waiting.
    package init(key: String, _ counts: RollupCounts, waitingKnown: Bool) {
        self.key = key
        returns = counts.returns
        inspected = counts.inspected
        refunded = counts.inspectedRefunded
        recovered = counts.recovered
        leakage = refunded - recovered
        recoveryRate = refunded > 0 ? recovered / refunded : 0
        lostToWaiting = waitingKnown ? counts.lostToWaiting : nil
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

    /// The group a return belongs to.
    package func key(_ fact: ReturnFacts) -> String {
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
        var sums: [String: RollupCounts] = [:]
        for fact in facts { sums[grouping.key(fact), default: RollupCounts()] += RollupCounts(fact) }
        let waitingKnown = facts.contains { $0.lostToWaiting != nil }
        return sums.map { LeakageRow(key: $0.key, $0.value, waitingKnown: waitingKnown) }.sorted(by: grouping.order)
    }
}
