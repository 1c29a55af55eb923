package import Foundation
internal import GRDB
package import RecoupStore

extension SQLiteStore {
    package func insertKey(prefix: String, secretHash: String, role: Role, label: String?, now: Date) async throws -> StoredAPIKey {
        try await writer.write { db in
            try db.execute(
                literal: """
                    INSERT INTO apiKey (prefix, secretHash, role, label, createdAt)
                    VALUES (\(prefix), \(secretHash), \(role), \(label), \(now.storedSeconds))
                    """
            )
            let id = db.lastInsertedRowID  // before the audit row, whose id would replace it
            try audit(db, nil, .keyCreated, actor: nil, detail: "prefix \(prefix), role \(role.rawValue)", at: now.storedSeconds)
            guard let row = try db.row("SELECT * FROM apiKey WHERE id = \(id)") else {
                throw StoreError.corrupt("the key with prefix \(prefix) was not there after its insert")
            }
            return try storedKey(row)
        }
    }

    package func keys() async throws -> [StoredAPIKey] {
        try await writer.read { db in try Row.fetchAll(db, sql: "SELECT * FROM apiKey ORDER BY id DESC").map(storedKey) }
    }

    package func key(prefix: String) async throws -> StoredAPIKey? {
        try await writer.read { db in
            try db.row("SELECT * FROM apiKey WHERE prefix = \(prefix)").map(storedKey)
        }
    }

    package func activeKeyCount() async throws -> Int {
        try await writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM apiKey WHERE revokedAt IS NULL") ?? 0 }
    }

    package func revokeKey(id: Int64, now: Date) async throws {
        try await writer.write { db in
            guard try db.value("SELECT 1 FROM apiKey WHERE id = \(id)", as: Bool.self) != nil else {
                throw StoreError.keyNotFound(id)
            }
            try db.execute(literal: "UPDATE apiKey SET revokedAt = COALESCE(revokedAt, \(now.storedSeconds)) WHERE id = \(id)")
            try audit(db, nil, .keyRevoked, actor: nil, detail: "id \(id)", at: now.storedSeconds)
        }
    }

    func storedKey(_ row: Row) throws -> StoredAPIKey {
        StoredAPIKey(
            id: row["id"],
            prefix: row["prefix"],
            secretHash: row["secretHash"],
            role: try row.required("role"),
            label: row["label"],
            createdAt: row.date("createdAt"),
            revokedAt: row.optionalDate("revokedAt")
        )
    }

    package func recordModelEvent(version: String?, outcome: ModelEventOutcome, detail: String?, now: Date) async throws {
        try await writer.write { db in
            try db.execute(
                literal: "INSERT INTO modelEvent (version, outcome, detail, at) VALUES (\(version), \(outcome), \(detail), \(now.storedSeconds))"
            )
        }
    }

    package func activeModelVersion() async throws -> String? {
        try await writer.read { db in try db.value("SELECT version FROM activeModel WHERE id = 1", as: String.self) }
    }

    package func setActiveModelVersion(_ version: String, now: Date) async throws {
        try await writer.write { db in
            try db.execute(
                literal: """
                    INSERT INTO activeModel (id, version, setAt) VALUES (1, \(version), \(now.storedSeconds))
                    ON CONFLICT (id) DO UPDATE SET version = excluded.version, setAt = excluded.setAt
                    """
            )
        }
    }

    /// One process writes a SQLite file (GRDB's rule), so no other process can be running the job: `body` runs.
    package func exclusively<Result: Sendable>(_ job: String, _ body: () async throws -> Result) async throws -> Result? {
        try await body()
    }
}
