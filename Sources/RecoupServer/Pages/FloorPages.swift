internal import Foundation
internal import Hummingbird
internal import RecoupCore
internal import RecoupScoring
internal import RecoupService
internal import RecoupStore

/// The inspection floor's pages: the lane board (claim next), the item card with its lease and the inspection form,
/// and the scan box. Each action is the API's use case (`lanes`, `claim`, `extend`, `release`, `complete`).
struct FloorPages {
    let dependencies: ServerDependencies

    var service: ReturnsService { dependencies.service }
    var smallBody: Int { dependencies.configuration.limits.maxSmallBodyBytes }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("lanes", use: board)
        group.get("lanes/board", use: boardFragment)
        group.post("lanes/:lane/claim", use: claim)
        group.get("scan", use: scan)
        group.get("items/:id", use: item)
        group.post("items/:id/inspection", use: inspect)
        group.post("claims/:token/extend", use: extend)
        group.post("claims/:token/release", use: release)
    }

    // MARK: Lane board

    /// The warehouse and station a board works for: from the query (then remembered in a cookie) or the cookie.
    struct Station {
        var warehouse: String?
        var station: String?

        var isComplete: Bool { warehouse != nil && station != nil }

        init(_ request: Request) {
            let q = request.uri.queryParameters
            func given(_ name: Substring) -> String? {
                q[name].map { String($0).trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
            }
            if q["warehouse"] != nil || q["station"] != nil {
                warehouse = given("warehouse")
                station = given("station")
            } else if let remembered = request.cookies[PageCookie.station]?.value {
                let parts = remembered.split(separator: "|", omittingEmptySubsequences: false).map { String($0).removingPercentEncoding }
                warehouse = parts.first.flatMap { $0 }.flatMap { $0.isEmpty ? nil : $0 }
                station = parts.count > 1 ? parts[1].flatMap { $0.isEmpty ? nil : $0 } : nil
            }
        }

        init(_ form: FormFields) {
            warehouse = form.text("warehouse")
            station = form.text("station")
        }

        var cookieValue: String { urlEncoded(warehouse ?? "") + "|" + urlEncoded(station ?? "") }
        var query: String { "warehouse=\(urlEncoded(warehouse ?? ""))&station=\(urlEncoded(station ?? ""))" }
    }

    /// One lane as the board shows it: the numbers of `GET /v1/lanes` (raw in `data-value`, formatted as text).
    struct LaneRow {
        var lane: String
        var name: String
        var serviceLevel: String
        var depth: Int
        var leased: Int
        var oldest: String
        var oldestRaw: String
        var value: String
        var valueRaw: String
        var pastServiceLevel: Int
        var late: Bool
        var claimable: Bool
        var focus: Bool

        init(_ lane: LanesResponse.Lane, claimable: Bool, focus: Bool) {
            self.lane = lane.lane.rawValue
            name = Format.words(lane.lane.rawValue)
            serviceLevel = lane.serviceLevelHours > 0 ? Format.hours(lane.serviceLevelHours) : "–"
            depth = lane.depth
            leased = lane.leased
            oldest = lane.depth + lane.leased > 0 ? Format.hours(lane.oldestAgeHours) : "–"
            oldestRaw = Format.raw(lane.oldestAgeHours)
            value = Format.money(lane.valueAtStake)
            valueRaw = Format.raw(lane.valueAtStake)
            pastServiceLevel = lane.pastServiceLevel
            late = lane.pastServiceLevel > 0
            self.claimable = claimable && lane.depth > 0
            self.focus = focus
        }
    }

    /// The lanes table (the board refreshes it in place every few seconds).
    struct LaneBoard {
        var rows: [LaneRow]
        var warehouse: String
        var station: String
        var refresh: String
        var csrf: String
        var ready: Bool
    }

    struct BoardPage {
        var layout: Layout
        var board: LaneBoard
        var warehouse: String
        var station: String
    }

    func laneBoard(_ station: Station, context: AppRequestContext, focus: String?) async throws -> LaneBoard {
        let lanes = try await serviceCall { try await service.lanes(warehouseID: station.warehouse) }
        return LaneBoard(
            rows: lanes.map { LaneRow(LanesResponse.Lane($0), claimable: station.isComplete, focus: $0.lane.rawValue == focus) },
            warehouse: station.warehouse ?? "",
            station: station.station ?? "",
            refresh: "/ui/lanes/board?" + station.query,
            csrf: context.web?.csrfToken ?? "",
            ready: station.isComplete
        )
    }

    func boardPage(
        _ request: Request,
        _ context: AppRequestContext,
        station: Station,
        flash: Flash?,
        focus: String?,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let board = try await laneBoard(station, context: context, focus: focus)
        let layout = Layout(context, title: "Lanes", current: PageArea.floor.title, flash: flash)
        var response = Response.page(
            "lanes",
            BoardPage(layout: layout, board: board, warehouse: board.warehouse, station: board.station),
            status: status
        )
        if station.isComplete {
            response.setCookie(
                PageCookie.make(
                    PageCookie.station,
                    station.cookieValue,
                    maxAge: 90 * 86_400,
                    request: request,
                    secure: dependencies.configuration.secureCookies
                )
            )
        }
        return response
    }

    @Sendable func board(request: Request, context: AppRequestContext) async throws -> Response {
        let focus = request.uri.queryParameters["lane"].map(String.init)
        return try await boardPage(request, context, station: Station(request), flash: Notice.flash(request), focus: focus)
    }

    @Sendable func boardFragment(request: Request, context: AppRequestContext) async throws -> Response {
        let board = try await laneBoard(Station(request), context: context, focus: nil)
        return .page("lanes-board", board)
    }

    /// Leases the lane's top item to the station and opens it.
    @Sendable func claim(request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await request.postedForm(context, limit: smallBody)
        let station = Station(form)
        let lane = try serviceCheck { try service.lane(named: context.parameters.path("lane")) }
        guard let warehouse = station.warehouse, let stationID = station.station else {
            return try await boardPage(
                request,
                context,
                station: station,
                flash: .error("Choose the warehouse and the station first."),
                focus: nil,
                status: .badRequest
            )
        }
        let claim = try await serviceCall {
            try await service.claim(lane: lane, warehouseID: warehouse, stationID: stationID, count: 1, leaseSeconds: nil)
        }
        guard let first = claim.items.first else {
            return .seeOther("/ui/lanes?done=\(Notice.emptyLane.rawValue)&lane=\(lane.rawValue)")
        }
        return .seeOther("/ui/items/\(urlEncoded(first.returnID))?claim=\(urlEncoded(claim.token))")
    }

    /// The scan box: a return id typed (or scanned) and Enter.
    @Sendable func scan(request: Request, context: AppRequestContext) async throws -> Response {
        let id = request.uri.queryParameters["return_id"].map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
        guard !id.isEmpty else { return .seeOther("/ui/lanes") }
        let claim = request.uri.queryParameters["claim"].map { "?claim=" + urlEncoded(String($0)) } ?? ""
        return .seeOther("/ui/items/\(urlEncoded(id))" + claim)
    }

    // MARK: Item

    @Sendable func item(request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.path("id")
        let claim = request.uri.queryParameters["claim"].map(String.init)
        return try await itemPage(id: id, claim: claim, context: context, flash: Notice.flash(request))
    }

    func itemPage(
        id: String,
        claim: String?,
        context: AppRequestContext,
        flash: Flash?,
        status: HTTPResponse.Status = .ok
    ) async throws
        -> Response
    {
        let view = try await serviceCall { try await service.detail(returnID: id) }
        let card = try ItemCard(view, now: service.clock())
        let held = claim != nil && view.queue?.position.state == .leased
        let page = ItemPage(
            layout: Layout(context, title: "Return \(id)", current: PageArea.floor.title, flash: flash),
            card: card,
            claim: held ? claim : nil,
            lease: held ? view.queue?.position.leaseExpiresAt.map(Lease.init) : nil,
            grades: Grade.allCases.map { InspectionChoice(value: $0.rawValue, label: $0.rawValue, selected: false) },
            dispositions: Disposition.allCases.map {
                InspectionChoice(value: $0.rawValue, label: Format.words($0.rawValue), selected: $0.rawValue == card.disposition)
            },
            csrf: context.web?.csrfToken ?? ""
        )
        return .page("item", page, status: status)
    }

    struct InspectionChoice {
        var value: String
        var label: String
        var selected: Bool
    }

    struct Lease {
        var expiresAt: String
        var expiresAtText: String

        init(_ date: Date) {
            expiresAt = Format.iso(date)
            expiresAtText = Format.dateTime(date)
        }
    }

    struct ItemPage {
        var layout: Layout
        var card: ItemCard
        /// The claim the station holds the item under, when it does: the lease and the inspection form show.
        var claim: String?
        var lease: Lease?
        var grades: [InspectionChoice]
        var dispositions: [InspectionChoice]
        var csrf: String
    }

    /// Completes the inspection. A second post of the same form stores nothing (the item is already completed); a
    /// lease lost to expiry or to another station stores nothing and says so.
    @Sendable func inspect(request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.path("id")
        let form = try await request.postedForm(context, limit: smallBody)
        let token = form["claim_token"] ?? ""
        guard let recovery = form.text("recovery_value").flatMap(Double.init), recovery.isFinite else {
            return try await itemPage(
                id: id,
                claim: token,
                context: context,
                flash: .error("Recovery value must be a number, got \"\(form["recovery_value"] ?? "")\"."),
                status: .badRequest
            )
        }
        let report = InspectionReport(
            claimToken: token,
            grade: form.text("grade"),
            disposition: form["disposition"] ?? "",
            recoveryValue: recovery,
            fraudConfirmed: form["fraud_confirmed"] != nil,
            notes: form.text("notes")
        )
        let lane = try? await service.detail(returnID: id).queue?.position.lane.rawValue
        do {
            _ = try await service.complete(returnID: id, report: report)
        } catch let error as ServiceError where error.code == .conflict || error.code == .notFound {
            // Already inspected, lease expired or taken by another station: nothing was stored; offer the next item.
            return try await boardPage(
                request,
                context,
                station: Station(request),
                flash: .error("\(error.message). Nothing was stored for this form; claim the next item."),
                focus: lane,
                status: .conflict
            )
        } catch let error as ServiceError {
            return try await itemPage(id: id, claim: token, context: context, flash: .error(error.message), status: .badRequest)
        }
        return .seeOther("/ui/lanes?done=\(Notice.inspected.rawValue)&id=\(urlEncoded(id))&lane=\(lane ?? "")")
    }

    @Sendable func extend(request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await request.postedForm(context, limit: smallBody)
        let token = context.parameters.path("token")
        let held = try await serviceCall { try await service.extend(token: token, leaseSeconds: service.limits.defaultLeaseSeconds) }
        let id = form.text("return_id") ?? held.returnIDs.first ?? ""
        return .seeOther("/ui/items/\(urlEncoded(id))?claim=\(urlEncoded(token))&done=\(Notice.extended.rawValue)")
    }

    @Sendable func release(request: Request, context: AppRequestContext) async throws -> Response {
        _ = try await request.postedForm(context, limit: smallBody)
        _ = try await serviceCall { try await service.release(token: context.parameters.path("token")) }
        return .seeOther("/ui/lanes?done=\(Notice.released.rawValue)")
    }
}

