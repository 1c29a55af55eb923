import CoreMetrics
import Foundation
import RecoupCore
import RecoupSQLite
import RecoupScoring
import RecoupService
import RecoupStore
import RecoupTestSupport
import Synchronization

/// A controllable clock.
final class TestClock: Sendable {
    private let time = Mutex(Date(timeIntervalSince1970: 1_790_000_000))
    var now: Date { time.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { time.withLock { $0 += seconds } }
}

/// Metrics that go nowhere (these tests assert on behaviour, not on metrics).
struct NoMetrics: MetricsFactory {
    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler { NOOPMetricsHandler.instance }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler { NOOPMetricsHandler.instance }
    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler { NOOPMetricsHandler.instance }
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}
}

/// A lane policy with one lane, so that every return lands in the same queue and only priority orders it.
func oneLanePolicy(serviceLevelHours: Double = 72) throws -> LanePolicy {
    let json = """
        {"formatVersion": 2,
         "anomaly": {"fraudRiskThreshold": 1, "serialMismatch": false, "weightDeviation": false, "customerReturnRate": false},
         "priority": {"baseDailyDecay": 0.003, "seasonWindowDays": 30, "seasonDailyDecay": 0.02, "demandDailyDecay": 0.01,
                      "refundDays": 3, "lateDailyShare": 0.01},
         "capabilities": {"default": [], "warehouses": {}},
         "lanes": [{"name": "standard", "serviceLevelHours": \(serviceLevelHours), "inspectionMinutes": {"default": 8}}],
         "rules": [{"lane": "standard"}]}
        """
    return try LanePolicy.load(from: Data(json.utf8), source: "one-lane")
}

/// A service over an in-memory store, serving the small test model (or none).
func makeService(model: Bool = true, policy: LanePolicy = .default, clock: TestClock = TestClock()) throws -> ReturnsService {
    ReturnsService(
        store: try SQLiteStore.inMemory(),
        models: ModelRegistry(
            ServingModel(
                scorer: model ? Scorer(bundle: SmallModel.shared.bundle, policy: policy) : nil,
                policy: policy,
                loadedAt: model ? clock.now : nil
            )
        ),
        metrics: ServiceMetrics(factory: NoMetrics()),
        modelsDirectory: URL(fileURLWithPath: "models"),
        clock: { clock.now }
    )
}

/// A test record with a new id and price.
func record(_ id: String, price: Double, from base: ReturnRecord = SmallModel.shared.data[0].record) -> ReturnRecord {
    var record = base
    record.returnID = id
    record.unitPrice = price
    record.quantity = 1
    return record
}

func body(_ records: [ReturnRecord]) -> [UInt8] { ReturnRecord.jsonDocument(records) }

func json(_ bytes: [UInt8]) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] ?? [:]
}
