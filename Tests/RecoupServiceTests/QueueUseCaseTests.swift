import Foundation
import RecoupCore
import RecoupScoring
import RecoupService
import RecoupStore
import RecoupTestSupport
import Testing

/// The queue as the service runs it: records scored by the real model, ranked by `PriorityPolicy`, stored and
/// claimed through the store. No hand-made urgencies or rank keys.
@Suite("Queue use cases: ranking, aging, leases")
struct QueueUseCaseTests {
    @Test("aging on the live path: an item that waited its service level is claimed before a fresh, more valuable one")
    func agingOnTheLivePath() async throws {
        let clock = TestClock()
        let service = try makeService(policy: oneLanePolicy(serviceLevelHours: 72), clock: clock)
        _ = try await service.ingest(body([record("old-cheap", price: 3)]), actor: "dock")
        clock.advance(72 * 3600)
        _ = try await service.ingest(body([record("new-rich", price: 4000)]), actor: "dock")
        let lane = try service.lane(named: "standard")
        let claim = try await service.claim(
            lane: lane,
            warehouseID: SmallModel.shared.data[0].record.warehouseID,
            stationID: "S1",
            count: 2,
            leaseSeconds: 60
        )
        #expect(claim.items.map(\.returnID) == ["old-cheap", "new-rich"])
        #expect(claim.items[0].priority >= claim.items[1].priority)
    }

    @Test("arrived together, the more valuable item goes first; the stored rank key orders like the priority shown")
    func valueFirstAmongEquals() async throws {
        let clock = TestClock()
        let service = try makeService(policy: oneLanePolicy(), clock: clock)
        let records = [record("a", price: 5), record("b", price: 900), record("c", price: 60)]
        _ = try await service.ingest(body(records), actor: "dock")
        clock.advance(3600)
        let lane = try service.lane(named: "standard")
        let claim = try await service.claim(lane: lane, warehouseID: records[0].warehouseID, stationID: "S1", count: 3, leaseSeconds: 60)
        #expect(claim.items.first?.returnID == "b")
        #expect(claim.items.map(\.priority) == claim.items.map(\.priority).sorted(by: >))
        let detail = try await service.detail(returnID: "b")
        #expect(abs((detail.queue?.priority ?? 0) - claim.items[0].priority) < 1e-9)
    }

    @Test("claim input is refused with the field named; an unknown lane names the lanes there are")
    func badClaims() async throws {
        let service = try makeService()
        #expect(throws: ServiceError.self) { try service.lane(named: "nowhere") }
        let lane = try service.lane(named: "standard")
        await #expect { try await service.claim(lane: lane, warehouseID: " ", stationID: "S", count: 1, leaseSeconds: nil) } throws: {
            ($0 as? ServiceError)?.field == "warehouse_id"
        }
        await #expect { try await service.claim(lane: lane, warehouseID: "WH1", stationID: "S", count: 0, leaseSeconds: nil) } throws: {
            ($0 as? ServiceError)?.field == "count"
        }
        await #expect { try await service.claim(lane: lane, warehouseID: "WH1", stationID: "S", count: 1, leaseSeconds: 1) } throws: {
            ($0 as? ServiceError)?.field == "lease_seconds"
        }
    }
}
