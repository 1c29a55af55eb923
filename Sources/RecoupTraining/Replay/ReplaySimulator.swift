internal import Foundation
package import RecoupCore
package import RecoupScoring

/// Replays labelled returns arriving day by day at their warehouses, with a fixed number of inspections per
/// warehouse per day, and measures what three queue policies recover (see ``decayModel``):
///
/// - **FIFO**: the oldest arrival first.
/// - **Recoup**: the production priority, in units of service levels so that lanes can share stations:
///   `urgency / cap + age / SLA` (urgency from the models: predicted value × decay ÷ inspection minutes, or
///   predicted risk × refund in the risk lane; see `PriorityPolicy`).
/// - **Oracle**: the same formula with perfect information: the true recovery value, and a risk of 1 for the
///   returns that are fraud (0 otherwise).
package struct ReplaySimulator: Sendable {
    package var scorer: Scorer
    package var capacityPerDay: Int
    package var refundDays: Int

    package init(scorer: Scorer, capacityPerDay: Int, refundDays: Int) {
        self.scorer = scorer
        self.capacityPerDay = capacityPerDay
        self.refundDays = refundDays
    }

    package static let decayModel = """
        Decay model: an item arrives on its received_date (its request date + 5 days when missing). Each day it waits, \
        its recoverable value shrinks by the daily rate r = 0.3% + up to 2% more in the last 30 days of its selling \
        season (days_in_season_remaining, counting down as it waits) + 1% x sku_sell_through_30d: the constants of the \
        lane policy's priority. The value recovered is the label recovery_value x the product of (1 - r) over the days \
        waited. The refund is issued --refund-days after arrival: a fraud inspected by then is caught before refund. \
        An item is past its service level when it waited longer than its lane's (the lane Recoup routes it to).
        """

    package enum Policy: String, CaseIterable, Sendable, Codable {
        case fifo, recoup, oracle
    }

    package struct Result: Sendable, Codable, Equatable {
        package var policy: Policy
        package var inspected: Int
        package var recoveredValue: Double
        /// The value recovered if every item were inspected on arrival: the ceiling.
        package var valueIfInstant: Double
        package var fraudCaughtBeforeRefund: Int
        package var fraudTotal: Int
        package var fraudRefundSaved: Double
        package var pastServiceLevel: Int
        package var meanWaitDays: Double
        package var days: Int
    }

    struct Item {
        var arrival: Int
        var warehouse: String
        var value: Double
        var fraud: Bool
        var refund: Double
        var seasonDays: Int?
        var sellThrough: Double?
        var slaDays: Double
        var recoupUrgency: Double
        var oracleUrgency: Double
    }

    /// Runs every policy over the same arrivals.
    package func run(_ rows: [LabelledReturn]) -> [Result] {
        let assessments = scorer.assess(rows.map(\.record), explain: false)
        let policy = scorer.policy
        let items = zip(rows, assessments).map { row, a -> Item in
            let r = row.record
            let lane = policy.lane(named: a.lane)!
            let arrival = (r.receivedDate ?? (r.returnRequestedDate + 5)).daysSinceEpoch
            let cap = policy.priority.agingWeight(lane.ordering)
            let decay = policy.priority.dailyDecay(daysInSeasonRemaining: r.daysInSeasonRemaining, sellThrough: r.skuSellThrough30d)
            let minutes = lane.minutes(forCategory: r.category)
            // The oracle orders a true fraud by exposure and everything else by its true value in a value lane.
            let oracleOrdering: LanePolicy.Lane.Ordering = row.labels.fraudFlag ? .exposure : .valueDecay
            let oracle =
                policy.priority.urgency(
                    ordering: oracleOrdering,
                    recoveryValue: row.labels.recoveryValue,
                    dailyDecay: decay,
                    inspectionMinutes: minutes,
                    fraudRisk: row.labels.fraudFlag ? 1 : 0,
                    refundAmount: r.refundAmount
                ) / policy.priority.agingWeight(oracleOrdering)
            return Item(
                arrival: arrival,
                warehouse: ReturnRecord.normalized(r.warehouseID),
                value: row.labels.recoveryValue,
                fraud: row.labels.fraudFlag,
                refund: r.refundAmount,
                seasonDays: r.daysInSeasonRemaining,
                sellThrough: r.skuSellThrough30d,
                slaDays: lane.serviceLevelHours / 24,
                recoupUrgency: a.priority / cap,
                oracleUrgency: oracle
            )
        }
        return Policy.allCases.map { simulate(items, policy: $0) }
    }

    /// One policy, day by day, warehouse by warehouse.
    func simulate(_ items: [Item], policy: Policy) -> Result {
        let byArrival = items.indices.sorted { (items[$0].arrival, $0) < (items[$1].arrival, $1) }
        guard let firstDay = byArrival.first.map({ items[$0].arrival }) else {
            return Result(
                policy: policy,
                inspected: 0,
                recoveredValue: 0,
                valueIfInstant: 0,
                fraudCaughtBeforeRefund: 0,
                fraudTotal: 0,
                fraudRefundSaved: 0,
                pastServiceLevel: 0,
                meanWaitDays: 0,
                days: 0
            )
        }
        var pending: [String: [Int]] = [:]
        var next = 0
        var day = firstDay
        var result = Result(
            policy: policy,
            inspected: 0,
            recoveredValue: 0,
            valueIfInstant: items.reduce(0) { $0 + $1.value },
            fraudCaughtBeforeRefund: 0,
            fraudTotal: items.filter(\.fraud).count,
            fraudRefundSaved: 0,
            pastServiceLevel: 0,
            meanWaitDays: 0,
            days: 0
        )
        var totalWait = 0.0
        while next < byArrival.count || pending.values.contains(where: { !$0.isEmpty }) {
            while next < byArrival.count, items[byArrival[next]].arrival <= day {
                let i = byArrival[next]
                pending[items[i].warehouse, default: []].append(i)
                next += 1
            }
            for warehouse in pending.keys.sorted() {
                var queue = pending[warehouse]!
                guard !queue.isEmpty else { continue }
                let take = min(capacityPerDay, queue.count)
                let scored = queue.map { i in (i, score(items[i], policy: policy, day: day)) }
                let chosen = scored.sorted { ($0.1, -$0.0) > ($1.1, -$1.0) }.prefix(take).map(\.0)
                let chosenSet = Set(chosen)
                for i in chosen {
                    let item = items[i]
                    let wait = day - item.arrival
                    result.inspected += 1
                    result.recoveredValue += item.value * retained(item, waitDays: wait)
                    totalWait += Double(wait)
                    if item.fraud && wait <= refundDays {
                        result.fraudCaughtBeforeRefund += 1
                        result.fraudRefundSaved += item.refund
                    }
                    if Double(wait) > item.slaDays { result.pastServiceLevel += 1 }
                }
                queue.removeAll { chosenSet.contains($0) }
                pending[warehouse] = queue
            }
            day += 1
        }
        result.days = day - firstDay
        result.meanWaitDays = totalWait / Double(max(1, result.inspected))
        return result
    }

    func score(_ item: Item, policy: Policy, day: Int) -> Double {
        let age = Double(day - item.arrival) / item.slaDays
        switch policy {
        case .fifo: return -Double(item.arrival)
        case .recoup: return item.recoupUrgency + age
        case .oracle: return item.oracleUrgency + age
        }
    }

    /// The share of value left after waiting `waitDays` (the decay model).
    func retained(_ item: Item, waitDays: Int) -> Double {
        var share = 1.0
        for k in 0..<max(0, waitDays) {
            let r = scorer.policy.priority.dailyDecay(daysInSeasonRemaining: item.seasonDays.map { $0 - k }, sellThrough: item.sellThrough)
            share *= 1 - r
        }
        return share
    }

    package static func table(_ results: [Result]) -> String {
        func money(_ x: Double) -> String { String(format: "%.0f", x) }
        var lines = [
            "policy   inspected  recovered value  % of instant  fraud caught before refund  refunds saved  past service level  mean wait (days)"
        ]
        for r in results {
            lines.append(
                r.policy.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
                    + String(r.inspected).padding(toLength: 11, withPad: " ", startingAt: 0)
                    + money(r.recoveredValue).padding(toLength: 17, withPad: " ", startingAt: 0)
                    + String(format: "%.1f%%", 100 * r.recoveredValue / max(r.valueIfInstant, 1e-9)).padding(
                        toLength: 14,
                        withPad: " ",
                        startingAt: 0
                    )
                    + "\(r.fraudCaughtBeforeRefund) of \(r.fraudTotal)".padding(toLength: 28, withPad: " ", startingAt: 0)
                    + money(r.fraudRefundSaved).padding(toLength: 15, withPad: " ", startingAt: 0)
                    + String(r.pastServiceLevel).padding(toLength: 20, withPad: " ", startingAt: 0)
                    + String(format: "%.2f", r.meanWaitDays)
            )
        }
        return lines.joined(separator: "\n")
    }

    package static func json(_ results: [Result]) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return String(decoding: try encoder.encode(results), as: UTF8.self)
    }
}
