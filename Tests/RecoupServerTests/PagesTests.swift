import Foundation
import Hummingbird
import HummingbirdTesting
import RecoupCore
import RecoupFeatures
import RecoupService
import RecoupTestSupport
import Testing

@testable import RecoupServer
@testable import RecoupStore

/// A browser's side of the pages, in process: the session cookie and the CSRF token of a signed-in user.
struct PageSession {
    var cookie: String
    var csrf: String

    static func open(_ server: TestServer, _ role: Role) async throws -> PageSession {
        guard case .success(let opened) = try await server.dependencies.service.sessions.signIn(apiKey: server.keys[role]!) else {
            throw StoreError.keyNotFound(0)
        }
        return PageSession(cookie: opened.cookie, csrf: opened.identity.csrfToken)
    }

    var headers: HTTPFields { [.cookie: "\(PageCookie.session)=\(cookie)", .contentType: "application/x-www-form-urlencoded"] }

    /// A form body with this session's CSRF token (unless `csrf` is given: `nil` leaves it out).
    func form(_ fields: [(String, String)] = [], csrf: String?? = .none) -> ByteBuffer {
        let token: String? = csrf ?? self.csrf
        let all = (token.map { [("csrf", $0)] } ?? []) + fields
        return ByteBuffer(string: all.map { "\(urlEncoded($0.0))=\(urlEncoded($0.1))" }.joined(separator: "&"))
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var location: String { headers[.location] ?? "" }
    /// The `Set-Cookie` header of a cookie, by name.
    func setCookie(_ name: String) -> String? { headers[values: .setCookie].first { $0.hasPrefix(name + "=") } }
}

/// Ingests records through the API and returns their ids.
func ingestThroughAPI(_ server: TestServer, _ client: some TestClientProtocol, _ records: [ReturnRecord]) async throws {
    let batch = "{\"returns\":[\(records.map(recordJSON).joined(separator: ","))]}"
    try await client.execute(uri: "/v1/returns", method: .post, headers: server.auth(.warehouse), body: ByteBuffer(string: batch)) { response in
        #expect(response.status == .ok)
    }
}

@Suite("Web pages: sessions, roles, CSRF, the floor's flow, escaping")
struct PagesTests {
    let records = SmallModel.shared.data.prefix(40).map(\.record)

    /// Every page route with a sample path and the roles that may use it: its area's (admin sees every area), except
    /// the model reload, which is admin's alone as in the API.
    static let table: [(method: HTTPRequest.Method, route: String, sample: String, roles: Set<Role>)] = [
        (.get, "/ui/lanes", "/ui/lanes", PageArea.floor.roles),
        (.get, "/ui/lanes/board", "/ui/lanes/board", PageArea.floor.roles),
        (.post, "/ui/lanes/{lane}/claim", "/ui/lanes/standard/claim", PageArea.floor.roles),
        (.get, "/ui/scan", "/ui/scan?return_id=R1", PageArea.floor.roles),
        (.get, "/ui/items/{id}", "/ui/items/R1", PageArea.floor.roles),
        (.post, "/ui/items/{id}/inspection", "/ui/items/R1/inspection", PageArea.floor.roles),
        (.post, "/ui/claims/{token}/extend", "/ui/claims/t/extend", PageArea.floor.roles),
        (.post, "/ui/claims/{token}/release", "/ui/claims/t/release", PageArea.floor.roles),
        (.get, "/ui/risk", "/ui/risk", PageArea.risk.roles),
        (.get, "/ui/risk/{id}", "/ui/risk/R1", PageArea.risk.roles),
        (.post, "/ui/risk/{id}/review", "/ui/risk/R1/review", PageArea.risk.roles),
        (.get, "/ui/overview", "/ui/overview", PageArea.overview.roles),
        (.get, "/ui/models", "/ui/models", PageArea.overview.roles),
        (.post, "/ui/models/reload", "/ui/models/reload", [.admin]),
    ]

