import CoreMetrics
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import RecoupCore
import RecoupSQLite
import RecoupScoring
import RecoupService
import RecoupTestStores
import RecoupTestSupport
import RecoupTraining
import Synchronization

@testable import RecoupServer
@testable import RecoupStore

/// A controllable clock for lease and aging tests.
final class TestClock: Sendable {
    private let time = Mutex(Date(timeIntervalSince1970: 1_790_000_000))
    var now: Date { time.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { time.withLock { $0 += seconds } }
}

/// A server over an empty database (SQLite in memory, or a fresh PostgreSQL database), with one key per role; metrics go to its own Prometheus registry.
struct TestServer {
    let dependencies: ServerDependencies
    let clock: TestClock
    let keys: [Role: String]

    static func make(
        backend: Backend = .sqlite,
        model: Bool = false,
        modelsDirectory: URL = URL(fileURLWithPath: "models"),
        database: URL? = nil,
        governance: GovernancePolicy = .default,
        configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> TestServer {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configure(&configuration)
        let clock = TestClock()
        let registry = PrometheusCollectorRegistry()
        let store: any ReturnsStore = if let database { try SQLiteStore.open(path: database.path) } else { try await backend.makeStore() }
        let service = ReturnsService(
            store: store,
            models: ModelRegistry(
                ServingModel(
                    scorer: model ? Scorer(bundle: SmallModel.shared.bundle, policy: .default) : nil,
                    policy: .default,
                    loadedAt: model ? clock.now : nil
                )
            ),
            metrics: ServiceMetrics(factory: PrometheusMetricsFactory(registry: registry)),
            limits: configuration.service,
            monitoring: configuration.monitoring,
            modelsDirectory: modelsDirectory,
            governance: governance,
            clock: { clock.now }
        )
        let dependencies = ServerDependencies(configuration: configuration, service: service) { registry.emitToBuffer() }
        var keys: [Role: String] = [:]
        for role in Role.allCases {
            keys[role] = try await service.keys.create(role: role, label: role.rawValue, now: clock.now).plaintext
        }
        return TestServer(dependencies: dependencies, clock: clock, keys: keys)
    }

    func app() async throws -> some ApplicationProtocol {
        try await buildApplication(configuration: dependencies.configuration, dependencies: dependencies, logger: Logger(label: "test"))
    }

    func auth(_ role: Role) -> HTTPFields { [.authorization: "Bearer \(keys[role]!)", .contentType: "application/json"] }
}

extension ServerDependencies {
    /// The store under the service (tests seed and inspect it directly).
    var database: any ReturnsStore { service.store }
    var keys: APIKeys { service.keys }
}

/// Lane names written as literals in tests.
extension LaneName: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self.init(rawValue: value)! }
}

func json(_ buffer: ByteBuffer) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any] ?? [:]
}

func body(_ object: Any) throws -> ByteBuffer {
    ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object))
}

/// A key of the `error` object of a JSON error body (nil when absent or not JSON).
func errorField(_ buffer: ByteBuffer, _ key: String) -> Any? {
    ((try? json(buffer))?["error"] as? [String: Any])?[key]
}

/// A top-level key of a JSON body (nil when absent or not JSON).
func field(_ buffer: ByteBuffer, _ key: String) -> Any? {
    (try? json(buffer))?[key]
}
