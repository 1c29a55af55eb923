package import Foundation
internal import GRDB
package import RecoupCore
internal import RecoupInsights
package import RecoupStore

extension SQLiteStore {
    package func ingest(_ batch: [NewReturn], now: Date, actor: String?) async throws -> [IngestOutcome] {
        try await writer.write { db in
            var outcomes: [IngestOutcome] = []
            outcomes.reserveCapacity(batch.count)
            let t = now.storedSeconds
            let day = Day(containingSecondsSinceEpoch: t)
            var stored: [ReturnFacts] = []
            var cycles: [CycleRollupKey: CycleCounts] = [:]
            var profiles: [String: ProfileTotals] = [:]
            var predicted: [Disposition: Int] = [:]
            for item in batch {
                let id = item.record.returnID
                if let existing = try db.value("SELECT payloadHash FROM returnItem WHERE id = \(id)", as: String.self) {
                    outcomes.append(
                        existing == item.payloadHash ? .duplicate(assessment: try latestAssessment(db, returnID: id)) : .conflict(returnID: id)
                    )
                    continue
                }
                let a = item.assessment
                let record = item.record
                let facts = ReturnFacts(record: record, labels: nil)  // what the insights' running totals count
                try db.execute(
                    literal: """
                        INSERT INTO returnItem (id, record, payloadHash, warehouseID, category, reasonCode, refundAmount, createdAt)
                        VALUES (\(id), \(Data(item.recordJSON)), \(item.payloadHash), \(record.warehouseID),
                            \(ReturnRecord.normalized(record.category)), \(record.reasonCode.rawValue), \(record.refundAmount), \(t))
                        """
                )
                try insertAssessment(db, returnID: id, a, at: t)
                predicted[a.disposition, default: 0] += 1
                try db.execute(
                    literal: """
                        INSERT INTO queueEntry (returnID, lane, warehouseID, state, serviceLevelHours, rank, rankKey, rerankAt,
                            recoveryValue, enqueuedAt)
                        VALUES (\(id), \(a.lane), \(record.warehouseID), \(QueueState.queued), \(a.rank.serviceLevelHours),
                            \(a.rank.storedBytes()), \(a.rank.key(at: now)), \(a.rank.nextChange(after: now)?.storedSeconds),
                            \(a.recoveryValue), \(t))
                        """
                )
                if !a.anomalies.isEmpty {
                    try db.execute(
                        literal: """
                            INSERT INTO anomaly (returnID, status, risk, exposure, reasons, kinds, warehouseID, flaggedAt)
                            VALUES (\(id), \(AnomalyStatus.open), \(a.fraudRisk), \(a.exposure),
                                \(try JSONEncoder().encode(a.anomalies.map(\.reason))), \(AnomalyFlag.Kind.mask(a.anomalies.map(\.kind))),
                                \(record.warehouseID), \(t))
                            """
                    )
                }
                try audit(db, id, .ingested, actor: actor, detail: "lane \(a.lane), model \(a.modelVersion)", at: t)
                outcomes.append(.created(assessment: a.payload))
                stored.append(facts)
                let queue = StoredQueueTimes(
                    lane: a.lane.rawValue,
                    warehouseID: record.warehouseID,
                    serviceLevelHours: a.rank.serviceLevelHours,
                    enqueuedAt: t
                )
                cycles.addArrival(of: facts, queue: queue, day: day)
                for p in item.profiles {
                    profiles[p.modelVersion, default: ProfileTotals(modelVersion: p.modelVersion)].counts.add(p.cells)
                }
                if let shadow = item.shadow {
                    try db.execute(
                        literal: """
                            INSERT INTO shadowAssessment (returnID, modelVersion, predictions, createdAt)
                            VALUES (\(id), \(shadow.modelVersion), \(shadow.predictions.storedBytes()), \(t))
                            """
                    )
                }
            }
            try Self.add(profiles.values, on: day, db)
            try Self.movePredicted(predicted, db)
            try Self.apply(RollupChange.stored(stored, on: day), db)
            try Self.apply(cycles, db)
            try Self.record(stored.compactMap(CustomerHistory.init), db)
            return outcomes
        }
    }

