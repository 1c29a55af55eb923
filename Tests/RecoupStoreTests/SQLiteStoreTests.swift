import Foundation
import GRDB
import RecoupCore
import RecoupInsights
import RecoupTestStores
import Testing

@testable import RecoupPostgres
@testable import RecoupSQLite
@testable import RecoupStore

@Suite("Returns database")
struct ReturnsDatabaseTests {
    @Test("migrations apply to an empty database", arguments: Backend.enabled)
    func migrationsApply(_ backend: Backend) async throws {
        try await backend.withStore { db in
            let status = try await db.status()
            #expect(status.appliedMigrations == (backend == .sqlite ? SQLiteStore.migrationNames : PostgresStore.migrationNames))
            #expect(status.engine == (backend == .sqlite ? .sqlite : .postgresql))
        }
    }

    @Test("a database from before ranks kept their terms opens: its queued items keep their order and are re-scored")
    func rankMigration() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("recoup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("old.sqlite").path
        do {
            let queue = try DatabaseQueue(path: path)
            try SQLiteStore.migrator.migrate(queue, upTo: "v2-returns-queue")
            try await queue.write { db in
                for (id, key) in [("OLD-1", 0.4), ("OLD-2", 1.2)] {
                    let json = Data(record(id).json())
                    try db.execute(
                        literal: """
                            INSERT INTO returnItem (id, record, payloadHash, warehouseID, category, reasonCode, refundAmount, createdAt)
                            VALUES (\(id), \(json), 'h', 'WH1', 'apparel', 'size_fit', 40, 0)
                            """
                    )
                    try db.execute(
                        literal: """
                            INSERT INTO assessment (returnItemId, modelVersion, disposition, fraudRisk, recoveryValue, lane, anomaly, payload, createdAt)
                            VALUES (\(id), 'm1', 'restock_new', 0.01, 30, 'standard', 0, '{}', 0)
                            """
                    )
                    try db.execute(
                        literal: """
                            INSERT INTO queueEntry (returnID, lane, warehouseID, state, urgency, agingWeight, serviceLevelHours, rankKey,
                                recoveryValue, enqueuedAt)
                            VALUES (\(id), 'standard', 'WH1', 'queued', \(key), 2, 72, \(key), 30, \(t0.timeIntervalSince1970))
                            """
                    )
                }
            }
        }
        let db = try SQLiteStore.open(path: path)
        #expect(try await db.status().appliedMigrations == SQLiteStore.migrationNames)
        // v4 filled the insights' columns from the stored records.
        let cells = try await db.rootCauseCells(.channel, since: nil)
        #expect(cells.reduce(0) { $0 + $1.returns } == 2)
        #expect(Set(cells.map(\.value)) == [ReturnFacts(record: record("OLD-1"), labels: nil).channel])
        let weeks = try await db.leakage(.week, since: nil)
        #expect(
            weeks.map(\.key) == [
                Day(daysSinceEpoch: record("OLD-1").returnRequestedDate.daysSinceEpoch - record("OLD-1").returnRequestedDate.weekday).description
            ]
        )
        // v5 filled the running totals: the leakage rows and cycle times count both returns.
        #expect(try await db.leakage(.disposition, since: nil).map(\.returns) == [2])
        let arrivals = try await db.cycleTimes(since: nil, now: t0).flatMap(\.stages).filter { $0.stage == .requestedToReceived }
        #expect(arrivals.reduce(0) { $0 + $1.count } == 2)
        let old = try #require(try await db.detail(returnID: "OLD-2", now: t0).queue)
        #expect(old.rank.key == 1.2 && old.rank.changes.isEmpty)
        // Re-scored even by the model that scored them, since their rank has no terms.
        let candidates = try await db.returnsToReassess(notScoredBy: "m1", limit: 10, now: t0)
        #expect(Set(candidates.map(\.record.returnID)) == ["OLD-1", "OLD-2"])
        #expect(
            try await db.claim(lane: "standard", warehouseID: "WH1", stationID: "S", count: 2, leaseSeconds: 60, now: t0).items.map(\.returnID) == [
                "OLD-2", "OLD-1",
            ]
        )
    }

    /// It read the key back by the last inserted row id, which its own audit row had replaced: on a store with more
    /// audit rows than keys (any store that had taken returns) the server crashed creating its first key.
    @Test("a key created after returns were stored is the key just inserted", arguments: Backend.enabled)
    func keyAfterReturns(_ backend: Backend) async throws {
        try await backend.withStore { db in
            _ = try await db.ingest((1...5).map { newReturn("K-\($0)") }, now: t0, actor: "test")
            let first = try await db.insertKey(prefix: "aaaaaaaaaaaa", secretHash: "h1", role: .admin, label: "first", now: t0)
            let second = try await db.insertKey(prefix: "bbbbbbbbbbbb", secretHash: "h2", role: .risk, label: "second", now: t0)
            #expect(first.prefix == "aaaaaaaaaaaa" && first.role == .admin)
            #expect(second.prefix == "bbbbbbbbbbbb" && second.role == .risk)
        }
    }

    @Test("insights count what is stored: a completed inspection's value and disposition reach leakage and root causes", arguments: Backend.enabled)
    func insightsCounts(_ backend: Backend) async throws {
        try await backend.withStore { db in
            let terms = RankTerms(
                valueLossPerDay: 2.5,
                fraudLossPerDay: 0,
                lateLossPerDay: 1,
                inspectionMinutes: 5,
                refundAt: t0 + 5 * 86_400,
                dueAt: t0 + 72 * 3600
            )
            let ranked = QueueRank(key: 1, changes: [], terms: terms, serviceLevelHours: 72)
            _ = try await db.ingest(
                [newReturn("I-1", rank: ranked), newReturn("I-2", rank: ranked), newReturn("I-3", warehouse: "WH2", rank: ranked)],
                now: t0,
                actor: nil
            )
            let claim = try await db.claim(lane: "standard", warehouseID: "WH1", stationID: "S1", count: 1, leaseSeconds: 60, now: t0)
            let id = try #require(claim.items.first?.returnID)
            let outcome = InspectionOutcome(grade: .b, disposition: .outlet, recoveryValue: 15, fraudConfirmed: false, notes: nil)
            try await db.completeInspection(returnID: id, token: claim.token, outcome: outcome, now: t0 + 10)
            let byDisposition = try await db.leakage(.disposition, since: nil)
            let outlet = try #require(byDisposition.first { $0.key == "outlet" })
            #expect(outlet.returns == 1 && outlet.inspected == 1 && outlet.refunded == 40 && outlet.recovered == 15 && outlet.leakage == 25)
            #expect(byDisposition.first { $0.key == LeakageGrouping.notInspected }?.returns == 2)
            let byWarehouse = try await db.rootCauseCells(.warehouseID, since: nil)
            #expect(byWarehouse.reduce(0) { $0 + $1.returns } == 3)
            #expect(byWarehouse.reduce(0) { $0 + $1.money } == 3 * 40 - 15)
            let storedOn = Day(containingSecondsSinceEpoch: t0.timeIntervalSince1970)
            #expect(try await db.rootCauseCells(.warehouseID, since: storedOn).count == byWarehouse.count)
            #expect(try await db.rootCauseCells(.warehouseID, since: storedOn + 1).isEmpty)  // stored before the window
            #expect(try await db.leakage(.channel, since: storedOn + 1).isEmpty)
            // The value it lost waiting 10 s, by its rank's decay model; its cycle times in its warehouse and lane.
            let rank = try #require(try await db.detail(returnID: id, now: t0 + 10).queue?.rank)
            let lost = try #require(outlet.lostToWaiting)
            #expect(abs(lost - rank.terms.valueLost(from: t0, to: t0 + 10)) < 1e-9 && abs(lost - 2.5 * 10 / 86_400) < 1e-9)
            let cycles = try await db.cycleTimes(since: nil, now: t0 + 10)
            let standard = try #require(cycles.first { $0.warehouseID == "WH1" && $0.lane == "standard" })
            #expect(standard.stages.map(\.stage) == CycleStage.allCases)
            #expect(standard.stages.first { $0.stage == .requestedToReceived }?.count == 2)
            #expect(standard.stages.first { $0.stage == .receivedToInspected }?.count == 1)
            #expect(standard.inspectedPastServiceLevel == 0 && standard.waitingPastServiceLevel == 0)
            let inspected = try #require(standard.stages.first { $0.stage == .receivedToInspected }?.medianHours)
            #expect(abs(inspected * 3600 - 10) / 10 < 0.023)  // 10 s, to the histogram's 2.2%
            #expect(
                try await db.cycleTimes(since: nil, now: t0 + 30 * 86_400).first { $0.lane == "standard" && $0.warehouseID == "WH1" }?
                    .waitingPastServiceLevel == 1
            )
        }
    }

    @Test("a file database is in WAL mode, creates its folder and keeps data across reopen")
    func fileDatabaseIsWAL() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("recoup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("nested/recoup.sqlite").path
        do {
            let db = try SQLiteStore.open(path: path)
            #expect(try await db.status().journalMode == "wal")
            try await db.recordStart(version: "test", at: Date())
        }
        let reopened = try SQLiteStore.open(path: path)
        #expect(try await reopened.startCount() == 1)
    }

    @Test("an unopenable path gives an error naming it")
    func unopenable() {
        #expect {
            _ = try SQLiteStore.open(path: "/proc/recoup-cannot/db.sqlite")
        } throws: { error in
            "\(error)".contains("/proc/recoup-cannot/db.sqlite")
        }
    }

    @Test("flags stored before their kinds were kept get them from their reasons; the risk filter finds them")
    func flagKindsBackfill() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("recoup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("v6.sqlite").path
        let flags: [(String, [String])] = [
            ("K-1", ["fraud risk 71% is at or above the 40% threshold", "serial number does not match the one shipped"]),
            ("K-2", ["weighs 35% less than declared (0.65 kg against 1 kg)"]),
            ("K-3", ["customer returned 9 of 10 orders in 12 months (90%)"]),
        ]
        do {
            let queue = try DatabaseQueue(path: path)
            try SQLiteStore.migrator.migrate(queue, upTo: "v6-monitoring")
            try await queue.write { db in
                for (id, reasons) in flags {
                    try db.execute(
                        literal: """
                            INSERT INTO returnItem (id, record, payloadHash, warehouseID, category, reasonCode, refundAmount, createdAt)
                            VALUES (\(id), \(Data(record(id).json())), 'h', 'WH1', 'apparel', 'size_fit', 40, 0)
                            """
                    )
                    try db.execute(
                        literal: """
                            INSERT INTO anomaly (returnID, status, risk, exposure, reasons, warehouseID, flaggedAt)
                            VALUES (\(id), 'open', 0.5, 20, \(try JSONEncoder().encode(reasons)), 'WH1', 0)
                            """
                    )
                }
            }
        }
        let db = try SQLiteStore.open(path: path)
        let all = try await db.anomalies(AnomalyQuery())
        #expect(
            Dictionary(uniqueKeysWithValues: all.map { ($0.returnID, $0.kinds) }) == [
                "K-1": [.fraudRisk, .serialMismatch], "K-2": [.weightDeviation], "K-3": [.customerReturnRate],
            ]
        )
        #expect(try await db.anomalies(AnomalyQuery(kind: .serialMismatch)).map(\.returnID) == ["K-1"])
        #expect(try await db.anomalies(AnomalyQuery(kind: .customerReturnRate)).map(\.returnID) == ["K-3"])
    }
}
