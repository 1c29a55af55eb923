internal import Foundation
internal import RecoupCore
package import RecoupLearning
package import RecoupScoring
internal import RecoupStore

/// Whether ingest counts monitoring profiles, and the monitor's rules.
package struct MonitoringSettings: Sendable, Equatable {
    /// Count every ingested return into its model's profile (a handful of counter increments per return).
    package var enabled = true
    /// Live returns needed before drift is computed.
    package var minRows = DriftReport.defaultMinRows
    /// Inspected returns needed before live accuracy is computed.
    package var minLabels = 200
    package var thresholds = DriftThresholds.standard
    /// A head whose live judged metric is below its held-out value by more than this share of it is `degraded`.
    package var tolerance = 0.10

    package init() {}
}

extension PredictionValues {
    /// An assessment's predictions, unrounded.
    init(_ a: Assessment) {
        self.init(
            dispositionProbabilities: a.dispositionProbabilities,
            fraudRisk: a.fraudRisk,
            recoveryValue: a.recoveryValue,
            recoveryValueLow: a.recoveryValueLow,
            recoveryValueHigh: a.recoveryValueHigh
        )
    }
}

/// Which model a monitored one is.
package enum MonitoredRole: String, Sendable, Encodable {
    case serving, shadow
}

/// Whether a bundle carries a reference profile (drift needs one).
package enum ProfileStatus: String, Sendable, Encodable {
    case present, missing
}

/// Whether there were enough inspected returns to measure.
package enum LabelStatus: String, Sendable, Encodable {
    case ok
    case notEnoughLabels = "not_enough_labels"
}

/// The monitor's answer: drift of the loaded models, live accuracy per model version from the inspected returns, and
/// the shadow challenger against the champion on the same items.
package struct ModelMonitor: Sendable, Encodable {
    /// The window: today (UTC) and the `days − 1` days before it.
    package var days: Int
    package var servingVersion: String?
    package var shadowVersion: String?
    package var drift: [ModelDrift]
    package var live: [LiveAccuracy]
    package var shadowComparisons: [ShadowComparison]
}

/// One loaded model's drift; `report` is `nil` when its bundle has no reference profile.
package struct ModelDrift: Sendable, Encodable {
    package var role: MonitoredRole
    package var modelVersion: String
    package var profile: ProfileStatus
    package var message: String?
    package var report: DriftReport?
}

/// A head's metrics by name.
package struct HeadMetrics: Sendable, Encodable, Equatable {
    package var head: String
    /// The metric that decides `degraded` (higher is better): `macro_f1`, `pr_auc` or `r2`.
    package var judgedBy: String
    package var metrics: [String: Double]

    /// Each head and the metric that decides whether it is degraded, in the order of ``heads(disposition:fraud:recovery:coverage:)``.
    static let judged: [(head: String, metric: String)] = [("disposition", "macro_f1"), ("fraud", "pr_auc"), ("recovery", "r2")]

    /// The three heads' metrics under the names the monitor, `recoup evaluate` and the bundle use.
    static func heads(disposition: ClassificationMetrics, fraud: BinaryMetrics, recovery: RegressionMetrics, coverage: Double?) -> [HeadMetrics] {
        func finite(_ pairs: [(String, Double?)]) -> [String: Double] {
            Dictionary(uniqueKeysWithValues: pairs.compactMap { name, value in value.flatMap { $0.isFinite ? (name, $0) : nil } })
        }
        return [
            HeadMetrics(
                head: judged[0].head,
                judgedBy: judged[0].metric,
                metrics: finite([("accuracy", disposition.accuracy), ("macro_f1", disposition.macroF1), ("log_loss", disposition.logLoss)])
            ),
            HeadMetrics(
                head: judged[1].head,
                judgedBy: judged[1].metric,
                metrics: finite([("pr_auc", fraud.prAUC), ("roc_auc", fraud.rocAUC), ("log_loss", fraud.logLoss), ("brier", fraud.brier)])
            ),
            HeadMetrics(
                head: judged[2].head,
                judgedBy: judged[2].metric,
                metrics: finite([("mae", recovery.mae), ("rmse", recovery.rmse), ("r2", recovery.r2), ("interval_coverage", coverage)])
            ),
        ]
    }
}

/// A head's live metrics beside its bundle's held-out ones.
package struct HeadAccuracy: Sendable, Encodable {
    package var head: String
    package var judgedBy: String
    package var live: [String: Double]?
    /// The bundle's metrics on its held-out test split (validation for an older bundle); `nil` when not loaded.
    package var heldOut: [String: Double]?
    /// Live judged metric below held-out beyond the tolerance; `nil` when either is unknown.
    package var degraded: Bool?
    /// Why there is no live number (too few labels, or a single fraud class).
    package var note: String?
}

