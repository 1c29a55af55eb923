package import Logging
internal import ServiceLifecycle

/// Puts expired leases back in their lanes every `interval`, and writes each in the item's history. (Claims and lane
/// statistics already treat an expired lease as queued; this makes it explicit and visible.) Runs in the server's
/// `ServiceGroup` until graceful shutdown; a failed round is logged and the next one runs.
package struct LeaseExpiryService: Service {
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
                let expired = try await service.expireLeases()
                if expired > 0 { logger.debug("leases expired", metadata: ["count": "\(expired)"]) }
            } catch {
                logger.error("expiring leases failed", metadata: ["error": "\(error)"])
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

/// Runs `body` now and then every `interval` until the task is cancelled or the service group shuts down gracefully.
func periodically(every interval: Duration, _ body: @escaping @Sendable () async -> Void) async {
    await cancelWhenGracefulShutdown {
        while !Task.isCancelled {
            await body()
            try? await Task.sleep(for: interval)
        }
    }
}
