import Foundation
import Hummingbird
import HummingbirdTesting
import RecoupSQLite
import RecoupService
import RecoupTestStores
import Testing

@testable import RecoupServer
@testable import RecoupStore

/// Every route against no key, a malformed header, a revoked key and each role: the expected status each time.
/// The table below is the README's; a route added without an entry fails `everyRouteHasARow`.
@Suite("Auth matrix")
struct AuthMatrixTests {
    /// method, path (with sample parameters), roles allowed (admin is always allowed); `nil` = open.
    static let table: [(method: HTTPRequest.Method, route: String, sample: String, roles: Set<Role>?)] = [
        (.get, "/healthz", "/healthz", nil),
        (.get, "/readyz", "/readyz", nil),
        (.get, "/metrics", "/metrics", nil),
        (.get, "/openapi.yaml", "/openapi.yaml", nil),
        (.post, "/v1/returns", "/v1/returns", [.warehouse]),
        (.post, "/v1/score", "/v1/score", [.warehouse, .risk, .analyst]),
        (.get, "/v1/returns/{id}", "/v1/returns/R1", [.warehouse, .risk, .analyst]),
        (.get, "/v1/lanes", "/v1/lanes", [.warehouse, .analyst]),
        (.post, "/v1/lanes/{lane}/claims", "/v1/lanes/standard/claims", [.warehouse]),
        (.post, "/v1/claims/{token}/extend", "/v1/claims/t/extend", [.warehouse]),
        (.post, "/v1/claims/{token}/release", "/v1/claims/t/release", [.warehouse]),
        (.post, "/v1/returns/{id}/inspection", "/v1/returns/R1/inspection", [.warehouse]),
        (.get, "/v1/anomalies", "/v1/anomalies", [.risk]),
        (.post, "/v1/anomalies/{id}/review", "/v1/anomalies/R1/review", [.risk]),
        (.post, "/v1/authorizations", "/v1/authorizations", [.warehouse, .risk]),
        (.get, "/v1/authorizations/{id}", "/v1/authorizations/R1", [.warehouse, .risk]),
        (.get, "/v1/summary", "/v1/summary", [.analyst, .risk]),
        (.get, "/v1/insights/root-causes", "/v1/insights/root-causes", [.analyst, .risk]),
        (.get, "/v1/insights/leakage", "/v1/insights/leakage", [.analyst, .risk]),
        (.get, "/v1/insights/cycle-times", "/v1/insights/cycle-times", [.analyst, .risk]),
        (.get, "/v1/insights/repeat-returners", "/v1/insights/repeat-returners", [.analyst, .risk]),
        (.get, "/v1/models", "/v1/models", [.analyst]),
        (.post, "/v1/models/reload", "/v1/models/reload", []),
        (.get, "/v1/models/monitor", "/v1/models/monitor", [.analyst]),
        (.post, "/v1/models/shadow", "/v1/models/shadow", []),
        (.delete, "/v1/models/shadow", "/v1/models/shadow", []),
    ]

    @Test("every registered route has a row", arguments: Backend.enabled)
    func everyRouteHasARow(_ backend: Backend) async throws {
        let server = try await TestServer.make(backend: backend)
        for route in buildRouter(server.dependencies).routes where route.path.description.split(separator: "/").first != "ui" {
            let path =
                "/"
                + route.path.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
                .joined(separator: "/")
            #expect(Self.table.contains { $0.method == route.method && $0.route == path }, "\(route.method) \(path) has no auth row")
        }
    }

    @Test("each route answers each credential with the expected status", arguments: Backend.enabled)
    func matrix(_ backend: Backend) async throws {
        let server = try await TestServer.make(backend: backend, model: true)
        let revoked = try await server.dependencies.keys.create(role: .admin, label: "revoked", now: server.clock.now)
        try await server.dependencies.database.revokeKey(id: revoked.stored.id, now: server.clock.now)
        let credentials: [(name: String, header: String?, role: Role?)] =
            [
                ("no key", nil, nil), ("malformed header", "Token abc", nil), ("revoked key", "Bearer \(revoked.plaintext)", nil),
            ] + Role.allCases.map { ($0.rawValue, "Bearer \(server.keys[$0]!)", $0) }
        try await server.app().test(.router) { client in
            for row in Self.table {
                for credential in credentials {
                    var headers: HTTPFields = [.contentType: "application/json"]
                    if let h = credential.header { headers[.authorization] = h }
                    try await client.execute(uri: row.sample, method: row.method, headers: headers, body: ByteBuffer(string: "{}")) { response in
                        let status = response.status
                        let label = "\(row.method) \(row.route) with \(credential.name): \(status.code)"
                        guard let roles = row.roles else {
                            #expect(status != .unauthorized && status != .forbidden, "\(label)")
                            return
                        }
                        switch credential.role {
                        case nil: #expect(status == .unauthorized, "\(label)")
                        case .some(let role) where role == .admin || roles.contains(role):
                            #expect(status != .unauthorized && status != .forbidden && status.code < 500, "\(label)")
                        case .some: #expect(status == .forbidden, "\(label)")
                        }
                    }
                }
            }
        }
        print("RELIABILITY auth-matrix cases=\(Self.table.count * credentials.count)")  // for `make reliability`'s table
    }
}