    package func detail(returnID: String, now: Date) async throws -> ReturnDetail {
        try await writer.read { db in
            guard let stored = try db.value("SELECT record FROM returnItem WHERE id = \(returnID)", as: Data.self) else {
                throw StoreError.returnNotFound(returnID)
            }
            let history = try db.rows("SELECT kind, actor, detail, at FROM auditEvent WHERE returnID = \(returnID) ORDER BY id").map { row in
                AuditEntry(kind: try row.required("kind"), actor: row["actor"], detail: row["detail"], at: row.date("at"))
            }
            return ReturnDetail(
                record: try record(stored, returnID: returnID),
                assessment: try latestAssessment(db, returnID: returnID),
                queue: try queuePosition(db, returnID: returnID, now: now),
                inspection: try inspection(db, returnID: returnID),
                history: history,
                authorization: try storedAuthorization(db, returnID: returnID, receiptAsOf: nil)
            )
        }
    }

    package func reassess(returnID: String, _ a: StoredAssessment, now: Date) async throws -> Bool {
        try await writer.write { db in
            let t = now.storedSeconds
            guard
                try db.value(
                    """
                    SELECT 1 FROM queueEntry
                    WHERE returnID = \(returnID) AND (state = \(QueueState.queued) OR (state = \(QueueState.leased) AND leaseExpiresAt <= \(t)))
                    """,
                    as: Bool.self
                ) != nil
            else { return false }
            let previous = try db.value(
                "SELECT disposition FROM assessment WHERE returnItemId = \(returnID) ORDER BY id DESC LIMIT 1",
                as: Disposition.self
            )
            try insertAssessment(db, returnID: returnID, a, at: t)
            var moved = [a.disposition: 1]
            if let previous { moved[previous, default: 0] -= 1 }
            try Self.movePredicted(moved, db)
            try db.execute(
                literal: """
                    UPDATE queueEntry SET lane = \(a.lane), state = \(QueueState.queued), claimToken = NULL, stationID = NULL,
                        leaseExpiresAt = NULL, serviceLevelHours = \(a.rank.serviceLevelHours), rank = \(a.rank.storedBytes()),
                        rankKey = \(a.rank.key(at: now)), rerankAt = \(a.rank.nextChange(after: now)?.storedSeconds),
                        recoveryValue = \(a.recoveryValue)
                    WHERE returnID = \(returnID)
                    """
            )
            try audit(db, returnID, .reassessed, actor: nil, detail: "lane \(a.lane), model \(a.modelVersion)", at: t)
            return true
        }
    }

    package func returnsToReassess(notScoredBy modelVersion: String, limit: Int, now: Date) async throws -> [ReassessCandidate] {
        let t = now.storedSeconds
        return try await writer.read { db in
            try db.rows(
                """
                SELECT q.returnID, q.enqueuedAt, r.record FROM queueEntry q JOIN returnItem r ON r.id = q.returnID
                WHERE (q.state = \(QueueState.queued) OR (q.state = \(QueueState.leased) AND q.leaseExpiresAt <= \(t))) AND (
                    q.rank IS NULL
                    OR (SELECT a.modelVersion FROM assessment a WHERE a.returnItemId = q.returnID ORDER BY a.id DESC LIMIT 1) != \(modelVersion)
                )
                ORDER BY q.enqueuedAt LIMIT \(limit)
                """
            ).map { row in
                ReassessCandidate(record: try record(row["record"], returnID: row["returnID"]), enqueuedAt: row.date("enqueuedAt"))
            }
        }
    }

    package func inspectedReturns() async throws -> [LabelledReturn] {
        try await writer.read { db in
            try db.rows(
                """
                SELECT r.id, r.record, i.disposition, i.recoveryValue,
                    (i.fraudConfirmed OR COALESCE(a.status = \(AnomalyStatus.confirmedFraud), 0)) AS fraud
                FROM inspection i JOIN returnItem r ON r.id = i.returnID LEFT JOIN anomaly a ON a.returnID = i.returnID
                ORDER BY i.inspectedAt, i.returnID
                """
            ).map { row in
                LabelledReturn(
                    record: try record(row["record"], returnID: row["id"]),
                    labels: ReturnLabels(disposition: try row.required("disposition"), fraudFlag: row["fraud"], recoveryValue: row["recoveryValue"])
                )
            }
        }
    }

    // MARK: - Shared pieces

    /// A stored record, read back through the one JSON decoding path.
    func record(_ json: Data, returnID: String) throws -> ReturnRecord {
        do {
            return try ReturnJSONReader.record(Array(json))
        } catch {
            throw StoreError.corrupt("the stored record of return \(returnID) does not read back: \(error)")
        }
    }

