import Foundation
import Testing

@testable import RecoupSQLite
@testable import RecoupStore

@Suite("Returns database")
struct ReturnsDatabaseTests {
    @Test("migrations apply to an empty in-memory database")
    func migrationsApply() async throws {
        let db = try SQLiteStore.inMemory()
        let status = try await db.status()
        #expect(status.appliedMigrations == SQLiteStore.migrationNames)
    }

    @Test("a file database is in WAL mode, creates its folder and keeps data across reopen")
    func fileDatabaseIsWAL() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("recoup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("nested/recoup.sqlite").path
        do {
            let db = try SQLiteStore.open(path: path)
            #expect(try await db.status().journalMode == "wal")
            try await db.recordStart(version: "test", at: Date())
        }
        let reopened = try SQLiteStore.open(path: path)
        #expect(try await reopened.startCount() == 1)
    }

    @Test("an unopenable path gives an error naming it")
    func unopenable() {
        #expect {
            _ = try SQLiteStore.open(path: "/proc/recoup-cannot/db.sqlite")
        } throws: { error in
            "\(error)".contains("/proc/recoup-cannot/db.sqlite")
        }
    }
}
