import Foundation
import Hummingbird
import HummingbirdTesting
import RecoupSQLite
import RecoupService
import Testing

@testable import RecoupServer
@testable import RecoupStore

@Suite("Health, readiness, metrics and the OpenAPI document")
struct HealthTests {
    @Test("GET /healthz answers 200 with version, database and model status; /readyz is 503 without a model")
    func healthz() async throws {
        let server = try await TestServer.make()
        try await server.app().test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                let body = try json(response.body)
                #expect(body["version"] as? String == "0.1.0")
                #expect((body["database"] as? [String: Any])?["status"] as? String == "ok")
                #expect((body["model"] as? [String: Any])?["status"] as? String == "not_loaded")
            }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
            }
        }
    }

    @Test("GET /metrics is open and in Prometheus text format, with queue depth per lane and the model version")
    func metrics() async throws {
        let server = try await TestServer.make()
        try await server.app().test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                #expect(text.contains(#"recoup_queue_depth{lane="risk_review"} 0"#))
                #expect(text.contains(#"recoup_model_info{version="none"} 1"#))
            }
            try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).hasPrefix("openapi: 3"))
            }
        }
    }

    @Test("the live server answers over a socket and records its start", .timeLimit(.minutes(1)))
    func live() async throws {
        let server = try await TestServer.make()
        try await server.app().test(.live) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
        #expect(try await server.dependencies.database.startCount() == 1)
    }
}
