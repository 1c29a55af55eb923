package import CoreMetrics
package import Hummingbird
internal import Synchronization

/// Sheds load: at most `limit` requests are handled at once; one more is answered at once with 503 and
/// `Retry-After: 1` instead of queueing without bound, so memory and latency stay bounded under overload. A
/// ``RequestStage``.
package struct ConcurrencyLimitMiddleware: RequestStage {
    let limit: Int
    let inFlight: InFlightCounter
    /// Counts the requests shed.
    let shed: Counter

    package init(limit: Int, shed: Counter) {
        self.limit = limit
        self.inFlight = InFlightCounter()
        self.shed = shed
    }

    package func handle(
        _ request: Request,
        context: AppRequestContext,
        next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        guard inFlight.enter(limit: limit) else {
            shed.increment()
            var error = APIError(.serviceUnavailable, code: "overloaded", message: "the server is at capacity; retry shortly")
            error.headers[.retryAfter] = "1"
            throw error
        }
        defer { inFlight.leave() }
        return try await next(request, context)
    }
}

/// A counter of requests in flight.
package final class InFlightCounter: Sendable {
    private let count = Atomic<Int>(0)

    package init() {}

    func enter(limit: Int) -> Bool {
        let now = count.wrappingAdd(1, ordering: .acquiring).newValue
        if now > limit {
            count.wrappingSubtract(1, ordering: .releasing)
            return false
        }
        return true
    }

    func leave() {
        count.wrappingSubtract(1, ordering: .releasing)
    }
}
