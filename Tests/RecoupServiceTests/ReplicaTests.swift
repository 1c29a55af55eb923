import Foundation
import RecoupScoring
import RecoupService
import RecoupStore
import RecoupTestStores
import RecoupTestSupport
import Testing

/// Replicas of the service on one store: the reload on one is followed by the others, the re-scoring runs once.
@Suite("Replicas on one store")
struct ReplicaTests {
    /// A replica: its own registry and models folder view, the shared store.
    func replica(_ store: any ReturnsStore, models: URL, clock: TestClock) -> ReturnsService {
        ReturnsService(
            store: store,
            models: ModelRegistry(
                ServingModel(scorer: Scorer(bundle: SmallModel.shared.bundle, policy: .default), policy: .default, loadedAt: clock.now)
            ),
            metrics: ServiceMetrics(factory: NoMetrics()),
            modelsDirectory: models,
            clock: { clock.now }
        )
    }

    @Test("a reload on one replica is followed by the others; a version a replica cannot load is refused once", arguments: Backend.enabled)
    func followTheActiveModel(_ backend: Backend) async throws {
        let models = FileManager.default.temporaryDirectory.appendingPathComponent("recoup-models-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: models) }
        var second = SmallModel.shared.bundle
        second.version = "small-test-2"
        try second.write(into: models)
        try await backend.withStore { store in
            let clock = TestClock()
            let a = replica(store, models: models, clock: clock)
            let b = replica(store, models: models, clock: clock)
            #expect(try await store.activeModelVersion() == nil)
            try await b.followActiveModel()  // nothing set: b keeps its model
            #expect(b.models.current.version == "small-test")

            try await a.loadModel(version: "small-test-2")
            #expect(try await store.activeModelVersion() == "small-test-2")
            try await b.followActiveModel()
            #expect(b.models.current.version == "small-test-2")

            // A version only another machine's folder holds: refused once, then left alone; the model keeps serving.
            try await store.setActiveModelVersion("elsewhere-only", now: clock.now)
            await #expect(throws: ServiceError.self) { try await b.followActiveModel() }
            try await b.followActiveModel()
            #expect(b.models.current.version == "small-test-2")
        }
    }

    @Test("a job runs once at a time across the processes of a shared store", arguments: Backend.enabled)
    func exclusiveJobs(_ backend: Backend) async throws {
        try await backend.withStore { store in
            let outer = try await store.exclusively("job") {
                // Another replica trying the same job now finds it taken (PostgreSQL); a SQLite file has one process.
                try await store.exclusively("job") { "inner ran" }
            }
            #expect(outer == .some(backend == .postgres ? nil : "inner ran"))
            #expect(try await store.exclusively("job") { 1 } == 1)  // released afterwards
        }
    }
}
