package import Foundation
package import RecoupStore

/// Everything the routes need, built once by ``buildApplication(configuration:dependencies:logger:)``.
package struct ServerDependencies: Sendable {
    package var configuration: ServerConfiguration
    package var database: ReturnsDatabase
    package var models: ModelRegistry
    package var keys: APIKeys
    package var metrics: ServiceMetrics
    /// The time source; tests inject a controllable clock (lease expiry, aging).
    package var clock: @Sendable () -> Date

    package init(
        configuration: ServerConfiguration, database: ReturnsDatabase, models: ModelRegistry, metrics: ServiceMetrics,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.database = database
        self.models = models
        self.keys = APIKeys(database: database)
        self.metrics = metrics
        self.clock = clock
    }
}
