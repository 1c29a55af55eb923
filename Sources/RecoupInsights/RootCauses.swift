package import RecoupCore

/// A reason that is returned significantly more often in one group than in the rest of its parent.
package struct RootCauseFinding: Sendable, Hashable, Codable {
    package var dimension: InsightDimension
    package var value: String
    /// The group the baseline comes from: a SKU's category, or `all`.
    package var parent: String
    package var reason: String
    /// The group's returns, and those with this reason.
    package var returns: Int
    package var reasonReturns: Int
    package var share: Double
    /// The reason's share among the parent's other returns.
    package var baselineShare: Double
    /// share / baseline share (a baseline of 0 counts as half a return of the rest of the parent).
    package var lift: Double
    /// The share's one-sided 95% Wilson lower bound.
    package var shareLowerBound: Double
    package var pValue: Double
    package var qValue: Double
    /// Refunds of these returns minus the value recovered from them.
    package var moneyAtStake: Double
    package var owner: String

    enum CodingKeys: String, CodingKey {
        case dimension, value, parent, reason, returns
        case reasonReturns = "reason_returns"
        case share
        case baselineShare = "baseline_share"
        case lift
        case shareLowerBound = "share_lower_bound"
        case pValue = "p_value"
        case qValue = "q_value"
        case moneyAtStake = "money_at_stake"
        case owner
    }
}

/// The returns of one group with one reason under one parent, and their money at stake: what root causes are
/// computed from (counted by a GROUP BY in the store, or from the returns offline).
package struct RootCauseCell: Sendable, Hashable {
    package var value: String
    /// A SKU's category, or ``InsightDimension/everyReturn``.
    package var parent: String
    package var reason: ReasonCode
    package var returns: Int
    /// Refunds minus value recovered.
    package var money: Double

    package init(value: String, parent: String, reason: ReasonCode, returns: Int, money: Double) {
        self.value = value
        self.parent = parent
        self.reason = reason
        self.returns = returns
        self.money = money
    }
}

/// A customer whose returns are improbable given their orders and the population's return rate.
package struct RepeatReturner: Sendable, Hashable, Codable {
    package var customerID: String
    package var orders: Int
    package var returns: Int
    /// The population's returns per order.
    package var expectedShare: Double
    package var pValue: Double
    package var qValue: Double

    enum CodingKeys: String, CodingKey {
        case customerID = "customer_id"
        case orders, returns
        case expectedShare = "expected_share"
        case pValue = "p_value"
        case qValue = "q_value"
    }
}

/// How findings are tested: the false-discovery rate and the support a group needs before it is tested at all.
package struct FindingRules: Sendable, Hashable {
    /// Benjamini–Hochberg level: the expected share of false findings among all findings.
    package var q: Double = 0.05
    /// A group is tested when it has at least this many returns; a finding needs at least `minReasonReturns` returns
    /// of its reason (a filter on what is reported, after the FDR control over every test).
    package var minReturns: Int = 10
    package var minReasonReturns: Int = 3

    package init(q: Double = 0.05, minReturns: Int = 10, minReasonReturns: Int = 3) {
        self.q = q
        self.minReturns = minReturns
        self.minReasonReturns = minReasonReturns
    }
}

