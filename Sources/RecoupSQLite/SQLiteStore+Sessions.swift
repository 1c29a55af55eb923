package import Foundation
internal import GRDB
package import RecoupStore

extension SQLiteStore {
    package func insertSession(idHash: String, keyID: Int64, csrfToken: String, expiresAt: Date, now: Date) async throws {
        try await writer.write { db in
            guard let prefix = try db.value("SELECT prefix FROM apiKey WHERE id = \(keyID)", as: String.self) else {
                throw StoreError.keyNotFound(keyID)
            }
            try db.execute(
                literal: """
                    INSERT INTO webSession (idHash, keyID, csrfToken, createdAt, expiresAt)
                    VALUES (\(idHash), \(keyID), \(csrfToken), \(now.storedSeconds), \(expiresAt.storedSeconds))
                    """
            )
            try audit(db, nil, .signedIn, actor: "key:\(prefix)", detail: "web session until \(expiresAt)", at: now.storedSeconds)
        }
    }

    package func session(idHash: String, now: Date) async throws -> StoredSession? {
        try await writer.read { db in
            guard
                let row = try db.row(
                    """
                    SELECT s.csrfToken, s.createdAt AS sessionCreatedAt, s.expiresAt, k.* FROM webSession s JOIN apiKey k ON k.id = s.keyID
                    WHERE s.idHash = \(idHash) AND s.expiresAt > \(now.storedSeconds) AND k.revokedAt IS NULL
                    """
                )
            else { return nil }
            return StoredSession(
                key: try storedKey(row),
                csrfToken: row["csrfToken"],
                createdAt: row.date("sessionCreatedAt"),
                expiresAt: row.date("expiresAt")
            )
        }
    }

    @discardableResult
    package func deleteSession(idHash: String, now: Date) async throws -> Bool {
        try await writer.write { db in
            let owner = "SELECT k.prefix FROM webSession s JOIN apiKey k ON k.id = s.keyID WHERE s.idHash = \(idHash)" as SQL
            guard let prefix = try db.value(owner, as: String.self) else { return false }
            try db.execute(literal: "DELETE FROM webSession WHERE idHash = \(idHash)")
            try audit(db, nil, .signedOut, actor: "key:\(prefix)", detail: nil, at: now.storedSeconds)
            return true
        }
    }

    package func deleteExpiredSessions(now: Date) async throws -> Int {
        try await writer.write { db in
            try db.execute(literal: "DELETE FROM webSession WHERE expiresAt <= \(now.storedSeconds)")
            return db.changesCount
        }
    }
}
