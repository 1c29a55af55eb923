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
    @Test("under a backlog a valuable new item is claimed before a cheap old one still within its service level")
    func valueBeforeAgeOnTheLivePath() async throws {
        let clock = TestClock()
        let service = try makeService(policy: oneLanePolicy(serviceLevelHours: 72), clock: clock)
        _ = try await service.ingest(body([record("old-cheap", price: 3)]), actor: "dock")
        clock.advance(70 * 3600)
        _ = try await service.ingest(body([record("new-rich", price: 4000)]), actor: "dock")
        let lane = try service.lane(named: "standard")
        let claim = try await service.claim(
            lane: lane,
            warehouseID: SmallModel.shared.data[0].record.warehouseID,
            stationID: "S1",
            count: 2,
            leaseSeconds: 60
        )
        #expect(claim.items.map(\.returnID) == ["new-rich", "old-cheap"])
        #expect(claim.items[0].priority > claim.items[1].priority)
    }

    @Test("past its service level an item's priority rises once, by what lateness costs, and the item says why")
    func boundedLateness() async throws {
        let clock = TestClock()
        // A 48-hour service level; the refund goes out at 72 hours.
        let service = try makeService(policy: oneLanePolicy(serviceLevelHours: 48), clock: clock)
        _ = try await service.ingest(body([record("a", price: 80)]), actor: "dock")
        clock.advance(47 * 3600)
        let before = try #require(try await service.detail(returnID: "a").queue)
        #expect(before.whyFirst.lateLossPerDay == 0)
        #expect(before.whyFirst.nextChangeAt == before.position.enqueuedAt.addingTimeInterval(48 * 3600))
        #expect(before.whyFirst.valueLossPerDay > 0)
        clock.advance(2 * 3600)
        try await service.upkeep()
        let after = try #require(try await service.detail(returnID: "a").queue)
        #expect(after.whyFirst.lateLossPerDay > 0)
        #expect(after.priority > before.priority)
        #expect(after.whyFirst.summary.contains("past its service level"))
        clock.advance(20 * 3600)
        #expect(try await service.detail(returnID: "a").queue?.priority == after.priority)
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
