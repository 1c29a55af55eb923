internal import Foundation
package import Hummingbird
internal import RecoupStore

/// An error answered as JSON: `{"error": {"code": ..., "message": ..., "field": ..., "record": ...}}`.
///
/// Every input problem becomes one of these with a 4xx status and the field it is about; only unexpected failures
/// are 500s (logged, with no internals in the body).
package struct APIError: HTTPResponseError, CustomStringConvertible {
    package var status: HTTPResponse.Status
    package var code: String
    package var message: String
    package var field: String?
    package var record: String?
    package var headers: HTTPFields = [:]

    package init(_ status: HTTPResponse.Status, code: String, message: String, field: String? = nil, record: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.record = record
    }

    package var description: String { "\(status.code) \(code): \(message)" }

    struct Body: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
            var field: String?
            var record: String?
        }
        var error: Detail
    }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try AppRequestContext.encoder.encode(Body(error: .init(code: code, message: message, field: field, record: record)))
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func badRequest(_ message: String, field: String? = nil, record: String? = nil) -> APIError {
        APIError(.badRequest, code: "invalid_input", message: message, field: field, record: record)
    }
}

extension APIError {
    /// The HTTP form of a store error.
    init(_ error: StoreError) {
        switch error {
        case .returnNotFound, .claimNotFound, .anomalyNotFound, .keyNotFound:
            self.init(.notFound, code: "not_found", message: error.description)
        case .notLeasedByToken, .leaseExpired, .alreadyCompleted, .reviewClosed:
            self.init(.conflict, code: "conflict", message: error.description)
        case .cannotOpen, .corrupt:
            self.init(.internalServerError, code: "internal", message: "internal error")
        }
    }
}
