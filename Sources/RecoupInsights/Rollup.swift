package import RecoupCore

/// The running totals a store keeps for the insights, so that a route reads one small row per group, reason and day
/// instead of every return: each return counts once in each ``RollupDimension``'s rows, under the day it was stored.
///
/// A return changes its rows twice: when it is stored (``RollupChange/stored(_:on:)``) and when it is inspected
/// (``RollupChange/inspected(from:to:on:)``, which also moves it from "not inspected" to its disposition). Root causes
/// and leakage over a window of days are sums of these rows.
package enum RollupDimension: String, CaseIterable, Sendable {
    case sku, category, channel
    case brandTier = "brand_tier"
    case warehouseID = "warehouse_id"
    case paymentMethod = "payment_method"
    /// The inspected disposition, or ``LeakageGrouping/notInspected``.
    case disposition
    /// The Monday of the week the return was requested.
    case week

    package init(_ dimension: InsightDimension) { self.init(rawValue: dimension.rawValue)! }

    /// The insight dimension of the same name (`nil` for disposition and week, which only leakage groups by).
    package var insight: InsightDimension? { InsightDimension(rawValue: rawValue) }
}

/// One row of the rollup: a group of a dimension, its parent (for root causes), a reason and the day returns were stored.
package struct RollupKey: Sendable, Hashable {
    package var dimension: RollupDimension
    package var value: String
    /// A SKU's category, or ``InsightDimension/everyReturn``.
    package var parent: String
    package var reason: ReasonCode
    package var day: Day

    package init(dimension: RollupDimension, value: String, parent: String, reason: ReasonCode, day: Day) {
        self.dimension = dimension
        self.value = value
        self.parent = parent
        self.reason = reason
        self.day = day
    }
}

/// The sums of one rollup row.
package struct RollupCounts: Sendable, Hashable {
    package var returns = 0
    /// Refunds of every return.
    package var refunded = 0.0
    /// Returns inspected, their refunds and the value recovered from them.
    package var inspected = 0
    package var inspectedRefunded = 0.0
    package var recovered = 0.0
    /// Value lost while the inspected returns waited (``ReturnFacts/lostToWaiting``).
    package var lostToWaiting = 0.0

    package init(
        returns: Int = 0,
        refunded: Double = 0,
        inspected: Int = 0,
        inspectedRefunded: Double = 0,
        recovered: Double = 0,
        lostToWaiting: Double = 0
    ) {
        self.returns = returns
        self.refunded = refunded
        self.inspected = inspected
        self.inspectedRefunded = inspectedRefunded
        self.recovered = recovered
        self.lostToWaiting = lostToWaiting
    }

    /// What one return adds.
    package init(_ fact: ReturnFacts) {
        returns = 1
        refunded = fact.refund
        if let recovered = fact.recovered {
            inspected = 1
            inspectedRefunded = fact.refund
            self.recovered = recovered
            lostToWaiting = fact.lostToWaiting ?? 0
        }
    }

    package static func += (lhs: inout RollupCounts, rhs: RollupCounts) {
        lhs.returns += rhs.returns
        lhs.refunded += rhs.refunded
        lhs.inspected += rhs.inspected
        lhs.inspectedRefunded += rhs.inspectedRefunded
        lhs.recovered += rhs.recovered
        lhs.lostToWaiting += rhs.lostToWaiting
    }

    package static prefix func - (counts: RollupCounts) -> RollupCounts {
        RollupCounts(
            returns: -counts.returns,
            refunded: -counts.refunded,
            inspected: -counts.inspected,
            inspectedRefunded: -counts.inspectedRefunded,
            recovered: -counts.recovered,
            lostToWaiting: -counts.lostToWaiting
        )
    }

    /// Refunds minus the value recovered: a root cause's money at stake.
    package var moneyAtStake: Double { refunded - recovered }
}

/// What a change to returns adds to the rollup rows (negative counts where a return leaves a row).
package struct RollupChange: Sendable {
    package private(set) var rows: [RollupKey: RollupCounts] = [:]

    package init() {}

    /// Returns stored on `day`.
    package static func stored(_ facts: some Sequence<ReturnFacts>, on day: Day) -> RollupChange {
        var change = RollupChange()
        for fact in facts { change.add(fact, on: day, sign: 1) }
        return change
    }

    /// A return stored on `day` and inspected: it leaves its rows as `before` and enters them as `after`.
    package static func inspected(from before: ReturnFacts, to after: ReturnFacts, on day: Day) -> RollupChange {
        var change = RollupChange()
        change.add(before, on: day, sign: -1)
        change.add(after, on: day, sign: 1)
        return change
    }

    /// Adds a return's counts to every row it belongs to (`sign` -1 removes them).
    package mutating func add(_ fact: ReturnFacts, on day: Day, sign: Int) {
        let counts = sign < 0 ? -RollupCounts(fact) : RollupCounts(fact)
        for dimension in RollupDimension.allCases {
            let key = RollupKey(dimension: dimension, value: fact.value(dimension), parent: fact.parent(dimension), reason: fact.reason, day: day)
            rows[key, default: RollupCounts()] += counts
        }
    }
}

extension ReturnFacts {
    /// The group of a rollup dimension this return belongs to.
    package func value(_ dimension: RollupDimension) -> String {
        switch dimension {
        case .disposition: LeakageGrouping.disposition.key(self)
        case .week: LeakageGrouping.week.key(self)
        default: value(dimension.insight!)
        }
    }

    /// The parent group of a rollup row: its insight dimension's parent group (``InsightDimension/everyReturn`` for
    /// disposition and week).
    package func parent(_ dimension: RollupDimension) -> String {
        dimension.insight.map { parent($0) } ?? InsightDimension.everyReturn
    }
}

extension LeakageGrouping {
    /// The rollup rows leakage by this grouping sums: its own dimension's, or (by reason) the channel rows, which
    /// count every return once and carry its reason.
    package var rollup: RollupDimension {
        switch self {
        case .channel, .reason: .channel
        case .category: .category
        case .disposition: .disposition
        case .warehouseID: .warehouseID
        case .week: .week
        }
    }
}
