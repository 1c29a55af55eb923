import Foundation
import RecoupCore
import RecoupTestStores
import Testing

@testable import RecoupSQLite
@testable import RecoupStore

@Suite("Claims and leases")
struct QueueTests {
    @Test("a claim hands out the top items by priority, of its lane and warehouse only", arguments: Backend.enabled)
    func claimOrder(_ backend: Backend) async throws {
        try await backend.withStore { db in
            _ = try await db.ingest(
                [
                    newReturn("low", key: 0.1), newReturn("high", key: 1.5), newReturn("mid", key: 0.8),
                    newReturn("other-lane", lane: "fast_restock", key: 1.9), newReturn("other-wh", key: 1.9, warehouse: "WH2"),
                ],
                now: t0,
                actor: nil
            )
            let claim = try await db.claim(lane: "standard", warehouseID: "wh1", stationID: "S1", count: 2, leaseSeconds: 300, now: t0)
            #expect(claim.items.map(\.returnID) == ["high", "mid"])
            let next = try await db.claim(lane: "standard", warehouseID: "WH1", stationID: "S2", count: 5, leaseSeconds: 300, now: t0)
            #expect(next.items.map(\.returnID) == ["low"])
        }
    }

    @Test(
        "a rank moves to its next key when its time comes: claims order by the key in force, the sweep keeps it current",
        arguments: Backend.enabled
    )
    func rankChanges(_ backend: Backend) async throws {
        try await backend.withStore { db in
            let terms = QueueRank.unexplained(key: 0, serviceLevelHours: 72, enqueuedAt: t0).terms
            // "fraud" ranks first until its refund is issued at t0 + 100, then drops below "steady".
            let fraud = QueueRank(key: 5, changes: [.init(at: t0 + 100, key: 1)], terms: terms, serviceLevelHours: 72)
            #expect(try QueueRank(storedBytes: fraud.storedBytes(), returnID: "x") == fraud)
            #expect(throws: StoreError.self) { try QueueRank(storedBytes: fraud.storedBytes().dropLast(3), returnID: "x") }
            _ = try await db.ingest([newReturn("steady", key: 3), newReturn("fraud", key: 0, rank: fraud)], now: t0, actor: nil)
            #expect(try await db.detail(returnID: "fraud", now: t0).queue?.rank == fraud)
            let early = try await db.claim(lane: "standard", warehouseID: "WH1", stationID: "S1", count: 1, leaseSeconds: 30, now: t0 + 50)
            #expect(early.items.map(\.returnID) == ["fraud"])
            #expect(try await db.applyRankChanges(now: t0 + 90) == 0)
            // The lease ran out at t0 + 80; at t0 + 150 the claim applies the change due first.
            let late = try await db.claim(lane: "standard", warehouseID: "WH1", stationID: "S1", count: 2, leaseSeconds: 30, now: t0 + 150)
            #expect(late.items.map(\.returnID) == ["steady", "fraud"])
            #expect(try await db.applyRankChanges(now: t0 + 1000) == 0)
        }
    }

