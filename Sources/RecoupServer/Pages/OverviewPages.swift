internal import Foundation
internal import Hummingbird
internal import RecoupCore
internal import RecoupInsights
internal import RecoupScoring
internal import RecoupService
internal import RecoupStore

/// The analysts' pages: the operations summary as charts (`GET /v1/summary`) and the models (`GET /v1/models`, with
/// the reload for admins).
struct OverviewPages {
    let dependencies: ServerDependencies

    var service: ReturnsService { dependencies.service }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("overview", use: overview)
        group.get("models", use: models)
        group.post("models/reload", use: reload)
    }

    // MARK: Overview

    /// A horizontal bar chart drawn by the server as inline SVG: one bar per value, scaled to the largest.
    struct BarChart {
        struct Bar {
            var label: String
            var value: String
            var raw: String
            var y: Int
            var textY: Int
            var width: Int
            var valueX: Int
        }
        var id: String
        var title: String
        var bars: [Bar]
        var height: Int
        var empty: Bool
        /// Where the labels end and the bars start.
        var labelX = Self.labelWidth - 6
        var barX = Self.labelWidth

        static let labelWidth = 180
        static let barArea = 220
        static let rowHeight = 24

        /// - Parameter values: label, value and the value as shown, in the order drawn.
        init(id: String, title: String, values: [(label: String, value: Double, text: String)]) {
            self.id = id
            self.title = title
            let largest = max(Double.leastNonzeroMagnitude, values.map(\.value).max() ?? 1)
            bars = values.enumerated().map { i, v in
                let width = max(1, Int((max(0, v.value) / largest * Double(Self.barArea)).rounded()))
                return Bar(
                    label: v.label,
                    value: v.text,
                    raw: Format.raw(v.value),
                    y: i * Self.rowHeight + 4,
                    textY: i * Self.rowHeight + 18,
                    width: width,
                    valueX: Self.labelWidth + width + 6
                )
            }
            height = max(1, values.count) * Self.rowHeight + 8
            empty = values.isEmpty
        }

        init(id: String, title: String, counts: [OperationsSummary.Count]) {
            self.init(id: id, title: title, values: counts.map { (Format.words($0.key), Double($0.count), String($0.count)) })
        }
    }

    struct CycleRow {
        var warehouse: String
        var lane: String
        var inspected: Int
        var mean: String
        var p50: String
        var p90: String
        var recoveryRate: String
        var recoveryRateRaw: String
    }

    /// One group of `GET /v1/insights/leakage?by=category&days=30`.
    struct LeakageLine {
        var key: String
        var returns: Int
        var inspected: Int
        var refunded: String
        var recovered: String
        var leakage: String
        var leakageRaw: String
        var lostToWaiting: String

        init(_ row: LeakageRow) {
            key = Format.words(row.key)
            returns = row.returns
            inspected = row.inspected
            refunded = Format.money(row.refunded)
            recovered = Format.money(row.recovered)
            leakage = Format.money(row.leakage)
            leakageRaw = Format.raw(row.leakage)
            lostToWaiting = row.lostToWaiting.map(Format.money) ?? "–"
        }
    }

    struct OverviewPage {
        var layout: Layout
        var returns: Int
        var inspected: Int
        var recoveryRate: String
        var recoveryRateRaw: String
        var charts: [BarChart]
        var cycles: [CycleRow]
        var noCycles: Bool
        var leakageDays: Int
        var leakage: [LeakageLine]
        var noLeakage: Bool
    }

    /// The window of the overview's leakage panel.
    static let leakageDays = 30

    @Sendable func overview(request: Request, context: AppRequestContext) async throws -> Response {
        let s = try await serviceCall { try await service.summary() }
        let leakage = try await serviceCall { try await service.leakage(by: .category, days: Self.leakageDays) }.filter { $0.inspected > 0 }
        let page = OverviewPage(
            layout: Layout(context, title: "Overview", current: PageArea.overview.title),
            returns: s.returns,
            inspected: s.inspected,
            recoveryRate: Format.percent(s.recoveryRate),
            recoveryRateRaw: Format.raw(s.recoveryRate),
            charts: [
                BarChart(id: "chart-reasons", title: "Return reasons", counts: s.reasons),
                BarChart(id: "chart-dispositions", title: "Predicted dispositions", counts: s.predictedDispositions),
                BarChart(id: "chart-inspected", title: "Dispositions at inspection", counts: s.inspectedDispositions),
                BarChart(
                    id: "chart-cycle-times",
                    title: "Median hours from receipt to inspection",
                    values: s.cycleTimes.map { ("\($0.warehouseID) · \(Format.words($0.lane.rawValue))", $0.p50Hours, Format.hours($0.p50Hours)) }
                ),
            ],
            cycles: s.cycleTimes.map {
                CycleRow(
                    warehouse: $0.warehouseID,
                    lane: Format.words($0.lane.rawValue),
                    inspected: $0.inspected,
                    mean: Format.hours($0.meanHours),
                    p50: Format.hours($0.p50Hours),
                    p90: Format.hours($0.p90Hours),
                    recoveryRate: Format.percent($0.recoveryRate),
                    recoveryRateRaw: Format.raw($0.recoveryRate)
                )
            },
            noCycles: s.cycleTimes.isEmpty,
            leakageDays: Self.leakageDays,
            leakage: leakage.map(LeakageLine.init),
            noLeakage: leakage.isEmpty
        )
        return .page("overview", page)
    }

    // MARK: Models

    struct Metric {
        var name: String
        var value: String
    }

    struct Head {
        var name: String
        var learner: String
        var reason: String
        var validation: [Metric]
        var test: [Metric]
    }

    struct BundleRow {
        var version: String
        var created: String
        var serving: Bool
        var active: Bool
        var heads: [Head]
        var problem: String?
    }

    /// A model's drift in the monitor's window (`GET /v1/models/monitor`): its largest field and prediction shifts.
    struct DriftLine {
        var model: String
        var role: String
        var status: String
        var rows: Int
        var fields: [Shift]
        var predictions: [Shift]
    }

    struct Shift {
        var name: String
        var psi: String
        var severity: String
        var alarm: Bool
    }

    /// A model version's live accuracy against its held-out metrics.
    struct AccuracyLine {
        var model: String
        var labels: Int
        var status: String
        var heads: [HeadLine]
    }

    struct HeadLine {
        var head: String
        var judgedBy: String
        var live: String
        var heldOut: String
        var verdict: String
        var degraded: Bool
    }

    struct ModelsPage {
        var layout: Layout
        var monitorDays: Int
        var drift: [DriftLine]
        var accuracy: [AccuracyLine]
        var serving: String?
        var loadedAt: String?
        var active: String?
        var shadow: String?
        var heads: [Head]
        var bundles: [BundleRow]
        var canReload: Bool
        var csrf: String
    }

    /// The heads by name; `validation: false` leaves out the validation metrics (the bundles table shows held-out ones).
    static func heads(_ summaries: [String: HeadSummary], validation: Bool = true) -> [Head] {
        func metrics(_ m: [String: Double]?) -> [Metric] {
            (m ?? [:]).sorted { $0.key < $1.key }.map { Metric(name: Format.words($0.key), value: Format.metric($0.value)) }
        }
        return summaries.sorted { $0.key < $1.key }.map {
            Head(
                name: $0.key,
                learner: $0.value.learner,
                reason: $0.value.reason,
                validation: validation ? metrics($0.value.metrics) : [],
                test: metrics($0.value.test)
            )
        }
    }

    @Sendable func models(request: Request, context: AppRequestContext) async throws -> Response {
        let (current, active, _) = service.modelsOverview()
        let bundles = await service.bundleOverviews()
        let monitor = try await serviceCall { try await service.monitor() }
        let page = ModelsPage(
            layout: Layout(context, title: "Models", current: "Models", flash: Notice.flash(request)),
            monitorDays: monitor.days,
            drift: monitor.drift.map(Self.driftLine),
            accuracy: monitor.live.map(Self.accuracyLine),
            serving: current.version,
            loadedAt: current.loadedAt.map(Format.dateTime),
            active: active,
            shadow: service.models.shadow?.bundle.version,
            heads: Self.heads(current.scorer?.bundle.headSummaries ?? [:]),
            bundles: bundles.map { b in
                BundleRow(
                    version: b.version,
                    created: b.createdAt.map(Format.dateTime) ?? "–",
                    serving: b.version == current.version,
                    active: b.version == active,
                    heads: Self.heads(b.heads ?? [:], validation: false),
                    problem: b.problem
                )
            },
            canReload: context.web?.api.role == .admin,
            csrf: context.web?.csrfToken ?? ""
        )
        return .page("models", page)
    }

    static func driftLine(_ d: ModelDrift) -> DriftLine {
        func shifts(_ rows: [DriftRow]) -> [Shift] {
            rows.prefix(3).compactMap { row in
                row.psi.map { psi in
                    Shift(
                        name: Format.words(row.name),
                        psi: String(format: "%.3f", psi),
                        severity: row.severity?.rawValue ?? "",
                        alarm: (row.severity ?? .none) > .none
                    )
                }
            }
        }
        let report = d.report
        return DriftLine(
            model: d.modelVersion,
            role: d.role.rawValue,
            status: report.map { $0.enoughData ? "measured" : "not enough data (\($0.rows) of \($0.minRows) returns)" }
                ?? Format.words(d.profile.rawValue) + (d.message.map { ": " + $0 } ?? ""),
            rows: report?.rows ?? 0,
            fields: report.map { $0.enoughData ? shifts($0.fields) : [] } ?? [],
            predictions: report.map { $0.enoughData ? shifts($0.predictions) : [] } ?? []
        )
    }

    static func accuracyLine(_ a: LiveAccuracy) -> AccuracyLine {
        func value(_ metrics: [String: Double]?, _ name: String) -> String { metrics?[name].map(Format.metric) ?? "–" }
        return AccuracyLine(
            model: a.modelVersion,
            labels: a.labels,
            status: Format.words(a.status.rawValue),
            heads: a.heads.map { h in
                HeadLine(
                    head: h.head,
                    judgedBy: Format.words(h.judgedBy),
                    live: value(h.live, h.judgedBy),
                    heldOut: value(h.heldOut, h.judgedBy),
                    verdict: h.degraded.map { $0 ? "degraded" : "holds" } ?? (h.note ?? "–"),
                    degraded: h.degraded == true
                )
            }
        )
    }

    /// Loads a bundle (`POST /v1/models/reload`): admins only, as in the API.
    @Sendable func reload(request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await request.postedForm(context, limit: dependencies.configuration.limits.maxSmallBodyBytes)
        guard context.web?.api.role == .admin else { throw PageError.forbidden("Only the admin role may load a model.") }
        let swap = try await serviceCall { try await service.loadModel(version: form.text("version")) }
        return .seeOther("/ui/models?done=\(Notice.reloaded.rawValue)&version=\(urlEncoded(swap.version))")
    }
}
