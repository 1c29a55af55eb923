internal import CoreMetrics
package import Foundation
internal import Logging
internal import RecoupCore
package import RecoupScoring
internal import RecoupStore
internal import Synchronization

/// The result of a model reload.
package struct ModelSwap: Sendable, Equatable {
    package var version: String
    package var previous: String?
    /// Queued items that the background re-scoring will score with the new model.
    package var reassessing: Int
}

extension ReturnsService {
    /// Loads `version` (or the one `models/ACTIVE` names) and swaps it in; on any problem the old model keeps serving
    /// and the error says why. Every attempt is recorded in the store. The swap is announced to the re-scoring
    /// service, which re-scores the queue in the background. With `publish` (a reload), the version becomes the store's
    /// active model, which the other replicas on the store follow (``followActiveModel()``).
    @discardableResult
    package func loadModel(version: String? = nil, publish: Bool = true) async throws -> ModelSwap {
        let now = clock()
        let directory = modelsDirectory
        let policy = policy
        let loaded: Result<ModelBundle, ServiceError>
        if let version {
            do { loaded = .success(try await bundle(named: version)) } catch let error as ServiceError where error.code == .bundleRefused {
                loaded = .failure(error)
            }
        } else {
            loaded = try await executor.run {
                Result { () throws(ModelBundleError) -> ModelBundle in
                    try ModelBundle.load(from: directory.appendingPathComponent(try ModelBundle.activeVersion(in: directory)))
                }
            }.mapError { ServiceError(.bundleRefused, $0.description) }
        }
        switch loaded {
        case .success(let bundle):
            if publish { try await storeCall { try await store.setActiveModelVersion(bundle.version, now: now) } }
            let previous = models.swap(ServingModel(scorer: Scorer(bundle: bundle, policy: policy), policy: policy, loadedAt: now))
            try? await store.recordModelEvent(
                version: bundle.version,
                outcome: .loaded,
                detail: previous.version.map { "replaced \($0)" },
                now: now
            )
            let queued = (try? await store.laneStats(warehouseID: nil, now: now))?.reduce(0) { $0 + $1.depth - $1.leased } ?? 0
            return ModelSwap(version: bundle.version, previous: previous.version, reassessing: queued)
        case .failure(let error):
            try? await store.recordModelEvent(version: version, outcome: .refused, detail: error.message, now: now)
            throw ServiceError(.bundleRefused, error.message + "; the previous model keeps serving", field: error.field)
        }
    }

    /// Swaps in the store's active model when another replica's reload changed it (the background follower calls this
    /// every few seconds). A version this replica cannot load is recorded as refused once and not tried again until
    /// the active version changes; the current model keeps serving.
    package func followActiveModel() async throws {
        guard let wanted = try await store.activeModelVersion(), wanted != models.current.version, !models.refusedToFollow(wanted) else {
            return
        }
        do {
            try await loadModel(version: wanted, publish: false)
        } catch let error as ServiceError {  // not in this replica's folder, or refused
            models.refuseToFollow(wanted)
            throw error
        }
    }

    /// Re-scores queued returns that an older model scored, in chunks (each scored on the pool), until none is left
    /// or a newer model arrives. Each item keeps its place in time: its rank is computed for its own arrival. When
    /// another replica on the store is re-scoring already, this one leaves it to it.
    /// - Returns: how many were re-scored.
    @discardableResult
    package func rescoreQueue(chunk: Int = 500) async throws -> Int {
        try await store.exclusively("rescore-queue") { try await rescoreQueueChunks(chunk: chunk) } ?? 0
    }

    private func rescoreQueueChunks(chunk: Int) async throws -> Int {
        guard let scorer = models.current.scorer else { return 0 }
        var total = 0
        while models.current.version == scorer.version {
            let candidates = try await store.returnsToReassess(notScoredBy: scorer.version, limit: chunk, now: clock())
            if candidates.isEmpty { break }
            let assessed = try await executor.map(candidates.count) { range in
                let part = Array(candidates[range])
                return zip(part, scorer.assess(part.map(\.record), explain: true, parallel: false)).map { candidate, a in
                    (candidate.record.returnID, Self.stored(a, record: candidate.record, policy: scorer.policy, enqueuedAt: candidate.enqueuedAt))
                }
            }.flatMap { $0 }
            var moved = 0
            for (returnID, assessment) in assessed where try await store.reassess(returnID: returnID, assessment, now: clock()) {
                moved += 1
            }
            total += moved
            if moved == 0 { break }
        }
        metrics.rescoredReturns.increment(by: Int64(total))
        return total
    }

    /// The serving model, `ACTIVE`, and the bundles in the models folder.
    package func modelsOverview() -> (serving: ServingModel, active: String?, available: [String]) {
        (models.current, try? ModelBundle.activeVersion(in: modelsDirectory), ModelBundle.availableVersions(in: modelsDirectory))
    }
}

/// A bundle of the models folder as the models overview lists it: when it was trained and each head's metrics on its
/// held-out test split, or why it cannot be read.
package struct BundleOverview: Sendable, Equatable {
    package var version: String
    package var createdAt: Date?
    package var heads: [String: HeadSummary]?
    /// Why the bundle was refused (the reload would refuse it for the same reason).
    package var problem: String?
}

/// The overviews of the bundles read so far, by version and the bundle file's modification time: a bundle is read
/// once (off the event loops), not on every listing.
package final class BundleOverviewCache: Sendable {
    private let entries = Mutex<[String: (modified: Date?, overview: BundleOverview)]>([:])

    package init() {}

    func lookup(_ version: String, modified: Date?) -> BundleOverview? {
        entries.withLock { entries in entries[version].flatMap { $0.modified == modified ? $0.overview : nil } }
    }

    func store(_ overview: BundleOverview, modified: Date?) {
        entries.withLock { $0[overview.version] = (modified, overview) }
    }
}

extension ReturnsService {
    /// Every bundle of the models folder with its held-out metrics (the serving one from memory).
    package func bundleOverviews() async -> [BundleOverview] {
        let serving = models.current.scorer?.bundle
        var overviews: [BundleOverview] = []
        for version in ModelBundle.availableVersions(in: modelsDirectory) {
            if let serving, serving.version == version {
                overviews.append(BundleOverview(version: version, createdAt: serving.createdAt, heads: serving.headSummaries))
                continue
            }
            let file = modelsDirectory.appendingPathComponent(version).appendingPathComponent("bundle.json")
            let modified = (try? FileManager.default.attributesOfItem(atPath: file.path))?[.modificationDate] as? Date
            if let cached = bundleOverviewCache.lookup(version, modified: modified) {
                overviews.append(cached)
                continue
            }
            let overview: BundleOverview
            do {
                let bundle = try await bundle(named: version)
                overview = BundleOverview(version: version, createdAt: bundle.createdAt, heads: bundle.headSummaries)
            } catch {
                overview = BundleOverview(version: version, problem: (error as? ServiceError)?.message ?? "\(error)")
            }
            bundleOverviewCache.store(overview, modified: modified)
            overviews.append(overview)
        }
        return overviews
    }
}
