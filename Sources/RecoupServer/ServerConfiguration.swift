/// How `recoup serve` runs: where it listens, which database and which models it uses, and its input limits.
///
/// A `Sendable` value with defaults; the executable fills it from its command-line options. Nothing below the
/// executable reads the environment.
package struct ServerConfiguration: Sendable, Equatable {
    /// Interface to bind.
    package var host: String = "127.0.0.1"
    /// TCP port to bind (0 picks a free port).
    package var port: Int = 8080
    /// SQLite database file.
    package var databasePath: String = "var/recoup.sqlite"
    /// Folder holding model bundles and `ACTIVE`.
    package var modelsDirectory: String = "models"
    /// A lane policy file replacing the shipped default (`nil` = the default).
    package var lanePolicyPath: String?
    /// Input limits.
    package var limits = Limits()

    /// What one request may carry, and how long leases may run.
    package struct Limits: Sendable, Equatable {
        /// Records in one `POST /v1/returns` or `POST /v1/score`.
        package var maxBatchRecords = 1000
        /// Bytes of a batch body (413 beyond).
        package var maxBodyBytes = 8 * 1024 * 1024
        /// Bytes of a small body (claims, inspections, reviews).
        package var maxSmallBodyBytes = 64 * 1024
        /// Items one claim may take.
        package var maxClaimCount = 100
        package var defaultLeaseSeconds: Double = 900
        package var minLeaseSeconds: Double = 5
        package var maxLeaseSeconds: Double = 86_400
        /// Requests handled at once; beyond it the server answers 503 with `Retry-After` instead of queueing.
        package var maxConcurrentRequests = 512

        package init() {}
    }

    package init() {}

    package init(host: String, port: Int, databasePath: String, modelsDirectory: String) {
        self.host = host
        self.port = port
        self.databasePath = databasePath
        self.modelsDirectory = modelsDirectory
    }
}
