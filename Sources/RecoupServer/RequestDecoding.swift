internal import Foundation
internal import Hummingbird
internal import RecoupService

extension Request {
    /// Collects the body (413 beyond `limit` bytes) and decodes it as JSON, mapping every decoding problem to a 400
    /// that names the field.
    func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int) async throws -> T {
        let data = try await collectBody(limit: limit)
        return try decodeJSONBody(type, from: data)
    }

    /// The raw body, refused with 413 beyond `limit` bytes.
    func collectBody(limit: Int) async throws -> [UInt8] {
        if let length = headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError(.contentTooLarge, code: "body_too_large", message: "the body has \(length) bytes; the limit is \(limit)")
        }
        do {
            let buffer = try await body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, code: "body_too_large", message: "the body is larger than the limit of \(limit) bytes")
        }
    }
}

/// Decodes JSON, mapping `DecodingError` to a 400 naming the field and what was expected. Text holding U+0000 (a
/// `\u0000` escape) is refused: no store keeps it in text.
func decodeJSONBody<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
    if let escape = nulEscape(in: bytes) {
        throw APIError.badRequest("the body holds \\u0000 at byte \(escape): text values may not contain the character U+0000")
    }
    do {
        return try JSONDecoder().decode(type, from: Data(bytes))
    } catch let error as DecodingError {
        throw APIError.badRequest(decodingError: error)
    }
}

/// The offset of the first `\u0000` escape of a JSON text (an escaped backslash before it does not count).
func nulEscape(in bytes: [UInt8]) -> Int? {
    var i = 0
    while i + 5 < bytes.count {
        if bytes[i] == UInt8(ascii: "\\") {
            if bytes[i + 1] == UInt8(ascii: "u"), bytes[(i + 2)...(i + 5)].allSatisfy({ $0 == UInt8(ascii: "0") }) { return i }
            i += 2  // any other escape, an escaped backslash included
        } else {
            i += 1
        }
    }
    return nil
}

extension APIError {
    static func badRequest(decodingError error: DecodingError) -> APIError {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .typeMismatch(let type, let context):
            return .badRequest("\(path(context.codingPath)) must be \(describe(type))", field: path(context.codingPath))
        case .valueNotFound(let type, let context):
            return .badRequest("\(path(context.codingPath)) must be \(describe(type)), got null", field: path(context.codingPath))
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return .badRequest("\(field) is required", field: field)
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            if context.codingPath.isEmpty {
                return APIError(
                    .badRequest,
                    code: ServiceError.Code.malformedJSON.rawValue,
                    message: "the body is not valid JSON: \(context.debugDescription)"
                )
            }
            return .badRequest("\(field): \(context.debugDescription)", field: field)
        @unknown default:
            return .badRequest("the body cannot be decoded")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "a boolean"
        default: "\(type)"
        }
    }
}

/// The query parameters the routes read. Each controller lists its routes' own (`openapi.yaml` documents exactly those;
/// `OpenAPITests` compares).
enum QueryParameter: String, CaseIterable {
    case explain, warehouse, status, limit, dimension, days, q, by, kind, stage
    case minRisk = "min_risk"
    case minRows = "min_rows"
}

extension Request {
    /// A query parameter's value, `nil` when absent.
    func query(_ parameter: QueryParameter) -> Substring? { uri.queryParameters[Substring(parameter.rawValue)] }
}

extension Parameters {
    /// A path parameter, present by construction of the route.
    func path(_ name: String) -> String { get(name) ?? "" }
}
