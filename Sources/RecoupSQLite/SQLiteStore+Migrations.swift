internal import Foundation
package import GRDB
internal import RecoupCore
internal import RecoupInsights
internal import RecoupStore

extension SQLiteStore {
    /// The schema, as an append-only list of named migrations. Never edit a shipped migration: add a new one.
    ///
    /// Times are stored as `REAL` seconds since 1970 (UTC), so that ages and lease expiries are plain arithmetic in SQL.
    package static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-service-info") { db in
            // One row per server start: when, which version. Lets operators see restarts.
            try db.create(table: "serviceStart") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("startedAt", .datetime).notNull()
                t.column("version", .text).notNull()
            }
        }
        migrator.registerMigration("v2-returns-queue") { db in
            // A return as received: the validated record (JSON) and the fingerprint of what was submitted.
            try db.create(table: "returnItem") { t in
                t.primaryKey("id", .text)  // return_id
                t.column("record", .blob).notNull()
                t.column("payloadHash", .text).notNull()
                t.column("warehouseID", .text).notNull().collate(.nocase)
                t.column("category", .text).notNull()
                t.column("reasonCode", .text).notNull()
                t.column("refundAmount", .double).notNull()
                t.column("createdAt", .double).notNull()
            }
            // Every assessment a return received (a new one after each model swap); the latest has the largest id.
            try db.create(table: "assessment") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("returnItem", onDelete: .cascade).notNull()
                t.column("modelVersion", .text).notNull()
                t.column("disposition", .text).notNull()
                t.column("fraudRisk", .double).notNull()
                t.column("recoveryValue", .double).notNull()
                t.column("lane", .text).notNull()
                t.column("anomaly", .boolean).notNull()
                t.column("payload", .blob).notNull()
                t.column("createdAt", .double).notNull()
            }
            // The inspection queue: one entry per return. state: queued | leased | completed.
            // rankKey = urgency − agingWeight × enqueuedAt[h] / SLA[h]: ordering by it is ordering by priority at any
            // moment, because the aging term grows at the same rate for every item of a lane (see PriorityPolicy).
            try db.create(table: "queueEntry") { t in
                t.primaryKey("returnID", .text).references("returnItem", onDelete: .cascade)
                t.column("lane", .text).notNull()
                t.column("warehouseID", .text).notNull().collate(.nocase)
                t.column("state", .text).notNull()
                t.column("urgency", .double).notNull()
                t.column("agingWeight", .double).notNull()
                t.column("serviceLevelHours", .double).notNull()
                t.column("rankKey", .double).notNull()
                t.column("recoveryValue", .double).notNull()
                t.column("enqueuedAt", .double).notNull()
                t.column("claimToken", .text)
                t.column("stationID", .text)
                t.column("leaseExpiresAt", .double)
                t.column("claimCount", .integer).notNull().defaults(to: 0)
                t.column("completedAt", .double)
            }
            try db.create(index: "queueEntry_lane_rank", on: "queueEntry", columns: ["lane", "warehouseID", "state", "rankKey"])
            try db.create(index: "queueEntry_token", on: "queueEntry", columns: ["claimToken"])
            // A claim: a lease on some items of a lane for one station, extended or released with its token.
            try db.create(table: "claim") { t in
                t.primaryKey("token", .text)
                t.column("lane", .text).notNull()
                t.column("warehouseID", .text).notNull()
                t.column("stationID", .text).notNull()
                t.column("expiresAt", .double).notNull()
                t.column("createdAt", .double).notNull()
                t.column("releasedAt", .double)
            }
            // The inspection outcome: the labels the next model learns from.
            try db.create(table: "inspection") { t in
                t.primaryKey("returnID", .text).references("returnItem", onDelete: .cascade)
                t.column("grade", .text)
                t.column("disposition", .text).notNull()
                t.column("recoveryValue", .double).notNull()
                t.column("fraudConfirmed", .boolean).notNull()
                t.column("notes", .text)
                t.column("stationID", .text)
                t.column("inspectedAt", .double).notNull()
            }
            // Flags for the risk team and their review. status: open | escalated | confirmed_fraud | dismissed.
            try db.create(table: "anomaly") { t in
                t.primaryKey("returnID", .text).references("returnItem", onDelete: .cascade)
                t.column("status", .text).notNull()
                t.column("risk", .double).notNull()
                t.column("exposure", .double).notNull()
                t.column("reasons", .blob).notNull()
                t.column("warehouseID", .text).notNull().collate(.nocase)
                t.column("flaggedAt", .double).notNull()
                t.column("reviewedAt", .double)
                t.column("reviewNote", .text)
                t.column("reviewer", .text)
            }
            try db.create(index: "anomaly_status_exposure", on: "anomaly", columns: ["status", "exposure"])
            // Every state change, in the same transaction as the change.
            try db.create(table: "auditEvent") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("returnID", .text).indexed()
                t.column("kind", .text).notNull()
                t.column("actor", .text)
                t.column("detail", .text)
                t.column("at", .double).notNull()
            }
            // API keys: only a SHA-256 of the secret is stored; the prefix finds the row.
            try db.create(table: "apiKey") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("prefix", .text).notNull().unique()
                t.column("secretHash", .text).notNull()
                t.column("role", .text).notNull()
                t.column("label", .text)
                t.column("createdAt", .double).notNull()
                t.column("revokedAt", .double)
                t.column("lastUsedAt", .double)
            }
            // Model loads and swaps, successful or refused.
            try db.create(table: "modelEvent") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("version", .text)
                t.column("outcome", .text).notNull()
                t.column("detail", .text)
                t.column("at", .double).notNull()
            }
        }
        migrator.registerMigration("v3-rank-in-money") { db in
            // The rank is money lost per day of waiting per inspection minute (PriorityPolicy): it changes only when
            // the item's refund is issued and when it passes its service level. `rank` keeps the schedule and its
            // terms (QueueRank.storedBytes), `rankKey` the key in force, `rerankAt` when the next key takes over. Entries
            // ranked by the earlier aging formula have no `rank`: the model's first load re-scores them.
            try db.alter(table: "queueEntry") { t in
                t.add(column: "rank", .blob)
                t.add(column: "rerankAt", .double)
                t.drop(column: "urgency")
                t.drop(column: "agingWeight")
            }
            try db.execute(sql: "CREATE INDEX queueEntry_rerank ON queueEntry(rerankAt) WHERE rerankAt IS NOT NULL")
        }
        migrator.registerMigration("v4-insight-columns") { db in
            // The dimensions the insights group by, as columns (normalized like `category`), so that root causes and
            // leakage are one scan of one table with a GROUP BY; the day the return was requested, for weeks; and the
            // inspection's recovered value and disposition (a join per return cost four times the scan). Filled from
            // the stored records and inspections.
            try db.alter(table: "returnItem") { t in
                t.add(column: "sku", .text).notNull().defaults(to: "")
                t.add(column: "channel", .text).notNull().defaults(to: "")
                t.add(column: "brandTier", .text).notNull().defaults(to: "")
                t.add(column: "paymentMethod", .text).notNull().defaults(to: "")
                t.add(column: "requestedDay", .integer).notNull().defaults(to: 0)
                t.add(column: "recovered", .double)
                t.add(column: "inspectedDisposition", .text)
            }
            try db.execute(
                sql: """
                    UPDATE returnItem SET recovered = i.recoveryValue, inspectedDisposition = i.disposition
                    FROM inspection i WHERE i.returnID = returnItem.id
                    """
            )
            for row in try Row.fetchAll(db, sql: "SELECT id, record FROM returnItem") {
                let id: String = row["id"]
                let json: Data = row["record"]
                guard let record = try? ReturnJSONReader.record(Array(json)) else {
                    throw StoreError.corrupt("the stored record of return \(id) does not read back")
                }
                let values = ReturnFacts(record: record, labels: nil)
                try db.execute(
                    literal: """
                        UPDATE returnItem SET sku = \(values.sku), channel = \(values.channel), brandTier = \(values.brandTier),
                            paymentMethod = \(values.paymentMethod), requestedDay = \(values.requested.daysSinceEpoch) WHERE id = \(id)
                        """
                )
            }
            try db.execute(sql: "CREATE INDEX returnItem_createdAt ON returnItem(createdAt)")
        }
        migrator.registerMigration("v5-insight-rollups") { db in
            // Running totals for the insights, in place of v4's scans (a GROUP BY over a million returns took 1 to 2.5 s;
            // over these rows it streams in key order), the time of an item's first claim, for cycle times, and an index that counts the
            // items still waiting without reading the queue's rows. Filled from the returns, inspections and audit log
            // already stored.
            try db.execute(
                sql: """
                    CREATE TABLE insightRollup (
                        dimension TEXT NOT NULL, value TEXT NOT NULL, parent TEXT NOT NULL, reason TEXT NOT NULL, day INTEGER NOT NULL,
                        returns INTEGER NOT NULL, refunded DOUBLE NOT NULL, inspected INTEGER NOT NULL, inspectedRefunded DOUBLE NOT NULL,
                        recovered DOUBLE NOT NULL, lostToWaiting DOUBLE NOT NULL,
                        PRIMARY KEY (dimension, value, parent, reason, day)) WITHOUT ROWID;
                    CREATE TABLE cycleRollup (
                        warehouseID TEXT NOT NULL, lane TEXT NOT NULL, stage TEXT NOT NULL, day INTEGER NOT NULL, bucket INTEGER NOT NULL,
                        count INTEGER NOT NULL, late INTEGER NOT NULL,
                        PRIMARY KEY (warehouseID, lane, stage, bucket, day)) WITHOUT ROWID;
                    CREATE TABLE customerHistory (
                        customerID TEXT PRIMARY KEY NOT NULL, orders INTEGER NOT NULL, returns INTEGER NOT NULL, asOf INTEGER NOT NULL);
                    ALTER TABLE queueEntry ADD COLUMN firstClaimedAt DOUBLE;
                    CREATE INDEX queueEntry_open ON queueEntry(state, warehouseID, lane, enqueuedAt, serviceLevelHours);
                    """
            )
            try db.execute(
                literal: """
                    UPDATE queueEntry SET firstClaimedAt = (
                        SELECT MIN(a.at) FROM auditEvent a WHERE a.returnID = queueEntry.returnID AND a.kind = \(AuditKind.claimed))
                    """
            )
            var rollup = RollupChange()
            var cycles: [CycleRollupKey: CycleCounts] = [:]
            var customers: [String: CustomerHistory] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT r.id, r.record, r.createdAt, i.recoveryValue AS recovered, i.disposition AS inspectedDisposition, q.lane,
                        q.warehouseID, q.rank, q.serviceLevelHours, q.enqueuedAt, q.firstClaimedAt, q.completedAt
                    FROM returnItem r LEFT JOIN queueEntry q ON q.returnID = r.id LEFT JOIN inspection i ON i.returnID = r.id
                    """
            )
            while let row = try rows.next() {
                let id: String = row["id"]
                let json: Data = row["record"]
                guard let record = try? ReturnJSONReader.record(Array(json)) else {
                    throw StoreError.corrupt("the stored record of return \(id) does not read back")
                }
                let queue = (row["lane"] as String?).map { lane in
                    StoredQueueTimes(
                        lane: lane,
                        warehouseID: row["warehouseID"],
                        serviceLevelHours: row["serviceLevelHours"],
                        enqueuedAt: row["enqueuedAt"],
                        firstClaimedAt: row["firstClaimedAt"]
                    )
                }
                var fact = ReturnFacts(record: record, labels: nil)
                if let history = CustomerHistory(fact), (customers[history.customerID]?.asOf).map({ $0 <= history.asOf }) ?? true {
                    customers[history.customerID] = history
                }
                let day = Day(containingSecondsSinceEpoch: row["createdAt"])
                if let queue { cycles.addArrival(of: fact, queue: queue, day: day) }
                if let recovered = row["recovered"] as Double?, let queue, let completedAt = row["completedAt"] as Double? {
                    fact.recovered = recovered
                    fact.disposition = try row.required("inspectedDisposition")
                    let rank = try (row["rank"] as Data?).map { try QueueRank(storedBytes: $0, returnID: id) }
                    fact.lostToWaiting = rank?.terms.valueLost(from: Date(storedSeconds: queue.enqueuedAt), to: Date(storedSeconds: completedAt)) ?? 0
                    cycles.addInspection(queue: queue, completedAt: completedAt, day: day)
                }
                if let claimed = queue?.firstClaimedAt, let queue {
                    cycles.add(.receivedToClaimed, seconds: claimed - queue.enqueuedAt, warehouseID: queue.warehouseID, lane: queue.lane, day: day)
                }
                rollup.add(fact, on: day, sign: 1)
            }
            try SQLiteStore.apply(rollup, db)
            try SQLiteStore.apply(cycles, db)
            try SQLiteStore.record(Array(customers.values), db)
            // v4's columns and index on the return's row served the scans these totals replace: nothing reads them now.
            try db.execute(sql: "DROP INDEX returnItem_createdAt")
            try db.alter(table: "returnItem") { t in
                for column in ["sku", "channel", "brandTier", "paymentMethod", "requestedDay", "recovered", "inspectedDisposition"] {
                    t.drop(column: column)
                }
            }
        }
        migrator.registerMigration("v6-monitoring") { db in
            // Model monitoring: each model's profile counts per day of ingest (one row per model and day, added to in the
            // ingest's transaction), the unrounded predictions of each assessment (assessments stored before have none
            // and are not measured), the shadow challenger's assessments, and inspections by time for the windows.
            try db.execute(
                sql: """
                    CREATE TABLE monitorProfile (
                        modelVersion TEXT NOT NULL, day INTEGER NOT NULL, rows INTEGER NOT NULL, counts BLOB NOT NULL,
                        PRIMARY KEY (modelVersion, day)) WITHOUT ROWID;
                    ALTER TABLE assessment ADD COLUMN predictions BLOB;
                    CREATE TABLE shadowAssessment (
                        returnID TEXT PRIMARY KEY NOT NULL REFERENCES returnItem(id), modelVersion TEXT NOT NULL,
                        predictions BLOB NOT NULL, createdAt DOUBLE NOT NULL);
                    CREATE INDEX inspection_inspectedAt ON inspection(inspectedAt);
                    """
            )
        }
        migrator.registerMigration("v7-flag-kinds-sessions") { db in
            // The kinds of each flag, as a bit set (AnomalyFlag.Kind.mask), for the risk page's filter. Flags stored before
            // get theirs from their reasons, whose opening words each kind's sentence starts with.
            try db.execute(sql: "ALTER TABLE anomaly ADD COLUMN kinds INTEGER NOT NULL DEFAULT 0")
            let openings: [(AnomalyFlag.Kind, String)] = [
                (.fraudRisk, "fraud risk "), (.serialMismatch, "serial number "), (.weightDeviation, "weighs "),
                (.customerReturnRate, "customer returned "),
            ]
            for (kind, opening) in openings {
                try db.execute(literal: "UPDATE anomaly SET kinds = kinds | \(kind.bit) WHERE instr(reasons, \("\"" + opening)) > 0")
            }
            // Signed-in sessions of the web pages: only a hash of the cookie's secret is kept; a session ends at its
            // expiry, at sign-out, or when its API key is revoked.
            try db.execute(
                sql: """
                    CREATE TABLE webSession (
                        idHash TEXT PRIMARY KEY NOT NULL, keyID INTEGER NOT NULL REFERENCES apiKey(id), csrfToken TEXT NOT NULL,
                        createdAt DOUBLE NOT NULL, expiresAt DOUBLE NOT NULL) WITHOUT ROWID;
                    CREATE INDEX webSession_expiresAt ON webSession(expiresAt);
                    """
            )
            // The lane board reads its numbers from this index alone (a seek per state and warehouse instead of the queue's
            // wide rows: 16 ms instead of 100 ms for 30,000 open items). It is v5's queueEntry_open with the two columns the
            // board also needs, so it still serves the count of items waiting past their service level and the lease
            // expiry's search for leased items.
            try db.execute(
                sql: """
                    DROP INDEX queueEntry_open;
                    CREATE INDEX queueEntry_laneStats
                        ON queueEntry(state, warehouseID, lane, enqueuedAt, serviceLevelHours, recoveryValue, leaseExpiresAt);
                    """
            )
        }
        migrator.registerMigration("v8-summary-totals") { db in
            // The operations summary's predicted disposition mix as a running count of each return's latest assessment
            // (moved by every assessment written), in place of a scan of every assessment (0.17 s per 100,000 returns).
            try db.execute(
                sql: """
                    CREATE TABLE predictedDisposition (disposition TEXT PRIMARY KEY NOT NULL, count INTEGER NOT NULL) WITHOUT ROWID;
                    INSERT INTO predictedDisposition (disposition, count)
                        SELECT a.disposition, COUNT(*) FROM assessment a
                        WHERE a.id = (SELECT MAX(id) FROM assessment b WHERE b.returnItemId = a.returnItemId)
                        GROUP BY a.disposition;
                    """
            )
        }
        migrator.registerMigration("v9-authorizations") { db in
            // The decision taken on a return request before the item ships back, one per return_id (idempotent like
            // ingest: the same id with another payloadHash is a conflict). No foreign key to returnItem: a request is
            // decided before the return is received; the receipt-stage assessment is found by joining on the id once it
            // is. Its `authorized` audit rows need nothing new: auditEvent.returnID is a plain column (no foreign key).
            try db.execute(
                sql: """
                    CREATE TABLE returnAuthorization (
                        returnID TEXT PRIMARY KEY NOT NULL, payloadHash TEXT NOT NULL, decision TEXT NOT NULL, refundTiming TEXT,
                        modelVersion TEXT NOT NULL, payload BLOB NOT NULL, decidedAt DOUBLE NOT NULL, actor TEXT);
                    """
            )
        }
        migrator.registerMigration("v10-active-model") { db in
            // The model version a reload swapped in, which every process on the store serves (the shared store's rule,
            // kept here too so that both stores behave the same).
            try db.execute(sql: "CREATE TABLE activeModel (id INTEGER PRIMARY KEY CHECK (id = 1), version TEXT NOT NULL, setAt DOUBLE NOT NULL)")
        }
        return migrator
    }
}

extension SQLiteStore {
    /// The names of every migration, in order.
    package static var migrationNames: [String] { migrator.migrations }
}