    /// Moves the running counts of the returns' latest predicted dispositions (the summary's mix) by some changes,
    /// one statement per disposition.
    static func movePredicted(_ changes: [Disposition: Int], _ db: Database) throws {
        for (disposition, change) in changes where change != 0 {
            try db.execute(
                literal: """
                    INSERT INTO predictedDisposition (disposition, count) VALUES (\(disposition), \(change))
                    ON CONFLICT (disposition) DO UPDATE SET count = count + \(change)
                    """
            )
        }
    }

    /// Writes an assessment: it becomes the return's latest (the caller moves the predicted counts).
    func insertAssessment(_ db: Database, returnID: String, _ a: StoredAssessment, at t: Double) throws {
        try db.execute(
            literal: """
                INSERT INTO assessment (returnItemId, modelVersion, disposition, fraudRisk, recoveryValue, lane, anomaly, payload,
                    predictions, createdAt)
                VALUES (\(returnID), \(a.modelVersion), \(a.disposition), \(a.fraudRisk), \(a.recoveryValue), \(a.lane),
                    \(!a.anomalies.isEmpty), \(a.payload), \(a.predictions.storedBytes()), \(t))
                """
        )
    }

    /// The JSON of a return's latest assessment.
    func latestAssessment(_ db: Database, returnID: String) throws -> Data {
        try latestAssessmentVersion(db, returnID: returnID).payload
    }

    /// A return's latest assessment: the model that made it and its JSON.
    func latestAssessmentVersion(_ db: Database, returnID: String) throws -> (modelVersion: String, payload: Data) {
        guard
            let row = try db.row("SELECT modelVersion, payload FROM assessment WHERE returnItemId = \(returnID) ORDER BY id DESC LIMIT 1")
        else { throw StoreError.corrupt("return \(returnID) has no assessment") }
        return (row["modelVersion"], row["payload"])
    }

    func queuePosition(_ db: Database, returnID: String, now: Date) throws -> QueuePosition? {
        guard let row = try db.row("SELECT * FROM queueEntry WHERE returnID = \(returnID)") else { return nil }
        var state: QueueState = try row.required("state")
        let expires = row.optionalDate("leaseExpiresAt")
        if state == .leased, let expires, expires <= now { state = .queued }
        return QueuePosition(
            lane: try row.required("lane"),
            warehouseID: row["warehouseID"],
            state: state,
            rank: try rank(row),
            enqueuedAt: row.date("enqueuedAt"),
            leaseExpiresAt: state == .leased ? expires : nil,
            stationID: state == .leased ? row["stationID"] : nil,
            completedAt: row.optionalDate("completedAt"),
            claimCount: row["claimCount"]
        )
    }

    /// The rank of a queue row (columns `returnID`, `rank`, `rankKey`, `serviceLevelHours`, `enqueuedAt`).
    func rank(_ row: Row) throws -> QueueRank {
        guard let stored = row["rank"] as Data? else {
            return .unexplained(key: row["rankKey"], serviceLevelHours: row["serviceLevelHours"], enqueuedAt: row.date("enqueuedAt"))
        }
        return try QueueRank(storedBytes: stored, returnID: row["returnID"])
    }

    /// Moves every item whose rank changes by `now` (its refund issued, its service level passed) to the key in force.
    func applyRankChanges(_ db: Database, now: Date) throws -> Int {
        let due = try db.rows("SELECT returnID, rank FROM queueEntry WHERE rerankAt <= \(now.storedSeconds)")
        for row in due {
            let id: String = row["returnID"]
            guard let stored = row["rank"] as Data? else { continue }
            let rank = try QueueRank(storedBytes: stored, returnID: id)
            try db.execute(
                literal: """
                    UPDATE queueEntry SET rankKey = \(rank.key(at: now)), rerankAt = \(rank.nextChange(after: now)?.storedSeconds)
                    WHERE returnID = \(id)
                    """
            )
        }
        return due.count
    }

    func inspection(_ db: Database, returnID: String) throws -> InspectionOutcome? {
        guard let row = try db.row("SELECT * FROM inspection WHERE returnID = \(returnID)") else { return nil }
        return InspectionOutcome(
            grade: try (row["grade"] as String?).map { _ in try row.required("grade") },
            disposition: try row.required("disposition"),
            recoveryValue: row["recoveryValue"],
            fraudConfirmed: row["fraudConfirmed"],
            notes: row["notes"]
        )
    }
}