/// What the item card shows of a return: the record, its scores (from the stored assessment, as `GET /v1/returns/{id}`
/// answers them) and why it is where it is in its lane.
struct ItemCard {
    struct Field {
        var label: String
        var value: String
    }
    struct Bar {
        var name: String
        var label: String
        var probability: String
        var percent: String
        var predicted: Bool
    }
    struct Term {
        var label: String
        var value: String
    }

    var returnID: String
    var product: String
    var reason: String
    var comment: String?
    var received: String
    var refund: String
    var fields: [Field]
    var customer: [Field]
    var disposition: String
    var dispositionWords: String
    var bars: [Bar]
    var fraudRisk: String
    var fraudRiskRaw: String
    var recoveryValue: String
    var recoveryValueRaw: String
    var recoveryInterval: String
    var reasons: [String]
    var anomalyReasons: [String]
    var lane: String
    var state: String
    var station: String?
    var whyFirst: String?
    var priority: String?
    var terms: [Term]
    var inspected: Bool
    var inspection: [Field]
    var history: [Field]
    var modelVersion: String
    /// The decision taken on the return's request before it shipped, when there was one.
    var request: RequestDecision?

    /// The decision on the request, as the card shows it.
    struct RequestDecision {
        var decision: String
        var timing: String?
        var reasons: [String]
        var fraudRisk: String
        var expectedRecovery: String
        var costs: String

