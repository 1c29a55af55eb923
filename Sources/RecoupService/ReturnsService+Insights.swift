internal import Foundation
internal import RecoupCore
package import RecoupInsights
internal import RecoupStore

/// Root causes over the stored returns: the same findings `recoup insights` computes offline, from the store's counts.
package struct RootCausesReport: Sendable, Encodable {
    package var dimensions: [InsightDimension]
    /// The window: returns stored in the last `days` days (`nil`: all).
    package var days: Int?
    package var q: Double
    package var tests: Int
    package var rootCauses: [RootCauseFinding]

    enum CodingKeys: String, CodingKey {
        case dimensions, days, q, tests
        case rootCauses = "root_causes"
    }
}

/// Repeat returners among the customers of the stored returns.
package struct RepeatReturnersReport: Sendable, Encodable {
    package var q: Double
    /// Customers tested (those with at least `min_returns` returns in their last 12 months).
    package var tested: Int
    package var minReturns: Int
    package var repeatReturners: [RepeatReturner]

    enum CodingKeys: String, CodingKey {
        case q, tested
        case minReturns = "min_returns"
        case repeatReturners = "repeat_returners"
    }
}

extension ReturnsService {
    /// The most days an insights window may span (about ten years).
    package static var maxInsightDays: Int { 3_660 }

    /// The first day of a window of the last `days` days: today (UTC) and the `days − 1` before it. The insights
    /// count returns by the day they were stored, so windows are whole days.
    func firstDay(ofLast days: Int?) -> Day? {
        days.map { Day(containingSecondsSinceEpoch: clock().timeIntervalSince1970) + -($0 - 1) }
    }

    /// Root causes of the returns stored in the last `days` days, for one dimension or all of them, at FDR `rules.q`.
    package func rootCauses(dimension: InsightDimension?, days: Int?, rules: FindingRules) async throws -> RootCausesReport {
        let dimensions = dimension.map { [$0] } ?? InsightDimension.allCases
        let since = firstDay(ofLast: days)
        var cells: [(dimension: InsightDimension, cells: [RootCauseCell])] = []
        for d in dimensions { cells.append((d, try await storeCall { try await store.rootCauseCells(d, since: since) })) }
        let (findings, tests) = RootCauses.find(cells: cells, rules: rules)
        return RootCausesReport(dimensions: dimensions, days: days, q: rules.q, tests: tests, rootCauses: findings)
    }

    /// Refunds against value recovered per group of the returns stored in the last `days` days.
    package func leakage(by grouping: LeakageGrouping, days: Int?) async throws -> [LeakageRow] {
        let since = firstDay(ofLast: days)
        return try await storeCall { try await store.leakage(grouping, since: since) }
    }

    /// Cycle times per warehouse and lane of the returns stored in the last `days` days.
    package func cycleTimes(days: Int?) async throws -> [CycleTimeRow] {
        let since = firstDay(ofLast: days)
        let now = clock()
        return try await storeCall { try await store.cycleTimes(since: since, now: now) }
    }

    /// Customers whose returns are improbable given their orders (each customer's 12-month counts from their latest
    /// return: a window of its own).
    package func repeatReturners(rules: FindingRules) async throws -> RepeatReturnersReport {
        let customers = try await storeCall { try await store.customerHistories(minReturns: rules.minReasonReturns) }
        let found = RootCauses.repeatReturners(tested: customers.tested, totalOrders: customers.orders, totalReturns: customers.returns, rules: rules)
        return RepeatReturnersReport(q: rules.q, tested: customers.tested.count, minReturns: rules.minReasonReturns, repeatReturners: found)
    }
}
