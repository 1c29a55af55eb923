internal import Foundation
internal import Hummingbird
internal import RecoupService
internal import RecoupStore

/// The site under `/ui`: sign-in and sign-out, the static files, and each area's pages (``FloorPages``,
/// ``RiskPages``, ``OverviewPages``) behind the session and their roles.
struct PagesController {
    let dependencies: ServerDependencies

    var service: ReturnsService { dependencies.service }
    var smallBody: Int { dependencies.configuration.limits.maxSmallBodyBytes }
    var secureCookies: Bool { dependencies.configuration.secureCookies }

    func register(on router: Router<AppRequestContext>) {
        let ui = router.group("ui")
        ui.get("sign-in", use: signInPage)
        ui.post("sign-in", use: signIn)
        ui.get("static/:file", use: staticFile)
        let session = ui.group().add(middleware: PageSessionMiddleware(sessions: service.sessions))
        session.get(use: home)
        session.post("sign-out", use: signOut)
        FloorPages(dependencies: dependencies).register(on: session.group().add(middleware: RequirePageArea(area: .floor)))
        RiskPages(dependencies: dependencies).register(on: session.group().add(middleware: RequirePageArea(area: .risk)))
        OverviewPages(dependencies: dependencies).register(on: session.group().add(middleware: RequirePageArea(area: .overview)))
    }

    struct SignInPage {
        var layout: Layout
        var csrf: String
        var next: String
    }

    /// The sign-in form. A browser with a live session goes on to its home page. The form's CSRF token is also set as
    /// a cookie (double submit: a page of another site can post the form but cannot read or set the cookie).
    @Sendable func signInPage(request: Request, context: AppRequestContext) async throws -> Response {
        if let cookie = request.cookies[PageCookie.session]?.value, let identity = try await service.sessions.identity(cookie: cookie) {
            return .seeOther(PageArea.home(of: identity.api.role).path)
        }
        return signInForm(request, context, flash: Notice.flash(request), status: .ok)
    }

    private func signInForm(_ request: Request, _ context: AppRequestContext, flash: Flash?, status: HTTPResponse.Status) -> Response {
        let token = request.cookies[PageCookie.signInCSRF]?.value ?? WebSessions.randomToken()
        let next = localPagePath(request.uri.queryParameters["next"].map(String.init)) ?? ""
        var response = Response.page(
            "sign-in",
            SignInPage(layout: Layout(context, title: "Sign in", flash: flash), csrf: token, next: next),
            status: status
        )
        response.setCookie(PageCookie.make(PageCookie.signInCSRF, token, maxAge: 3600, request: request, secure: secureCookies))
        return response
    }

    /// Opens a session for the key typed in, then goes to the page asked for before (`next`) or the role's home.
    @Sendable func signIn(request: Request, context: AppRequestContext) async throws -> Response {
        try await renderingErrors(context: context) {
            let form = try FormFields(try await request.collectBody(limit: smallBody))
            guard let expected = request.cookies[PageCookie.signInCSRF]?.value, WebSessions.csrfMatches(form["csrf"], expected: expected)
            else {
                throw PageError.forbidden("The sign-in form's security token is missing or out of date. Reload the sign-in page and try again.")
            }
            switch try await service.sessions.signIn(apiKey: form["api_key"] ?? "") {
            case .failure(let refusal):
                let message = refusal == .revoked ? "This API key was revoked." : "That is not a valid API key (rk_<prefix>_<secret>)."
                return signInForm(request, context, flash: .error(message), status: .unauthorized)
            case .success(let opened):
                let lifetime = Int(service.sessions.lifetime.components.seconds)
                var response = Response.seeOther(localPagePath(form["next"]) ?? PageArea.home(of: opened.identity.api.role).path)
                response.setCookie(PageCookie.make(PageCookie.session, opened.cookie, maxAge: lifetime, request: request, secure: secureCookies))
                response.setCookie(Cookie(name: PageCookie.signInCSRF, value: "", maxAge: 0, path: "/ui", httpOnly: true, sameSite: .strict))
                return response
            }
        }
    }

    /// Ends the session and clears its cookie.
    @Sendable func signOut(request: Request, context: AppRequestContext) async throws -> Response {
        _ = try await request.postedForm(context, limit: smallBody)
        if let cookie = request.cookies[PageCookie.session]?.value { try await service.sessions.signOut(cookie: cookie) }
        var response = Response.seeOther("/ui/sign-in?m=\(Notice.signedOut.rawValue)")
        response.setCookie(Cookie(name: PageCookie.session, value: "", maxAge: 0, path: "/ui", httpOnly: true, sameSite: .strict))
        return response
    }

    @Sendable func home(request: Request, context: AppRequestContext) async throws -> Response {
        .seeOther(PageArea.home(of: context.web?.api.role ?? .analyst).path)
    }

    /// `app.js` and `app.css`: open, cached for five minutes.
    @Sendable func staticFile(request: Request, context: AppRequestContext) async throws -> Response {
        guard let file = PageAssets.shared.files[context.parameters.path("file")] else {
            throw APIError(.notFound, code: "no_route", message: "no static file \(context.parameters.path("file"))")
        }
        return Response(
            status: .ok,
            headers: [.contentType: file.type, .cacheControl: "public, max-age=300", .xContentTypeOptions: "nosniff"],
            body: .init(byteBuffer: ByteBuffer(bytes: file.bytes))
        )
    }
}
