import Foundation
import Testing

@testable import RecoupStore

@Suite("Returns database")
struct ReturnsDatabaseTests {
    @Test("migrations apply to an empty in-memory database")
    func migrationsApply() async throws {
        let db = try ReturnsDatabase.inMemory()
        let status = try await db.status()
        #expect(status.appliedMigrations == ReturnsDatabase.migrationNames)
    }

    @Test("a file database is in WAL mode, creates its folder and keeps data across reopen")
    func fileDatabaseIsWAL() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("recoup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("nested/recoup.sqlite").path
        do {
            let db = try ReturnsDatabase.open(path: path)
            #expect(try await db.status().journalMode == "wal")
            try await db.recordStart(version: "test", at: Date())
        }
        let reopened = try ReturnsDatabase.open(path: path)
        #expect(try await reopened.startCount() == 1)
    }

    @Test("an unopenable path gives an error naming it")
    func unopenable() {
        #expect {
            _ = try ReturnsDatabase.open(path: "/proc/recoup-cannot/db.sqlite")
        } throws: { error in
            "\(error)".contains("/proc/recoup-cannot/db.sqlite")
        }
    }
}
