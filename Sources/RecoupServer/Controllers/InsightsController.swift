internal import Foundation
internal import Hummingbird
internal import RecoupInsights
internal import RecoupService
internal import RecoupStore

extension RootCausesReport: ResponseEncodable {}
extension RepeatReturnersReport: ResponseEncodable {}

/// The analysts' questions over many returns: root causes, repeat returners, margin leakage and cycle times.
struct InsightsController {
    let dependencies: ServerDependencies

    var service: ReturnsService { dependencies.service }

    func register(on group: RouterGroup<AppRequestContext>) {
        let insights = group.group("insights").add(middleware: Authorize(dependencies.service.keys, .analyst, .risk))
        insights.get("root-causes", use: rootCauses)
        insights.get("leakage", use: leakage)
        insights.get("cycle-times", use: cycleTimes)
        insights.get("repeat-returners", use: repeatReturners)
    }

    /// The query parameters of each route.
    static let rootCausesQuery: [QueryParameter] = [.dimension, .days, .q]
    static let leakageQuery: [QueryParameter] = [.by, .days]
    static let cycleTimesQuery: [QueryParameter] = [.days]
    static let repeatReturnersQuery: [QueryParameter] = [.q]

    struct LeakageResponse: ResponseEncodable {
        var by: LeakageGrouping
        var days: Int?
        var rows: [LeakageRow]
    }

    struct CycleTimesResponse: ResponseEncodable {
        var days: Int?
        var rows: [CycleTimeRow]
    }

    @Sendable func rootCauses(request: Request, context: AppRequestContext) async throws -> RootCausesReport {
        let dimension = try Self.choice(request, .dimension, InsightDimension.self)
        let rules = try Self.rules(request)
        let days = try Self.days(request)
        return try await serviceCall { try await service.rootCauses(dimension: dimension, days: days, rules: rules) }
    }

    @Sendable func repeatReturners(request: Request, context: AppRequestContext) async throws -> RepeatReturnersReport {
        let rules = try Self.rules(request)
        return try await serviceCall { try await service.repeatReturners(rules: rules) }
    }

    @Sendable func cycleTimes(request: Request, context: AppRequestContext) async throws -> CycleTimesResponse {
        let days = try Self.days(request)
        return CycleTimesResponse(days: days, rows: try await serviceCall { try await service.cycleTimes(days: days) })
    }

    /// The finding rules, with `q` from the query when given (a number in (0, 1)).
    static func rules(_ request: Request) throws -> FindingRules {
        var rules = FindingRules()
        if let raw = request.query(.q) {
            guard let q = Double(String(raw)), q > 0, q < 1 else {
                throw APIError.badRequest("q must be a number in (0, 1), got \"\(raw)\"", field: "q")
            }
            rules.q = q
        }
        return rules
    }

    @Sendable func leakage(request: Request, context: AppRequestContext) async throws -> LeakageResponse {
        let grouping = try Self.choice(request, .by, LeakageGrouping.self) ?? .channel
        let days = try Self.days(request)
        return LeakageResponse(by: grouping, days: days, rows: try await serviceCall { try await service.leakage(by: grouping, days: days) })
    }

    /// An enumerated query parameter: absent, or one of the type's values (a 400 naming them otherwise).
    static func choice<T: RawRepresentable<String> & CaseIterable>(_ request: Request, _ parameter: QueryParameter, _ type: T.Type) throws -> T? {
        guard let raw = request.query(parameter) else { return nil }
        guard let value = T(rawValue: String(raw)) else {
            let known = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIError.badRequest("\(parameter.rawValue) must be one of \(known), got \"\(raw)\"", field: parameter.rawValue)
        }
        return value
    }

    /// `days`: absent (every return stored), or an integer in 1...maxInsightDays.
    static func days(_ request: Request) throws -> Int? {
        guard let raw = request.query(.days) else { return nil }
        guard let days = Int(String(raw)), (1...ReturnsService.maxInsightDays).contains(days) else {
            throw APIError.badRequest("days must be an integer in 1...\(ReturnsService.maxInsightDays), got \"\(raw)\"", field: "days")
        }
        return days
    }
}