        /// From the stored answer of `POST /v1/authorizations` (``RecoupScoring/ScoredOutput`` writes it).
        init(_ payload: Data) throws {
            let stored = try JSONDecoder().decode(ReturnAuthorization.self, from: payload)
            decision = Format.words(stored.decision.rawValue)
            timing = stored.refundTiming.map { "refund " + Format.words($0.rawValue) }
            reasons = stored.reasons
            fraudRisk = Format.percent(stored.money.fraudRisk)
            expectedRecovery = Format.money(stored.money.expectedRecoveryValue)
            costs = "\(Format.money(stored.money.returnShippingCost)) shipping + \(Format.money(stored.money.handlingCost)) handling"
        }
    }

    /// The assessment's JSON as ``RecoupScoring/ScoredOutput`` writes it.
    struct Scores: Decodable {
        var disposition: String
        var fraudRisk: Double
        var recoveryValue: Double
        var recoveryValueLow: Double
        var recoveryValueHigh: Double
        var lane: String
        var reasons: [String]
        var anomalyReasons: [String]?
        var modelVersion: String
        var probabilities: [String: Double]

        enum CodingKeys: String, CodingKey {
            case disposition, lane, reasons
            case fraudRisk = "fraud_risk"
            case recoveryValue = "recovery_value"
            case recoveryValueLow = "recovery_value_low"
            case recoveryValueHigh = "recovery_value_high"
            case anomalyReasons = "anomaly_reasons"
            case modelVersion = "model_version"
        }

        struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            disposition = try c.decode(String.self, forKey: .disposition)
            fraudRisk = try c.decode(Double.self, forKey: .fraudRisk)
            recoveryValue = try c.decode(Double.self, forKey: .recoveryValue)
            recoveryValueLow = try c.decode(Double.self, forKey: .recoveryValueLow)
            recoveryValueHigh = try c.decode(Double.self, forKey: .recoveryValueHigh)
            lane = try c.decode(String.self, forKey: .lane)
            reasons = try c.decode([String].self, forKey: .reasons)
            anomalyReasons = try c.decodeIfPresent([String].self, forKey: .anomalyReasons)
            modelVersion = try c.decode(String.self, forKey: .modelVersion)
            let all = try decoder.container(keyedBy: AnyKey.self)
            var probabilities: [String: Double] = [:]
            for d in Disposition.allCases {
                probabilities[d.rawValue] = try all.decodeIfPresent(Double.self, forKey: AnyKey(stringValue: "p_" + d.rawValue))
            }
            self.probabilities = probabilities
        }
    }

    init(_ view: ReturnView, now: Date) throws {
        let r = view.record
        let scores = try JSONDecoder().decode(Scores.self, from: view.assessmentJSON)
        func text(_ field: ContractField) -> String? { r.value(of: field)?.encoded }
        func fields(_ list: [ContractField]) -> [Field] {
            list.compactMap { f in text(f).map { Field(label: Format.words(f.name), value: $0) } }
        }
        returnID = r.returnID
        product = "\(r.sku) · \(Format.words(r.category)) · \(r.brandTier)"
        reason = Format.words(r.reasonCode.rawValue)
        comment = r.customerComment
        received = r.receivedDate?.description ?? "not received"
        refund = Format.money(r.refundAmount)
        self.fields = fields([
            .orderID, .channel, .warehouseID, .quantity, .unitPrice, .orderDate, .returnRequestedDate, .hasSerial, .serialMatches,
            .packageCondition, .itemConditionGrade, .accessoriesComplete, .weightKgDeclared, .weightKgMeasured, .isGift, .promoFlag,
        ])
        customer = fields([.customerID, .customerTenureDays, .customerOrders12m, .customerReturns12m, .customerReturnValue12m])
        disposition = scores.disposition
        dispositionWords = Format.words(scores.disposition)
        bars = Disposition.allCases.map { d in
            let p = scores.probabilities[d.rawValue] ?? 0
            return Bar(
                name: d.rawValue,
                label: Format.words(d.rawValue),
                probability: Format.raw(p),
                percent: Format.percent(p),
                predicted: d.rawValue == scores.disposition
            )
        }
        fraudRisk = Format.percent(scores.fraudRisk)
        fraudRiskRaw = Format.raw(scores.fraudRisk)
        recoveryValue = Format.money(scores.recoveryValue)
        recoveryValueRaw = Format.raw(scores.recoveryValue)
        recoveryInterval = "\(Format.money(scores.recoveryValueLow)) – \(Format.money(scores.recoveryValueHigh))"
        let flags = scores.anomalyReasons ?? []
        anomalyReasons = flags
        reasons = scores.reasons.filter { !flags.contains($0) }
        lane = Format.words(view.queue?.position.lane.rawValue ?? scores.lane)
        state = view.queue?.position.state.rawValue ?? "not queued"
        station = view.queue?.position.stationID
        modelVersion = scores.modelVersion
        if let queue = view.queue {
            whyFirst = queue.whyFirst.summary
            priority = String(format: "%.4g", queue.priority)
            let t = queue.whyFirst.terms
            terms = [
                Term(label: "value lost per day of waiting", value: Format.money(t.valueLossPerDay)),
                Term(label: "fraud exposure per day until the refund", value: Format.money(t.fraudLossPerDay)),
                Term(label: "cost per day past the service level", value: Format.money(t.lateLossPerDay)),
                Term(label: "minutes to inspect", value: String(format: "%g", t.inspectionMinutes)),
            ]
        } else {
            terms = []
        }
        inspection =
            view.inspection.map { i in
                [
                    Field(label: "grade", value: i.grade?.rawValue ?? "–"), Field(label: "disposition", value: Format.words(i.disposition.rawValue)),
                    Field(label: "recovery value", value: Format.money(i.recoveryValue)),
                    Field(label: "fraud confirmed", value: i.fraudConfirmed ? "yes" : "no"), Field(label: "notes", value: i.notes ?? ""),
                ]
            } ?? []
        inspected = view.inspection != nil
        history = view.history.map {
            Field(label: Format.dateTime($0.at), value: Format.words($0.kind.rawValue) + ($0.detail.map { ": " + $0 } ?? ""))
        }
        request = try view.authorization.map { try RequestDecision($0.payload) }
    }
}
