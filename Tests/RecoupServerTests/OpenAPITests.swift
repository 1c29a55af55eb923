import Foundation
import Hummingbird
import HummingbirdTesting
import RecoupCore
import RecoupSQLite
import RecoupService
import RecoupTestSupport
import Synchronization
import Testing

@testable import RecoupServer
@testable import RecoupStore

/// `openapi.yaml` against the server: the routes, the statuses each answers, and the fields and query parameters each
/// reads. A route, a status or a field the server has and the document lacks fails here, and so does a field the
/// document names that the server does not read. (The values' rules are checked by schemathesis in `make reliability`,
/// which drives the running server with data generated from the document.)
@Suite("openapi.yaml")
struct OpenAPITests {
    /// The bundled openapi.yaml (the repository root's file is a link to it), read once.
    static let parsed = Result { try YAMLReader.parse(String(decoding: OpenAPIDocument.data ?? Data(), as: UTF8.self)) }

    /// The document; empty when it does not read (then `readsWhole` says why and the other tests fail on it).
    static var document: YAMLNode { (try? parsed.get()) ?? .map([]) }

    /// The operation at `path` and `method` (lower case), with `$ref`s left as they are.
    static func operation(_ path: String, _ method: String) -> YAMLNode? { document["paths"]?[path]?[method] }

    /// A schema with its `$ref` followed.
    static func resolve(_ node: YAMLNode) -> YAMLNode {
        guard let ref = node["$ref"]?.string else { return node }
        return document["components"]?["schemas"]?[String(ref.split(separator: "/").last!)] ?? node
    }

    /// The documented statuses of an operation, as numbers.
    static func statuses(_ path: String, _ method: String) -> Set<Int> {
        Set((operation(path, method)?["responses"]?.entries ?? []).compactMap { Int($0.key) })
    }

    /// The route's OpenAPI path: `/v1/returns/{id}` for Hummingbird's `v1/returns/:id`.
    static func openAPIPath(_ route: some CustomStringConvertible) -> String {
        "/" + route.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
    }

    @Test("the document reads as YAML: every path has operations, every $ref resolves")
    func readsWhole() throws {
        _ = try Self.parsed.get()
        let paths = try #require(Self.document["paths"]).entries
        #expect(paths.count >= 16)
        func refs(_ node: YAMLNode) -> [String] {
            switch node {
            case .map(let entries): entries.flatMap { $0.key == "$ref" ? [$0.value.string ?? ""] : refs($0.value) }
            case .list(let items): items.flatMap(refs)
            case .scalar: []
            }
        }
        for ref in refs(Self.document) {
            let parts = ref.split(separator: "/").dropFirst().map(String.init)  // "#", components, kind, name
            #expect(parts.count == 3 && Self.document["components"]?[parts[1]]?[parts[2]] != nil, "\(ref) does not resolve")
        }
    }

    @Test("every registered route is documented with its method, and every documented operation is a route")
    func everyRouteDocumented() async throws {
        let server = try await TestServer.make()
        let routes = Set(
            buildRouter(server.dependencies).routes.map { "\($0.method.rawValue.lowercased()) \(Self.openAPIPath($0.path))" }
                .filter { !$0.contains(" /ui") }  // the web pages (PagesTests has their table)
        )
        var documented: Set<String> = []
        for (path, item) in Self.document["paths"]?.entries ?? [] {
            for (method, _) in item.entries where ["get", "post", "put", "patch", "delete"].contains(method) {
                documented.insert("\(method) \(path)")
            }
        }
        #expect(!routes.isEmpty)
        #expect(routes.subtracting(documented).isEmpty, "not in openapi.yaml: \(routes.subtracting(documented).sorted())")
        #expect(documented.subtracting(routes).isEmpty, "documented but not served: \(documented.subtracting(routes).sorted())")
    }

