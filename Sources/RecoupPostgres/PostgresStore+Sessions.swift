package import Foundation
internal import PostgresNIO
package import RecoupStore

extension PostgresStore {
    package func insertSession(idHash: String, keyID: Int64, csrfToken: String, expiresAt: Date, now: Date) async throws {
        try await write { db in
            guard let prefix = try await db.value("SELECT prefix FROM api_key WHERE id = \(keyID)", as: String.self) else {
                throw StoreError.keyNotFound(keyID)
            }
            try await db.execute(
                """
                INSERT INTO web_session (id_hash, key_id, csrf_token, created_at, expires_at)
                VALUES (\(idHash), \(keyID), \(csrfToken), \(now.storedSeconds), \(expiresAt.storedSeconds))
                """
            )
            try await audit(db, nil, .signedIn, actor: "key:\(prefix)", detail: "web session until \(expiresAt)", at: now.storedSeconds)
        }
    }

    package func session(idHash: String, now: Date) async throws -> StoredSession? {
        try await read { db in
            guard
                let row = try await db.row(
                    """
                    SELECT s.csrf_token, s.created_at AS session_created_at, s.expires_at,
                        k.id, k.prefix, k.secret_hash, k.role, k.label, k.created_at, k.revoked_at
                    FROM web_session s JOIN api_key k ON k.id = s.key_id
                    WHERE s.id_hash = \(idHash) AND s.expires_at > \(now.storedSeconds) AND k.revoked_at IS NULL
                    """
                )
            else { return nil }
            return StoredSession(
                key: try storedKey(row),
                csrfToken: try row.get("csrf_token", as: String.self),
                createdAt: try row.date("session_created_at"),
                expiresAt: try row.date("expires_at")
            )
        }
    }

    /// One statement finds and deletes the session: of two sign-outs at once, one deletes it and writes the audit row,
    /// the other (waiting on the row, then finding it gone) answers `false`.
    @discardableResult
    package func deleteSession(idHash: String, now: Date) async throws -> Bool {
        try await write { db in
            guard
                let prefix = try await db.value(
                    "DELETE FROM web_session s USING api_key k WHERE s.id_hash = \(idHash) AND k.id = s.key_id RETURNING k.prefix",
                    as: String.self
                )
            else { return false }
            try await audit(db, nil, .signedOut, actor: "key:\(prefix)", detail: nil, at: now.storedSeconds)
            return true
        }
    }

    package func deleteExpiredSessions(now: Date) async throws -> Int {
        try await write { db in
            try await db.value(
                "WITH deleted AS (DELETE FROM web_session WHERE expires_at <= \(now.storedSeconds) RETURNING 1) SELECT COUNT(*) FROM deleted",
                as: Int.self
            ) ?? 0
        }
    }
}
