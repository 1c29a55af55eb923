package import Foundation
internal import PostgresNIO
package import RecoupStore

extension PostgresStore {
    package func insertKey(prefix: String, secretHash: String, role: Role, label: String?, now: Date) async throws -> StoredAPIKey {
        try await write { db in
            guard
                let row = try await db.row(
                    """
                    INSERT INTO api_key (prefix, secret_hash, role, label, created_at)
                    VALUES (\(prefix), \(secretHash), \(role), \(label), \(now.storedSeconds))
                    RETURNING id, prefix, secret_hash, role, label, created_at, revoked_at
                    """
                )
            else { throw StoreError.corrupt("the key with prefix \(prefix) was not there after its insert") }
            try await audit(db, nil, .keyCreated, actor: nil, detail: "prefix \(prefix), role \(role.rawValue)", at: now.storedSeconds)
            return try storedKey(row)
        }
    }

    package func keys() async throws -> [StoredAPIKey] {
        try await read { db in try await db.rows("SELECT * FROM api_key ORDER BY id DESC").map(storedKey) }
    }

    package func key(prefix: String) async throws -> StoredAPIKey? {
        try await read { db in
            try await db.row("SELECT * FROM api_key WHERE prefix = \(prefix)").map(storedKey)
        }
    }

    package func activeKeyCount() async throws -> Int {
        try await read { db in try await db.value("SELECT COUNT(*) FROM api_key WHERE revoked_at IS NULL", as: Int.self) ?? 0 }
    }

    /// One statement finds and revokes the key (its row stays locked until the audit row is written with it).
    package func revokeKey(id: Int64, now: Date) async throws {
        try await write { db in
            guard
                try await db.value(
                    "UPDATE api_key SET revoked_at = COALESCE(revoked_at, \(now.storedSeconds)) WHERE id = \(id) RETURNING true",
                    as: Bool.self
                ) != nil
            else { throw StoreError.keyNotFound(id) }
            try await audit(db, nil, .keyRevoked, actor: nil, detail: "id \(id)", at: now.storedSeconds)
        }
    }

    /// A key from a row of `api_key` (or a query that selects its columns under their names).
    func storedKey(_ row: PostgresRandomAccessRow) throws -> StoredAPIKey {
        StoredAPIKey(
            id: try row.get("id", as: Int64.self),
            prefix: try row.get("prefix", as: String.self),
            secretHash: try row.get("secret_hash", as: String.self),
            role: try row.get("role", as: Role.self),
            label: try row.get("label", as: String?.self),
            createdAt: try row.date("created_at"),
            revokedAt: try row.optionalDate("revoked_at")
        )
    }

    package func recordModelEvent(version: String?, outcome: ModelEventOutcome, detail: String?, now: Date) async throws {
        try await write { db in
            try await db.execute(
                "INSERT INTO model_event (version, outcome, detail, at) VALUES (\(version), \(outcome), \(detail), \(now.storedSeconds))"
            )
        }
    }

    package func activeModelVersion() async throws -> String? {
        try await read { db in try await db.value("SELECT version FROM active_model WHERE id = 1", as: String.self) }
    }

    package func setActiveModelVersion(_ version: String, now: Date) async throws {
        try await write { db in
            try await db.execute(
                """
                INSERT INTO active_model (id, version, set_at) VALUES (1, \(version), \(now.storedSeconds))
                ON CONFLICT (id) DO UPDATE SET version = excluded.version, set_at = excluded.set_at
                """
            )
        }
    }

    /// Holds a session-level advisory lock named after the job on one connection of the pool while `body` runs (its
    /// queries use other connections); another replica's attempt finds it taken and returns `nil`. A replica that
    /// dies while holding it loses the connection, which releases the lock.
    package func exclusively<Result: Sendable>(_ job: String, _ body: () async throws -> Result) async throws -> Result? {
        let key = Self.lockKey(job)
        return try await onConnection { db in
            guard try await db.value("SELECT pg_try_advisory_lock(\(key))", as: Bool.self) == true else { return nil }
            do {
                let result = try await body()
                try await db.execute("SELECT pg_advisory_unlock(\(key))")
                return result
            } catch {
                try? await db.execute("SELECT pg_advisory_unlock(\(key))")
                throw error
            }
        }
    }

    /// A stable 64-bit key for a job's name (FNV-1a), apart from the migrations' lock.
    static func lockKey(_ job: String) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in ("recoup.job." + job).utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0100_0000_01b3
        }
        return Int(bitPattern: UInt(hash))
    }
}
