package import Foundation
internal import GRDB
package import RecoupCore

extension ReturnsDatabase {
    /// Stores, assesses and enqueues a batch of returns in one transaction.
    ///
    /// Idempotent on `return_id`: a return already stored with the same payload hash is a ``IngestOutcome/duplicate(assessment:)``
    /// (its stored assessment is returned unchanged, nothing is written); with another hash it is a
    /// ``IngestOutcome/conflict(returnID:)``. Anomalies open a risk-review flag. Every insert writes an audit row.
    package func ingest(_ batch: [NewReturn], now: Date, actor: String?) async throws -> [IngestOutcome] {
        let encoder = JSONEncoder()
        return try await writer.write { db in
            var outcomes: [IngestOutcome] = []
            outcomes.reserveCapacity(batch.count)
            for item in batch {
                let id = item.record.returnID
                if let existing = try Row.fetchOne(
                    db, sql: "SELECT payloadHash FROM returnItem WHERE id = ?", arguments: [id])
                {
                    if (existing["payloadHash"] as String) == item.payloadHash {
                        outcomes.append(.duplicate(assessment: try latestAssessment(db, returnID: id)))
                    } else {
                        outcomes.append(.conflict(returnID: id))
                    }
                    continue
                }
                let a = item.assessment
                let t = now.storedSeconds
                try db.execute(
                    sql: """
                        INSERT INTO returnItem (id, record, payloadHash, warehouseID, category, reasonCode, refundAmount, createdAt)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        id, try encoder.encode(item.record), item.payloadHash, item.record.warehouseID,
                        ReturnRecord.normalized(item.record.category), item.record.reasonCode.rawValue,
                        item.record.refundAmount, t,
                    ])
                try insertAssessment(db, returnID: id, a, at: t)
                try db.execute(
                    sql: """
                        INSERT INTO queueEntry (returnID, lane, warehouseID, state, urgency, agingWeight, serviceLevelHours,
                            rankKey, recoveryValue, enqueuedAt)
                        VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        id, a.lane, item.record.warehouseID, a.urgency, a.agingWeight, a.serviceLevelHours,
                        rankKey(a, enqueuedAt: t), a.recoveryValue, t,
                    ])
                if !a.anomalyReasons.isEmpty {
                    try db.execute(
                        sql: """
                            INSERT INTO anomaly (returnID, status, risk, exposure, reasons, warehouseID, flaggedAt)
                            VALUES (?, 'open', ?, ?, ?, ?, ?)
                            """,
                        arguments: [id, a.fraudRisk, a.exposure, try encoder.encode(a.anomalyReasons), item.record.warehouseID, t])
                }
                try audit(db, id, "ingested", actor: actor, detail: "lane \(a.lane), model \(a.modelVersion)", at: t)
                outcomes.append(.created(assessment: a.payload))
            }
            return outcomes
        }
    }

    /// The record, latest assessment, queue state, inspection and history of a return.
    /// - Throws: ``StoreError/returnNotFound(_:)``.
    package func detail(returnID: String, now: Date) async throws -> ReturnDetail {
        try await writer.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT record FROM returnItem WHERE id = ?", arguments: [returnID]) else {
                throw StoreError.returnNotFound(returnID)
            }
            let record = try JSONDecoder().decode(ReturnRecord.self, from: row["record"] as Data)
            let history = try Row.fetchAll(
                db, sql: "SELECT kind, actor, detail, at FROM auditEvent WHERE returnID = ? ORDER BY id", arguments: [returnID]
            ).map { AuditEntry(kind: $0["kind"], actor: $0["actor"], detail: $0["detail"], at: Date(storedSeconds: $0["at"])) }
            return ReturnDetail(
                record: record, assessment: try latestAssessment(db, returnID: returnID),
                queue: try queueState(db, returnID: returnID, now: now),
                inspection: try inspection(db, returnID: returnID), history: history)
        }
    }

    /// Replaces the assessment of a queued (not leased, not completed) return, keeping its place in time: used to
    /// re-score the queue after a model swap. Returns `false` when the item is no longer queued.
    package func reassess(returnID: String, _ a: StoredAssessment, now: Date) async throws -> Bool {
        try await writer.write { db in
            let t = now.storedSeconds
            guard let entry = try Row.fetchOne(
                db,
                sql: """
                    SELECT enqueuedAt FROM queueEntry
                    WHERE returnID = ? AND (state = 'queued' OR (state = 'leased' AND leaseExpiresAt <= ?))
                    """,
                arguments: [returnID, t])
            else { return false }
            let enqueuedAt: Double = entry["enqueuedAt"]
            try insertAssessment(db, returnID: returnID, a, at: t)
            try db.execute(
                sql: """
                    UPDATE queueEntry SET lane = ?, state = 'queued', claimToken = NULL, stationID = NULL, leaseExpiresAt = NULL,
                        urgency = ?, agingWeight = ?, serviceLevelHours = ?, rankKey = ?, recoveryValue = ?
                    WHERE returnID = ?
                    """,
                arguments: [
                    a.lane, a.urgency, a.agingWeight, a.serviceLevelHours, rankKey(a, enqueuedAt: enqueuedAt),
                    a.recoveryValue, returnID,
                ])
            try audit(db, returnID, "reassessed", actor: nil, detail: "lane \(a.lane), model \(a.modelVersion)", at: t)
            return true
        }
    }

    /// Records of queued returns (not leased, not completed) scored by a model other than `modelVersion`, oldest
    /// first, for background re-scoring after a model swap.
    package func returnsToReassess(notScoredBy modelVersion: String, limit: Int, now: Date) async throws -> [ReturnRecord] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT r.record FROM queueEntry q JOIN returnItem r ON r.id = q.returnID
                    WHERE (q.state = 'queued' OR (q.state = 'leased' AND q.leaseExpiresAt <= ?)) AND (
                        SELECT a.modelVersion FROM assessment a WHERE a.returnItemId = q.returnID ORDER BY a.id DESC LIMIT 1
                    ) != ?
                    ORDER BY q.enqueuedAt LIMIT ?
                    """,
                arguments: [now.storedSeconds, modelVersion, limit]
            ).map { try JSONDecoder().decode(ReturnRecord.self, from: $0["record"] as Data) }
        }
    }

    // MARK: - Shared pieces

    func rankKey(_ a: StoredAssessment, enqueuedAt: Double) -> Double {
        a.urgency - a.agingWeight * (enqueuedAt / 3600) / a.serviceLevelHours
    }

    func insertAssessment(_ db: Database, returnID: String, _ a: StoredAssessment, at t: Double) throws {
        try db.execute(
            sql: """
                INSERT INTO assessment (returnItemId, modelVersion, disposition, fraudRisk, recoveryValue, lane, anomaly, payload, createdAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                returnID, a.modelVersion, a.disposition, a.fraudRisk, a.recoveryValue, a.lane, !a.anomalyReasons.isEmpty,
                a.payload, t,
            ])
    }

    func latestAssessment(_ db: Database, returnID: String) throws -> Data {
        guard let payload = try Data.fetchOne(
            db, sql: "SELECT payload FROM assessment WHERE returnItemId = ? ORDER BY id DESC LIMIT 1", arguments: [returnID])
        else { throw StoreError.corrupt("return \(returnID) has no assessment") }
        return payload
    }

    func audit(_ db: Database, _ returnID: String?, _ kind: String, actor: String?, detail: String?, at t: Double) throws {
        try db.execute(
            sql: "INSERT INTO auditEvent (returnID, kind, actor, detail, at) VALUES (?, ?, ?, ?, ?)",
            arguments: [returnID, kind, actor, detail, t])
    }

    func queueState(_ db: Database, returnID: String, now: Date) throws -> QueueState? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM queueEntry WHERE returnID = ?", arguments: [returnID]) else {
            return nil
        }
        let t = now.storedSeconds
        var state: String = row["state"]
        let expires: Double? = row["leaseExpiresAt"]
        if state == "leased", let e = expires, e <= t { state = "queued" }
        let enqueuedAt: Double = row["enqueuedAt"]
        let rankKey: Double = row["rankKey"]
        let agingWeight: Double = row["agingWeight"]
        let sla: Double = row["serviceLevelHours"]
        return QueueState(
            lane: row["lane"], warehouseID: row["warehouseID"], state: state,
            priority: rankKey + agingWeight * (t / 3600) / sla,
            enqueuedAt: Date(storedSeconds: enqueuedAt),
            leaseExpiresAt: state == "leased" ? expires.map(Date.init(storedSeconds:)) : nil,
            stationID: state == "leased" ? row["stationID"] : nil,
            completedAt: (row["completedAt"] as Double?).map(Date.init(storedSeconds:)),
            claimCount: row["claimCount"])
    }

    func inspection(_ db: Database, returnID: String) throws -> InspectionOutcome? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM inspection WHERE returnID = ?", arguments: [returnID]) else {
            return nil
        }
        guard let disposition = Disposition(rawValue: row["disposition"]) else {
            throw StoreError.corrupt("inspection of \(returnID) has disposition \(String(describing: row["disposition"]))")
        }
        return InspectionOutcome(
            grade: row["grade"], disposition: disposition, recoveryValue: row["recoveryValue"],
            fraudConfirmed: row["fraudConfirmed"], notes: row["notes"])
    }
}

extension ReturnsDatabase {
    /// Every inspected return with its labels, oldest inspection first: the training data the inspection floor
    /// produced. Fraud is confirmed at the station or by the risk team's review.
    package func inspectedReturns() async throws -> [LabelledReturn] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT r.record, i.disposition, i.recoveryValue,
                        (i.fraudConfirmed OR COALESCE(a.status = 'confirmed_fraud', 0)) AS fraud
                    FROM inspection i JOIN returnItem r ON r.id = i.returnID LEFT JOIN anomaly a ON a.returnID = i.returnID
                    ORDER BY i.inspectedAt, i.returnID
                    """
            ).map { row in
                let record = try JSONDecoder().decode(ReturnRecord.self, from: row["record"] as Data)
                guard let disposition = Disposition(rawValue: row["disposition"]) else {
                    throw StoreError.corrupt("inspection of \(record.returnID) has disposition \(String(describing: row["disposition"]))")
                }
                return LabelledReturn(
                    record: record, labels: ReturnLabels(disposition: disposition, fraudFlag: row["fraud"], recoveryValue: row["recoveryValue"]))
            }
        }
    }
}