    @Test("lease expiry with an injected clock: the item goes back to its lane, the late inspection is refused", arguments: Backend.enabled)
    func leaseExpiry(_ backend: Backend) async throws {
        try await backend.withStore { db in
            _ = try await db.ingest([newReturn("R1")], now: t0, actor: nil)
            let claim = try await db.claim(lane: "standard", warehouseID: "WH1", stationID: "S1", count: 1, leaseSeconds: 60, now: t0)
            #expect(try await db.laneStats(warehouseID: nil, now: t0 + 30).first?.leased == 1)
            #expect(try await db.claim(lane: "standard", warehouseID: "WH1", stationID: "S2", count: 1, leaseSeconds: 60, now: t0 + 30).items.isEmpty)
            // After expiry, another station can claim it and the first one's inspection is refused.
            let later = t0 + 61
            #expect(try await db.laneStats(warehouseID: nil, now: later).first?.leased == 0)
            let outcome = InspectionOutcome(grade: .a, disposition: .restockNew, recoveryValue: 38, fraudConfirmed: false, notes: nil)
            await #expect(throws: StoreError.leaseExpired(returnID: "R1")) {
                try await db.completeInspection(returnID: "R1", token: claim.token, outcome: outcome, now: later)
            }
            let second = try await db.claim(lane: "standard", warehouseID: "WH1", stationID: "S2", count: 1, leaseSeconds: 60, now: later)
            #expect(second.items.map(\.returnID) == ["R1"])
            await #expect(throws: StoreError.notLeasedByToken(returnID: "R1", token: claim.token)) {
                try await db.completeInspection(returnID: "R1", token: claim.token, outcome: outcome, now: later)
            }
            try await db.completeInspection(returnID: "R1", token: second.token, outcome: outcome, now: later + 10)
            await #expect(throws: StoreError.alreadyCompleted("R1")) {
                try await db.completeInspection(returnID: "R1", token: second.token, outcome: outcome, now: later + 11)
            }
            let detail = try await db.detail(returnID: "R1", now: later + 20)
            #expect(detail.queue?.state == .completed)
            #expect(detail.inspection == outcome)
            #expect(detail.history.map(\.kind) == [.ingested, .claimed, .claimed, .inspected])
        }
    }

    @Test("extend keeps the items, release puts them back, the sweep records expiries", arguments: Backend.enabled)
    func extendAndRelease(_ backend: Backend) async throws {
        try await backend.withStore { db in
            _ = try await db.ingest([newReturn("A", key: 2), newReturn("B", key: 1), newReturn("C", key: 0.5)], now: t0, actor: nil)
            let claim = try await db.claim(lane: "standard", warehouseID: "WH1", stationID: "S1", count: 2, leaseSeconds: 60, now: t0)
            let extended = try await db.extendClaim(token: claim.token, leaseSeconds: 600, now: t0 + 50)
            #expect(extended.returnIDs == ["A", "B"])
            // At t0 + 100 the original lease would have expired; the extension holds.
            #expect(
                try await db.claim(lane: "standard", warehouseID: "WH1", stationID: "S2", count: 5, leaseSeconds: 60, now: t0 + 100).items.map(
                    \.returnID
                )
                    == ["C"]
            )
            #expect(try await db.releaseClaim(token: claim.token, now: t0 + 120) == ["A", "B"])
            await #expect(throws: StoreError.claimNotFound(claim.token)) { try await db.releaseClaim(token: claim.token, now: t0 + 121) }
            #expect(try await db.expireLeases(now: t0 + 1000) == 1)  // C's lease
            let stats = try await db.laneStats(warehouseID: "WH1", now: t0 + 1000)
            #expect(stats.first?.depth == 3 && stats.first?.leased == 0)
        }
    }

    @Test("32 concurrent claimers over 5,000 queued items: every item claimed exactly once", .timeLimit(.minutes(2)), arguments: Backend.enabled)
    func concurrentClaimers(_ backend: Backend) async throws {
        try await backend.withStore(durable: true) { db in
            let ids = (0..<5000).map { String(format: "R%05d", $0) }
            _ = try await db.ingest(ids.map { newReturn($0, key: Double($0.dropFirst())! / 5000) }, now: t0, actor: nil)
            let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
                for station in 0..<32 {
                    group.addTask {
                        var mine: [String] = []
                        while true {
                            let claim = try await db.claim(
                                lane: "standard",
                                warehouseID: "WH1",
                                stationID: "S\(station)",
                                count: 7,
                                leaseSeconds: 3600,
                                now: t0
                            )
                            if claim.items.isEmpty { return mine }
                            mine += claim.items.map(\.returnID)
                        }
                    }
                }
                var all: [String] = []
                for try await part in group { all += part }
                return all
            }
            #expect(claimed.count == 5000)
            #expect(Set(claimed).count == 5000)
            #expect(Set(claimed) == Set(ids))
        }
    }

    @Test("summary: reasons, dispositions, recovery rate and cycle times by warehouse and lane", arguments: Backend.enabled)
    func summary(_ backend: Backend) async throws {
        try await backend.withStore { db in
            _ = try await db.ingest([newReturn("A"), newReturn("B")], now: t0, actor: nil)
            let claim = try await db.claim(lane: "standard", warehouseID: "WH1", stationID: "S", count: 2, leaseSeconds: 99_999, now: t0)
            try await db.completeInspection(
                returnID: "A",
                token: claim.token,
                outcome: .init(grade: .b, disposition: .openBox, recoveryValue: 30, fraudConfirmed: false, notes: "ok"),
                now: t0 + 7200
            )
            let s = try await db.summary()
            #expect(s.returns == 2 && s.inspected == 1)
            #expect(s.reasons == [.init(key: "size_fit", count: 2)])
            #expect(s.inspectedDispositions == [.init(key: "open_box", count: 1)])
            #expect(abs(s.recoveryRate - 0.75) < 1e-9)
            #expect(s.cycleTimes.count == 1)
            #expect(abs(s.cycleTimes[0].p50Hours - 2) < 1e-9)
        }
    }
}
