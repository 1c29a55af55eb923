package import Foundation
package import RecoupScoring
internal import Synchronization

/// What the service scores with right now: a scorer (bundle + lane policy), or only the policy when no bundle is
/// loaded (the queue still works; scoring and ingest answer "no model"). Immutable, shared by reference: a request
/// takes it once.
package final class ServingModel: Sendable {
    package let scorer: Scorer?
    package let policy: LanePolicy
    package let loadedAt: Date?

    package init(scorer: Scorer?, policy: LanePolicy, loadedAt: Date?) {
        self.scorer = scorer
        self.policy = policy
        self.loadedAt = loadedAt
    }

    /// The bundle's version; `nil` when no bundle is loaded.
    package var version: String? { scorer?.version }
}

/// Holds the serving model and swaps it atomically: a request sees the old model or the new one, never a mix; a
/// refused reload leaves the old one serving. Every swap is announced on ``swaps`` (the re-scoring service listens).
package final class ModelRegistry: Sendable {
    private let state: Mutex<ServingModel>
    private let challenger = Mutex<Scorer?>(nil)
    /// The store's active version this replica could not load (tried once until the active version changes).
    private let unfollowable = Mutex<String?>(nil)
    /// The version of each model swapped in, newest kept when the listener is behind.
    package let swaps: AsyncStream<String>
    private let announce: AsyncStream<String>.Continuation

    package init(_ initial: ServingModel) {
        state = Mutex(initial)
        (swaps, announce) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The model serving now (an immutable value: use it for the whole request).
    package var current: ServingModel { state.withLock { $0 } }

    /// The shadow challenger: it scores every ingested return beside the serving model, never served or queued.
    package var shadow: Scorer? { challenger.withLock { $0 } }

    /// Sets (or with `nil` stops) the shadow challenger; returns the previous one.
    @discardableResult
    package func setShadow(_ scorer: Scorer?) -> Scorer? {
        challenger.withLock { old in
            defer { old = scorer }
            return old
        }
    }

    /// Whether `version` is the active version this replica already failed to load.
    func refusedToFollow(_ version: String) -> Bool { unfollowable.withLock { $0 == version } }

    /// Remembers the active version this replica cannot load.
    func refuseToFollow(_ version: String) { unfollowable.withLock { $0 = version } }

    /// Replaces the serving model and announces it; returns the previous one.
    @discardableResult
    package func swap(_ new: ServingModel) -> ServingModel {
        let previous = state.withLock { old in
            let previous = old
            old = new
            return previous
        }
        if let version = new.version { announce.yield(version) }
        return previous
    }
}
