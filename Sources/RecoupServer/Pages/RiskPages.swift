internal import Foundation
internal import Hummingbird
internal import RecoupCore
internal import RecoupService
internal import RecoupStore

/// The risk team's pages: flagged returns by expected loss with the filters of `GET /v1/anomalies`, one flag with the
/// return behind it, and its review (`POST /v1/anomalies/{id}/review`).
struct RiskPages {
    let dependencies: ServerDependencies

    var service: ReturnsService { dependencies.service }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("risk", use: list)
        group.get("risk/:id", use: flag)
        group.post("risk/:id/review", use: review)
    }

    struct Option {
        var value: String
        var label: String
        var selected: Bool
    }

    struct Row {
        var returnID: String
        var path: String
        var status: String
        var risk: String
        var riskRaw: String
        var exposure: String
        var exposureRaw: String
        var warehouse: String
        var reasons: [String]
        var kinds: String
        var flagged: String

        init(_ a: AnomalyItem) {
            returnID = a.returnID
            path = "/ui/risk/" + urlEncoded(a.returnID)
            status = Format.words(a.status.rawValue)
            risk = Format.percent(a.risk)
            riskRaw = Format.raw(a.risk)
            exposure = Format.money(a.exposure)
            exposureRaw = Format.raw(a.exposure)
            warehouse = a.warehouseID
            reasons = a.reasons
            kinds = a.kinds.map { Format.words($0.rawValue) }.joined(separator: ", ")
            flagged = Format.dateTime(a.flaggedAt)
        }
    }

    struct ListPage {
        var layout: Layout
        var statuses: [Option]
        var kinds: [Option]
        var warehouse: String
        var minRisk: String
        var rows: [Row]
        var empty: Bool
    }

    /// The page's filter: the API's parameters, where a blank field means "any" and no `status` at all means open.
    static func filter(_ request: Request) throws -> AnomalyQuery {
        let q = request.uri.queryParameters
        return try RiskController.filter { parameter in
            guard let value = q[Substring(parameter.rawValue)] else { return parameter == .status ? "open" : nil }
            return value.isEmpty ? nil : value
        }
    }

    @Sendable func list(request: Request, context: AppRequestContext) async throws -> Response {
        let filter = try Self.filter(request)
        let flags = try await serviceCall { try await service.anomalies(filter) }
        let page = ListPage(
            layout: Layout(context, title: "Risk review", current: PageArea.risk.title, flash: Notice.flash(request)),
            statuses: [Option(value: "", label: "any", selected: filter.status == nil)]
                + AnomalyStatus.allCases.map { Option(value: $0.rawValue, label: Format.words($0.rawValue), selected: $0 == filter.status) },
            kinds: [Option(value: "", label: "any", selected: filter.kind == nil)]
                + AnomalyFlag.Kind.allCases.map { Option(value: $0.rawValue, label: Format.words($0.rawValue), selected: $0 == filter.kind) },
            warehouse: filter.warehouseID ?? "",
            minRisk: filter.minRisk.map { String($0) } ?? "",
            rows: flags.map(Row.init),
            empty: flags.isEmpty
        )
        return .page("risk", page)
    }

    struct FlagPage {
        var layout: Layout
        var flag: Row
        var open: Bool
        var review: String?
        var card: ItemCard
        var csrf: String
    }

    @Sendable func flag(request: Request, context: AppRequestContext) async throws -> Response {
        try await flagPage(id: context.parameters.path("id"), context: context, flash: Notice.flash(request))
    }

    func flagPage(id: String, context: AppRequestContext, flash: Flash?, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let flag = try await serviceCall({ try await service.anomalies(AnomalyQuery(returnID: id, limit: 1)) }).first else {
            throw PageError(status: .notFound, title: "Not found", message: "Return \(id) has no flag for the risk team.", id: "not-found")
        }
        let view = try await serviceCall { try await service.detail(returnID: id) }
        let review = flag.reviewedAt.map { at in
            "\(Format.words(flag.status.rawValue)) by \(flag.reviewer ?? "someone") on \(Format.dateTime(at))"
                + (flag.reviewNote.map { ": \($0)" } ?? "")
        }
        let page = FlagPage(
            layout: Layout(context, title: "Flag \(id)", current: PageArea.risk.title, flash: flash),
            flag: Row(flag),
            open: flag.status.isOpenForReview,
            review: review,
            card: try ItemCard(view, now: service.clock()),
            csrf: context.web?.csrfToken ?? ""
        )
        return .page("risk-item", page, status: status)
    }

    @Sendable func review(request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.path("id")
        let form = try await request.postedForm(context, limit: dependencies.configuration.limits.maxSmallBodyBytes)
        guard let decision = form["decision"].flatMap(ReviewDecision.init(rawValue:)) else {
            return try await flagPage(id: id, context: context, flash: .error("Choose confirm fraud, dismiss or escalate."), status: .badRequest)
        }
        do {
            _ = try await service.review(returnID: id, decision: decision, note: form.text("note"), reviewer: context.identity?.actor)
        } catch let error as ServiceError where error.code == .conflict {
            return try await flagPage(id: id, context: context, flash: .error(error.message), status: .conflict)
        }
        return .seeOther("/ui/risk?done=\(Notice.reviewed.rawValue)&id=\(urlEncoded(id))&decision=\(decision.rawValue)")
    }
}
