internal import Foundation
internal import GRDB

extension ReturnsDatabase {
    /// Opens (or creates) the database file at `path` in WAL mode, creating its folder when needed.
    ///
    /// Durability: WAL with `synchronous = FULL`, so a transaction acknowledged to a client survives a process kill
    /// and a power loss; `busy_timeout` lets the CLI and the server share the file.
    /// - Throws: ``StoreError/cannotOpen(path:reason:)`` when the folder cannot be created or SQLite refuses the file.
    package static func open(path: String) throws(StoreError) -> ReturnsDatabase {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .cannotOpen(path: path, reason: "cannot create folder \(directory): \(error)")
        }
        var configuration = GRDB.Configuration()
        configuration.busyMode = .timeout(5)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            return try ReturnsDatabase(pool, path: path)
        } catch {
            throw .cannotOpen(path: path, reason: "\(error)")
        }
    }

    /// A fresh, migrated in-memory database (tests, stateless tools).
    package static func inMemory() throws -> ReturnsDatabase {
        var configuration = GRDB.Configuration()
        configuration.foreignKeysEnabled = true
        return try ReturnsDatabase(DatabaseQueue(configuration: configuration), path: ":memory:")
    }

    /// Facts about the open database for health checks: journal mode, applied migrations, SQLite version.
    package func status() async throws -> DatabaseStatus {
        try await writer.read { db in
            DatabaseStatus(
                path: path,
                journalMode: try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "unknown",
                appliedMigrations: try Self.migrator.appliedMigrations(db),
                sqliteVersion: try String.fetchOne(db, sql: "SELECT sqlite_version()") ?? "unknown"
            )
        }
    }
}

/// What ``ReturnsDatabase/status()`` reports.
package struct DatabaseStatus: Sendable, Codable, Equatable {
    package var path: String
    package var journalMode: String
    package var appliedMigrations: [String]
    package var sqliteVersion: String
}
