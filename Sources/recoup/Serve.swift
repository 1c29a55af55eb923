internal import ArgumentParser
internal import Hummingbird
internal import Logging
internal import RecoupServer
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

        @Option(help: "SQLite database file (created when missing).")
        var db: String = "var/recoup.sqlite"

        @Option(help: "Folder of model bundles, with ACTIVE naming the one to serve.")
        var models: String = "models"

        @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
        var logLevel: String = "info"

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535, got \(port)") }
            guard !db.isEmpty else { throw ValidationError("--db must name a file") }
            guard Logger.Level(rawValue: logLevel) != nil else {
                throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical; got \(logLevel)")
            }
        }

        var serverConfiguration: ServerConfiguration {
            ServerConfiguration(host: host, port: port, databasePath: db, modelsDirectory: models)
        }

        func run() async throws {
            var logger = Logger(label: "recoup")
            logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            let database = try ReturnsDatabase.open(path: db)
            logger.info("database open", metadata: ["db.path": "\(db)"])
            let app = try await buildApplication(configuration: serverConfiguration, database: database, logger: logger)
            try await app.runService()
        }
    }
}
