internal import Foundation
internal import Hummingbird
internal import RecoupCore
internal import RecoupService
internal import RecoupStore

/// The risk team's routes: flagged returns and their review; and the operations summary.
struct RiskController {
    let dependencies: ServerDependencies

    var service: ReturnsService { dependencies.service }

    func register(on group: RouterGroup<AppRequestContext>) {
        let risk = group.group().add(middleware: Authorize(dependencies.service.keys, .risk))
        risk.get("anomalies", use: list)
        risk.post("anomalies/:id/review", use: review)
        group.group().add(middleware: Authorize(dependencies.service.keys, .analyst, .risk)).get("summary", use: summary)
    }

    /// The query parameters of `GET /v1/anomalies`.
    static let anomaliesQuery: [QueryParameter] = [.status, .minRisk, .warehouse, .kind, .limit]

    @Sendable func list(request: Request, context: AppRequestContext) async throws -> AnomaliesResponse {
        AnomaliesResponse(anomalies: try await serviceCall { try await service.anomalies(try Self.filter { request.query($0) }) })
    }

    /// The filter of `GET /v1/anomalies` (and of the risk page) from its query parameters, each checked: a 400 naming it.
    static func filter(_ query: (QueryParameter) -> Substring?) throws -> AnomalyQuery {
        var filter = AnomalyQuery(warehouseID: query(.warehouse).map(String.init))
        if let raw = query(.status) {
            guard let status = AnomalyStatus(rawValue: String(raw)) else {
                throw APIError.badRequest(
                    "status must be one of \(AnomalyStatus.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(raw)\"",
                    field: "status"
                )
            }
            filter.status = status
        }
        if let raw = query(.kind) {
            guard let kind = AnomalyFlag.Kind(rawValue: String(raw)) else {
                throw APIError.badRequest(
                    "kind must be one of \(AnomalyFlag.Kind.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(raw)\"",
                    field: "kind"
                )
            }
            filter.kind = kind
        }
        if let raw = query(.minRisk) {
            guard let value = Double(String(raw)), value.isFinite, (0...1).contains(value) else {
                throw APIError.badRequest("min_risk must be a number in [0, 1], got \"\(raw)\"", field: "min_risk")
            }
            filter.minRisk = value
        }
        if let raw = query(.limit) {
            guard let value = Int(String(raw)), (1...1000).contains(value) else {
                throw APIError.badRequest("limit must be an integer in 1...1000, got \"\(raw)\"", field: "limit")
            }
            filter.limit = value
        }
        return filter
    }

    @Sendable func review(request: Request, context: AppRequestContext) async throws -> AnomalyItem {
        let id = context.parameters.path("id")
        let body = try await request.decodeJSON(ReviewRequest.self, limit: dependencies.configuration.limits.maxSmallBodyBytes)
        guard let decision = ReviewDecision(rawValue: body.decision) else {
            throw APIError.badRequest(
                "decision must be one of \(ReviewDecision.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(body.decision)\"",
                field: "decision",
                record: id
            )
        }
        return try await serviceCall {
            try await service.review(returnID: id, decision: decision, note: body.note, reviewer: context.identity?.actor)
        }
    }

    @Sendable func summary(request: Request, context: AppRequestContext) async throws -> OperationsSummary {
        try await serviceCall { try await service.summary() }
    }
}
