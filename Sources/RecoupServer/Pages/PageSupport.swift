// The web pages under /ui: server-rendered HTML (Mustache templates in Resources/pages) with a small script and style
// sheet of their own (Resources/static). Pages call the same use cases as the API, through the same DTOs, and format
// what those answer; they hold no business rule of their own.

internal import Foundation
internal import HTTPTypes
internal import Hummingbird
internal import Mustache
internal import RecoupService
internal import RecoupStore

/// The templates and static files of the pages, loaded once from the module's resources.
struct PageAssets: Sendable {
    let library: MustacheLibrary
    /// Static files by name (`app.js`, `app.css`) with their content type.
    let files: [String: (type: String, bytes: [UInt8])]

    static let shared: PageAssets = {
        guard let pages = Bundle.module.url(forResource: "pages", withExtension: nil),
            let folder = Bundle.module.url(forResource: "static", withExtension: nil)
        else {
            fatalError("RecoupServer's resources (pages, static) are missing from the build")
        }
        do {
            var library = MustacheLibrary()
            for name in try FileManager.default.contentsOfDirectory(atPath: pages.path) where name.hasSuffix(".mustache") {
                let text = try String(contentsOf: pages.appendingPathComponent(name), encoding: .utf8)
                try library.register(text, named: String(name.dropLast(".mustache".count)))
            }
            var files: [String: (String, [UInt8])] = [:]
            let types = ["js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8"]
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
                guard let type = types[URL(fileURLWithPath: name).pathExtension] else { continue }
                files[name] = (type, Array(try Data(contentsOf: folder.appendingPathComponent(name))))
            }
            return PageAssets(library: library, files: files)
        } catch {
            fatalError("the page templates cannot be loaded: \(error)")
        }
    }()

    /// Renders a template with a view.
    func render(_ template: String, _ view: Any) -> String {
        guard let html = library.render(view, withTemplate: template) else { fatalError("no page template \(template)") }
        return html
    }
}

/// The headers of every page: no caching of signed-in content, a strict content security policy (only this origin's
/// script and style; no inline script), no framing, no MIME sniffing.
let pageSecurityHeaders: HTTPFields = [
    .contentType: "text/html; charset=utf-8",
    .cacheControl: "no-store",
    .contentSecurityPolicy:
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'",
    .xContentTypeOptions: "nosniff",
    .referrerPolicy: "same-origin",
]

extension HTTPField.Name {
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xForwardedProto = Self("X-Forwarded-Proto")!
}

extension Response {
    /// A rendered page.
    static func page(_ template: String, _ view: Any, status: HTTPResponse.Status = .ok) -> Response {
        let html = PageAssets.shared.render(template, view)
        return Response(status: status, headers: pageSecurityHeaders, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// A 303 to a page of this site (after a form post, so that a reload does not post again).
    static func seeOther(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }
}

/// A refusal of a page request, rendered as an error page with its status.
struct PageError: Error {
    var status: HTTPResponse.Status
    var title: String
    var message: String
    /// The element id tests and scripts look for (`forbidden`, `not-found`…).
    var id: String

    static func forbidden(_ message: String) -> PageError {
        PageError(status: .forbidden, title: "Not allowed", message: message, id: "forbidden")
    }
}

/// The fields of an `application/x-www-form-urlencoded` body.
struct FormFields: Sendable {
    private(set) var values: [String: String] = [:]

    subscript(_ name: String) -> String? { values[name] }

    /// A field trimmed of surrounding blanks; `nil` when missing or blank.
    func text(_ name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// Parses a body; a malformed percent escape is a 400 naming the field.
    init(_ body: [UInt8]) throws {
        for pair in body.split(separator: UInt8(ascii: "&")) where !pair.isEmpty {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ bytes: ArraySlice<UInt8>) -> String? {
                String(decoding: bytes.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: " ") : $0 }, as: UTF8.self).removingPercentEncoding
            }
            guard let name = decode(parts[0]) else { throw APIError.badRequest("a form field name is not percent-encoded correctly") }
            guard let value = decode(parts.count > 1 ? parts[1] : []) else {
                throw APIError.badRequest("form field \(name) is not percent-encoded correctly", field: name)
            }
            values[name] = value
        }
    }
}

/// The cookies the pages set.
enum PageCookie {
    /// The session's secret (HttpOnly, SameSite=Strict).
    static let session = "recoup_session"
    /// Before sign-in: the CSRF token the sign-in form must echo (double submit).
    static let signInCSRF = "recoup_csrf"
    /// The station's warehouse and station id, remembered between visits.
    static let station = "recoup_station"

    /// A cookie scoped to the pages, HttpOnly and SameSite=Strict; `Secure` when the request came over TLS (a proxy's
    /// `X-Forwarded-Proto: https`) or the server was told it sits behind TLS.
    static func make(_ name: String, _ value: String, maxAge: Int, request: Request, secure: Bool) -> Cookie {
        let overTLS = secure || request.headers[.xForwardedProto]?.lowercased() == "https"
        return Cookie(name: name, value: value, maxAge: maxAge, path: "/ui", secure: overTLS, httpOnly: true, sameSite: .strict)
    }
}

/// Where a page came from, checked: a local `/ui/` path, never another site (an open redirect).
func localPagePath(_ raw: String?) -> String? {
    guard let raw, raw.hasPrefix("/ui/"), !raw.hasPrefix("//"), !raw.contains("\\"), !raw.contains("://") else { return nil }
    return raw
}

/// Percent-encodes a value for a URL query or path segment.
func urlEncoded(_ value: String) -> String {
    value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
}

// MARK: Formatting (presentation only: the numbers themselves come from the use cases' answers)

enum Format {
    /// Money with two decimals and thousands separators ("1,234.50"); the currency is the records' own.
    static func money(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        let cents = (abs(value) * 100).rounded()
        let whole = Int(cents / 100)
        let fraction = Int(cents.truncatingRemainder(dividingBy: 100))
        var digits = String(whole)
        var grouped = ""
        while digits.count > 3 {
            grouped = "," + digits.suffix(3) + grouped
            digits = String(digits.dropLast(3))
        }
        return (value < 0 ? "-" : "") + digits + grouped + "." + (fraction < 10 ? "0" : "") + String(fraction)
    }

    /// A share as a percentage ("71%", "0.4%").
    static func percent(_ share: Double) -> String {
        guard share.isFinite else { return "–" }
        let p = share * 100
        return (p != 0 && abs(p) < 1 ? String(format: "%.1f", p) : String(format: "%.0f", p)) + "%"
    }

    /// Hours, with one decimal below 100.
    static func hours(_ h: Double) -> String {
        guard h.isFinite else { return "–" }
        return h < 100 ? String(format: "%.1f h", h) : String(format: "%.0f h", h)
    }

    /// A metric's value with four significant decimals.
    static func metric(_ value: Double) -> String { String(format: "%.4f", value) }

    /// A date and time in UTC, to the minute ("2026-12-03 14:05 UTC").
    static func dateTime(_ date: Date) -> String {
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d UTC", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }

    /// A date as ISO 8601 (for scripts: the lease countdown).
    static func iso(_ date: Date) -> String { date.formatted(.iso8601) }

    /// A raw number for a `data-value` attribute: what a test compares with the API's answer.
    static func raw(_ value: Double) -> String { String(value) }

    /// A snake_case name in words ("restock_new" → "restock new").
    static func words(_ name: String) -> String { name.replacingOccurrences(of: "_", with: " ") }
}
