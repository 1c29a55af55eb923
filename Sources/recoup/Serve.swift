internal import ArgumentParser
internal import Foundation
internal import Hummingbird
internal import Logging
internal import Metrics
internal import Prometheus
internal import RecoupPostgres
internal import RecoupSQLite
internal import RecoupScoring
internal import RecoupServer
internal import RecoupService
internal import RecoupStore

extension Recoup {
    /// `recoup serve`: the HTTP service.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the HTTP service (ranked inspection queue, scoring, anomaly review)."
        )

        @Option(help: "Interface to listen on.")
        var host: String = "127.0.0.1"

        @Option(help: "TCP port to listen on.")
        var port: Int = 8080

        @Option(
            help: """
                SQLite database file (created when missing), or a PostgreSQL URL \
                (postgresql://user:password@host:port/database) shared by several replicas.
                """
        )
        var db: String = "var/recoup.sqlite"

        @Option(help: "Connections each replica keeps to PostgreSQL at most (with --db postgresql://...).")
        var dbConnections: Int = 20

        @Option(help: "Folder of model bundles, with ACTIVE naming the one to serve.")
        var models: String = "models"

        @Option(help: "A lane policy JSON file replacing the shipped default.")
        var lanePolicy: String?

        @Option(help: "A governance policy JSON file (return windows, costs, approval, keep-it and refund-timing rules).")
        var governancePolicy: String?

        @Option(help: "Records per batch request (POST /v1/returns, /v1/score).")
        var maxBatch: Int = 1000

        @Option(help: "Requests handled at once; more are answered 503 with Retry-After.")
        var maxConcurrentRequests: Int = 512

        @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
        var logLevel: String = "info"

        @Flag(
            inversion: .prefixedNo,
            help: "Count every ingested return into its model's profile for drift monitoring (GET /v1/models/monitor)."
        )
        var monitoring = true

        @Option(help: "Population stability index from which a field's drift is moderate.")
        var driftModerate: Double = DriftThresholds.standard.moderate

        @Option(help: "Population stability index from which a field's drift is major.")
        var driftMajor: Double = DriftThresholds.standard.major

        @Option(help: "Inspected returns a model needs before the monitor reports its live accuracy.")
        var monitorMinLabels: Int = MonitoringSettings().minLabels

        @Option(help: "Hours a web session lasts from sign-in (the pages under /ui).")
        var sessionHours: Double = WebSessions.defaultLifetime.hours

        @Flag(help: "Mark the pages' cookies Secure (set when a TLS proxy serves the site; X-Forwarded-Proto: https does it per request).")
        var secureCookies = false

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535, got \(port)") }
            guard !db.isEmpty else { throw ValidationError("--db must name a file or a PostgreSQL URL") }
            guard (2...500).contains(dbConnections) else { throw ValidationError("--db-connections must be in 2...500, got \(dbConnections)") }
            guard maxBatch >= 1 else { throw ValidationError("--max-batch must be at least 1, got \(maxBatch)") }
            guard maxConcurrentRequests >= 1 else {
                throw ValidationError("--max-concurrent-requests must be at least 1, got \(maxConcurrentRequests)")
            }
            do { try DriftThresholds(moderate: driftModerate, major: driftMajor).validate() } catch {
                throw ValidationError("--drift-moderate and --drift-major: \(error)")
            }
            guard sessionHours.isFinite, (0.01...720).contains(sessionHours) else {
                throw ValidationError("--session-hours must be in 0.01...720, got \(sessionHours)")
            }
            guard monitorMinLabels >= 1 else { throw ValidationError("--monitor-min-labels must be at least 1, got \(monitorMinLabels)") }
            guard Logger.Level(rawValue: logLevel) != nil else {
                throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical; got \(logLevel)")
            }
        }

        var serverConfiguration: ServerConfiguration {
            var configuration = ServerConfiguration(host: host, port: port)
            configuration.service.maxBatchRecords = maxBatch
            configuration.limits.maxConcurrentRequests = maxConcurrentRequests
            configuration.monitoring.enabled = monitoring
            configuration.monitoring.thresholds = DriftThresholds(moderate: driftModerate, major: driftMajor)
            configuration.monitoring.minLabels = monitorMinLabels
            configuration.secureCookies = secureCookies
            configuration.sessionLifetime = .seconds(sessionHours * 3600)
            return configuration
        }

        func run() async throws {
            // The policies first: a bad file stops the start before anything is opened or set up.
            let policy = try CommandSupport.policy(lanePolicy)
            let governance = try CommandSupport.governancePolicy(governancePolicy)
            var logger = Logger(label: "recoup")
            logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            let registry = PrometheusCollectorRegistry()
            var factory = PrometheusMetricsFactory(registry: registry)
            factory.durationHistogramBuckets[ServiceMetrics.Name.scoringDuration] = ServiceMetrics.scoringDurationBuckets
            MetricsSystem.bootstrap(factory)

            guard PostgresStore.handles(db) else {
                let store = try SQLiteStore.open(path: db)
                logger.info("database open", metadata: ["db.path": "\(db)"])
                return try await serve(store, policy: policy, governance: governance, registry: registry, logger: logger)
            }
            // The pool runs around the whole server, so that it outlives the graceful shutdown of the requests and
            // background services that use it.
            let store: PostgresStore
            do { store = try PostgresStore(url: db, maximumConnections: dbConnections, logger: logger) } catch {
                throw CommandError(error.description)
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await store.run() }
                defer { group.cancelAll() }
                do { try await store.open() } catch let error as StoreError { throw CommandError(error.description) }
                logger.info("database open", metadata: ["db.location": "\(store.location)"])
                try await serve(store, policy: policy, governance: governance, registry: registry, logger: logger)
            }
        }

        /// Loads the model, creates the first admin key when there is none, and runs the server until it is stopped.
        private func serve(
            _ store: some ReturnsStore,
            policy: LanePolicy,
            governance: GovernancePolicy,
            registry: PrometheusCollectorRegistry,
            logger: Logger
        ) async throws {
            let configuration = serverConfiguration
            let service = ReturnsService(
                store: store,
                models: ModelRegistry(ServingModel(scorer: nil, policy: policy, loadedAt: nil)),
                metrics: ServiceMetrics(),
                limits: configuration.service,
                monitoring: configuration.monitoring,
                modelsDirectory: URL(fileURLWithPath: models),
                sessionLifetime: configuration.sessionLifetime,
                governance: governance
            )
            do {
                // The store's active model (a reload on any replica sets it), else the one models/ACTIVE names.
                let loaded = try await service.loadModel(version: try await store.activeModelVersion(), publish: false)
                logger.info("model loaded", metadata: ["model.version": "\(loaded.version)"])
            } catch {
                logger.error(
                    "no model loaded: scoring and ingest answer 503 until POST /v1/models/reload succeeds",
                    metadata: ["reason": "\(error)"]
                )
            }
            if let created = try await service.keys.bootstrapAdminIfNeeded(now: Date()) {
                // Written unbuffered: the operator must see it even when stdout is a file or a pipe.
                FileHandle.standardOutput.write(
                    Data("No API keys yet: created an admin key. It is shown once; keep it:\n  \(created.plaintext)\n".utf8)
                )
            }
            let dependencies = ServerDependencies(configuration: configuration, service: service) { registry.emitToBuffer() }
            let app = try await buildApplication(configuration: configuration, dependencies: dependencies, logger: logger)
            try await app.runService()
        }
    }
}
