import Foundation
import Logging
import RecoupCore
import RecoupScoring
import RecoupService
import RecoupStore
import RecoupTestSupport
import ServiceLifecycle
import Testing

@Suite("Background services in a service group", .serialized)
struct BackgroundServiceTests {
    /// Runs `services` in a group while `body` runs, then shuts the group down gracefully and waits for it.
    func running(_ services: [any Service], _ body: () async throws -> Void) async throws {
        let group = ServiceGroup(services: services, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await body()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// Polls `condition` for up to five seconds.
    func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<250 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    @Test("lease expiry puts an expired lease back and writes it in the history; the service stops on shutdown", .timeLimit(.minutes(1)))
    func leaseExpiry() async throws {
        let clock = TestClock()
        let service = try makeService(policy: oneLanePolicy(), clock: clock)
        let item = record("leased", price: 50)
        _ = try await service.ingest(body([item]), actor: nil)
        let claim = try await service.claim(
            lane: try service.lane(named: "standard"),
            warehouseID: item.warehouseID,
            stationID: "S1",
            count: 1,
            leaseSeconds: 30
        )
        #expect(claim.items.count == 1)
        clock.advance(31)
        try await running([PeriodicService.queueUpkeep(service, every: .milliseconds(20), logger: Logger(label: "test"))]) {
            let expired = try await eventually { try await service.detail(returnID: "leased").history.contains { $0.kind == .leaseExpired } }
            #expect(expired)
        }
        #expect(try await service.detail(returnID: "leased").queue?.position.state == .queued)
    }

    @Test("a model swap re-scores the queue in the background with the new model", .timeLimit(.minutes(1)))
    func rescoring() async throws {
        let service = try makeService()
        let records = SmallModel.shared.data.prefix(40).map(\.record)
        _ = try await service.ingest(body(records), actor: nil)
        var next = SmallModel.shared.bundle
        next.version = "small-test-next"
        try await running([RescoringService(service: service, logger: Logger(label: "test"))]) {
            service.models.swap(ServingModel(scorer: Scorer(bundle: next, policy: .default), policy: .default, loadedAt: nil))
            let done = try await eventually {
                try await service.store.returnsToReassess(notScoredBy: "small-test-next", limit: 1, now: service.clock()).isEmpty
            }
            #expect(done)
        }
        #expect(try await service.detail(returnID: records[0].returnID).history.contains { $0.kind == .reassessed })
    }
}
