// RecoupPostgres: the shared store, PostgreSQL through postgres-nio, implementing RecoupStore's `ReturnsStore`, so
// that several replicas of `recoup serve` work on one database.
//
// Owns the PostgreSQL schema (named, append-only migrations applied under an advisory lock), the SQL of every use
// (bound parameters only, never text built from input) and the mapping of typed values to columns
// (`PostgresValues.swift`). Like the SQLite store it persists the numbers it is given and computes no priority; the
// running totals it keeps are counted by RecoupStore's `RollupCounting`, the same code the SQLite store uses.

package import Foundation
package import Logging
package import PostgresNIO
package import RecoupStore
internal import Synchronization
internal import _ConnectionPoolModule

/// The store over one PostgreSQL database.
///
/// The connection pool (`client`) must be running (`client.run()`, a service of the server's `ServiceGroup`, or
/// ``withStore(url:logger:_:)`` for a command) before any call; ``migrate()`` then brings the schema up to date.
package struct PostgresStore: ReturnsStore {
    /// The pool of connections.
    package let client: PostgresClient
    /// Where the data lives, without the password.
    package let location: String
    let address: PostgresAddress
    let logger: Logger
    /// When a rank change may next be due, so that claims skip the search for due changes until then.
    let rankChanges = RankChangeClock()
    /// Whether the server answered lately (calls waiting for a connection ask it).
    let reachability = Reachability()

    /// A store over the database a `postgres://` or `postgresql://` URL names (the pool is created, not started).
    /// - Throws: ``StoreError/cannotOpen(path:reason:)`` for a URL that does not parse.
    package init(url: String, maximumConnections: Int = 20, logger: Logger = Logger(label: "recoup.postgres")) throws(StoreError) {
        let address = try PostgresAddress(parsing: url)
        var configuration =
            if let socket = address.socketPath {
                PostgresClient.Configuration(unixSocketPath: socket, username: address.user, password: address.password, database: address.database)
            } else {
                PostgresClient.Configuration(
                    host: address.host,
                    port: address.port,
                    username: address.user,
                    password: address.password,
                    database: address.database,
                    tls: .disable
                )
            }
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(5)
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.location = address.description
        self.address = address
        self.logger = logger
    }

    /// Runs the connection pool until the calling task is cancelled (no call reaches the database before it runs).
    package func run() async { await client.run() }

    /// Whether a database location names PostgreSQL (`postgres://` or `postgresql://`) rather than a SQLite file.
    package static func handles(_ location: String) -> Bool {
        PostgresAddress.schemes.contains { location.lowercased().hasPrefix($0 + "://") }
    }

    /// Runs `body` with a migrated store whose pool runs for the body's duration (commands that open the database).
    package static func withStore<Result>(
        url: String,
        logger: Logger = Logger(label: "recoup.postgres"),
        _ body: (PostgresStore) async throws -> Result
    ) async throws -> Result {
        let store = try PostgresStore(url: url, maximumConnections: 4, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            try await store.open()
            return try await body(store)
        }
    }

    /// Connects once outside the pool (so that a wrong password or an unknown database is reported as the server says
    /// it, not as a pool that keeps retrying), then applies the pending migrations.
    /// - Throws: ``StoreError/cannotOpen(path:reason:)`` naming what failed.
    package func open() async throws {
        do {
            let connection = try await PostgresConnection.connect(configuration: connectionConfiguration, id: 0, logger: logger)
            try await connection.close()
        } catch {
            throw StoreError.cannotOpen(path: location, reason: Self.describe(error))
        }
        do {
            try await migrate()
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.cannotOpen(path: location, reason: Self.describe(error))
        }
    }

    /// The address as one connection outside the pool takes it (``open()``, probes).
    var connectionConfiguration: PostgresConnection.Configuration {
        var configuration =
            if let socket = address.socketPath {
                PostgresConnection.Configuration(
                    unixSocketPath: socket,
                    username: address.user,
                    password: address.password,
                    database: address.database
                )
            } else {
                PostgresConnection.Configuration(
                    host: address.host,
                    port: address.port,
                    username: address.user,
                    password: address.password,
                    database: address.database,
                    tls: .disable
                )
            }
        configuration.options.connectTimeout = .seconds(2)
        return configuration
    }

    package func status() async throws -> StoreStatus {
        try await read { db in
            StoreStatus(
                location: location,
                journalMode: nil,
                engine: .postgresql,
                engineVersion: try await db.value("SELECT current_setting('server_version')", as: String.self) ?? "unknown",
                appliedMigrations: try await db.values("SELECT name FROM schema_migration ORDER BY position", as: String.self)
            )
        }
    }

    package func recordStart(version: String, at date: Date) async throws {
        try await write { db in
            try await db.execute("INSERT INTO service_start (started_at, version) VALUES (\(date.storedSeconds), \(version))")
        }
    }

    package func startCount() async throws -> Int {
        try await read { db in try await db.value("SELECT COUNT(*) FROM service_start", as: Int.self) ?? 0 }
    }

    /// Writes an audit row (in the caller's transaction).
    func audit(_ db: Connection, _ returnID: String?, _ kind: AuditKind, actor: String?, detail: String?, at t: Double) async throws {
        try await db.execute("INSERT INTO audit_event (return_id, kind, actor, detail, at) VALUES (\(returnID), \(kind), \(actor), \(detail), \(t))")
    }
}