    /// The pages open without a session, and those any session may use.
    static let open: [(method: HTTPRequest.Method, route: String)] = [
        (.get, "/ui/sign-in"), (.post, "/ui/sign-in"), (.get, "/ui/static/{file}"), (.get, "/ui"), (.post, "/ui/sign-out"),
    ]

    @Test("every page route is in the table; without a session each sends the browser to sign-in; a role outside the area gets a 403 page")
    func pageMatrix() async throws {
        let server = try await TestServer.make(model: true)
        let registered = buildRouter(server.dependencies).routes.map { route in
            (
                route.method,
                "/"
                    + route.path.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(
                        separator: "/"
                    )
            )
        }.filter { $0.1.hasPrefix("/ui") }
        for (method, path) in registered {
            #expect(
                Self.table.contains { $0.method == method && $0.route == path } || Self.open.contains { $0.method == method && $0.route == path },
                "\(method) \(path) has no row"
            )
        }
        var opened: [Role: PageSession] = [:]
        for role in Role.allCases { opened[role] = try await PageSession.open(server, role) }
        let sessions = opened
        try await server.app().test(.router) { client in
            for row in Self.table {
                try await client.execute(uri: row.sample, method: row.method, headers: [.contentType: "application/x-www-form-urlencoded"]) { r in
                    #expect(r.status == .seeOther && r.location.hasPrefix("/ui/sign-in?m=sign_in"), "\(row.method) \(row.route) without a session")
                }
                for role in Role.allCases {
                    let session = sessions[role]!
                    try await client.execute(uri: row.sample, method: row.method, headers: session.headers, body: session.form()) { r in
                        let label = "\(row.method) \(row.route) as \(role): \(r.status.code)"
                        if row.roles.contains(role) {
                            #expect(r.status != .forbidden && r.status != .unauthorized && r.status.code < 500, "\(label)")
                        } else {
                            #expect(r.status == .forbidden && r.text.contains("id=\"forbidden\""), "\(label)")
                        }
                    }
                }
            }
        }
    }

