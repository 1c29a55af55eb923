import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import RecoupServer
@testable import RecoupStore

@Suite("Health and readiness")
struct HealthTests {
    @Test("GET /healthz answers 200 with version, database and model status")
    func healthz() async throws {
        let db = try ReturnsDatabase.inMemory()
        let app = try await buildApplication(configuration: .init(), database: db, logger: Logger(label: "test"))
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                let json = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                #expect(json?["version"] as? String == "0.1.0")
                let database = json?["database"] as? [String: Any]
                #expect(database?["status"] as? String == "ok")
                #expect(json?["model"] != nil)
            }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test("the live server answers over a socket and records its start", .timeLimit(.minutes(1)))
    func live() async throws {
        let db = try ReturnsDatabase.inMemory()
        var configuration = ServerConfiguration()
        configuration.port = 0
        let app = try await buildApplication(configuration: configuration, database: db, logger: Logger(label: "test"))
        try await app.test(.live) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
        #expect(try await db.startCount() == 1)
    }
}
