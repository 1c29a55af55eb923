internal import RecoupLearning

/// One head of a bundle as an overview shows it: the learner kept, why, and its metrics on the validation split and
/// on the held-out test split (a metric that is not finite, such as PR-AUC without a positive, is left out). What
/// `recoup train` prints and `GET /v1/models` answers.
package struct HeadSummary: Sendable, Equatable {
    package var learner: String
    package var reason: String
    package var metrics: [String: Double]
    /// The same metrics on the held-out test split; `nil` for a bundle trained without one.
    package var test: [String: Double]?
}

extension ModelBundle {
    /// The receipt-stage heads (the bundle's own), by head name.
    package var headSummaries: [String: HeadSummary] { receiptStage.summaries }
}

extension StageHeads {
    /// The three heads, by head name.
    package var summaries: [String: HeadSummary] {
        [
            "disposition": HeadSummary(
                learner: disposition.selection.chosen,
                reason: disposition.selection.reason,
                metrics: Self.metrics(disposition.validation),
                test: disposition.test.map(Self.metrics)
            ),
            "fraud": HeadSummary(
                learner: fraud.selection.chosen,
                reason: fraud.selection.reason,
                metrics: Self.metrics(fraud.validation),
                test: fraud.test.map(Self.metrics)
            ),
            "recovery": HeadSummary(
                learner: recovery.selection.chosen,
                reason: recovery.selection.reason,
                metrics: Self.metrics(recovery.validation, coverage: recovery.intervalCoverage),
                test: recovery.test.map { Self.metrics($0, coverage: recovery.testIntervalCoverage ?? .nan) }
            ),
        ]
    }

    private static func metrics(_ m: ClassificationMetrics) -> [String: Double] {
        finite(["log_loss": m.logLoss, "macro_f1": m.macroF1, "accuracy": m.accuracy])
    }

    private static func metrics(_ m: BinaryMetrics) -> [String: Double] {
        finite(["pr_auc": m.prAUC, "roc_auc": m.rocAUC, "log_loss": m.logLoss, "brier": m.brier, "precision_at_1pct": m.precisionAtFlagRate])
    }

    private static func metrics(_ m: RegressionMetrics, coverage: Double) -> [String: Double] {
        finite(["rmse": m.rmse, "mae": m.mae, "r2": m.r2, "interval_coverage": coverage])
    }

    private static func finite(_ metrics: [String: Double]) -> [String: Double] { metrics.filter { $0.value.isFinite } }
}
