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
            descriptor: Self.name("scoring_duration", unit: "seconds", help: "Time to score one request's records (features, three heads, reasons, lane, priority)"),
            buckets: [.microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
                      .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                      .milliseconds(100), .milliseconds(250), .seconds(1)])
        scoredRecords = registry.makeCounter(descriptor: Self.name("scored_records", unit: "total", help: "Records scored"))
        ingestedRecords = registry.makeCounter(descriptor: Self.name("ingested_records", unit: "total", help: "Returns stored and queued"))
        rejectedRecords = registry.makeCounter(descriptor: Self.name("rejected_records", unit: "total", help: "Records refused as bad input"))
        shedRequests = registry.makeCounter(descriptor: Self.name("shed_requests", unit: "total", help: "Requests answered 503 under overload"))
    }

    /// Sets the queue-depth gauges (called at scrape time) and the model-info gauge.
    func update(laneDepths: [(lane: String, depth: Int)], modelVersion: String?) {
        for (lane, depth) in laneDepths {
            registry.makeGauge(descriptor: Self.name("queue_depth", help: "Items waiting or leased per lane"), labels: [("lane", lane)])
                .set(to: Double(depth))
        }
        modelInfo.show(modelVersion ?? "none", in: registry)
    }

    /// `recoup_<name>[_<unit>]`.
    static func name(_ name: String, unit: String = "", help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "recoup", metricName: name, unitName: unit, helpText: help)
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
            registry.makeGauge(descriptor: ServiceMetrics.name("model_info", help: "The serving model (1)"), labels: [("version", previous)]).set(to: 0.0)
        }
        registry.makeGauge(descriptor: ServiceMetrics.name("model_info", help: "The serving model (1)"), labels: [("version", version)]).set(to: 1.0)
    }
}