    /// The request bodies the server decodes: the keys it reads, by schema name.
    static let serverBodyKeys: [String: Set<String>] = [
        "ReturnRecord": Set(ContractField.recordFields.map(\.name)),
        "ClaimRequest": Set(ClaimBody.CodingKeys.allCases.map(\.rawValue)),
        "ExtendRequest": Set(ExtendRequest.CodingKeys.allCases.map(\.rawValue)),
        "InspectionRequest": Set(InspectionBody.CodingKeys.allCases.map(\.rawValue)),
        "ReviewRequest": Set(ReviewRequest.CodingKeys.allCases.map(\.rawValue)),
        "ReloadRequest": Set(ModelsController.ReloadRequest.CodingKeys.allCases.map(\.rawValue)),
        "ShadowRequest": Set(ModelsController.ShadowRequest.CodingKeys.allCases.map(\.rawValue)),
    ]

    @Test("each request body documents exactly the fields the server reads")
    func requestFields() throws {
        var checked: Set<String> = []
        for (path, item) in Self.document["paths"]?.entries ?? [] {
            for (method, operation) in item.entries {
                guard let content = operation["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"]?.string else { continue }
                var name = String(content.split(separator: "/").last!)
                if name == "ReturnBatch" { name = "ReturnRecord" }  // a record, or a batch of records
                let schema = try #require(Self.document["components"]?["schemas"]?[name], "\(name)")
                let documented = Set(schema["properties"]?.entries.map(\.key) ?? [])
                let read = try #require(Self.serverBodyKeys[name], "\(method) \(path): no server keys for \(name)")
                #expect(
                    documented == read,
                    "\(method) \(path) \(name): only documented \(documented.subtracting(read).sorted()), only read \(read.subtracting(documented).sorted())"
                )
                for required in schema["required"]?.items.compactMap(\.string) ?? [] {
                    #expect(documented.contains(required), "\(name) requires \(required), which it does not describe")
                }
                checked.insert(name)
            }
        }
        #expect(checked == Set(Self.serverBodyKeys.keys))
    }

    @Test("each operation documents exactly the query parameters its route reads")
    func queryParameters() throws {
        let read: [String: [QueryParameter]] = [
            "/v1/score": ReturnsController.scoreQuery, "/v1/lanes": QueueController.lanesQuery,
            "/v1/anomalies": RiskController.anomaliesQuery, "/v1/insights/root-causes": InsightsController.rootCausesQuery,
            "/v1/insights/leakage": InsightsController.leakageQuery, "/v1/insights/cycle-times": InsightsController.cycleTimesQuery,
            "/v1/insights/repeat-returners": InsightsController.repeatReturnersQuery, "/v1/models/monitor": ModelsController.monitorQuery,
        ]
        for (path, item) in Self.document["paths"]?.entries ?? [] {
            for (method, operation) in item.entries {
                let documented = Set(
                    operation["parameters"]?.items.map(Self.resolve).filter { $0["in"]?.string == "query" }.compactMap { $0["name"]?.string } ?? []
                )
                #expect(documented == Set((read[path] ?? []).map(\.rawValue)), "\(method) \(path)")
            }
        }
    }

    /// Requests that reach each route's answers: no key, a role without access, bodies that are empty, not JSON,
    /// too large, of the wrong shape and right, ids that do not exist. Every status answered must be documented.
    @Test("every status a route answers is documented for its operation")
    func everyStatusDocumented() async throws {
        let server = try await TestServer.make(model: true) {
            $0.limits.maxSmallBodyBytes = 512
            $0.limits.maxBodyBytes = 64 * 1024
        }
        try await seed(server, ids: ["A", "B", "C", "D"])
        let noModel = try await TestServer.make()
        let record = recordJSON(SmallModel.shared.data[0].record)
        let bodies: [String: [String]] = [
            "/v1/returns": [
                record, "{\"returns\": [\(record), {\"return_id\": \"bad\"}]}",
                record.replacingOccurrences(of: "\"unit_price\":", with: "\"unit_price\":-1,\"x\":"),
            ],
            "/v1/score": [record, "[\(record)]"],
            "/v1/authorizations": [
                record, "{\"returns\": [\(record), {\"return_id\": \"bad\"}]}",
                record.replacingOccurrences(of: "\"unit_price\":", with: "\"unit_price\":7,\"x\":"),
            ],
            "/v1/lanes/{lane}/claims": [
                "{\"warehouse_id\": \"WH1\", \"station_id\": \"S1\", \"count\": 1}",
                "{\"warehouse_id\": \" \", \"station_id\": \"S1\", \"count\": 1}",
            ],
            "/v1/claims/{token}/extend": ["{\"lease_seconds\": 60}", "{\"lease_seconds\": 1}"],
            "/v1/returns/{id}/inspection": [
                "{\"claim_token\": \"t\", \"disposition\": \"outlet\", \"recovery_value\": 1, \"fraud_confirmed\": false}"
            ],
            "/v1/anomalies/{id}/review": ["{\"decision\": \"dismissed\"}", "{\"decision\": \"maybe\"}"],
            "/v1/models/reload": ["{\"version\": \"no-such-bundle\"}", "{\"version\": \"../x\"}", ""],
            "/v1/models/shadow": ["{\"version\": \"no-such-bundle\"}", "{\"version\": \"../x\"}", "{\"version\": 3}"],
        ]
        let answered = Mutex<[String: Set<Int>]>([:])
        for instance in [server, noModel] {
            try await instance.app().test(.router) { client in
                for row in AuthMatrixTests.table {
                    var requests: [(headers: HTTPFields, body: String)] = [([:], "{}")]
                    if let roles = row.roles, let outsider = Role.allCases.first(where: { $0 != .admin && !roles.contains($0) }) {
                        requests.append((instance.auth(outsider), "{}"))
                    }
                    let generic = ["{}", "[", "null", "{\"x\": 1}", String(repeating: " ", count: 70 * 1024)]
                    for body in generic + (bodies[row.route] ?? []) { requests.append((instance.auth(.admin), body)) }
                    var samples = [row.sample]
                    if row.route.contains("{id}") { samples.append(row.sample.replacingOccurrences(of: "/R1", with: "/A")) }
                    for sample in samples {
                        for request in requests {
                            try await client.execute(
                                uri: sample,
                                method: row.method,
                                headers: request.headers,
                                body: ByteBuffer(string: request.body)
                            ) {
                                let status = Int($0.status.code)
                                answered.withLock { _ = $0["\(row.method.rawValue.lowercased()) \(row.route)", default: []].insert(status) }
                            }
                        }
                    }
                }
            }
        }
        for (operation, codes) in answered.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            let parts = operation.split(separator: " ").map(String.init)
            let documented = Self.statuses(parts[1], parts[0])
            #expect(
                codes.isSubset(of: documented),
                "\(operation) answered \(codes.subtracting(documented).sorted()), not documented (has \(documented.sorted()))"
            )
        }
        // Statuses any route can answer: the overload guard's 503, and for a route that needs a key, 401 and 403.
        for row in AuthMatrixTests.table {
            let documented = Self.statuses(row.route, row.method.rawValue.lowercased())
            #expect(documented.contains(503), "\(row.method) \(row.route) does not document 503")
            if row.roles != nil { #expect(documented.isSuperset(of: [401, 403]), "\(row.method) \(row.route) does not document 401 and 403") }
        }
    }

    /// A YAML node as the JSON value it stands for (plain `null`, `true`, `false` and numbers read as such).
    static func json(_ node: YAMLNode) -> Any {
        switch node {
        case .map(let entries): Dictionary(uniqueKeysWithValues: entries.map { ($0.key, json($0.value)) })
        case .list(let items): items.map(json)
        case .scalar(let s):
            if s == "null" { NSNull() } else if s == "true" || s == "false" { s == "true" } else if let d = Double(s) { d } else { s }
        }
    }

    @Test("the document's examples are accepted as they are")
    func examplesAccepted() async throws {
        let server = try await TestServer.make(model: true)
        try await seed(server, ids: ["A"])
        let schemas = try #require(Self.document["components"]?["schemas"])
        let record = try body(Self.json(try #require(schemas["ReturnRecord"]?["example"])))
        let claim = try body(Self.json(try #require(schemas["ClaimRequest"]?["example"])))
        try await server.app().test(.router) { client in
            try await client.execute(uri: "/v1/score", method: .post, headers: server.auth(.admin), body: record) { response in
                #expect(response.status == .ok)
                #expect(field(response.body, "scored") as? Int == 1, "\(String(buffer: response.body))")
            }
            try await client.execute(uri: "/v1/lanes/standard/claims", method: .post, headers: server.auth(.admin), body: claim) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
            }
        }
    }
}
