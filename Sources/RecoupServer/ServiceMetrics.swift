internal import Foundation
package import Prometheus
internal import Synchronization

/// Recoup's own Prometheus metrics, on a registry passed in (tests use their own; the executable also hands it to
/// swift-metrics so that Hummingbird's request counters and latency histograms land in the same `/metrics`).
package struct ServiceMetrics: Sendable {
    package let registry: PrometheusCollectorRegistry
    let scoringLatency: DurationHistogram
    let scoredRecords: Counter
    let ingestedRecords: Counter
    let rejectedRecords: Counter
    let shedRequests: Counter
    private let modelInfo = ModelInfoGauge()

    package init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        scoringLatency = registry.makeDurationHistogram(
            name: "recoup_scoring_duration_seconds",
            buckets: [.microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
                      .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                      .milliseconds(100), .milliseconds(250), .seconds(1)],
            help: "Time to score one request's records (features, three heads, reasons, lane, priority)")
        scoredRecords = registry.makeCounter(name: "recoup_scored_records_total", help: "Records scored")
        ingestedRecords = registry.makeCounter(name: "recoup_ingested_records_total", help: "Returns stored and queued")
        rejectedRecords = registry.makeCounter(name: "recoup_rejected_records_total", help: "Records refused as bad input")
        shedRequests = registry.makeCounter(name: "recoup_shed_requests_total", help: "Requests answered 503 under overload")
    }

    /// Sets the queue-depth gauges (called at scrape time) and the model-info gauge.
    func update(laneDepths: [(lane: String, depth: Int)], modelVersion: String?) {
        for (lane, depth) in laneDepths {
            registry.makeGauge(name: "recoup_queue_depth", labels: [("lane", lane)], help: "Items waiting or leased per lane")
                .set(to: Double(depth))
        }
        modelInfo.show(modelVersion ?? "none", in: registry)
    }
}

/// `recoup_model_info{version="…"} 1` for the serving model, and 0 for the one it replaced.
private final class ModelInfoGauge: Sendable {
    private let shown = Mutex<String?>(nil)

    func show(_ version: String, in registry: PrometheusCollectorRegistry) {
        let previous = shown.withLock { old in
            defer { old = version }
            return old
        }
        if let previous, previous != version {
            registry.makeGauge(name: "recoup_model_info", labels: [("version", previous)], help: "The serving model (1)").set(to: 0.0)
        }
        registry.makeGauge(name: "recoup_model_info", labels: [("version", version)], help: "The serving model (1)").set(to: 1.0)
    }
}