// MARK: - Transactions

extension PostgresStore {
    /// One connection of the pool, inside a transaction for ``PostgresStore/write(_:)``: the SQLite store's `Database`.
    struct Connection {
        let connection: PostgresConnection
        let logger: Logger

        /// Runs a statement whose values are bound (the interpolations of a `PostgresQuery` are parameters).
        func execute(_ query: PostgresQuery) async throws {
            _ = try await Self.send(query, on: connection, logger: logger).collect()
        }

        /// Every row of a query.
        func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
            try await Self.send(query, on: connection, logger: logger).collect().map { $0.makeRandomAccess() }
        }

        /// The rows of a query as they arrive (large results).
        func stream(_ query: PostgresQuery) async throws -> PostgresRowSequence {
            try await Self.send(query, on: connection, logger: logger)
        }

        /// Sends a query, unless the connection is closed already: postgres-nio never answers a query written to a
        /// closed channel (the request would wait forever), so a lost connection fails here, at once.
        static func send(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> PostgresRowSequence {
            guard !connection.isClosed else { throw StoreError.unavailable("the connection to PostgreSQL was lost") }
            return try await connection.query(query, logger: logger)
        }

        /// The first row of a query, or `nil`.
        func row(_ query: PostgresQuery) async throws -> PostgresRandomAccessRow? {
            try await rows(query).first
        }

        /// The first column of the first row, or `nil` (no row, or `NULL`).
        func value<Value: PostgresDecodable>(_ query: PostgresQuery, as type: Value.Type = Value.self) async throws -> Value? {
            guard let cell = try await rows(query).first?[0], cell.bytes != nil else { return nil }
            return try cell.decode(Value.self)
        }

        /// The first column of every row.
        func values<Value: PostgresDecodable>(_ query: PostgresQuery, as type: Value.Type = Value.self) async throws -> [Value] {
            try await rows(query).map { try $0[0].decode(Value.self) }
        }
    }

    /// Runs `body` in one transaction (READ COMMITTED), committed when it returns and rolled back when it throws.
    ///
    /// A transaction that PostgreSQL aborts for a deadlock or a serialization failure is run again from the start, up
    /// to five times: each attempt starts from what is committed, so nothing is applied twice.
    func write<Result: Sendable>(_ body: @escaping @Sendable (Connection) async throws -> Result) async throws -> Result {
        var attempt = 0
        while true {
            do {
                return try await withConnection { connection in
                    try await Self.transaction(on: connection.connection, logger: logger) { try await body(connection) }
                }
            } catch let error where attempt < 5 && Self.isRetryable(error) {
                attempt += 1
                try await Task.sleep(for: .milliseconds(attempt * attempt))
            }
        }
    }

    /// Runs `body` on one connection outside any transaction (each statement sees what is committed when it starts).
    func read<Result: Sendable>(_ body: @escaping @Sendable (Connection) async throws -> Result) async throws -> Result {
        try await withConnection(body)
    }

    /// How often a call still waiting for a connection of the pool asks whether the server can be reached: when it
    /// cannot, the call answers ``StoreError/unavailable(_:)`` (the pool would go on trying to connect, and a request
    /// must not wait for that: the client retries); when it can, the pool is only busy and the call waits on.
    static let connectionWait: Duration = .seconds(3)

    /// Runs `body` with a connection of the pool. A call that has waited ``connectionWait`` for one gives up when the
    /// server cannot be reached (``Reachability``); once `body` has its connection it runs to its end (a transaction is
    /// never cut off half way). Its failures get the store's meaning.
    private func withConnection<Result: Sendable>(_ body: @escaping @Sendable (Connection) async throws -> Result) async throws -> Result {
        let leased = LeaseFlag()
        return try await unavailableIfUnreachable {
            try await withThrowingTaskGroup(of: Result?.self) { group in
                group.addTask { [client, logger] in
                    try await client.withConnection { connection in
                        leased.value.store(true, ordering: .releasing)
                        return try await body(Connection(connection: connection, logger: logger))
                    }
                }
                group.addTask {
                    try await Task.sleep(for: Self.connectionWait)
                    return nil
                }
                while let next = try await group.next() {
                    if let result = next {
                        group.cancelAll()
                        reachability.record(reachable: true)
                        return result
                    }
                    guard !leased.value.load(ordering: .acquiring) else { continue }  // running: let it finish
                    if await reachability.isReachable(probe: probe) {  // only busy: wait on
                        group.addTask {
                            try await Task.sleep(for: Self.connectionWait)
                            return nil
                        }
                        continue
                    }
                    group.cancelAll()
                    throw StoreError.unavailable("PostgreSQL at \(location): cannot be reached")
                }
                throw CancellationError()
            }
        }
    }

