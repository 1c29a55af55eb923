internal import Foundation
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

extension ReturnsService {
    /// The most days an insights window may span (about ten years).
    package static var maxInsightDays: Int { 3_660 }

    /// Root causes of the returns stored in the last `days` days, for one dimension or all of them, at FDR `rules.q`.
    package func rootCauses(dimension: InsightDimension?, days: Int?, rules: FindingRules) async throws -> RootCausesReport {
        let dimensions = dimension.map { [$0] } ?? InsightDimension.allCases
        let since = days.map { clock().addingTimeInterval(-Double($0) * 86_400) }
        var cells: [(dimension: InsightDimension, cells: [RootCauseCell])] = []
        for d in dimensions { cells.append((d, try await storeCall { try await store.rootCauseCells(d, since: since) })) }
        let (findings, tests) = RootCauses.find(cells: cells, rules: rules)
        return RootCausesReport(dimensions: dimensions, days: days, q: rules.q, tests: tests, rootCauses: findings)
    }

    /// Refunds against value recovered per group of the returns stored in the last `days` days.
    package func leakage(by grouping: LeakageGrouping, days: Int?) async throws -> [LeakageRow] {
        let since = days.map { clock().addingTimeInterval(-Double($0) * 86_400) }
        return try await storeCall { try await store.leakage(grouping, since: since) }
    }
}
