internal import Foundation
package import RecoupCore
internal import RecoupFeatures
package import RecoupLearning
package import RecoupScoring

/// A model bundle measured on labelled returns: every head's metrics, the data behind the report's plots, the lane
/// mix. Used by `recoup evaluate`, `recoup promote` (the gate) and the HTML report.
package struct Evaluation: Sendable {
    package var version: String
    package var rows: Int
    package var disposition: ClassificationMetrics
    package var fraud: BinaryMetrics
    package var recovery: RegressionMetrics
    /// Share of actual recovery values inside their predicted 80% interval.
    package var intervalCoverage: Double
    /// Fraud labels and calibrated risks (ROC, PR and calibration plots).
    package var fraudLabels: [Int]
    package var fraudRisks: [Double]
    /// Actual and predicted recovery values (scatter plot).
    package var recoveryActual: [Double]
    package var recoveryPredicted: [Double]
    /// The flags the scorer raised (the bundle's fitted ones with the lane policy's overrides), measured.
    package var flags: FlagQuality
    /// The review rate the bundle's flags were fitted to (`nil` for a bundle trained before flags were fitted).
    package var reviewRate: Double?
    /// The fraud head's precision when it flags as many returns as the flags do (the precision–recall curve at the
    /// flags' rate): what the flags' precision should agree with when the model raises most of them.
    package var modelPrecisionAtFlagRate: Double
    /// Items per lane.
    package var laneMix: [(lane: String, count: Int)]
    /// Gain importance of the tree heads by feature group, largest first.
    package var importance: [(head: String, features: [(name: String, gain: Double)])]
    /// How `recoup train --budget` tuned the heads' trees, by head (empty when it did not search).
    package var searches: [String: TreeSearchRecord]

    /// Scores `rows` with `scorer` and measures every head.
    package init(scorer: Scorer, rows: [LabelledReturn]) {
        let assessments = scorer.assess(rows.map(\.record), explain: false)
        version = scorer.version
        self.rows = rows.count
        let outcomes = rows.map(\.labels)
        let measured = OutcomeMetrics(assessments, labels: outcomes)
        disposition = measured.disposition
        fraud = measured.fraud
        recovery = measured.recovery
        intervalCoverage = measured.intervalCoverage
        fraudLabels = outcomes.map { $0.fraudFlag ? 1 : 0 }
        fraudRisks = assessments.map(\.fraudRisk)
        recoveryActual = outcomes.map(\.recoveryValue)
        recoveryPredicted = assessments.map(\.recoveryValue)
        flags = FlagQuality(flags: assessments.map(\.anomalies), fraud: rows.map(\.labels.fraudFlag))
        reviewRate = scorer.bundle.flagging?.reviewRate
        let flagged = assessments.filter { !$0.anomalies.isEmpty }.count
        let (risks, labels) = (fraudRisks, fraudLabels)
        let caught = risks.indices.sorted { risks[$0] > risks[$1] }.prefix(flagged).filter { labels[$0] == 1 }.count
        modelPrecisionAtFlagRate = flagged > 0 ? Double(caught) / Double(flagged) : 0
        var lanes: [String: Int] = [:]
        for a in assessments { lanes[a.lane.rawValue, default: 0] += 1 }
        laneMix = lanes.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { ($0.key, $0.value) }
        importance = Self.importance(scorer.bundle)
        searches = scorer.bundle.receiptStage.searches
    }

    /// Gain importance of each tree model, summed per feature group.
    static func importance(_ bundle: ModelBundle) -> [(head: String, features: [(name: String, gain: Double)])] {
        let spec = bundle.featureSpec
        func grouped(_ t: TreeEnsemble) -> [(name: String, gain: Double)] {
            var sums: [String: Double] = [:]
            for (j, gain) in t.gainImportance.enumerated() { sums[spec.columns[spec.treeColumns[j]].feature, default: 0] += gain }
            let total = max(sums.values.reduce(0, +), 1e-12)
            return sums.map { ($0.key, $0.value / total) }.sorted { $0.1 > $1.1 }
        }
        func trees(_ learner: HeadLearner) -> TreeEnsemble? {
            switch learner {
            case .trees(let t), .blend(_, let t, _): t
            case .logistic: nil
            }
        }
        var result: [(String, [(String, Double)])] = []
        if let t = trees(bundle.disposition.learner) { result.append(("disposition", grouped(t))) }
        if let t = trees(bundle.fraud.learner) { result.append(("fraud", grouped(t))) }
        result.append(("recovery", grouped(bundle.recovery.model)))
        return result
    }

    /// The headline metrics by name (what the gate and the terminal show).
    package var headline: [(head: String, metric: String, value: Double, lowerIsBetter: Bool)] {
        [
            ("disposition", "log_loss", disposition.logLoss, true),
            ("disposition", "macro_f1", disposition.macroF1, false),
            ("disposition", "accuracy", disposition.accuracy, false),
            ("fraud", "pr_auc", fraud.prAUC, false),
            ("fraud", "roc_auc", fraud.rocAUC, false),
            ("fraud", "log_loss", fraud.logLoss, true),
            ("fraud", "precision_at_1pct", fraud.precisionAtFlagRate, false),
            ("recovery", "rmse", recovery.rmse, true),
            ("recovery", "mae", recovery.mae, true),
            ("recovery", "r2", recovery.r2, false),
            ("recovery", "interval_coverage", intervalCoverage, false),
        ]
    }
}

/// The promotion gate: no head may be worse than the active bundle's beyond a relative tolerance on the same data.
/// The heads are judged on disposition log-loss, fraud PR-AUC and recovery RMSE.
package struct PromotionGate: Sendable {
    package var tolerance: Double
    package var failures: [String] = []
    package var comparisons: [(head: String, metric: String, candidate: Double, active: Double)] = []
    package var passed: Bool { failures.isEmpty }

    package init(candidate: Evaluation, active: Evaluation?, tolerance: Double) {
        self.tolerance = tolerance
        guard let active else { return }
        let checks: [(String, String, Double, Double, Bool)] = [
            ("disposition", "log_loss", candidate.disposition.logLoss, active.disposition.logLoss, true),
            ("fraud", "pr_auc", candidate.fraud.prAUC, active.fraud.prAUC, false),
            ("recovery", "rmse", candidate.recovery.rmse, active.recovery.rmse, true),
        ]
        for (head, metric, c, a, lowerIsBetter) in checks {
            comparisons.append((head, metric, c, a))
            let worse = lowerIsBetter ? c > a * (1 + tolerance) : c < a * (1 - tolerance)
            if worse {
                failures.append(
                    "\(head) \(metric) \(String(format: "%.4f", c)) is worse than the active bundle's \(String(format: "%.4f", a)) "
                        + "beyond the \(String(format: "%.1f", tolerance * 100))% tolerance"
                )
            }
        }
    }
}
