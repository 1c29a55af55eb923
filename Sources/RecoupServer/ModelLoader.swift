internal import Foundation
package import Logging
package import RecoupScoring
internal import RecoupStore
internal import RecoupCore

/// Loads bundles from the models folder into the registry, and re-scores the queue after a swap.
package struct ModelLoader: Sendable {
    let dependencies: ServerDependencies

    package init(dependencies: ServerDependencies) {
        self.dependencies = dependencies
    }

    var modelsDirectory: URL { URL(fileURLWithPath: dependencies.configuration.modelsDirectory) }

    /// Loads `version` (or the one `models/ACTIVE` names) and swaps it in; on any problem the old model keeps serving
    /// and the error says why. Every attempt is recorded in the database.
    /// - Returns: the new and the previous version.
    @discardableResult
    package func load(version: String? = nil) async throws(ModelBundleError) -> (version: String, previous: String?) {
        let now = dependencies.clock()
        do throws(ModelBundleError) {
            let name: String
            if let version { name = version } else { name = try ModelBundle.activeVersion(in: modelsDirectory) }
            guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else { throw ModelBundleError.noActiveVersion(name) }
            let bundle = try ModelBundle.load(from: modelsDirectory.appendingPathComponent(name))
            let policy = dependencies.models.current.policy
            let previous = dependencies.models.swap(ServingModel(scorer: Scorer(bundle: bundle, policy: policy), policy: policy, loadedAt: now))
            try? await dependencies.database.recordModelEvent(version: bundle.version, outcome: "loaded", detail: previous.version.map { "replaced \($0)" }, now: now)
            return (bundle.version, previous.version)
        } catch {
            try? await dependencies.database.recordModelEvent(version: version, outcome: "refused", detail: error.description, now: now)
            throw error
        }
    }

    /// Re-scores queued returns that an older model scored, in chunks, until none is left or a newer model arrives.
    /// - Returns: how many were re-scored.
    @discardableResult
    package func reassessQueue(logger: Logger, chunk: Int = 500) async -> Int {
        guard let scorer = dependencies.models.current.scorer else { return 0 }
        var total = 0
        do {
            while dependencies.models.current.version == scorer.version {
                let records = try await dependencies.database.returnsToReassess(
                    notScoredBy: scorer.version, limit: chunk, now: dependencies.clock())
                if records.isEmpty { break }
                let assessments = scorer.assess(records)
                var moved = 0
                for (record, assessment) in zip(records, assessments) {
                    let stored = StoredAssessment(assessment, record: record, policy: scorer.policy)
                    if try await dependencies.database.reassess(returnID: record.returnID, stored, now: dependencies.clock()) { moved += 1 }
                }
                total += moved
                if moved == 0 { break }
            }
        } catch {
            logger.error("re-scoring the queue stopped", metadata: ["error": "\(error)"])
        }
        if total > 0 { logger.info("re-scored queued returns", metadata: ["count": "\(total)", "model": "\(scorer.version)"]) }
        return total
    }
}

extension StoredAssessment {
    /// What the store keeps of an assessment: sort and filter columns plus the contract JSON.
    init(_ a: Assessment, record: RecoupCore.ReturnRecord, policy: LanePolicy) {
        let lane = policy.lane(named: a.lane)
        self.init(
            modelVersion: a.modelVersion, disposition: a.disposition.rawValue, fraudRisk: a.fraudRisk, recoveryValue: a.recoveryValue,
            lane: a.lane, urgency: a.priority, agingWeight: lane.map { policy.priority.agingWeight($0.ordering) } ?? policy.priority.valueCap,
            serviceLevelHours: lane?.serviceLevelHours ?? 72, anomalyReasons: a.anomalies.map(\.reason),
            exposure: a.fraudRisk * record.refundAmount, payload: Data(ScoredOutput.json(a).utf8))
    }
}
