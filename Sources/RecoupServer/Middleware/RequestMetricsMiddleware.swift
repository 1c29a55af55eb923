package import CoreMetrics
package import Hummingbird
internal import Logging
internal import Synchronization

/// Requests, their duration and errors by route, method and status, through swift-metrics, with the labels of
/// Hummingbird's `MetricsMiddleware` (`hb.requests`, `http.server.request.duration`, `hb.request.errors`,
/// `http.server.active_requests`); and, at debug level, a log line per request with its method, path, status and
/// duration (what Hummingbird's `LogRequestsMiddleware` would log). A ``RequestStage``.
///
/// Unlike that middleware, the duration ends when the response is ready rather than after its body is written: the
/// response keeps its single-buffer body, so Hummingbird writes head, body and end in one batched write instead of
/// three (on a scored request that difference is most of the framework's cost).
package struct RequestMetricsMiddleware: RequestStage {
    let cache: Cache

    package init(factory: any MetricsFactory = MetricsSystem.factory) {
        cache = Cache(factory: factory)
    }

    package func handle(
        _ request: Request,
        context: AppRequestContext,
        next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let active = cache.active(request.method)
        active.increment()
        defer { active.decrement() }
        do {
            let response = try await next(request, context)
            let metrics = cache.endpoint(context.endpointPath ?? "Unknown", request.method, response.status)
            metrics.requests.increment()
            let nanoseconds = Int64((ContinuousClock.now - start) / .nanoseconds(1))
            metrics.duration.recordNanoseconds(nanoseconds)
            context.logger.debug(
                "request",
                metadata: [
                    "http.request.method": "\(request.method)", "http.request.path": "\(request.uri.path)",
                    "http.response.status_code": "\(response.status.code)", "duration_ms": "\(Double(nanoseconds) / 1e6)",
                ]
            )
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            let metrics = cache.endpoint(context.endpointPath ?? "NotFound", request.method, status)
            metrics.requests.increment()
            metrics.errors.increment()
            throw error
        }
    }

    /// The metric objects of each route, method and status, made once.
    final class Cache: Sendable {
        struct Endpoint: Sendable {
            let requests: Counter
            let duration: CoreMetrics.Timer
            let errors: Counter
        }
        struct Key: Hashable {
            let endpoint: String
            let method: HTTPRequest.Method
            let status: Int
        }
        let factory: any MetricsFactory
        private let endpoints = Mutex<[Key: Endpoint]>([:])
        private let meters = Mutex<[HTTPRequest.Method: Meter]>([:])

        init(factory: any MetricsFactory) {
            self.factory = factory
        }

        func active(_ method: HTTPRequest.Method) -> Meter {
            meters.withLock { meters in
                if let meter = meters[method] { return meter }
                let meter = Meter(label: "http.server.active_requests", dimensions: [("http.request.method", method.rawValue)], factory: factory)
                meters[method] = meter
                return meter
            }
        }

        func endpoint(_ endpoint: String, _ method: HTTPRequest.Method, _ status: HTTPResponse.Status) -> Endpoint {
            let key = Key(endpoint: endpoint, method: method, status: status.code)
            return endpoints.withLock { endpoints in
                if let metrics = endpoints[key] { return metrics }
                let dimensions = [
                    ("http.route", endpoint), ("http.request.method", method.rawValue), ("http.response.status_code", "\(status.code)"),
                ]
                let metrics = Endpoint(
                    requests: Counter(label: "hb.requests", dimensions: dimensions, factory: factory),
                    duration: Timer(label: "http.server.request.duration", dimensions: dimensions, preferredDisplayUnit: .seconds, factory: factory),
                    errors: Counter(
                        label: "hb.request.errors",
                        dimensions: [("http.route", endpoint), ("http.request.method", method.rawValue), ("error.type", "\(status.code)")],
                        factory: factory
                    )
                )
                endpoints[key] = metrics
                return metrics
            }
        }
    }
}
