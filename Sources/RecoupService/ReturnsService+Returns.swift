package import Foundation
package import RecoupCore
package import RecoupScoring
package import RecoupStore

/// Where a return stands in the queue, with its priority now and why.
package struct QueueView: Sendable, Equatable {
    package var position: QueuePosition
    package var whyFirst: RankExplanation
    package var priority: Double { whyFirst.key }
}

/// Everything known about one return, as the API shows it.
package struct ReturnView: Sendable {
    package var record: ReturnRecord
    /// The record's canonical JSON.
    package var recordJSON: [UInt8]
    /// The latest assessment's JSON.
    package var assessmentJSON: Data
    package var queue: QueueView?
    package var inspection: InspectionOutcome?
    package var history: [AuditEntry]
    /// The decision taken on the return's request before it shipped, when there was one.
    package var authorization: StoredAuthorization?
}

extension ReturnsService {
    /// The record, latest assessment, queue position (with its priority now), inspection and history of a return.
    package func detail(returnID: String) async throws -> ReturnView {
        let now = clock()
        let detail = try await storeCall { try await store.detail(returnID: returnID, now: now) }
        return ReturnView(
            record: detail.record,
            recordJSON: detail.record.json(),
            assessmentJSON: detail.assessment,
            queue: detail.queue.map { QueueView(position: $0, whyFirst: RankExplanation($0.rank, at: now)) },
            inspection: detail.inspection,
            history: detail.history,
            authorization: detail.authorization
        )
    }

    /// Flagged returns, highest exposure first.
    package func anomalies(_ query: AnomalyQuery) async throws -> [AnomalyItem] {
        try await storeCall { try await store.anomalies(query) }
    }

    /// Records the risk team's decision on a flag.
    package func review(returnID: String, decision: ReviewDecision, note: String?, reviewer: String?) async throws -> AnomalyItem {
        try await storeCall { try await store.review(returnID: returnID, decision: decision, note: note, reviewer: reviewer, now: clock()) }
    }

    /// The operations summary.
    package func summary() async throws -> OperationsSummary {
        try await storeCall { try await store.summary() }
    }

    /// Facts about the store for health checks.
    package func storeStatus() async throws -> StoreStatus {
        try await store.status()
    }

    /// Updates the queue-depth and model gauges (called when metrics are read).
    package func refreshGauges() async throws {
        let stats = try await store.laneStats(warehouseID: nil, now: clock())
        let current = models.current
        var depths = Dictionary(uniqueKeysWithValues: current.policy.lanes.map { ($0.name.rawValue, 0) })
        for s in stats { depths[s.lane.rawValue] = s.depth }
        metrics.update(laneDepths: depths.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, modelVersion: current.version)
    }
}
