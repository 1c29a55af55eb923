package import RecoupService

/// Everything the routes need: the use cases and how to read the metrics backend.
package struct ServerDependencies: Sendable {
    package var configuration: ServerConfiguration
    package var service: ReturnsService
    /// The metrics in Prometheus text format (the executable bootstraps the backend and renders it).
    package var metricsText: @Sendable () -> [UInt8]

    package init(configuration: ServerConfiguration, service: ReturnsService, metricsText: @escaping @Sendable () -> [UInt8]) {
        self.configuration = configuration
        self.service = service
        self.metricsText = metricsText
    }
}
