// RecoupTestStores: the stores the behaviour suites run against (SQLite always, PostgreSQL when a server is given),
// each test on a fresh, empty one. In no product.

internal import Foundation
internal import PostgresNIO
internal import RecoupPostgres
internal import RecoupSQLite
package import RecoupStore

/// A store implementation under test.
///
/// PostgreSQL takes part when `RECOUP_TEST_POSTGRES` names a server (`make test` starts a throwaway cluster and sets
/// it, with `RECOUP_REQUIRE_POSTGRES=1` so that a missing server fails the run instead of skipping half of it).
package enum Backend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    /// The backends of this run.
    package static let enabled: [Backend] = {
        if PostgresTestServer.url != nil { return [.sqlite, .postgres] }
        precondition(
            ProcessInfo.processInfo.environment["RECOUP_REQUIRE_POSTGRES"] != "1",
            "RECOUP_REQUIRE_POSTGRES=1 but RECOUP_TEST_POSTGRES names no server"
        )
        return [.sqlite]
    }()

    package var description: String { rawValue }

    /// Runs `body` with a fresh, empty store: SQLite in memory (a file when `durable`), or a new PostgreSQL database
    /// whose pool runs for the body's duration.
    package func withStore(durable: Bool = false, _ body: (any ReturnsStore) async throws -> Void) async throws {
        switch self {
        case .sqlite where durable:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("recoup-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            try await body(SQLiteStore.open(path: folder.appendingPathComponent("db.sqlite").path))
        case .sqlite:
            try await body(SQLiteStore.inMemory())
        case .postgres:
            try await PostgresTestServer.withFreshDatabase { url in
                try await PostgresStore.withStore(url: url) { store in try await body(store) }
            }
        }
    }

    /// A fresh, empty store that lives as long as the test process (for servers built by a test helper that cannot
    /// scope it): SQLite in memory, or a new PostgreSQL database with a small pool running in the background.
    package func makeStore() async throws -> any ReturnsStore {
        switch self {
        case .sqlite:
            return try SQLiteStore.inMemory()
        case .postgres:
            let url = try await PostgresTestServer.createDatabase()
            let store = try PostgresStore(url: url, maximumConnections: 4)
            Task { await store.run() }
            try await store.open()
            return store
        }
    }
}

/// The PostgreSQL server of the tests: a database per test, created from the server's `postgres` database.
package enum PostgresTestServer {
    package static let url = ProcessInfo.processInfo.environment["RECOUP_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }

    /// Runs `body` with the URL of a new database, dropped afterwards.
    package static func withFreshDatabase(_ body: (String) async throws -> Void) async throws {
        let database = try await createDatabase()
        do {
            try await body(database)
        } catch {
            try? await drop(database)
            throw error
        }
        try await drop(database)
    }

    /// Creates a database with a fresh name; returns its URL.
    package static func createDatabase() async throws -> String {
        guard let url, var components = URLComponents(string: url) else { throw StoreError.unavailable("RECOUP_TEST_POSTGRES is not set") }
        let name = "recoup_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await admin("CREATE DATABASE \(name)")
        components.path = "/" + name
        return components.string!
    }

    private static func drop(_ database: String) async throws {
        guard let name = URLComponents(string: database)?.path.dropFirst(), name.hasPrefix("recoup_test_") else { return }
        try await admin("DROP DATABASE \(name) WITH (FORCE)")
    }

    /// Runs one statement of our own (no input in it) on the server's own database.
    private static func admin(_ sql: String) async throws {
        guard let url else { return }
        let server = try PostgresStore(url: url, maximumConnections: 1)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await server.client.run() }
            defer { group.cancelAll() }
            try await server.client.query(PostgresQuery(unsafeSQL: sql))
        }
    }
}
