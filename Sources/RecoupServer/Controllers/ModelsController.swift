internal import Foundation
internal import Hummingbird
internal import Logging
internal import RecoupLearning
internal import RecoupScoring
internal import RecoupStore

/// `GET /v1/models` and `POST /v1/models/reload`.
struct ModelsController {
    let dependencies: ServerDependencies

    func register(on group: RouterGroup<AppRequestContext>) {
        group.group().add(middleware: RequireRole(.analyst)).get("models", use: list)
        group.group().add(middleware: RequireRole()).post("models/reload", use: reload)
    }

    struct ModelsResponse: ResponseEncodable {
        struct Head: Encodable {
            var learner: String
            var reason: String
            var metrics: [String: Double]
        }
        struct Serving: Encodable {
            var status: String
            var version: String?
            var loadedAt: Date?
            var heads: [String: Head]?
        }
        var serving: Serving
        var active: String?
        var available: [String]
    }

    @Sendable func list(request: Request, context: AppRequestContext) async throws -> ModelsResponse {
        let current = dependencies.models.current
        let directory = URL(fileURLWithPath: dependencies.configuration.modelsDirectory)
        var heads: [String: ModelsResponse.Head]?
        if let bundle = current.scorer?.bundle {
            let d = bundle.disposition.validation
            let f = bundle.fraud.validation
            let r = bundle.recovery.validation
            heads = [
                "disposition": .init(learner: bundle.disposition.selection.chosen, reason: bundle.disposition.selection.reason,
                                     metrics: ["log_loss": d.logLoss, "macro_f1": d.macroF1, "accuracy": d.accuracy]),
                "fraud": .init(learner: bundle.fraud.selection.chosen, reason: bundle.fraud.selection.reason,
                               metrics: ["pr_auc": f.prAUC, "roc_auc": f.rocAUC, "log_loss": f.logLoss]),
                "recovery": .init(learner: bundle.recovery.selection.chosen, reason: bundle.recovery.selection.reason,
                                  metrics: ["rmse": r.rmse, "mae": r.mae, "r2": r.r2, "interval_coverage": bundle.recovery.intervalCoverage]),
            ]
        }
        return ModelsResponse(
            serving: .init(status: current.scorer == nil ? "not_loaded" : "loaded", version: current.version, loadedAt: current.loadedAt, heads: heads),
            active: try? ModelBundle.activeVersion(in: directory), available: ModelBundle.availableVersions(in: directory))
    }

    struct ReloadRequest: Decodable {
        var version: String?
    }

    struct ReloadResponse: ResponseEncodable {
        var version: String
        var previous: String?
        var reassessing: Int
    }

    @Sendable func reload(request: Request, context: AppRequestContext) async throws -> ReloadResponse {
        let body = try await request.collectBody(limit: dependencies.configuration.limits.maxSmallBodyBytes)
        let version = body.isEmpty || body.allSatisfy({ $0 == 0x20 || $0 == 0x0A }) ? nil : try decodeJSONBody(ReloadRequest?.self, from: body)?.version
        let loader = ModelLoader(dependencies: dependencies)
        let result: (version: String, previous: String?)
        do throws(ModelBundleError) {
            result = try await loader.load(version: version)
        } catch {
            throw APIError(.unprocessableContent, code: "bundle_refused", message: error.description + "; the previous model keeps serving", field: version == nil ? nil : "version")
        }
        let queued = try await dependencies.database.laneStats(warehouseID: nil, now: dependencies.clock()).reduce(0) { $0 + $1.depth - $1.leased }
        let logger = context.logger
        Task.detached { await loader.reassessQueue(logger: logger) }
        return ReloadResponse(version: result.version, previous: result.previous, reassessing: queued)
    }
}
