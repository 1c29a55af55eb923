internal import ArgumentParser
internal import Foundation
internal import GRDB
internal import RecoupCore
internal import RecoupSQLite
internal import RecoupStore
internal import RecoupTraining

/// `recoup-bench insights-store`: fills a SQLite store with a year of generated returns (planted problems included)
/// through the store's own ingest, claims and inspections, so that `benchmarks/bench_insights.py` can time the
/// insights routes of `recoup serve` on a store of that size. Each day's returns arrive that day; each day stations
/// claim, per warehouse, the top items of the backlog (by value) as many as 60% of the day's arrivals, and inspect
/// them, with the generator's labels as the outcome. The fill turns off fsync (`synchronous = OFF`), since a crash
/// would only mean running it again; every write goes through the store's SQL.
struct InsightsStore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "insights-store",
        abstract: "Fill a SQLite store with a year of generated returns and inspections for the insights route benchmark."
    )

    @Option(help: "Returns to store.") var rows: Int = 1_000_000
    @Option(help: "The SQLite file (created).") var db: String
    @Option(help: "Generator seed.") var seed: UInt64 = 7
    @Option(help: "Share of each day's arrivals inspected that day (the backlog's most valuable first).") var inspected: Double = 0.6
    @Option(help: "Days the returns arrive over, ending today.") var days: Int = 365

    func run() async throws {
        let start = ContinuousClock.now
        let returns = SyntheticReturns.generate(rows: rows, seed: seed, plantProblems: true)
        let labels = Dictionary(uniqueKeysWithValues: returns.map { ($0.record.returnID, $0.labels) })
        var configuration = GRDB.Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = OFF") }
        let store = try SQLiteStore(DatabasePool(path: db, configuration: configuration), path: db)
        let lane = LaneName(rawValue: "standard")!
        let firstDay = (Date().timeIntervalSince1970 / 86_400).rounded(.down) - Double(days - 1)
        let perDay = (returns.count + days - 1) / days
        var completed = 0
        for day in 0..<days {
            let dayStart = Date(timeIntervalSince1970: (firstDay + Double(day)) * 86_400)
            let arrivals = returns.dropFirst(day * perDay).prefix(perDay)
            guard !arrivals.isEmpty else { break }
            let now = dayStart.addingTimeInterval(3_600)
            _ = try await store.ingest(arrivals.map { Self.newReturn($0, lane: lane, now: now) }, now: now, actor: "bench")
            // The day's inspections, warehouse by warehouse, from 08:00 on, one a minute per warehouse.
            let quota = Dictionary(grouping: arrivals, by: \.record.warehouseID).mapValues { Int((Double($0.count) * inspected).rounded()) }
            for (warehouse, count) in quota.sorted(by: { $0.key < $1.key }) {
                let claimAt = dayStart.addingTimeInterval(8 * 3_600)
                let claim = try await store.claim(
                    ClaimRequest(lane: lane, warehouseID: warehouse, stationID: "bench-\(warehouse)", count: count, leaseSeconds: 86_400),
                    token: UUID().uuidString.lowercased(),
                    now: claimAt
                )
                for (i, item) in claim.items.enumerated() {
                    let label = labels[item.returnID]!
                    let outcome = InspectionOutcome(
                        grade: nil,
                        disposition: label.disposition,
                        recoveryValue: label.recoveryValue,
                        fraudConfirmed: false,
                        notes: nil
                    )
                    try await store.completeInspection(
                        returnID: item.returnID,
                        token: claim.token,
                        outcome: outcome,
                        now: claimAt.addingTimeInterval(Double(i + 1) * 60)
                    )
                    completed += 1
                }
            }
        }
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        print("{\"rows\": \(rows), \"days\": \(days), \"inspected\": \(completed), \"seconds\": \(seconds)}")
    }

    /// A generated return as the scoring layer would hand it to the store: in the standard lane, ranked by the value
    /// it loses per inspection minute (1% a day, 2% more a day past a 72-hour service level).
    static func newReturn(_ item: LabelledReturn, lane: LaneName, now: Date) -> NewReturn {
        let value = item.labels.recoveryValue
        let terms = RankTerms(
            valueLossPerDay: value * 0.01,
            fraudLossPerDay: 0,
            lateLossPerDay: value * 0.02,
            inspectionMinutes: 5,
            refundAt: now.addingTimeInterval(7 * 86_400),
            dueAt: now.addingTimeInterval(72 * 3_600)
        )
        let rank = QueueRank(
            key: terms.valueLossPerDay / 5,
            changes: [QueueRank.Change(at: terms.dueAt, key: (terms.valueLossPerDay + terms.lateLossPerDay) / 5)],
            terms: terms,
            serviceLevelHours: 72
        )
        return NewReturn(
            record: item.record,
            recordJSON: item.record.json(),
            payloadHash: "bench",
            assessment: StoredAssessment(
                modelVersion: "bench",
                disposition: item.labels.disposition,
                fraudRisk: 0.01,
                recoveryValue: value,
                lane: lane,
                rank: rank,
                anomalies: [],
                exposure: 0,
                payload: Data("{}".utf8),
                predictions: .certain(item.labels.disposition, fraudRisk: 0.01, recoveryValue: value)
            )
        )
    }
}
