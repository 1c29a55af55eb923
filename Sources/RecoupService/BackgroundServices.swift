package import Logging
internal import ServiceLifecycle

/// Every `interval`: puts expired leases back in their lanes (writing each in the item's history) and moves items
/// whose refund was issued or whose service level passed to their new rank keys. (Claims already treat an expired
/// lease as queued and apply the rank changes due; this keeps what readers see current.) Runs in the server's
/// `ServiceGroup` until graceful shutdown; a failed round is logged and the next one runs.
package struct QueueUpkeepService: Service {
    let service: ReturnsService
    let interval: Duration
    let logger: Logger

    package init(service: ReturnsService, interval: Duration = .seconds(30), logger: Logger) {
        self.service = service
        self.interval = interval
        self.logger = logger
    }

    package func run() async throws {
        await periodically(every: interval) {
            do {
                let done = try await service.upkeep()
                if done.expiredLeases + done.reranked > 0 {
                    logger.debug("queue upkeep", metadata: ["expired_leases": "\(done.expiredLeases)", "reranked": "\(done.reranked)"])
                }
            } catch {
                logger.error("queue upkeep failed", metadata: ["error": "\(error)"])
            }
        }
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

/// Every `interval`: computes the model monitor over the last 7 days, which sets its Prometheus gauges (largest PSI,
/// live metrics, shadow deltas), so that alerts do not depend on someone reading the route. A failed round is logged.
package struct MonitoringService: Service {
    let service: ReturnsService
    let interval: Duration
    let logger: Logger

    package init(service: ReturnsService, interval: Duration = .seconds(300), logger: Logger) {
        self.service = service
        self.interval = interval
        self.logger = logger
    }

    package func run() async throws {
        await periodically(every: interval) {
            do {
                _ = try await service.monitor()
            } catch {
                logger.error("model monitor failed", metadata: ["error": "\(error)"])
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