    /// One connection made outside the pool and closed at once: whether the server answers.
    private func probe() async -> Bool {
        do {
            let connection = try await PostgresConnection.connect(configuration: connectionConfiguration, id: 0, logger: logger)
            try? await connection.close()
            return true
        } catch {
            return false
        }
    }

    /// Whether the server could be reached when last seen, for at most a second: calls waiting on a busy pool share
    /// one probe a second, and a lost connection counts as a failed probe.
    final class Reachability: Sendable {
        private let last = Mutex<(at: ContinuousClock.Instant, reachable: Bool)?>(nil)

        func record(reachable: Bool) {
            last.withLock { $0 = (ContinuousClock.now, reachable) }
        }

        func isReachable(probe: () async -> Bool) async -> Bool {
            if let seen = last.withLock({ $0 }), seen.at.duration(to: .now) < .seconds(1) { return seen.reachable }
            let reachable = await probe()
            record(reachable: reachable)
            return reachable
        }
    }

    /// Runs `body` on a connection of the pool without a deadline (a job holding a session lock while it runs).
    func onConnection<Result: Sendable>(_ body: (Connection) async throws -> Result) async throws -> Result {
        try await unavailableIfUnreachable {
            try await client.withConnection { connection in try await body(Connection(connection: connection, logger: logger)) }
        }
    }

    /// When the queue's next rank change is due, as this process last read it (`min(rerank_at)`) and lowered by what
    /// it writes since. A claim applies the changes due first only when one may be due; the reading is trusted for
    /// ``RankChangeClock/trustedSeconds``, so that a change written by another replica is applied at most that late.
    final class RankChangeClock: Sendable {
        static let trustedSeconds = 1.0
        private let state = Mutex<(nextDue: Double, checkedAt: Double)?>(nil)

        /// Whether a change may be due at `t` (or the reading is stale).
        func mayBeDue(at t: Double) -> Bool {
            state.withLock { state in
                guard let state else { return true }
                return t >= state.nextDue || t - state.checkedAt >= Self.trustedSeconds || t < state.checkedAt
            }
        }

        /// Records a reading: no change is due before `nextDue` (none at all when `nil`).
        func checked(at t: Double, nextDue: Double?) {
            state.withLock { $0 = (nextDue ?? .infinity, t) }
        }

        /// A change this process wrote, due at `t`.
        func lower(to t: Double?) {
            guard let t else { return }
            state.withLock { state in
                if let current = state, t < current.nextDue { state = (t, current.checkedAt) }
            }
        }
    }

    /// Set once a call has its connection.
    private final class LeaseFlag: Sendable {
        let value = Atomic<Bool>(false)
    }

    /// BEGIN, `body`, COMMIT; ROLLBACK when `body` fails, unless the connection is gone (the server then rolls back
    /// by itself, and postgres-nio may never answer a statement sent on a connection that is closing).
    private static func transaction<Result: Sendable>(
        on connection: PostgresConnection,
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> Result
    ) async throws -> Result {
        _ = try await Connection.send("BEGIN", on: connection, logger: logger)
        let result: Result
        do {
            result = try await body()
        } catch {
            if !isConnectionFailure(error) { _ = try? await Connection.send("ROLLBACK", on: connection, logger: logger) }
            throw error
        }
        _ = try await Connection.send("COMMIT", on: connection, logger: logger)
        return result
    }

    /// Whether an error means the connection is lost (the client's side, or the server shutting the session down).
    static func isConnectionFailure(_ error: any Error) -> Bool {
        if case .unavailable = error as? StoreError { return true }
        guard let psql = error as? PSQLError else { return false }
        guard let state = psql.serverInfo?[.sqlState] else { return true }
        return state.hasPrefix("08") || state.hasPrefix("57P")
    }

