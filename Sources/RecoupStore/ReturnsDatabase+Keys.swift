package import Foundation
internal import GRDB

/// A stored API key (never its secret: only a hash of it).
package struct StoredAPIKey: Sendable, Codable, Equatable {
    package var id: Int64
    package var prefix: String
    package var secretHash: String
    package var role: String
    package var label: String?
    package var createdAt: Date
    package var revokedAt: Date?
    package var lastUsedAt: Date?
}

extension ReturnsDatabase {
    /// Stores a new key under its public prefix and the hash of its secret.
    package func insertKey(prefix: String, secretHash: String, role: String, label: String?, now: Date) async throws -> StoredAPIKey {
        try await writer.write { db in
            try db.execute(
                sql: "INSERT INTO apiKey (prefix, secretHash, role, label, createdAt) VALUES (?, ?, ?, ?, ?)",
                arguments: [prefix, secretHash, role, label, now.storedSeconds])
            try audit(db, nil, "key_created", actor: nil, detail: "prefix \(prefix), role \(role)", at: now.storedSeconds)
            return try storedKey(Row.fetchOne(db, sql: "SELECT * FROM apiKey WHERE id = ?", arguments: [db.lastInsertedRowID])!)
        }
    }

    /// Every key, newest first.
    package func keys() async throws -> [StoredAPIKey] {
        try await writer.read { db in try Row.fetchAll(db, sql: "SELECT * FROM apiKey ORDER BY id DESC").map(storedKey) }
    }

    /// The key with a prefix, revoked or not.
    package func key(prefix: String) async throws -> StoredAPIKey? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM apiKey WHERE prefix = ?", arguments: [prefix]).map(storedKey)
        }
    }

    /// How many keys are not revoked.
    package func activeKeyCount() async throws -> Int {
        try await writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM apiKey WHERE revokedAt IS NULL") ?? 0 }
    }

    /// Revokes a key; revoking twice keeps the first time.
    /// - Throws: ``StoreError/keyNotFound(_:)``.
    package func revokeKey(id: Int64, now: Date) async throws {
        try await writer.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM apiKey WHERE id = ?", arguments: [id]) != nil else {
                throw StoreError.keyNotFound(id)
            }
            try db.execute(sql: "UPDATE apiKey SET revokedAt = COALESCE(revokedAt, ?) WHERE id = ?", arguments: [now.storedSeconds, id])
            try audit(db, nil, "key_revoked", actor: nil, detail: "id \(id)", at: now.storedSeconds)
        }
    }

    private func storedKey(_ row: Row) -> StoredAPIKey {
        StoredAPIKey(
            id: row["id"], prefix: row["prefix"], secretHash: row["secretHash"], role: row["role"], label: row["label"],
            createdAt: Date(storedSeconds: row["createdAt"]),
            revokedAt: (row["revokedAt"] as Double?).map(Date.init(storedSeconds:)),
            lastUsedAt: (row["lastUsedAt"] as Double?).map(Date.init(storedSeconds:)))
    }

    /// Records a model load or swap (or a refused one).
    package func recordModelEvent(version: String?, outcome: String, detail: String?, now: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "INSERT INTO modelEvent (version, outcome, detail, at) VALUES (?, ?, ?, ?)",
                arguments: [version, outcome, detail, now.storedSeconds])
        }
    }
}
