package import GRDB
package import Foundation

/// The façade over Recoup's SQLite database: every read and write the service does goes through here.
///
/// One `ReturnsDatabase` per database file per process (GRDB's concurrency rule 1). The server and the CLI open it
/// with ``open(path:)`` (a `DatabasePool`: WAL, concurrent reads); tests use ``inMemory()`` (a `DatabaseQueue`), with
/// the same migrations and the same SQL.
package struct ReturnsDatabase: Sendable {
    /// The GRDB writer: a `DatabasePool` for files, a `DatabaseQueue` in memory.
    package let writer: any DatabaseWriter
    /// Where the database lives (`:memory:` for an in-memory one).
    package let path: String

    /// Wraps a writer and applies every pending migration.
    package init(_ writer: any DatabaseWriter, path: String) throws {
        self.writer = writer
        self.path = path
        try Self.migrator.migrate(writer)
    }

    /// A read-only view for queries that must not write.
    package var reader: any DatabaseReader { writer }
}

extension ReturnsDatabase {
    /// Records a server start (audit of restarts).
    package func recordStart(version: String, at date: Date) async throws {
        try await writer.write { db in
            try db.execute(sql: "INSERT INTO serviceStart (startedAt, version) VALUES (?, ?)", arguments: [date, version])
        }
    }

    /// How many times a server started on this database.
    package func startCount() async throws -> Int {
        try await writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM serviceStart") ?? 0 }
    }
}
