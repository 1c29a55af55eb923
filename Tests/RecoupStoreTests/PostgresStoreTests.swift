import Foundation
import PostgresNIO
import RecoupTestStores
import Testing

@testable import RecoupPostgres
@testable import RecoupStore

@Suite("PostgreSQL store")
struct PostgresStoreTests {
    @Test("a URL names the user, host, port and database; the password never shows; a bad one is refused naming what is wrong")
    func addresses() throws {
        let full = try PostgresAddress(parsing: "postgresql://recoup:s3cret@db.internal:6543/returns")
        #expect(full.user == "recoup" && full.password == "s3cret" && full.host == "db.internal" && full.port == 6543)
        #expect(full.database == "returns" && full.socketPath == nil)
        #expect(full.description == "postgresql://recoup@db.internal:6543/returns")
        let socket = try PostgresAddress(parsing: "postgres://postgres@/recoup?host=/tmp/pg&port=5444")
        #expect(socket.socketPath == "/tmp/pg/.s.PGSQL.5444")
        #expect(PostgresStore.handles("POSTGRESQL://x@h/d") && !PostgresStore.handles("var/recoup.sqlite"))
        let refusals: [(String, String)] = [
            ("postgresql://u:pw@h:5432", "names no database"),
            ("postgresql://h/db", "names no user"),
            ("postgresql://u@h:70000/db", "not a port number"),
            ("postgresql://u@h/db?sslmode=require", "sslmode=require is not supported"),
            ("postgresql://u@h/db?application=x", "unknown URL parameter"),
            ("mysql://u@h/db", "not a PostgreSQL URL"),
        ]
        for (url, reason) in refusals {
            do {
                _ = try PostgresAddress(parsing: url)
                Issue.record("\(url) was accepted")
            } catch {
                #expect("\(error)".contains(reason) && !"\(error)".contains("pw"), "\(error)")
            }
        }
    }

    @Test("a replica refuses a schema newer than it knows, naming the migration", .enabled(if: Backend.enabled.contains(.postgres)))
    func newerSchema() async throws {
        try await PostgresTestServer.withFreshDatabase { url in
            try await PostgresStore.withStore(url: url) { store in
                #expect(try await store.status().appliedMigrations == PostgresStore.migrationNames)
                try await store.write { db in
                    try await db.execute("INSERT INTO schema_migration (position, name, applied_at) VALUES (1000, 'pg1000-from-the-future', 0)")
                }
                do {
                    try await store.migrate()
                    Issue.record("a newer schema was accepted")
                } catch {
                    #expect("\(error)".contains("pg1000-from-the-future") && "\(error)".contains("newer"), "\(error)")
                }
            }
        }
    }

    @Test("migrations apply once when replicas start together", .enabled(if: Backend.enabled.contains(.postgres)))
    func concurrentMigrations() async throws {
        try await PostgresTestServer.withFreshDatabase { url in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await PostgresStore.withStore(url: url) { _ in } }
                }
                try await group.waitForAll()
            }
            let applied = try await PostgresStore.withStore(url: url) { store in try await store.status().appliedMigrations }
            #expect(applied == PostgresStore.migrationNames)
        }
    }
}
