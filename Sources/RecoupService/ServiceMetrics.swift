package import CoreMetrics
internal import RecoupScoring
internal import Synchronization

/// Recoup's own metrics, through swift-metrics: the libraries record, the executable chooses the backend (Prometheus)
/// and serves it. Names are defined here once.
package struct ServiceMetrics: Sendable {
    /// Metric names (Prometheus style: the unit and `_total` in the name).
    package enum Name {
        package static let scoringDuration = "recoup_scoring_duration_seconds"
        package static let scoredRecords = "recoup_scored_records_total"
        package static let ingestedRecords = "recoup_ingested_records_total"
        package static let rejectedRecords = "recoup_rejected_records_total"
        package static let shedRequests = "recoup_shed_requests_total"
        package static let queueDepth = "recoup_queue_depth"
        package static let modelInfo = "recoup_model_info"
        package static let leasesExpired = "recoup_leases_expired_total"
        package static let rescoredReturns = "recoup_rescored_returns_total"
        /// Largest PSI over a model's input fields (`head="inputs"`) or a head's prediction PSI, by model and role.
        package static let driftPSI = "recoup_monitor_psi"
        /// A head's prediction PSI among one warehouse's returns, by model, role, warehouse and head.
        package static let segmentPSI = "recoup_monitor_segment_psi"
        /// A head's live metric from inspected returns, by model, head and metric.
        package static let liveMetric = "recoup_monitor_live_metric"
        /// Challenger minus champion on the same inspected returns, by head and metric.
        package static let shadowDelta = "recoup_monitor_shadow_delta"
    }

    /// Histogram buckets of ``Name/scoringDuration``, in seconds (time to score one request's records).
    package static let scoringDurationBuckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .seconds(1),
    ]

    /// Where the metrics are made (the HTTP layer makes its request metrics with the same factory).
    package let factory: any MetricsFactory
    let scoringDuration: CoreMetrics.Timer
    let scoredRecords: Counter
    let ingestedRecords: Counter
    let rejectedRecords: Counter
    let leasesExpired: Counter
    let rescoredReturns: Counter
    /// Requests answered 503 under overload (the HTTP layer sheds them).
    package let shedRequests: Counter
    private let shownModel = ShownModel()

    /// Metrics made by `factory` (tests pass their own; the default is the bootstrapped backend).
    package init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        scoringDuration = Timer(label: Name.scoringDuration, dimensions: [], preferredDisplayUnit: .seconds, factory: factory)
        scoredRecords = Counter(label: Name.scoredRecords, dimensions: [], factory: factory)
        ingestedRecords = Counter(label: Name.ingestedRecords, dimensions: [], factory: factory)
        rejectedRecords = Counter(label: Name.rejectedRecords, dimensions: [], factory: factory)
        shedRequests = Counter(label: Name.shedRequests, dimensions: [], factory: factory)
        leasesExpired = Counter(label: Name.leasesExpired, dimensions: [], factory: factory)
        rescoredReturns = Counter(label: Name.rescoredReturns, dimensions: [], factory: factory)
    }

    /// Sets the queue-depth gauge of each lane and the model-info gauge (called when metrics are read).
    func update(laneDepths: [(lane: String, depth: Int)], modelVersion: String?) {
        for (lane, depth) in laneDepths {
            Gauge(label: Name.queueDepth, dimensions: [("lane", lane)], factory: factory).record(depth)
        }
        let version = modelVersion ?? "none"
        if let previous = shownModel.show(version), previous != version {
            Gauge(label: Name.modelInfo, dimensions: [("version", previous)], factory: factory).record(0)
        }
        Gauge(label: Name.modelInfo, dimensions: [("version", version)], factory: factory).record(1)
    }
}

extension ServiceMetrics {
    /// Sets the monitoring gauges from a monitor report.
    func update(monitor: ModelMonitor) {
        for drift in monitor.drift {
            guard let report = drift.report, report.enoughData else { continue }
            let model = [("model", drift.modelVersion), ("role", drift.role.rawValue)]
            if let largest = report.largestFieldPSI {
                Gauge(label: Name.driftPSI, dimensions: model + [("head", "inputs")], factory: factory).record(largest)
            }
            for row in report.predictions {
                if let psi = row.psi { Gauge(label: Name.driftPSI, dimensions: model + [("head", row.name)], factory: factory).record(psi) }
            }
            for segment in report.segments {
                for row in segment.predictions {
                    guard let psi = row.psi else { continue }
                    Gauge(label: Name.segmentPSI, dimensions: model + [("warehouse", segment.value), ("head", row.name)], factory: factory).record(
                        psi
                    )
                }
            }
        }
        for live in monitor.live {
            for head in live.heads {
                for (metric, value) in head.live ?? [:] {
                    Gauge(
                        label: Name.liveMetric,
                        dimensions: [("model", live.modelVersion), ("head", head.head), ("metric", metric)],
                        factory: factory
                    )
                    .record(value)
                }
            }
        }
        for comparison in monitor.shadowComparisons {
            for (name, delta) in comparison.deltas ?? [:] {
                let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
                Gauge(
                    label: Name.shadowDelta,
                    dimensions: [("challenger", comparison.challenger), ("head", parts[0]), ("metric", parts.last!)],
                    factory: factory
                ).record(delta)
            }
        }
    }
}

/// The model version the info gauge shows (so that the replaced one goes to 0).
private final class ShownModel: Sendable {
    private let version = Mutex<String?>(nil)

    /// Shows `new`; returns the version shown before.
    func show(_ new: String) -> String? {
        version.withLock { old in
            defer { old = new }
            return old
        }
    }
}
