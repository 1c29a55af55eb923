internal import Foundation
internal import RecoupLearning
internal import RecoupScoring

/// What `recoup train` prints: a short text summary, or a JSON object with `bundle` and the metrics.
struct TrainingSummary: Encodable {
    struct Head: Encodable {
        var learner: String
        var reason: String
        var metrics: [String: Double]
    }
    var bundle: String
    var version: String
    var promoted: Bool
    var heads: [String: Head]
    var timings: [String: Double]

    init(bundle: ModelBundle, path: String, promoted: Bool, timings: [(stage: String, seconds: Double)]) {
        self.bundle = path
        self.version = bundle.version
        self.promoted = promoted
        let d = bundle.disposition.validation
        let f = bundle.fraud.validation
        let r = bundle.recovery.validation
        heads = [
            "disposition": Head(
                learner: bundle.disposition.selection.chosen,
                reason: bundle.disposition.selection.reason,
                metrics: ["log_loss": d.logLoss, "macro_f1": d.macroF1, "accuracy": d.accuracy]
            ),
            "fraud": Head(
                learner: bundle.fraud.selection.chosen,
                reason: bundle.fraud.selection.reason,
                metrics: [
                    "pr_auc": f.prAUC, "roc_auc": f.rocAUC, "log_loss": f.logLoss, "brier": f.brier, "precision_at_1pct": f.precisionAtFlagRate,
                ]
            ),
            "recovery": Head(
                learner: bundle.recovery.selection.chosen,
                reason: bundle.recovery.selection.reason,
                metrics: ["rmse": r.rmse, "mae": r.mae, "r2": r.r2, "interval_coverage": bundle.recovery.intervalCoverage]
            ),
        ]
        self.timings = Dictionary(timings.map { ($0.stage, $0.seconds) }, uniquingKeysWith: +)
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    static func text(_ bundle: ModelBundle) -> String {
        let d = bundle.disposition.validation
        let f = bundle.fraud.validation
        let r = bundle.recovery.validation
        func n(_ x: Double) -> String { String(format: "%.4f", x) }
        return """
            bundle \(bundle.version): \(bundle.trainingData.trainRows) training rows, \(bundle.trainingData.validationRows) validation rows (orders from \(bundle.trainingData.validationFrom))
              disposition  \(bundle.disposition.selection.reason)
                           accuracy \(n(d.accuracy)), macro-F1 \(n(d.macroF1)), log-loss \(n(d.logLoss))
              fraud        \(bundle.fraud.selection.reason)
                           PR-AUC \(n(f.prAUC)), ROC-AUC \(n(f.rocAUC)), log-loss \(n(f.logLoss)), precision at 1% \(n(f.precisionAtFlagRate))
              recovery     \(bundle.recovery.selection.reason)
                           RMSE \(n(r.rmse)), MAE \(n(r.mae)), R² \(n(r.r2)), 80% interval coverage \(n(bundle.recovery.intervalCoverage))

            """
    }
}
