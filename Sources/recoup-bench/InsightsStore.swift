internal import ArgumentParser
internal import Foundation
internal import GRDB
internal import RecoupCore
internal import RecoupSQLite
internal import RecoupStore
internal import RecoupTraining

/// `recoup-bench insights-store`: fills a SQLite store with generated returns (planted problems included) through
/// the store's own ingest, and records an inspection for a share of them, so that `benchmarks/bench_insights.py` can
/// time the insights routes of `recoup serve` on a store of that size. The data preparation is the only part here;
/// what is measured is the served route.
struct InsightsStore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "insights-store",
        abstract: "Fill a SQLite store with generated returns and inspections for the insights route benchmark."
    )

    @Option(help: "Returns to store.") var rows: Int = 1_000_000
    @Option(help: "The SQLite file (created).") var db: String
    @Option(help: "Generator seed.") var seed: UInt64 = 7
    @Option(help: "Share of the returns with an inspection (their labels as its outcome).") var inspected: Double = 0.6

    func run() async throws {
        let start = ContinuousClock.now
        let returns = SyntheticReturns.generate(rows: rows, seed: seed, plantProblems: true)
        let store = try SQLiteStore.open(path: db)
        let now = Date()
        for batchStart in stride(from: 0, to: returns.count, by: 5_000) {
            let batch = returns[batchStart..<min(batchStart + 5_000, returns.count)].map { item in
                NewReturn(
                    record: item.record,
                    recordJSON: item.record.json(),
                    payloadHash: "bench",
                    assessment: StoredAssessment(
                        modelVersion: "bench",
                        disposition: item.labels.disposition,
                        fraudRisk: 0.01,
                        recoveryValue: item.labels.recoveryValue,
                        lane: LaneName(rawValue: "standard")!,
                        rank: .unexplained(key: item.labels.recoveryValue, serviceLevelHours: 72, enqueuedAt: now),
                        anomalyReasons: [],
                        exposure: 0,
                        payload: Data("{}".utf8)
                    )
                )
            }
            _ = try await store.ingest(batch, now: now, actor: "bench")
        }
        let ingested = ContinuousClock.now - start
        // Inspections straight into the table (the claim-and-complete path is not what this benchmark measures).
        let pool = try DatabasePool(path: db)
        let t = now.timeIntervalSince1970
        try await pool.write { db in
            let statement = try db.makeStatement(
                sql: """
                    INSERT INTO inspection (returnID, grade, disposition, recoveryValue, fraudConfirmed, notes, stationID, inspectedAt)
                    VALUES (?, NULL, ?, ?, 0, NULL, 'bench', ?)
                    """
            )
            for (i, item) in returns.enumerated() where Double(i % 1000) < inspected * 1000 {
                try statement.execute(arguments: [item.record.returnID, item.labels.disposition.rawValue, item.labels.recoveryValue, t])
            }
            try db.execute(
                sql: """
                    UPDATE returnItem SET recovered = i.recoveryValue, inspectedDisposition = i.disposition
                    FROM inspection i WHERE i.returnID = returnItem.id
                    """
            )
            // Out of the queue, so that the server's re-scoring after its model loads has nothing to do while timed.
            try db.execute(sql: "UPDATE queueEntry SET state = ?, completedAt = ?", arguments: [QueueState.completed.rawValue, t])
        }
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        print("{\"rows\": \(rows), \"seconds\": \(seconds), \"ingest_seconds\": \(ingested / .seconds(1))}")
    }
}
