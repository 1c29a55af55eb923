package import Foundation
package import RecoupScoring
internal import Synchronization

/// What the service scores with right now: the model bundle's version and the lane policy.
package struct ServingModel: Sendable {
    /// The bundle's version; `nil` when no bundle is loaded.
    package var version: String?
    package var policy: LanePolicy
    package var loadedAt: Date?

    package init(version: String?, policy: LanePolicy, loadedAt: Date?) {
        self.version = version
        self.policy = policy
        self.loadedAt = loadedAt
    }
}

/// Holds the serving model and swaps it atomically: a request sees the old model or the new one, never a mix; a
/// refused reload leaves the old one serving.
package final class ModelRegistry: Sendable {
    private let state: Mutex<ServingModel>

    package init(_ initial: ServingModel) {
        state = Mutex(initial)
    }

    /// The model serving now (an immutable value: use it for the whole request).
    package var current: ServingModel { state.withLock { $0 } }

    /// Replaces the serving model; returns the previous one.
    @discardableResult
    package func swap(_ new: ServingModel) -> ServingModel {
        state.withLock { old in
            let previous = old
            old = new
            return previous
        }
    }
}
