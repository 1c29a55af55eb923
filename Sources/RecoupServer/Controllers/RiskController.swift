internal import Foundation
internal import Hummingbird
internal import RecoupStore

/// The risk team's routes: flagged returns and their review; and the operations summary.
struct RiskController {
    let dependencies: ServerDependencies

    static let statuses = ["open", "escalated", "confirmed_fraud", "dismissed"]

    func register(on group: RouterGroup<AppRequestContext>) {
        let risk = group.group().add(middleware: RequireRole(.risk))
        risk.get("anomalies", use: list)
        risk.post("anomalies/:id/review", use: review)
        group.group().add(middleware: RequireRole(.analyst, .risk)).get("summary", use: summary)
    }

    @Sendable func list(request: Request, context: AppRequestContext) async throws -> AnomaliesResponse {
        let query = request.uri.queryParameters
        let status = query["status"].map(String.init)
        if let status, !Self.statuses.contains(status) {
            throw APIError.badRequest("status must be one of \(Self.statuses.joined(separator: ", ")), got \"\(status)\"", field: "status")
        }
        var minRisk: Double?
        if let raw = query["min_risk"] {
            guard let value = Double(String(raw)), value.isFinite, (0...1).contains(value) else {
                throw APIError.badRequest("min_risk must be a number in [0, 1], got \"\(raw)\"", field: "min_risk")
            }
            minRisk = value
        }
        var limit = 100
        if let raw = query["limit"] {
            guard let value = Int(String(raw)), (1...1000).contains(value) else {
                throw APIError.badRequest("limit must be an integer in 1...1000, got \"\(raw)\"", field: "limit")
            }
            limit = value
        }
        let items = try await dependencies.database.anomalies(
            status: status, minRisk: minRisk, warehouseID: query["warehouse"].map(String.init), limit: limit)
        return AnomaliesResponse(anomalies: items)
    }

    @Sendable func review(request: Request, context: AppRequestContext) async throws -> AnomalyItem {
        let id = context.parameters.path("id")
        let body = try await request.decodeJSON(ReviewRequest.self, limit: dependencies.configuration.limits.maxSmallBodyBytes)
        guard let decision = ReviewDecision(rawValue: body.decision) else {
            throw APIError.badRequest(
                "decision must be one of \(ReviewDecision.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(body.decision)\"",
                field: "decision", record: id)
        }
        return try await storeCall {
            try await dependencies.database.review(
                returnID: id, decision: decision, note: body.note, reviewer: context.identity?.actor, now: dependencies.clock())
        }
    }

    @Sendable func summary(request: Request, context: AppRequestContext) async throws -> OperationsSummary {
        try await dependencies.database.summary()
    }
}