    /// Runs `body`, giving its failures the store's meaning: the server out of reach (refused, lost, timed out) is
    /// ``StoreError/unavailable(_:)``, so that the service answers 503 and the client retries; text PostgreSQL cannot
    /// keep (U+0000) is ``StoreError/unstorableText(_:)``, a 400; other SQL errors are left as they are (a 500, logged).
    private func unavailableIfUnreachable<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch {
            throw classify(error)
        }
    }

    private func classify(_ error: any Error) -> any Error {
        switch error {
        case let psql as PSQLError where psql.serverInfo?[.sqlState] == "22021":  // character_not_in_repertoire
            return StoreError.unstorableText(Self.describe(psql))
        case let psql as PSQLError where Self.isConnectionFailure(psql):
            reachability.record(reachable: false)
            return StoreError.unavailable("PostgreSQL at \(location): \(Self.describe(psql))")
        case let pool as ConnectionPoolError where pool == .connectionCreationCircuitBreakerTripped:
            return StoreError.unavailable("PostgreSQL at \(location): no connection could be made")
        default:
            return error
        }
    }

    /// Deadlocks (40P01) and serialization failures (40001): the transaction can simply run again.
    static func isRetryable(_ error: any Error) -> Bool {
        guard let psql = error as? PSQLError, let state = psql.serverInfo?[.sqlState] else { return false }
        return state == "40P01" || state == "40001"
    }

    /// One line for a PostgreSQL error: the server's message when there is one, else what failed on the client side.
    static func describe(_ error: any Error) -> String {
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] { return message }
            if psql.code == .connectionError || psql.code == .serverClosedConnection || psql.code == .clientClosedConnection {
                let detail = "\(psql.underlying.map { "\($0)" } ?? "")".lowercased()
                if detail.contains("refused") { return "connection refused: no PostgreSQL server listens there" }
                if detail.contains("timed out") || detail.contains("timeout") { return "the connection timed out" }
                if detail.contains("resolve") || detail.contains("nodename") { return "the host name does not resolve" }
                return psql.code == .connectionError ? "cannot connect to the server" : "the server closed the connection"
            }
            if let underlying = psql.underlying { return "\(psql.code): \(underlying)" }
            return "\(psql.code)"
        }
        return "\(error)"
    }
}

// MARK: - Addresses

/// A parsed `postgres://user:password@host:port/database` URL. `host` may also be given as a query parameter
/// (`?host=/path/to/socket/folder`) for a Unix socket, as libpq accepts.
struct PostgresAddress: CustomStringConvertible {
    static let schemes = ["postgres", "postgresql"]

    var user: String
    var password: String?
    var host: String
    var port: Int
    var database: String
    /// The Unix socket (`<folder>/.s.PGSQL.<port>`) when the host is a folder.
    var socketPath: String? { host.hasPrefix("/") ? "\(host)/.s.PGSQL.\(port)" : nil }

    init(parsing text: String) throws(StoreError) {
        func refuse(_ reason: String) -> StoreError { .cannotOpen(path: Self.redacted(text), reason: reason) }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(), Self.schemes.contains(scheme) else {
            throw refuse("not a PostgreSQL URL: expected postgresql://user:password@host:port/database")
        }
        let query = components.queryItems ?? []
        for item in query where !["host", "port", "sslmode"].contains(item.name) {
            throw refuse("unknown URL parameter \"\(item.name)\": expected host, port or sslmode")
        }
        if let mode = query.first(where: { $0.name == "sslmode" })?.value, !["disable", "prefer", "allow"].contains(mode) {
            throw refuse("sslmode=\(mode) is not supported: TLS to PostgreSQL is not built in; use sslmode=disable on a private network")
        }
        let host = query.first(where: { $0.name == "host" })?.value ?? components.percentEncodedHost?.removingPercentEncoding ?? ""
        guard !host.isEmpty else { throw refuse("the URL names no host") }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.isEmpty, !path.contains("/") else { throw refuse("the URL names no database: expected …/database") }
        guard let user = components.user, !user.isEmpty else { throw refuse("the URL names no user: expected user@host") }
        let portParameter = query.first(where: { $0.name == "port" })?.value
        guard let port = portParameter.map({ Int($0) }) ?? components.port ?? 5432, (1...65_535).contains(port) else {
            throw refuse("port \(portParameter ?? components.port.map(String.init) ?? "") is not a port number (1-65535)")
        }
        self.user = user
        self.password = components.password
        self.host = host
        self.port = port
        self.database = path
    }

    /// The address without the password.
    var description: String {
        host.hasPrefix("/") ? "postgresql://\(user)@/\(database)?host=\(host)&port=\(port)" : "postgresql://\(user)@\(host):\(port)/\(database)"
    }

    /// A URL with its password replaced, for error messages.
    static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text) else { return "the database URL" }
        if components.password != nil { components.password = "***" }
        return components.string ?? "the database URL"
    }
}