/// Live accuracy of one model version, from the returns inspected in the window whose assessment it made.
package struct LiveAccuracy: Sendable, Encodable {
    package var modelVersion: String
    package var role: MonitoredRole?
    package var labels: Int
    package var minLabels: Int
    package var status: LabelStatus
    package var heads: [HeadAccuracy]
    /// Mean predicted fraud risk against the confirmed rate, by decile of predicted risk.
    package var fraudCalibration: [BinaryMetrics.CalibrationBin]?
}

/// The shadow challenger against the champion on the same inspected returns.
package struct ShadowComparison: Sendable, Encodable {
    package var champion: String
    package var challenger: String
    package var items: Int
    package var status: LabelStatus
    package var championMetrics: [HeadMetrics]?
    package var challengerMetrics: [HeadMetrics]?
    /// Challenger minus champion, per judged metric.
    package var deltas: [String: Double]?
    /// Items whose predicted dispositions differ, and who got the inspected one right.
    package var disagreements: Disagreements?

    package struct Disagreements: Sendable, Encodable, Equatable {
        package var items: Int
        package var championRight: Int
        package var challengerRight: Int
        package var neitherRight: Int
    }
}

extension ReturnsService {
    // MARK: Shadow challenger

    /// Loads a bundle as the shadow challenger: from now on it scores every ingested return too (stored beside the
    /// champion's assessment, never served or queued). Returns the version and the previous challenger's.
    package func startShadow(version: String) async throws -> (version: String, previous: String?) {
        let bundle = try await bundle(named: version)
        let previous = models.setShadow(Scorer(bundle: bundle, policy: policy))
        try? await store.recordModelEvent(version: bundle.version, outcome: .loaded, detail: "as the shadow challenger", now: clock())
        return (bundle.version, previous?.version)
    }

    /// Stops the shadow challenger; returns its version, `nil` when none ran.
    package func stopShadow() -> String? {
        models.setShadow(nil)?.version
    }

    // MARK: Monitor

    /// Drift, live accuracy and the shadow comparison over the last `days` days.
    package func monitor(days: Int = 7, minRows: Int? = nil) async throws -> ModelMonitor {
        let settings = monitoring
        let since = firstDay(ofLast: days)
        let serving = models.current.scorer
        let shadow = models.shadow
        let loaded = [(MonitoredRole.serving, serving), (.shadow, shadow)].compactMap { role, s in s.map { (role, $0) } }
        let totals = try await storeCall { try await store.profileTotals(since: since) }
        let drift = loaded.map { role, scorer in
            guard let profile = scorer.bundle.profile else {
                return ModelDrift(
                    role: role,
                    modelVersion: scorer.version,
                    profile: .missing,
                    message: DriftError.noProfile(version: scorer.version).description,
                    report: nil
                )
            }
            let live = totals.first { $0.modelVersion == scorer.version }
            return ModelDrift(
                role: role,
                modelVersion: scorer.version,
                profile: .present,
                message: nil,
                report: DriftReport(
                    modelVersion: scorer.version,
                    reference: profile,
                    live: live?.counts ?? ProfileCounts(),
                    minRows: minRows ?? settings.minRows,
                    thresholds: settings.thresholds
                )
            )
        }
        let outcomes = try await storeCall { try await store.monitoredOutcomes(since: since) }
        var versions = Array(Set(outcomes.map(\.modelVersion))).sorted()
        if let serving, !versions.contains(serving.version) { versions.insert(serving.version, at: 0) }
        let bundles = Dictionary(loaded.map { ($1.version, ($0, $1.bundle)) }, uniquingKeysWith: { first, _ in first })
        let live = versions.map { version in
            let mine = outcomes.filter { $0.modelVersion == version }
            return Self.liveAccuracy(
                version: version,
                role: bundles[version]?.0,
                predictions: mine.map(\.predictions),
                labels: mine.map(\.labels),
                heldOut: bundles[version].map { Self.heldOut($0.1) },
                settings: settings
            )
        }
        let shadowVersions = Array(Set(outcomes.compactMap(\.shadow?.modelVersion))).sorted()
        let comparisons = shadowVersions.map { challenger in
            Self.compare(outcomes.filter { $0.shadow?.modelVersion == challenger }, challenger: challenger, settings: settings)
        }
        let report = ModelMonitor(
            days: days,
            servingVersion: serving?.version,
            shadowVersion: shadow?.version,
            drift: drift,
            live: live,
            shadowComparisons: comparisons
        )
        metrics.update(monitor: report)
        return report
    }

    /// The metrics of predictions against labels.
    static func measured(_ predictions: [PredictionValues], _ labels: [ReturnLabels]) -> OutcomeMetrics {
        OutcomeMetrics(
            probabilities: predictions.map(\.dispositionProbabilities),
            fraudRisk: predictions.map(\.fraudRisk),
            recovery: predictions.map(\.recoveryValue),
            low: predictions.map(\.recoveryValueLow),
            high: predictions.map(\.recoveryValueHigh),
            labels: labels
        )
    }

    static func heads(_ m: OutcomeMetrics) -> [HeadMetrics] {
        HeadMetrics.heads(disposition: m.disposition, fraud: m.fraud, recovery: m.recovery, coverage: m.intervalCoverage)
    }

