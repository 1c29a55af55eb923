// RecoupService: the application layer between the adapters (HTTP, the CLI, pages) and the store.
//
// One use case per verb: ingest (decode, score, persist, enqueue), stateless score, claim, extend, release,
// complete, review, lanes, summary, model reload and re-scoring after a swap. Adapters decode a request, call one use
// case and encode its answer; they never reach the store. Background work (lease expiry, re-scoring) runs as services
// in the server's ServiceGroup; CPU-heavy batches run on NIO's thread pool (`ScoringExecutor`), off the event loops.

package import Foundation
internal import Logging
package import RecoupCore
package import RecoupScoring
package import RecoupStore

/// The limits a use case enforces on its input.
package struct ServiceLimits: Sendable, Equatable {
    /// Records in one ingest or scoring request.
    package var maxBatchRecords = 1000
    /// Items one claim may take.
    package var maxClaimCount = 100
    package var defaultLeaseSeconds: Double = 900
    package var minLeaseSeconds: Double = 5
    package var maxLeaseSeconds: Double = 86_400

    package init() {}
}

/// The use cases of Recoup over a store, the serving model and a clock.
package struct ReturnsService: Sendable {
    package let store: any ReturnsStore
    package let models: ModelRegistry
    package let keys: APIKeys
    /// The web pages' sessions, opened with an API key.
    package let sessions: WebSessions
    package let metrics: ServiceMetrics
    package let limits: ServiceLimits
    /// Whether ingest counts profiles, and the monitor's defaults.
    package let monitoring: MonitoringSettings
    /// Folder holding model bundles and `ACTIVE`.
    package let modelsDirectory: URL
    /// The rules that decide return requests (`POST /v1/authorizations`).
    package let governance: GovernancePolicy
    /// The time source; tests inject a controllable clock (lease expiry, aging).
    package let clock: @Sendable () -> Date
    let executor: ScoringExecutor
    let bundleOverviewCache = BundleOverviewCache()

    package init(
        store: any ReturnsStore,
        models: ModelRegistry,
        metrics: ServiceMetrics,
        limits: ServiceLimits = ServiceLimits(),
        monitoring: MonitoringSettings = MonitoringSettings(),
        modelsDirectory: URL,
        executor: ScoringExecutor = ScoringExecutor(),
        sessionLifetime: Duration = WebSessions.defaultLifetime,
        governance: GovernancePolicy = .default,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.models = models
        self.keys = APIKeys(store: store)
        self.sessions = WebSessions(store: store, keys: keys, lifetime: sessionLifetime, clock: clock)
        self.metrics = metrics
        self.limits = limits
        self.monitoring = monitoring
        self.modelsDirectory = modelsDirectory
        self.executor = executor
        self.governance = governance
        self.clock = clock
    }

    /// The scorer serving now.
    /// - Throws: ``ServiceError/Code/noModel`` when no bundle is loaded.
    package func scorer() throws(ServiceError) -> Scorer {
        guard let scorer = models.current.scorer else {
            throw ServiceError(.noModel, "no model is loaded; POST /v1/models/reload after training one")
        }
        return scorer
    }

    /// The scorer serving now, able to score at `stage` when one is asked for.
    /// - Throws: ``ServiceError/Code/noModel``; ``ServiceError/Code/invalidInput`` (field `stage`) for the request stage
    ///   of a bundle trained without one.
    package func scorer(stage: ScoringStage?) throws(ServiceError) -> Scorer {
        let scorer = try scorer()
        guard stage != .request || scorer.requestStage != nil else {
            throw .invalid(
                "the serving model \(scorer.version) has no request stage (it was trained before stages); retrain it with recoup train",
                field: "stage"
            )
        }
        return scorer
    }

    /// The lane policy serving now.
    package var policy: LanePolicy { models.current.policy }

    /// Records a server start.
    package func recordStart() async throws {
        try await store.recordStart(version: RecoupVersion.current, at: clock())
    }
}
