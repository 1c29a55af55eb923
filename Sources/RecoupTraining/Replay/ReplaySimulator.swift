internal import Foundation
package import RecoupCore
package import RecoupScoring

/// Replays labelled returns arriving day by day at their warehouses, with a fixed amount of inspection work per
/// warehouse per day, and measures what each queue policy is worth in money (see ``World``):
///
/// - **fifo**: the oldest arrival first.
/// - **highest_value**: unit price × quantity first (the warehouse manager's rule of thumb).
/// - **season_end**: the fewest days of selling season left first (items without a season, or past it, last).
/// - **rules**: returns with a hard signal (serial number mismatch, measured weight far from the declared one, a
///   customer who returns most orders) first, then FIFO.
/// - **recoup**: the live queue's rank (``PriorityPolicy``) from the models' predictions, each day the key in force.
/// - **oracle**: the same money-per-minute greedy rule with perfect knowledge: the true recovery value still left,
///   the true loss rate, and which returns are fraud (a fraud's refund spread over the days left before it is issued).
///
/// Work is measured in inspection minutes (each return takes its lane's minutes for its category, whatever the
/// policy): `capacity` inspections per warehouse per day means `capacity ×` the mean minutes of the replayed returns.
package struct ReplaySimulator: Sendable {
    package var scorer: Scorer
    /// Inspections per warehouse per day, on average.
    package var capacityPerDay: Int
    package var world: World

    package init(scorer: Scorer, capacityPerDay: Int, world: World = World()) {
        self.scorer = scorer
        self.capacityPerDay = capacityPerDay
        self.world = world
    }

    /// How the replayed world behaves: how value is lost while an item waits and when refunds go out. Its loss rate
    /// has the form of ``PriorityPolicy/dailyDecay(daysInSeasonRemaining:sellThrough:)`` with its own rates; the
    /// defaults are the shipped lane policy's (so Recoup's belief and the world agree unless told otherwise).
    package struct World: Sendable, Equatable {
        /// The world's loss rates (only the decay fields are used).
        package var decay = LanePolicy.default.priority
        /// Days after arrival when the refund is issued: a fraud inspected by then is caught before the refund.
        package var refundDays = Int(LanePolicy.default.priority.refundDays)

        package init() {}

        func dailyLoss(daysInSeasonRemaining d: Int?, sellThrough s: Double?) -> Double {
            decay.dailyDecay(daysInSeasonRemaining: d, sellThrough: s)
        }
    }

    package static var decayModel: String {
        let world = World()
        func pct(_ x: Double) -> String { String(format: "%g%%", 100 * x) }
        return """
            Decay model: an item arrives on its received_date (its request date + 5 days when missing). Each day it \
            waits, its recoverable value shrinks by the daily rate r = base (\(pct(world.decay.baseDailyDecay))) + up to \
            season (\(pct(world.decay.seasonDailyDecay))) more in the last window (\(String(format: "%g", world.decay.seasonWindowDays))) \
            days of its selling season (days_in_season_remaining, counting down as it waits) + demand \
            (\(pct(world.decay.demandDailyDecay))) x sku_sell_through_30d; the values in brackets are the defaults of \
            --base-decay, --season-decay, --season-window and --demand-decay (the shipped lane policy's). The value \
            recovered is the label recovery_value x the product of (1 - r) over the days waited. The refund is issued \
            --refund-days (default \(world.refundDays)) after arrival: a fraud inspected by then is caught before the \
            refund, and its refund is saved. Money = value recovered + refunds saved. Each warehouse inspects --capacity \
            returns a day on average, measured in inspection minutes (each return takes its lane's minutes). An item is \
            past its service level when it waited longer than its lane's (the lane Recoup routes it to).
            """
    }

    package enum Policy: String, CaseIterable, Sendable, Codable {
        case fifo
        case highestValue = "highest_value"
        case seasonEnd = "season_end"
        case rules
        case recoup
        case oracle
    }

    package struct Result: Sendable, Codable, Equatable {
        package var policy: Policy
        package var inspected: Int
        package var recoveredValue: Double
        /// The value recovered if every item were inspected on arrival.
        package var valueIfInstant: Double
        package var fraudCaughtBeforeRefund: Int
        package var fraudTotal: Int
        /// The refunds of every fraud: what inspecting each on arrival would save.
        package var fraudRefundTotal: Double
        package var fraudRefundSaved: Double
        /// Value recovered plus refunds saved.
        package var money: Double
        package var pastServiceLevel: Int
        package var meanWaitDays: Double
        /// `(money − FIFO's) / (oracle's − FIFO's)`.
        package var shareOfOracleGain: Double
        package var days: Int
    }

    /// One replayed return.
    struct Item {
        var arrival: Int
        var warehouse: String
        var minutes: Double
        var slaDays: Double
        var value: Double
        var fraud: Bool
        var refund: Double
        /// Unit price × quantity.
        var price: Double
        var seasonDays: Int?
        var sellThrough: Double?
        var hardSignal: Bool
        /// Recoup's rank, as the live queue computes it (times in days since 1970).
        var rank: QueueRank
    }

    /// Runs every policy over the same arrivals.
    package func run(_ rows: [LabelledReturn]) -> [Result] {
        let items = prepare(rows)
        var results = Policy.allCases.map { simulate(items, policy: $0) }
        let fifo = results.first { $0.policy == .fifo }!.money
        let oracle = results.first { $0.policy == .oracle }!.money
        for i in results.indices {
            results[i].shareOfOracleGain = oracle > fifo ? (results[i].money - fifo) / (oracle - fifo) : 0
        }
        return results
    }

    func prepare(_ rows: [LabelledReturn]) -> [Item] {
        let assessments = scorer.assess(rows.map(\.record), explain: false)
        let policy = scorer.policy
        // The rules-first queue looks at every hard signal, at the thresholds training fitted (on or off).
        let rules = (scorer.bundle.flagging?.everyRule ?? .neutral).rulesOnly
        return zip(rows, assessments).map { row, a -> Item in
            let r = row.record
            let lane = policy.lane(named: a.lane)!
            let arrival = (r.receivedDate ?? (r.returnRequestedDate + 5)).daysSinceEpoch
            let signals = rules.flags(record: r, fraudRisk: 0)
            return Item(
                arrival: arrival,
                warehouse: ReturnRecord.normalized(r.warehouseID),
                minutes: lane.minutes(forCategory: r.category),
                slaDays: lane.serviceLevelHours / 24,
                value: row.labels.recoveryValue,
                fraud: row.labels.fraudFlag,
                refund: r.refundAmount,
                price: r.unitPrice * Double(r.quantity),
                seasonDays: r.daysInSeasonRemaining,
                sellThrough: r.skuSellThrough30d,
                hardSignal: !signals.isEmpty,
                rank: policy.rank(of: a, record: r, enqueuedAt: Self.date(day: arrival))
            )
        }
    }

    static func date(day: Int) -> Date { Date(timeIntervalSince1970: Double(day) * 86_400) }

    /// One policy, day by day, warehouse by warehouse.
    func simulate(_ items: [Item], policy: Policy) -> Result {
        var result = Result(
            policy: policy,
            inspected: 0,
            recoveredValue: 0,
            valueIfInstant: items.reduce(0) { $0 + $1.value },
            fraudCaughtBeforeRefund: 0,
            fraudTotal: items.filter(\.fraud).count,
            fraudRefundTotal: items.filter(\.fraud).reduce(0) { $0 + $1.refund },
            fraudRefundSaved: 0,
            money: 0,
            pastServiceLevel: 0,
            meanWaitDays: 0,
            shareOfOracleGain: 0,
            days: 0
        )
        let byArrival = items.indices.sorted { (items[$0].arrival, $0) < (items[$1].arrival, $1) }
        guard let firstDay = byArrival.first.map({ items[$0].arrival }) else { return result }
        let meanMinutes = items.reduce(0) { $0 + $1.minutes } / Double(items.count)
        let budget = Double(capacityPerDay) * meanMinutes
        var pending: [String: [Int]] = [:]
        var carried: [String: Double] = [:]  // minutes a warehouse overran yesterday
        // The share of each waiting item's value still left, updated at the end of every day it waits.
        var share = [Double](repeating: 1, count: items.count)
        var next = 0
        var day = firstDay
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
                let order = queue.map { ($0, score(items[$0], policy: policy, day: day, share: share[$0])) }
                    .sorted { ($0.1, -$0.0) > ($1.1, -$1.0) }
                var minutes = budget - (carried[warehouse] ?? 0)
                var chosen = Set<Int>()
                for (i, _) in order where minutes > 0 {
                    chosen.insert(i)
                    minutes -= items[i].minutes
                    let item = items[i]
                    let wait = day - item.arrival
                    result.inspected += 1
                    result.recoveredValue += item.value * share[i]
                    totalWait += Double(wait)
                    if item.fraud && wait <= world.refundDays {
                        result.fraudCaughtBeforeRefund += 1
                        result.fraudRefundSaved += item.refund
                    }
                    if Double(wait) > item.slaDays { result.pastServiceLevel += 1 }
                }
                carried[warehouse] = max(0, -minutes)
                queue.removeAll { chosen.contains($0) }
                for i in queue { share[i] *= 1 - dailyLoss(items[i], waitDays: day - items[i].arrival) }
                pending[warehouse] = queue
            }
            day += 1
        }
        result.days = day - firstDay
        result.money = result.recoveredValue + result.fraudRefundSaved
        result.meanWaitDays = totalWait / Double(max(1, result.inspected))
        return result
    }

    /// What a policy ranks an item by on `day` (higher first); `share` is the share of its value still left.
    func score(_ item: Item, policy: Policy, day: Int, share: Double) -> Double {
        switch policy {
        case .fifo:
            return -Double(item.arrival)
        case .highestValue:
            return item.price
        case .seasonEnd:
            guard let d = item.seasonDays.map({ $0 - (day - item.arrival) }), d >= 0 else { return -1e9 - Double(item.arrival) }
            return -Double(d)
        case .rules:
            return (item.hardSignal ? 1e9 : 0) - Double(item.arrival)
        case .recoup:
            return item.rank.key(at: Self.date(day: day))
        case .oracle:
            let wait = day - item.arrival
            let refundDaysLeft = world.refundDays - wait
            let fraud = item.fraud && refundDaysLeft >= 0 ? item.refund / Double(refundDaysLeft + 1) : 0
            return (item.value * share * dailyLoss(item, waitDays: wait) + fraud) / item.minutes
        }
    }

    /// The world's loss rate for an item on the day it has waited `waitDays` (its season counting down).
    func dailyLoss(_ item: Item, waitDays: Int) -> Double {
        world.dailyLoss(daysInSeasonRemaining: item.seasonDays.map { $0 - waitDays }, sellThrough: item.sellThrough)
    }

    package static func table(_ results: [Result]) -> String {
        func money(_ x: Double) -> String { String(format: "%.0f", x) }
        func column(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
        var lines = [
            "policy         money      share of oracle gain  recovered value  fraud caught before refund  refunds saved  "
                + "past service level  mean wait (days)"
        ]
        for r in results {
            lines.append(
                column(r.policy.rawValue, 15) + column(money(r.money), 11) + column(String(format: "%.1f%%", 100 * r.shareOfOracleGain), 22)
                    + column(money(r.recoveredValue), 17) + column("\(r.fraudCaughtBeforeRefund) of \(r.fraudTotal)", 28)
                    + column(money(r.fraudRefundSaved), 15) + column(String(r.pastServiceLevel), 20) + String(format: "%.2f", r.meanWaitDays)
            )
        }
        return lines.joined(separator: "\n")
    }

    /// A list of objects, one per policy, with snake_case keys.
    package static func json(_ results: [Result]) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return String(decoding: try encoder.encode(results), as: UTF8.self)
    }
}