    /// A bundle's held-out metrics (its test split's, or validation's for a bundle trained without one).
    static func heldOut(_ bundle: ModelBundle) -> [HeadMetrics] {
        HeadMetrics.heads(
            disposition: bundle.disposition.test ?? bundle.disposition.validation,
            fraud: bundle.fraud.test ?? bundle.fraud.validation,
            recovery: bundle.recovery.test ?? bundle.recovery.validation,
            coverage: bundle.recovery.testIntervalCoverage ?? bundle.recovery.intervalCoverage
        )
    }

    static func liveAccuracy(
        version: String,
        role: MonitoredRole?,
        predictions: [PredictionValues],
        labels: [ReturnLabels],
        heldOut: [HeadMetrics]?,
        settings: MonitoringSettings
    ) -> LiveAccuracy {
        let enough = labels.count >= settings.minLabels
        let measured = enough ? measured(predictions, labels) : nil
        let live = measured.map(heads)
        let fraudClasses = Set(labels.map(\.fraudFlag)).count
        let accuracy = HeadMetrics.judged.enumerated().map { h, judged in
            var liveMetrics = live?[h].metrics
            var note: String? = enough ? nil : "\(labels.count) inspected returns; at least \(settings.minLabels) are needed"
            if judged.head == "fraud", enough, fraudClasses < 2 {
                liveMetrics = nil
                note = "the inspected returns hold a single fraud outcome; ranking metrics need both"
            }
            let degraded: Bool? = {
                guard let l = liveMetrics?[judged.metric], let h = heldOut?[h].metrics[judged.metric] else { return nil }
                return l < h - settings.tolerance * abs(h)
            }()
            return HeadAccuracy(
                head: judged.head,
                judgedBy: judged.metric,
                live: liveMetrics,
                heldOut: heldOut?[h].metrics,
                degraded: degraded,
                note: note
            )
        }
        return LiveAccuracy(
            modelVersion: version,
            role: role,
            labels: labels.count,
            minLabels: settings.minLabels,
            status: enough ? .ok : .notEnoughLabels,
            heads: accuracy,
            fraudCalibration: fraudClasses == 2 ? measured?.fraudRiskDeciles : nil
        )
    }

    /// Champion against challenger on the outcomes both scored.
    static func compare(_ outcomes: [MonitoredOutcome], challenger: String, settings: MonitoringSettings) -> ShadowComparison {
        let champions = Set(outcomes.map(\.modelVersion)).sorted().joined(separator: ", ")
        guard outcomes.count >= settings.minLabels else {
            return ShadowComparison(champion: champions, challenger: challenger, items: outcomes.count, status: .notEnoughLabels)
        }
        let labels = outcomes.map(\.labels)
        let champion = heads(measured(outcomes.map(\.predictions), labels))
        let shadow = heads(measured(outcomes.map { $0.shadow!.predictions }, labels))
        var deltas: [String: Double] = [:]
        for (c, s) in zip(champion, shadow) {
            if let a = c.metrics[c.judgedBy], let b = s.metrics[s.judgedBy] { deltas["\(c.head).\(c.judgedBy)"] = b - a }
        }
        var disagreements = ShadowComparison.Disagreements(items: 0, championRight: 0, challengerRight: 0, neitherRight: 0)
        for o in outcomes {
            let mine = Disposition.mostProbable(o.predictions.dispositionProbabilities)
            let theirs = Disposition.mostProbable(o.shadow!.predictions.dispositionProbabilities)
            guard mine != theirs else { continue }
            disagreements.items += 1
            let truth = o.labels.disposition
            if mine == truth {
                disagreements.championRight += 1
            } else if theirs == truth {
                disagreements.challengerRight += 1
            } else {
                disagreements.neitherRight += 1
            }
        }
        return ShadowComparison(
            champion: champions,
            challenger: challenger,
            items: outcomes.count,
            status: .ok,
            championMetrics: champion,
            challengerMetrics: shadow,
            deltas: deltas,
            disagreements: disagreements
        )
    }

    /// A bundle from the models folder by version (a folder name), off the event loops.
    func bundle(named version: String) async throws -> ModelBundle {
        guard ModelBundle.isVersionName(version) else {
            throw ServiceError.invalid(
                "version must name a bundle folder (not empty, no \"/\", not starting with \".\"), got \"\(version)\"",
                field: "version"
            )
        }
        var isDirectory: ObjCBool = false
        let url = modelsDirectory.appendingPathComponent(version)
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ServiceError(.notFound, "no model version \"\(version)\" in \(modelsDirectory.path)", field: "version")
        }
        let loaded: Result<ModelBundle, ModelBundleError> = try await executor.run {
            Result { () throws(ModelBundleError) -> ModelBundle in try ModelBundle.load(from: url) }
        }
        switch loaded {
        case .success(let bundle): return bundle
        case .failure(let error): throw ServiceError(.bundleRefused, error.description, field: "version")
        }
    }
}
