package import Logging
internal import ServiceLifecycle

/// Runs a piece of upkeep now and then every `interval` in the server's `ServiceGroup`, until graceful shutdown; a
/// failed round is logged and the next one runs.
package struct PeriodicService: Service {
    let interval: Duration
    let logger: Logger
    /// What is logged when a round fails.
    let failure: Logger.Message
    let work: @Sendable () async throws -> Void

    package func run() async throws {
        await periodically(every: interval) {
            do { try await work() } catch { logger.error(failure, metadata: ["error": "\(error)"]) }
        }
    }

    /// Puts expired leases back in their lanes (writing each in the item's history) and moves items whose refund was
    /// issued or whose service level passed to their new rank keys. (Claims already treat an expired lease as queued
    /// and apply the rank changes due; this keeps what readers see current.)
    package static func queueUpkeep(_ service: ReturnsService, every interval: Duration = .seconds(30), logger: Logger) -> PeriodicService {
        PeriodicService(interval: interval, logger: logger, failure: "queue upkeep failed") {
            let done = try await service.upkeep()
            if done.expiredLeases + done.reranked > 0 {
                logger.debug("queue upkeep", metadata: ["expired_leases": "\(done.expiredLeases)", "reranked": "\(done.reranked)"])
            }
        }
    }

    /// Follows the store's active model: when a reload on another replica sharing the store swapped in a new version,
    /// this one loads it from its own models folder within `interval` (one indexed read per round).
    package static func modelFollower(_ service: ReturnsService, every interval: Duration = .seconds(2), logger: Logger) -> PeriodicService {
        PeriodicService(interval: interval, logger: logger, failure: "following the store's active model failed") {
            try await service.followActiveModel()
        }
    }

    /// Computes the model monitor over the last 7 days, which sets its Prometheus gauges (largest PSI, live metrics,
    /// shadow deltas), so that alerts do not depend on someone reading the route.
    package static func monitoring(_ service: ReturnsService, every interval: Duration = .seconds(300), logger: Logger) -> PeriodicService {
        PeriodicService(interval: interval, logger: logger, failure: "model monitor failed") { _ = try await service.monitor() }
    }
}

/// Re-scores the queue after every model swap (and after the first load at start), in the background: queued items
/// scored by an older model get the new model's lane and rank. Runs until graceful shutdown; a failure is logged and
/// the next swap tries again.
package struct RescoringService: Service {
    let service: ReturnsService
    let logger: Logger

    package init(service: ReturnsService, logger: Logger) {
        self.service = service
        self.logger = logger
    }

    package func run() async throws {
        for await version in service.models.swaps.cancelOnGracefulShutdown() {
            do {
                let count = try await service.rescoreQueue()
                if count > 0 { logger.info("re-scored queued returns", metadata: ["count": "\(count)", "model": "\(version)"]) }
            } catch {
                logger.error("re-scoring the queue stopped", metadata: ["error": "\(error)", "model": "\(version)"])
            }
        }
    }
}

/// Runs `body` now and then every `interval` until the task is cancelled or the service group shuts down gracefully.
func periodically(every interval: Duration, _ body: @escaping @Sendable () async -> Void) async {
    await cancelWhenGracefulShutdown {
        while !Task.isCancelled {
            await body()
            try? await Task.sleep(for: interval)
        }
    }
}
