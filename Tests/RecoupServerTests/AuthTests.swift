import Foundation
import Hummingbird
import HummingbirdTesting
import RecoupSQLite
import RecoupService
import Testing

@testable import RecoupServer
@testable import RecoupStore

@Suite("API keys and roles")
struct AuthTests {
    @Test("401 without a key, with a malformed header, an unknown or a revoked key; 403 with the wrong role")
    func matrix() async throws {
        let server = try await TestServer.make()
        let revoked = try await server.dependencies.keys.create(role: .risk, label: "old", now: server.clock.now)
        try await server.dependencies.database.revokeKey(id: revoked.stored.id, now: server.clock.now)
        try await server.app().test(.router) { client in
            let cases: [(HTTPFields, HTTPResponse.Status)] = [
                ([:], .unauthorized),
                ([.authorization: "Basic abc"], .unauthorized),
                ([.authorization: "Bearer nonsense"], .unauthorized),
                ([.authorization: "Bearer rk_000000000000_" + String(repeating: "0", count: 48)], .unauthorized),
                ([.authorization: "Bearer \(revoked.plaintext)"], .unauthorized),
                (server.auth(.warehouse), .forbidden),
                (server.auth(.analyst), .forbidden),
                (server.auth(.risk), .ok),
                (server.auth(.admin), .ok),
            ]
            for (headers, status) in cases {
                try await client.execute(uri: "/v1/anomalies", method: .get, headers: headers) { response in
                    #expect(response.status == status, "\(headers)")
                    if status != .ok {
                        #expect(errorField(response.body, "message") is String)
                    }
                }
            }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test("the first start creates exactly one admin key; later starts create none")
    func bootstrap() async throws {
        let db = try SQLiteStore.inMemory()
        let keys = APIKeys(store: db)
        let first = try #require(try await keys.bootstrapAdminIfNeeded(now: Date()))
        #expect(first.stored.role == .admin)
        #expect(first.plaintext.hasPrefix("rk_"))
        #expect(try await keys.bootstrapAdminIfNeeded(now: Date()) == nil)
        let stored = try await db.keys()
        #expect(stored.count == 1)
        #expect(!stored[0].secretHash.contains(first.plaintext.split(separator: "_")[2]))
        #expect(try await keys.verify(authorization: "Bearer \(first.plaintext)").get().role == .admin)
    }

    @Test("the header is read as Bearer <key>: the scheme in any case, blanks around; anything else is refused")
    func headerForms() async throws {
        let db = try SQLiteStore.inMemory()
        let keys = APIKeys(store: db)
        let key = try await keys.create(role: .analyst, label: nil, now: Date()).plaintext
        for accepted in ["Bearer \(key)", "bearer \(key)", "BEARER  \(key) ", "\tBearer\t\(key)"] {
            #expect(try await keys.verify(authorization: accepted).get().role == .analyst, "\(accepted)")
        }
        let refusals: [(String?, APIKeys.Refusal)] = [
            (nil, .missing), ("", .missing), ("   ", .missing),
            ("Bearer", .malformed), ("Bearer ", .malformed), ("Token \(key)", .malformed),
            ("Bearer \(key)x", .malformed), ("Bearer \(key.dropLast())", .malformed), ("Bearer \(key) extra", .malformed),
            ("Bearer " + key.replacingOccurrences(of: "rk_", with: "rx_"), .malformed),
            ("Bearer " + String(key.dropLast()) + "g", .malformed),
            ("Bearer " + String(key.dropLast()) + (key.hasSuffix("0") ? "1" : "0"), .unknown),
        ]
        for (header, refusal) in refusals {
            guard case .failure(let got) = try await keys.verify(authorization: header) else {
                Issue.record("\(header ?? "nil") was accepted")
                continue
            }
            #expect(got == refusal, "\(header ?? "nil")")
        }
    }
}
