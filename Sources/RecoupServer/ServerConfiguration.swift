package import RecoupService

/// How the HTTP server runs: where it listens, what one request may carry, and the use cases' limits.
///
/// A `Sendable` value with defaults; the executable fills it from its command-line options. Nothing below the
/// executable reads the environment.
package struct ServerConfiguration: Sendable, Equatable {
    /// Interface to bind.
    package var host: String = "127.0.0.1"
    /// TCP port to bind (0 picks a free port).
    package var port: Int = 8080
    /// What one request may carry.
    package var limits = Limits()
    /// What the use cases accept (batch size, claim size, lease bounds).
    package var service = ServiceLimits()
    /// Whether the pages' cookies are `Secure` (set when a TLS proxy serves the site; a request with
    /// `X-Forwarded-Proto: https` gets them anyway).
    package var secureCookies = false
    /// How long a web session lasts from sign-in.
    package var sessionLifetime = WebSessions.defaultLifetime
    /// Whether ingest counts monitoring profiles, and the monitor's rules.
    package var monitoring = MonitoringSettings()

    /// What one request may carry, and how many are handled at once.
    package struct Limits: Sendable, Equatable {
        /// Bytes of a batch body (413 beyond).
        package var maxBodyBytes = 8 * 1024 * 1024
        /// Bytes of a small body (claims, inspections, reviews).
        package var maxSmallBodyBytes = 64 * 1024
        /// Requests handled at once; beyond it the server answers 503 with `Retry-After` instead of queueing.
        package var maxConcurrentRequests = 512

        package init() {}
    }

    package init() {}

    package init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
}
