import Foundation
import Hummingbird
import RecoupSQLite
import RecoupService
import Testing

@testable import RecoupServer
@testable import RecoupStore

@Suite("openapi.yaml")
struct OpenAPITests {
    /// `path -> methods` read from the bundled openapi.yaml (the repository root's file is a link to it).
    func documentedOperations() throws -> [String: Set<String>] {
        let text = String(decoding: try #require(OpenAPIDocument.data), as: UTF8.self)
        var operations: [String: Set<String>] = [:]
        var inPaths = false
        var current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("paths:") {
                inPaths = true
                continue
            }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                current = String(line.dropFirst(2).dropLast())
                operations[current!] = []
            } else if let path = current, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                let method = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "post", "put", "patch", "delete"].contains(String(method)) { operations[path]!.insert(method.uppercased()) }
            }
        }
        return operations
    }

    @Test("every registered route is documented with its method")
    func everyRouteDocumented() async throws {
        let server = try await TestServer.make()
        let router = buildRouter(server.dependencies)
        let documented = try documentedOperations()
        #expect(!router.routes.isEmpty)
        for route in router.routes {
            let path = route.path.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
                .joined(separator: "/")
            let openAPIPath = path.hasPrefix("/") ? path : "/" + path
            #expect(documented[openAPIPath]?.contains(route.method.rawValue) == true, "\(route.method) \(openAPIPath) is not in openapi.yaml")
        }
    }
}
