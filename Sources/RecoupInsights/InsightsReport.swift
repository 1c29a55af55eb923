/// Everything `recoup insights` (and, over the store, the insights routes) answers for a set of returns.
package struct InsightsReport: Sendable, Codable {
    package var returns: Int
    package var dimensions: [InsightDimension]
    package var q: Double
    package var tests: Int
    package var rootCauses: [RootCauseFinding]
    package var repeatReturners: [RepeatReturner]
    package var leakage: [String: [LeakageRow]]
    /// Days from request to receipt per warehouse.
    package var cycleTimes: [CycleTimeRow]

    enum CodingKeys: String, CodingKey {
        case returns, dimensions, q, tests
        case rootCauses = "root_causes"
        case repeatReturners = "repeat_returners"
        case leakage
        case cycleTimes = "cycle_times"
    }

    package init(facts: [ReturnFacts], dimensions: [InsightDimension], rules: FindingRules = FindingRules()) {
        returns = facts.count
        self.dimensions = dimensions
        q = rules.q
        (rootCauses, tests) = RootCauses.find(in: facts, by: dimensions, rules: rules)
        repeatReturners = RootCauses.repeatReturners(in: facts, rules: rules)
        leakage = Dictionary(uniqueKeysWithValues: LeakageGrouping.allCases.map { ($0.rawValue, Leakage.by($0, in: facts)) })
        cycleTimes = CycleTimes.offline(facts)
    }
}
