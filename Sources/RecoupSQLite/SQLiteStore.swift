// RecoupSQLite: the embedded store, SQLite through GRDB (WAL), implementing RecoupStore's `ReturnsStore`.
//
// Owns the SQLite schema (append-only migrations), the SQL of every use, and the mapping of typed values to columns
// (`DatabaseValues.swift`). It stores and orders by the numbers it is given; it computes no priority.

package import Foundation
package import GRDB
package import RecoupStore

/// The store over one SQLite file (or an in-memory database for tests).
///
/// One `SQLiteStore` per database file per process (GRDB's concurrency rule 1). The server and the CLI open it with
/// ``open(path:)`` (a `DatabasePool`: WAL, concurrent reads); tests use ``inMemory()`` (a `DatabaseQueue`), with the
/// same migrations and the same SQL.
package struct SQLiteStore: ReturnsStore {
    /// The GRDB writer: a `DatabasePool` for files, a `DatabaseQueue` in memory.
    package let writer: any DatabaseWriter
    /// Where the database lives (`:memory:` for an in-memory one).
    package let path: String

    package var location: String { path }

    /// Wraps a writer and applies every pending migration.
    package init(_ writer: any DatabaseWriter, path: String) throws {
        self.writer = writer
        self.path = path
        try Self.migrator.migrate(writer)
    }

    /// Opens (or creates) the database file at `path` in WAL mode, creating its folder when needed.
    ///
    /// Durability: WAL with `synchronous = FULL`, so a transaction acknowledged to a client survives a process kill
    /// and a power loss; `busy_timeout` lets the CLI and the server share the file.
    /// - Throws: ``StoreError/cannotOpen(path:reason:)`` when the folder cannot be created or SQLite refuses the file.
    package static func open(path: String) throws(StoreError) -> SQLiteStore {
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
            return try SQLiteStore(DatabasePool(path: path, configuration: configuration), path: path)
        } catch {
            throw .cannotOpen(path: path, reason: "\(error)")
        }
    }

    /// A fresh, migrated in-memory database (tests, stateless tools).
    package static func inMemory() throws -> SQLiteStore {
        var configuration = GRDB.Configuration()
        configuration.foreignKeysEnabled = true
        return try SQLiteStore(DatabaseQueue(configuration: configuration), path: ":memory:")
    }

    package func status() async throws -> StoreStatus {
        try await writer.read { db in
            StoreStatus(
                location: path,
                journalMode: try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                engine: .sqlite,
                engineVersion: try String.fetchOne(db, sql: "SELECT sqlite_version()") ?? "unknown",
                appliedMigrations: try Self.migrator.appliedMigrations(db)
            )
        }
    }

    package func recordStart(version: String, at date: Date) async throws {
        try await writer.write { db in
            try db.execute(literal: "INSERT INTO serviceStart (startedAt, version) VALUES (\(date), \(version))")
        }
    }

    package func startCount() async throws -> Int {
        try await writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM serviceStart") ?? 0 }
    }

    /// Writes an audit row (in the caller's transaction).
    func audit(_ db: Database, _ returnID: String?, _ kind: AuditKind, actor: String?, detail: String?, at t: Double) throws {
        try db.execute(
            literal: "INSERT INTO auditEvent (returnID, kind, actor, detail, at) VALUES (\(returnID), \(kind), \(actor), \(detail), \(t))"
        )
    }
}