package enum RootCauses {
    /// Every group of each dimension against the rest of its parent, every reason, one Fisher's exact test each; the
    /// findings are those whose Benjamini–Hochberg q-value across all the tests (of every dimension asked for) is at
    /// most `rules.q`, ordered by money at stake.
    package static func find(
        in facts: [ReturnFacts],
        by dimensions: [InsightDimension],
        rules: FindingRules = FindingRules()
    ) -> (findings: [RootCauseFinding], tests: Int) {
        find(cells: dimensions.map { ($0, cells(of: facts, by: $0)) }, rules: rules)
    }

    /// The same, from cells already counted (the store's GROUP BY): one list of cells per dimension.
    package static func find(
        cells: [(dimension: InsightDimension, cells: [RootCauseCell])],
        rules: FindingRules = FindingRules()
    ) -> (findings: [RootCauseFinding], tests: Int) {
        var candidates = cells.flatMap { tests(of: $0.cells, by: $0.dimension, rules: rules) }
        let q = Statistics.benjaminiHochberg(candidates.map(\.pValue))
        for i in candidates.indices { candidates[i].qValue = q[i] }
        let findings = candidates.filter { $0.qValue <= rules.q && $0.reasonReturns >= rules.minReasonReturns }
            .sorted { ($0.moneyAtStake, $1.value, $1.reason) > ($1.moneyAtStake, $0.value, $0.reason) }
        return (findings, candidates.count)
    }

    /// The cells of one dimension, counted from the returns.
    package static func cells(of facts: [ReturnFacts], by dimension: InsightDimension) -> [RootCauseCell] {
        struct Key: Hashable {
            var value: String
            var parent: String
            var reason: ReasonCode
        }
        var cells: [Key: RootCauseCell] = [:]
        for fact in facts {
            let key = Key(
                value: fact.value(dimension),
                parent: fact.parent(dimension),
                reason: fact.reason
            )
            cells[key, default: RootCauseCell(value: key.value, parent: key.parent, reason: key.reason, returns: 0, money: 0)].returns += 1
            cells[key]!.money += fact.refund - (fact.recovered ?? 0)
        }
        return Array(cells.values)
    }

    /// The tests of one dimension, q-values not yet set.
    static func tests(of cells: [RootCauseCell], by dimension: InsightDimension, rules: FindingRules) -> [RootCauseFinding] {
        struct Tally {
            var returns = 0
            var reasons: [ReasonCode: Int] = [:]
            var money: [ReasonCode: Double] = [:]
            var parents: [String: Int] = [:]
        }
        var groups: [String: Tally] = [:]
        var parents: [String: Tally] = [:]
        for cell in cells {
            groups[cell.value, default: Tally()].returns += cell.returns
            groups[cell.value]!.reasons[cell.reason, default: 0] += cell.returns
            groups[cell.value]!.money[cell.reason, default: 0] += cell.money
            groups[cell.value]!.parents[cell.parent, default: 0] += cell.returns
            parents[cell.parent, default: Tally()].returns += cell.returns
            parents[cell.parent]!.reasons[cell.reason, default: 0] += cell.returns
        }
        var candidates: [RootCauseFinding] = []
        for (value, group) in groups where group.returns >= rules.minReturns {
            // A SKU listed under two categories is compared with the one most of its returns name.
            let parentName = group.parents.max { ($0.value, $1.key) < ($1.value, $0.key) }!.key
            let parent = parents[parentName]!
            let restReturns = parent.returns - group.returns
            guard restReturns > 0 else { continue }  // the group is its whole parent: nothing to compare with
            // Every reason of the parent is a test, however few of its returns the group has: testing only the
            // reasons with enough returns would pick the tests by their outcome, and the p-values would no longer be
            // uniform under the null (too many findings). `minReasonReturns` filters what is reported, after BH.
            for reason in parent.reasons.keys {
                let count = group.reasons[reason, default: 0]
                let baseline = Double(parent.reasons[reason, default: 0] - count) / Double(restReturns)
                let share = Double(count) / Double(group.returns)
                candidates.append(
                    RootCauseFinding(
                        dimension: dimension,
                        value: value,
                        parent: parentName,
                        reason: reason.rawValue,
                        returns: group.returns,
                        reasonReturns: count,
                        share: share,
                        baselineShare: baseline,
                        // A reason the rest of the parent never has: its baseline counts half a return, so the lift is finite.
                        lift: share / max(baseline, 0.5 / Double(restReturns)),
                        shareLowerBound: Statistics.wilsonLowerBound(count, group.returns),
                        pValue: Statistics.hypergeometricUpperTail(
                            count,
                            population: parent.returns,
                            successes: parent.reasons[reason, default: 0],
                            draws: group.returns
                        ),
                        qValue: 1,
                        moneyAtStake: group.money[reason, default: 0],
                        owner: reason.owner
                    )
                )
            }
        }
        return candidates
    }

    /// Customers whose return count is improbable given their orders: for each customer (their latest record's
    /// `customer_orders_12m` and `customer_returns_12m`), the binomial upper tail at the population's returns per
    /// order; Benjamini–Hochberg across customers. Ordered by q-value, then by returns.
    package static func repeatReturners(in facts: [ReturnFacts], rules: FindingRules = FindingRules()) -> [RepeatReturner] {
        var latest: [String: CustomerHistory] = [:]
        for fact in facts {
            guard let history = CustomerHistory(fact) else { continue }
            if let seen = latest[fact.customerID], seen.asOf >= history.asOf { continue }
            latest[fact.customerID] = history
        }
        let customers = Array(latest.values)
        return repeatReturners(
            tested: customers.filter { $0.returns >= rules.minReasonReturns },
            totalOrders: customers.reduce(0) { $0 + $1.orders },
            totalReturns: customers.reduce(0) { $0 + $1.returns },
            rules: rules
        )
    }

    /// The same from the customers with at least `rules.minReasonReturns` returns (the ones tested) and the
    /// population's orders and returns (the store's sums).
    package static func repeatReturners(tested: [CustomerHistory], totalOrders: Int, totalReturns: Int, rules: FindingRules) -> [RepeatReturner] {
        guard totalOrders > 0 else { return [] }
        let share = Double(totalReturns) / Double(totalOrders)
        let p = tested.map { Statistics.binomialUpperTail($0.returns, $0.orders, share) }
        let q = Statistics.benjaminiHochberg(p)
        return tested.indices.filter { q[$0] <= rules.q }
            .map { i in
                RepeatReturner(
                    customerID: tested[i].customerID,
                    orders: tested[i].orders,
                    returns: tested[i].returns,
                    expectedShare: share,
                    pValue: p[i],
                    qValue: q[i]
                )
            }
            .sorted { ($0.qValue, $1.returns, $0.customerID) < ($1.qValue, $0.returns, $1.customerID) }
    }
}

/// A customer's orders and returns over the last 12 months, as of their latest return's request.
package struct CustomerHistory: Sendable, Hashable {
    package var customerID: String
    package var orders: Int
    /// At most `orders`.
    package var returns: Int
    package var asOf: Day

    package init(customerID: String, orders: Int, returns: Int, asOf: Day) {
        self.customerID = customerID
        self.orders = max(orders, 0)
        self.returns = min(max(returns, 0), self.orders)
        self.asOf = asOf
    }

    /// A return's customer history, when its record has one.
    package init?(_ fact: ReturnFacts) {
        guard let orders = fact.customerOrders12m, let returns = fact.customerReturns12m else { return nil }
        self.init(customerID: fact.customerID, orders: orders, returns: returns, asOf: fact.requested)
    }
}