    @Test("sign-in: CSRF double submit, a strict HttpOnly session cookie, the role's home; a wrong key is a 401 page")
    func signIn() async throws {
        let server = try await TestServer.make(model: true)
        try await server.app().test(.router) { client in
            var csrf = ""
            try await client.execute(uri: "/ui/sign-in", method: .get) { r in
                #expect(r.status == .ok)
                let cookie = r.setCookie(PageCookie.signInCSRF) ?? ""
                csrf = String(cookie.dropFirst(PageCookie.signInCSRF.count + 1).prefix { $0 != ";" })
                #expect(csrf.count == 64 && r.text.contains("value=\"\(csrf)\""))
                #expect(r.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            }
            let headers: HTTPFields = [.cookie: "\(PageCookie.signInCSRF)=\(csrf)", .contentType: "application/x-www-form-urlencoded"]
            func post(_ body: String) -> ByteBuffer { ByteBuffer(string: body) }
            try await client.execute(uri: "/ui/sign-in", method: .post, headers: headers, body: post("api_key=\(server.keys[.risk]!)")) { r in
                #expect(r.status == .forbidden, "no csrf field")
            }
            try await client.execute(uri: "/ui/sign-in", method: .post, headers: headers, body: post("csrf=\(csrf)&api_key=rk_nope")) { r in
                #expect(r.status == .unauthorized && r.text.contains("flash error"))
                #expect(r.setCookie(PageCookie.session) == nil)
            }
            let key = server.keys[.risk]!
            try await client.execute(uri: "/ui/sign-in", method: .post, headers: headers, body: post("csrf=\(csrf)&api_key=+\(key)+")) { r in
                #expect(r.status == .seeOther && r.location == "/ui/risk")
                let cookie = r.setCookie(PageCookie.session) ?? ""
                #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/ui"))
                #expect(!cookie.contains("Secure"), "plain HTTP")
            }
            var forwarded = headers
            forwarded[.xForwardedProto] = "https"
            let next = "next=%2Fui%2Frisk%3Fstatus%3Descalated"
            try await client.execute(uri: "/ui/sign-in", method: .post, headers: forwarded, body: post("csrf=\(csrf)&api_key=\(key)&\(next)")) { r in
                #expect(r.location == "/ui/risk?status=escalated", "back to the page asked for")
                #expect(r.setCookie(PageCookie.session)?.contains("Secure") == true, "behind TLS")
            }
            try await client.execute(
                uri: "/ui/sign-in",
                method: .post,
                headers: headers,
                body: post("csrf=\(csrf)&api_key=\(key)&next=https://evil.example/")
            ) {
                r in
                #expect(r.location == "/ui/risk", "never another site")
            }
        }
    }

    @Test("a session ends at its expiry, at sign-out (which needs the CSRF token) and when its key is revoked")
    func sessionEnds() async throws {
        let server = try await TestServer.make(model: true)
        let session = try await PageSession.open(server, .analyst)
        try await server.app().test(.router) { client in
            try await client.execute(uri: "/ui/overview", method: .get, headers: session.headers) { #expect($0.status == .ok) }
            for token in [nil, "x" + session.csrf.dropFirst()] as [String?] {  // "x" is never a hex digit: always wrong
                try await client.execute(uri: "/ui/sign-out", method: .post, headers: session.headers, body: session.form(csrf: token)) { r in
                    #expect(r.status == .forbidden)
                }
            }
            try await client.execute(uri: "/ui/overview", method: .get, headers: session.headers) { #expect($0.status == .ok) }
            try await client.execute(uri: "/ui/sign-out", method: .post, headers: session.headers, body: session.form()) { r in
                #expect(r.status == .seeOther && r.location == "/ui/sign-in?m=signed_out")
                #expect(r.setCookie(PageCookie.session)?.contains("Max-Age=0") == true)
            }
            try await client.execute(uri: "/ui/overview", method: .get, headers: session.headers) { r in
                #expect(r.status == .seeOther && r.location.hasPrefix("/ui/sign-in?m=expired&next=%2Fui%2Foverview"))
            }
            let expiring = try await PageSession.open(server, .analyst)
            server.clock.advance(12 * 3600 + 1)
            try await client.execute(uri: "/ui/overview", method: .get, headers: expiring.headers) { r in
                #expect(r.location.hasPrefix("/ui/sign-in?m=expired"))
            }
            #expect(try await server.dependencies.service.upkeep().expiredLeases == 0)  // and deletes expired sessions
            let revoked = try await PageSession.open(server, .analyst)
            let key = try await server.dependencies.database.keys().first { $0.role == .analyst }!
            try await server.dependencies.database.revokeKey(id: key.id, now: server.clock.now)
            try await client.execute(uri: "/ui/overview", method: .get, headers: revoked.headers) { r in
                #expect(r.location.hasPrefix("/ui/sign-in?m=expired"))
            }
        }
    }

    @Test("the floor: the board's numbers are the API's; claim next opens the item under its lease; a double post stores one inspection")
    func floorFlow() async throws {
        let server = try await TestServer.make(model: true)
        let session = try await PageSession.open(server, .warehouse)
        try await server.app().test(.router) { client in
            try await ingestThroughAPI(server, client, Array(records))
            let warehouse = records[0].warehouseID
            var api: [String: (depth: Int, leased: Int)] = [:]
            try await client.execute(uri: "/v1/lanes?warehouse=\(warehouse)", method: .get, headers: server.auth(.warehouse)) { r in
                for lane in field(r.body, "lanes") as? [[String: Any]] ?? [] {
                    api[lane["lane"] as! String] = (lane["depth"] as! Int, lane["leased"] as! Int)
                }
            }
            var board: [String: (depth: Int, leased: Int)] = [:]
            try await client.execute(uri: "/ui/lanes?warehouse=\(warehouse)&station=S1", method: .get, headers: session.headers) { r in
                #expect(r.status == .ok)
                #expect(r.setCookie(PageCookie.station)?.contains("\(warehouse)|S1") == true, "the station is remembered")
                let rows = r.text.matches(
                    of: #/<tr data-lane="(\w+)">.*?<td class="depth"[^>]*>(\d+)</td>\s*<td class="leased"[^>]*>(\d+)</td>/#.dotMatchesNewlines()
                )
                for m in rows { board[String(m.1)] = (Int(m.2)!, Int(m.3)!) }
            }
            #expect(!board.isEmpty && board.keys.sorted() == api.keys.sorted())
            for (lane, counts) in api { #expect(board[lane]! == counts, "\(lane)") }
            let lane = api.first { $0.value.depth > 0 }!.key

            var item = ""
            var claim = ""
            try await client.execute(
                uri: "/ui/lanes/\(lane)/claim",
                method: .post,
                headers: session.headers,
                body: session.form([("warehouse", warehouse), ("station", "S1")])
            ) { r in
                #expect(r.status == .seeOther)
                let m = r.location.firstMatch(of: #/^/ui/items/([^?]+)\?claim=([0-9a-f-]+)$/#)
                item = m.map { String($0.1).removingPercentEncoding! } ?? ""
                claim = m.map { String($0.2) } ?? ""
            }
            try await client.execute(uri: "/ui/items/\(item)?claim=\(claim)", method: .get, headers: session.headers) { r in
                #expect(r.status == .ok)
                #expect(r.text.contains("id=\"inspection-form\"") && r.text.contains("id=\"lease-countdown\""))
                #expect(r.text.contains("data-return-id=\"\(item)\""))
            }
            let inspection = session.form([
                ("claim_token", claim), ("grade", "B"), ("disposition", "open_box"), ("recovery_value", "12.5"), ("notes", "<b>scuffed</b>"),
            ])
            try await client.execute(uri: "/ui/items/\(item)/inspection", method: .post, headers: session.headers, body: inspection) { r in
                #expect(r.status == .seeOther && r.location.hasPrefix("/ui/lanes?done=inspected"))
            }
            try await client.execute(uri: "/ui/items/\(item)/inspection", method: .post, headers: session.headers, body: inspection) { r in
                #expect(r.status == .conflict && r.text.contains("already inspected") && r.text.contains("flash error"))
            }
            try await client.execute(uri: "/v1/returns/\(item)", method: .get, headers: server.auth(.warehouse)) { r in
                let history = field(r.body, "history") as? [[String: Any]] ?? []
                #expect(history.filter { $0["kind"] as? String == "inspected" }.count == 1)
            }
            try await client.execute(uri: "/ui/items/\(item)", method: .get, headers: session.headers) { r in
                #expect(r.text.contains("&lt;b&gt;scuffed&lt;/b&gt;") && !r.text.contains("<b>scuffed"), "notes are text")
                #expect(!r.text.contains("id=\"inspection-form\""))
            }
        }
    }

    @Test("a lease lost to expiry and another station: the inspection form stores nothing and says so")
    func staleClaim() async throws {
        let server = try await TestServer.make(model: true)
        let session = try await PageSession.open(server, .warehouse)
        try await server.app().test(.router) { client in
            try await ingestThroughAPI(server, client, [records[0]])
            let lane = try await server.dependencies.database.detail(returnID: records[0].returnID, now: server.clock.now).queue!.lane
            let mine = try await server.dependencies.service.claim(
                lane: lane,
                warehouseID: records[0].warehouseID,
                stationID: "S1",
                count: 1,
                leaseSeconds: 60
            )
            server.clock.advance(61)
            _ = try await server.dependencies.service.claim(
                lane: lane,
                warehouseID: records[0].warehouseID,
                stationID: "S2",
                count: 1,
                leaseSeconds: 600
            )
            let form = session.form([("claim_token", mine.token), ("disposition", "outlet"), ("recovery_value", "3")])
            try await client.execute(uri: "/ui/items/\(records[0].returnID)/inspection", method: .post, headers: session.headers, body: form) { r in
                #expect(r.status == .conflict && r.text.contains("Nothing was stored"))
                #expect(r.text.contains("id=\"lanes\""), "the board, to claim the next item")
            }
            #expect(try await server.dependencies.database.detail(returnID: records[0].returnID, now: server.clock.now).inspection == nil)
        }
    }

    @Test("customer comments render as text, never as markup")
    func escaping() async throws {
        let server = try await TestServer.make(model: true)
        let session = try await PageSession.open(server, .warehouse)
        var marked = records[0]
        marked.customerComment = "<script>alert(1)</script><img src=x onerror=alert(2)>"
        let record = marked
        try await server.app().test(.router) { client in
            try await ingestThroughAPI(server, client, [record])
            try await client.execute(uri: "/ui/items/\(record.returnID)", method: .get, headers: session.headers) { r in
                #expect(r.status == .ok)
                #expect(r.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"))
                #expect(!r.text.contains("<script>alert") && !r.text.contains("<img src=x"))
            }
        }
    }

    @Test("the item card shows the decision taken on the request before the item shipped")
    func requestDecisionOnCard() async throws {
        let server = try await TestServer.make(model: true)
        let session = try await PageSession.open(server, .warehouse)
        let record = records[1]
        try await server.app().test(.router) { client in
            let request = recordJSON(record.removing(FeatureSpec.defaultReceiptFields))
            try await client.execute(uri: "/v1/authorizations", method: .post, headers: server.auth(.warehouse), body: ByteBuffer(string: request)) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/ui/items/\(record.returnID)", method: .get, headers: session.headers) { r in
                #expect(r.status == .notFound || !r.text.contains("request-decision"))  // not received yet
            }
            try await ingestThroughAPI(server, client, [record])
            let stored = try await server.dependencies.database.authorization(returnID: record.returnID, now: server.clock.now)
            try await client.execute(uri: "/ui/items/\(record.returnID)", method: .get, headers: session.headers) { r in
                #expect(r.status == .ok)
                #expect(r.text.contains("id=\"request-decision\""))
                #expect(r.text.contains("<b>\(stored.decision.rawValue.replacingOccurrences(of: "_", with: " "))</b>"))
            }
        }
    }

    @Test("risk review: the list is the API's (kind filter included); a decision is stored and leaves the open list")
    func riskReview() async throws {
        let server = try await TestServer.make(model: true)
        let session = try await PageSession.open(server, .risk)
        try await server.app().test(.router) { client in
            try await seed(server, ids: ["F1", "F2"], anomaly: true)
            try await seed(server, ids: ["N1"])
            var apiOrder: [String] = []
            try await client.execute(uri: "/v1/anomalies?status=open&kind=serial_mismatch", method: .get, headers: server.auth(.risk)) { r in
                let flags = field(r.body, "anomalies") as? [[String: Any]] ?? []
                apiOrder = flags.map { $0["return_id"] as! String }
                #expect(flags.allSatisfy { ($0["kinds"] as? [String]) == ["serial_mismatch"] })
            }
            #expect(apiOrder.count == 2)
            try await client.execute(uri: "/v1/anomalies?kind=fraud_risk", method: .get, headers: server.auth(.risk)) { r in
                #expect((field(r.body, "anomalies") as? [Any])?.isEmpty == true)
            }
            try await client.execute(uri: "/v1/anomalies?kind=bogus", method: .get, headers: server.auth(.risk)) { r in
                #expect(r.status == .badRequest && errorField(r.body, "field") as? String == "kind")
            }
            try await client.execute(uri: "/ui/risk?kind=serial_mismatch", method: .get, headers: session.headers) { r in
                let rows = r.text.matches(of: #/<tr data-return-id="([^"]+)">/#).map { String($0.1) }
                #expect(rows == apiOrder)
            }
            try await client.execute(uri: "/ui/risk?min_risk=2", method: .get, headers: session.headers) { r in
                #expect(r.status == .badRequest && r.text.contains("min_risk must be a number in [0, 1]"))
            }
            let review = session.form([("decision", "confirmed_fraud"), ("note", "ring <3>")])
            try await client.execute(uri: "/ui/risk/F1/review", method: .post, headers: session.headers, body: review) { r in
                #expect(r.status == .seeOther && r.location.hasPrefix("/ui/risk?done=reviewed&id=F1"))
            }
            try await client.execute(uri: "/ui/risk/F1/review", method: .post, headers: session.headers, body: review) { r in
                #expect(r.status == .conflict && r.text.contains("confirmed_fraud") && r.text.contains("ring &lt;3&gt;"))
            }
            try await client.execute(uri: "/ui/risk", method: .get, headers: session.headers) { r in
                let rows = r.text.matches(of: #/<tr data-return-id="([^"]+)">/#).map { String($0.1) }
                #expect(rows == ["F2"])
            }
            let flag = try await server.dependencies.service.anomalies(AnomalyQuery(returnID: "F1")).first
            #expect(flag?.status == .confirmedFraud && flag?.reviewNote == "ring <3>" && flag?.reviewer?.hasPrefix("key:") == true)
        }
    }

    @Test("the overview and models pages show what the API answers: summary, leakage, the monitor, every bundle's held-out metrics")
    func analystPages() async throws {
        let server = try await TestServer.make(model: true)
        let session = try await PageSession.open(server, .analyst)
        try await server.app().test(.router) { client in
            try await ingestThroughAPI(server, client, Array(records.prefix(10)))
            let service = server.dependencies.service
            let lane = try await server.dependencies.database.detail(returnID: records[0].returnID, now: server.clock.now).queue!.lane
            let claim = try await service.claim(lane: lane, warehouseID: records[0].warehouseID, stationID: "S", count: 1, leaseSeconds: 60)
            let report = InspectionReport(
                claimToken: claim.token,
                grade: "A",
                disposition: "restock_new",
                recoveryValue: 20,
                fraudConfirmed: false,
                notes: nil
            )
            _ = try await service.complete(returnID: claim.items[0].returnID, report: report)
            var summary: [String: Any] = [:]
            try await client.execute(uri: "/v1/summary", method: .get, headers: server.auth(.analyst)) { summary = try json($0.body) }
            var leakage: [[String: Any]] = []
            try await client.execute(uri: "/v1/insights/leakage?by=category&days=30", method: .get, headers: server.auth(.analyst)) {
                leakage = (try json($0.body)["rows"] as? [[String: Any]] ?? []).filter { ($0["inspected"] as? Int ?? 0) > 0 }
            }
            try await client.execute(uri: "/ui/overview", method: .get, headers: session.headers) { r in
                #expect(r.status == .ok)
                #expect(r.text.contains("<b id=\"returns\">\(summary["returns"] as! Int)</b>"))
                #expect(r.text.contains("<b id=\"inspected\">1</b>"))
                #expect(r.text.contains("id=\"chart-reasons\"") && r.text.contains("id=\"cycle-times\""))
                let shown = r.text.matches(of: #/class="leakage" data-label="Leakage" data-value="([^"]+)"/#).map { Double(String($0.1))! }
                #expect(!leakage.isEmpty && shown == leakage.map { $0["leakage"] as! Double })
            }
            var bundles: [[String: Any]] = []
            try await client.execute(uri: "/v1/models", method: .get, headers: server.auth(.analyst)) { r in
                bundles = field(r.body, "bundles") as? [[String: Any]] ?? []
            }
            let shipped = bundles.first { $0["version"] as? String == "default-200k" }
            let prAUC = ((shipped?["test"] as? [String: Any])?["fraud"] as? [String: Double])?["pr_auc"]
            #expect(prAUC != nil)
            try await client.execute(uri: "/ui/models", method: .get, headers: session.headers) { r in
                #expect(r.status == .ok)
                #expect(r.text.contains("id=\"monitor\"") && r.text.contains("data-model=\"small-test\""))
                #expect(r.text.contains("data-version=\"default-200k\"") && r.text.contains(Format.metric(prAUC ?? .nan)))
                #expect(!r.text.contains("id=\"reload-form\""), "analysts do not reload")
            }
        }
    }
}
