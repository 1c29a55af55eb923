import Foundation
import RecoupCore
import RecoupTestStores
import Synchronization
import Testing

@testable import RecoupSQLite
@testable import RecoupStore

/// The queue's promises under concurrent use: many stations claiming, extending, releasing, letting leases expire
/// and completing, against a real SQLite file. Every item is completed exactly once; none is lost; none is stuck.
///
/// `make test` runs a small version; `make reliability` (RECOUP_RELIABILITY=1) runs 64 claimers over 50,000 operations.
@Suite("Queue invariants under concurrency")
struct QueueInvariantTests {
    static let full = ProcessInfo.processInfo.environment["RECOUP_RELIABILITY"] == "1"

    /// A clock the workers move forward together (lease expiries happen because time passes).
    final class SharedClock: Sendable {
        let seconds = Atomic<Int>(0)
        func now() -> Date { t0.addingTimeInterval(Double(seconds.load(ordering: .relaxed))) }
        func advance(_ s: Int) { seconds.wrappingAdd(s, ordering: .relaxed) }
    }

    @Test(
        "stations claim, extend, release, expire and complete concurrently: each item completed exactly once",
        .timeLimit(.minutes(10)),
        arguments: Backend.enabled
    )
    func invariants(_ backend: Backend) async throws {
        let items = Self.full ? 5_000 : 600
        let workers = Self.full ? 64 : 16
        let operations = Self.full ? 50_000 : 3_000
        try await backend.withStore(durable: true) { db in
            let ids = (0..<items).map { String(format: "Q%05d", $0) }
            _ = try await db.ingest(ids.map { newReturn($0, key: Double($0.dropFirst())! / Double(items)) }, now: t0, actor: nil)
            let clock = SharedClock()
            let done = SharedClock()  // its counter counts operations here
            let outcome = InspectionOutcome(grade: .a, disposition: .restockNew, recoveryValue: 1, fraudConfirmed: false, notes: nil)

            let completions = try await withThrowingTaskGroup(of: [String].self) { group in
                for w in 0..<workers {
                    group.addTask {
                        var rng = SystemRandomNumberGenerator()
                        var completed: [String] = []
                        var held: (token: String, ids: [String])?
                        while done.seconds.wrappingAdd(1, ordering: .relaxed).newValue <= operations {
                            switch Int.random(in: 0..<100, using: &rng) {
                            case 0..<30:
                                let claim = try await db.claim(
                                    lane: "standard",
                                    warehouseID: "WH1",
                                    stationID: "S\(w)",
                                    count: Int.random(in: 1...4, using: &rng),
                                    leaseSeconds: Double(Int.random(in: 20...200, using: &rng)),
                                    now: clock.now()
                                )
                                if !claim.items.isEmpty { held = (claim.token, claim.items.map(\.returnID)) }
                            case 30..<40:
                                if let h = held { _ = try? await db.extendClaim(token: h.token, leaseSeconds: 120, now: clock.now()) }
                            case 40..<48:
                                if let h = held {
                                    _ = try? await db.releaseClaim(token: h.token, now: clock.now())
                                    held = nil
                                }
                            case 48..<56:
                                clock.advance(Int.random(in: 5...90, using: &rng))
                            default:
                                if var h = held, let id = h.ids.popLast() {
                                    do {
                                        try await db.completeInspection(returnID: id, token: h.token, outcome: outcome, now: clock.now())
                                        completed.append(id)
                                    } catch let error as StoreError {
                                        // Only the refusals a lost lease explains are acceptable.
                                        switch error {
                                        case .leaseExpired, .notLeasedByToken, .alreadyCompleted: break
                                        default: throw error
                                        }
                                    }
                                    held = h.ids.isEmpty ? nil : h
                                }
                            }
                        }
                        return completed
                    }
                }
                var all: [String] = []
                for try await part in group { all += part }
                return all
            }
            #expect(Set(completions).count == completions.count, "an item was completed twice")

            // Drain what is left: every lease expires, one station finishes the queue.
            clock.advance(100_000)
            var drained: [String] = []
            while true {
                let claim = try await db.claim(
                    lane: "standard",
                    warehouseID: "WH1",
                    stationID: "drain",
                    count: 100,
                    leaseSeconds: 600,
                    now: clock.now()
                )
                if claim.items.isEmpty { break }
                for item in claim.items {
                    try await db.completeInspection(returnID: item.returnID, token: claim.token, outcome: outcome, now: clock.now())
                    drained.append(item.returnID)
                }
            }
            let everything = completions + drained
            // One line for `make reliability`'s table (reliability/swift_checks.py reads it).
            print("RELIABILITY queue-invariants cases=\(operations) lost=\(Set(ids).subtracting(everything).count)")
            #expect(everything.count == items, "completed \(everything.count) of \(items)")
            #expect(Set(everything) == Set(ids), "an item was lost")
            let stats = try await db.laneStats(warehouseID: nil, now: clock.now())
            #expect(stats.allSatisfy { $0.depth == 0 }, "items stuck: \(stats)")
            #expect(try await db.inspectedReturns().count == items)
        }
    }
}
