internal import Foundation
package import Hummingbird
internal import RecoupCore
package import RecoupScoring
package import RecoupService

/// An error answered as JSON: `{"error": {"code": ..., "message": ..., "field": ..., "record": ...}}` (`field` and
/// `record` when known).
///
/// Every input problem becomes one of these with a 4xx status and the field it is about; only unexpected failures
/// are 500s (logged, with no internals in the body).
package struct APIError: HTTPResponseError, CustomStringConvertible {
    package var status: HTTPResponse.Status
    package var detail: ErrorDetail
    package var headers: HTTPFields = [:]

    package init(_ status: HTTPResponse.Status, code: String, message: String, field: String? = nil, record: String? = nil) {
        self.status = status
        self.detail = ErrorDetail(code: code, message: message, field: field, record: record)
    }

    /// The HTTP form of a use case's refusal.
    package init(_ error: ServiceError) {
        self.status = Self.status(of: error.code)
        self.detail = error.detail
        if error.code == .unavailable { headers[.retryAfter] = "2" }
    }

    package var description: String { "\(status.code) \(detail.code): \(detail.message)" }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        var writer = JSONWriter(reservingCapacity: 160)
        writer.raw("{\"error\":")
        detail.write(into: &writer, omittingNulls: true)
        writer.raw("}")
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: writer.bytes)))
    }

    static func badRequest(_ message: String, field: String? = nil, record: String? = nil) -> APIError {
        APIError(.badRequest, code: ServiceError.Code.invalidInput.rawValue, message: message, field: field, record: record)
    }

    /// The status of each kind of refusal.
    static func status(of code: ServiceError.Code) -> HTTPResponse.Status {
        switch code {
        case .invalidInput, .invalidRecord, .malformedJSON: .badRequest
        case .tooManyRecords: .contentTooLarge
        case .notFound, .unknownLane: .notFound
        case .conflict: .conflict
        case .noModel, .unavailable: .serviceUnavailable
        case .bundleRefused: .unprocessableContent
        case .internalError: .internalServerError
        }
    }
}

/// Runs a use case, answering its refusals with their HTTP form.
func serviceCall<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ServiceError {
        throw APIError(error)
    }
}

/// Runs a synchronous use case, answering its refusal with its HTTP form.
func serviceCheck<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ServiceError {
        throw APIError(error)
    }
}
