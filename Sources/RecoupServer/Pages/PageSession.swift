internal import Foundation
internal import Hummingbird
internal import Logging
internal import RecoupScoring
internal import RecoupService
internal import RecoupStore

/// The parts of the site, each with the roles of the API routes it drives (admin sees every part).
enum PageArea: String, CaseIterable {
    /// The lane board and the item pages: claims, leases and inspections (`POST /v1/lanes/{lane}/claims`).
    case floor
    /// Risk review: flags and their review (`GET /v1/anomalies`).
    case risk
    /// The overview and the models page (`GET /v1/summary`, `GET /v1/models`).
    case overview

    var roles: Set<Role> {
        switch self {
        case .floor: [.warehouse, .admin]
        case .risk: [.risk, .admin]
        case .overview: [.analyst, .admin]
        }
    }

    var path: String {
        switch self {
        case .floor: "/ui/lanes"
        case .risk: "/ui/risk"
        case .overview: "/ui/overview"
        }
    }

    var title: String {
        switch self {
        case .floor: "Lanes"
        case .risk: "Risk review"
        case .overview: "Overview"
        }
    }

    /// Where a role lands after sign-in: its area (admin: the overview).
    static func home(of role: Role) -> PageArea {
        role == .admin ? .overview : allCases.first { $0.roles.contains(role) } ?? .overview
    }
}

/// Lets a page request through only with a live session (its cookie names one that has not expired and whose key is
/// not revoked); otherwise sends the browser to sign-in, saying whether its session ended. Renders a refused page
/// (``PageError``, or an ``APIError`` from a use case) as an HTML page with its status.
struct PageSessionMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let sessions: WebSessions

    @concurrent func handle(
        _ request: Request,
        context: AppRequestContext,
        next: @concurrent (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        let cookie = request.cookies[PageCookie.session]?.value
        guard let cookie, let identity = try await sessions.identity(cookie: cookie) else {
            var target = "/ui/sign-in?m=" + (cookie == nil ? Notice.signInNeeded.rawValue : Notice.sessionEnded.rawValue)
            if request.method == .get, let path = localPagePath(request.uri.path) {
                let query = request.uri.query.map { "?" + $0 } ?? ""
                target += "&next=" + urlEncoded(path + query)
            }
            var response = Response.seeOther(target)
            if cookie != nil {
                response.setCookie(Cookie(name: PageCookie.session, value: "", maxAge: 0, path: "/ui", httpOnly: true, sameSite: .strict))
            }
            return response
        }
        var context = context
        context.web = identity
        context.identity = identity.api
        context.logger[metadataKey: "api.key"] = .string(identity.api.prefix)
        return try await renderingErrors(context: context) { try await next(request, context) }
    }
}

/// Runs a page handler, rendering its refusals as HTML pages (a use case's error with its message and status).
func renderingErrors(context: AppRequestContext, _ body: () async throws -> Response) async throws -> Response {
    do {
        return try await body()
    } catch let error as PageError {
        return .page("error", ErrorPage(layout: Layout(context, title: error.title), error: error), status: error.status)
    } catch let error as APIError {
        let page = PageError(status: error.status, title: error.status.reasonPhrase, message: error.detail.message, id: "page-error")
        return .page("error", ErrorPage(layout: Layout(context, title: page.title), error: page), status: error.status)
    }
}

/// Lets a page through only for the roles of its area: a 403 page otherwise.
struct RequirePageArea: RouterMiddleware {
    typealias Context = AppRequestContext
    let area: PageArea

    @concurrent func handle(
        _ request: Request,
        context: AppRequestContext,
        next: @concurrent (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let role = context.web?.api.role, area.roles.contains(role) else {
            let allowed = area.roles.map(\.rawValue).sorted().joined(separator: " and ")
            throw PageError.forbidden(
                "The \(area.title.lowercased()) pages are for the \(allowed) roles; you are signed in as \(context.web?.api.role.rawValue ?? "nobody")."
            )
        }
        return try await next(request, context)
    }
}

extension Request {
    /// The posted form of a signed-in page, its CSRF token checked: 403 when it is missing or wrong.
    func postedForm(_ context: AppRequestContext, limit: Int) async throws -> FormFields {
        let form = try FormFields(try await collectBody(limit: limit))
        guard let expected = context.web?.csrfToken, WebSessions.csrfMatches(form["csrf"], expected: expected) else {
            throw PageError.forbidden("The form's security token is missing or out of date. Reload the page and try again.")
        }
        return form
    }
}

/// What a page says after an action, named in its URL (`?done=inspected&id=R1`): fixed sentences with the ids
/// escaped, never text taken from the URL.
enum Notice: String {
    case signedOut = "signed_out"
    case sessionEnded = "expired"
    case signInNeeded = "sign_in"
    case inspected
    case released
    case extended
    case emptyLane = "empty_lane"
    case reviewed
    case reloaded

    /// The flash of a request's `done` (or `m`) parameter, if it names a notice.
    static func flash(_ request: Request) -> Flash? {
        guard let raw = request.uri.queryParameters["done"] ?? request.uri.queryParameters["m"], let notice = Notice(rawValue: String(raw))
        else { return nil }
        let q = request.uri.queryParameters
        let id = q["id"].map(String.init) ?? ""
        switch notice {
        case .signedOut: return .info("You are signed out.")
        case .sessionEnded: return .info("Your session has ended. Sign in again to continue.")
        case .signInNeeded: return .info("Sign in with your API key to continue.")
        case .inspected: return .success("Inspection of \(id) stored.")
        case .released: return .info("Released; the item is back in its lane.")
        case .extended: return .success("Lease extended.")
        case .emptyLane: return .info("Lane \(q["lane"].map(String.init) ?? "") has nothing to claim for this warehouse.")
        case .reviewed: return .success("Review of \(id) stored: \(Format.words(q["decision"].map(String.init) ?? "")).")
        case .reloaded: return .success("Now serving \(q["version"].map(String.init) ?? "the active model").")
        }
    }
}

/// A message at the top of a page.
struct Flash {
    var kind: String
    var text: String

    static func success(_ text: String) -> Flash { Flash(kind: "success", text: text) }
    static func error(_ text: String) -> Flash { Flash(kind: "error", text: text) }
    static func info(_ text: String) -> Flash { Flash(kind: "info", text: text) }
}

/// What the layout of every page shows: the title, the navigation of the role, the sign-out form and the flash.
struct Layout {
    struct NavItem {
        var title: String
        var path: String
        var current: Bool
    }
    var title: String
    var signedIn: Bool
    var role: String
    var keyPrefix: String
    var csrf: String
    var nav: [NavItem]
    var flash: [Flash]

    /// - Parameter current: the title of the navigation item this page is under.
    init(_ context: AppRequestContext, title: String, current: String? = nil, flash: Flash? = nil) {
        self.title = title
        let identity = context.web
        signedIn = identity != nil
        role = identity?.api.role.rawValue ?? ""
        keyPrefix = identity?.api.prefix ?? ""
        csrf = identity?.csrfToken ?? ""
        nav = PageArea.allCases.filter { area in identity.map { area.roles.contains($0.api.role) } ?? false }
            .map { NavItem(title: $0.title, path: $0.path, current: $0.title == current) }
        if identity.map({ PageArea.overview.roles.contains($0.api.role) }) ?? false {
            nav.append(NavItem(title: "Models", path: "/ui/models", current: current == "Models"))
        }
        self.flash = flash.map { [$0] } ?? []
    }
}

/// An error page (403, 404, 400…).
struct ErrorPage {
    var layout: Layout
    var error: PageError
}
