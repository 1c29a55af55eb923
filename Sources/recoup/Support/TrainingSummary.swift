internal import Foundation
internal import RecoupCore
internal import RecoupFeatures
internal import RecoupLearning
internal import RecoupScoring

/// What `recoup train` prints: a short text summary, or a JSON object with `bundle` and the metrics.
struct TrainingSummary: Encodable {
    struct Head: Encodable {
        var learner: String
        var reason: String
        /// Validation metrics (the split the choices were made on).
        var metrics: [String: Double]
        /// The same metrics on the held-out test split.
        var test: [String: Double]?
        /// The tree search, when there was one (every trial is in the bundle).
        var search: Search?
    }
    struct Search: Encodable {
        var configurations: Int
        var fits: Int
        var seconds: Double
        var budgetSeconds: Double
        var metric: String
        var best: Double
        var winner: GradientBoostedTrees.Configuration
        /// The fits the kept trees average: configuration and weight.
        var ensemble: [Member]
        /// The ensemble's validation metric.
        var ensembleMetric: Double

        struct Member: Encodable {
            var configuration: Int
            var weight: Double
        }

        init(_ r: TreeSearchRecord) {
            configurations = r.configurations
            fits = r.trials.count
            seconds = r.seconds
            budgetSeconds = r.budgetSeconds
            metric = r.metric
            best = r.best.metric
            winner = r.best.hyperParameters
            ensemble = r.ensemble.map { Member(configuration: r.trials[$0.trial].configuration, weight: $0.weight) }
            ensembleMetric = r.ensembleMetric
        }

        enum CodingKeys: String, CodingKey {
            case configurations, fits, seconds, metric, best, winner, ensemble
            case budgetSeconds = "budget_seconds"
            case ensembleMetric = "ensemble_metric"
        }
    }
    var bundle: String
    var version: String
    var promoted: Bool
    var heads: [String: Head]
    /// The request stage's heads (receipt fields missing); absent when it was not trained.
    var requestStage: [String: Head]?
    /// The flags as fitted to the review rate (threshold, rules, quality on validation and test).
    var flagging: FlagCalibration?
    var timings: [String: Double]

    init(bundle: ModelBundle, path: String, promoted: Bool, timings: [(stage: String, seconds: Double)]) {
        self.bundle = path
        self.version = bundle.version
        self.promoted = promoted
        func summary(_ stage: StageHeads) -> [String: Head] {
            let searches = stage.searches
            return stage.summaries.reduce(into: [:]) { heads, head in
                let s = head.value
                heads[head.key] = Head(
                    learner: s.learner,
                    reason: s.reason,
                    metrics: s.metrics,
                    test: s.test,
                    search: searches[head.key].map(Search.init)
                )
            }
        }
        heads = summary(bundle.receiptStage)
        requestStage = bundle.requestStage.map(summary)
        flagging = bundle.flagging
        self.timings = Dictionary(timings.map { ($0.stage, $0.seconds) }, uniquingKeysWith: +)
    }

    enum CodingKeys: String, CodingKey {
        case bundle, version, promoted, heads, flagging, timings
        case requestStage = "request_stage"
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    static func text(_ bundle: ModelBundle) -> String {
        let data = bundle.trainingData
        func n(_ x: Double) -> String { String(format: "%.4f", x) }
        /// `name value` pairs of a head's metrics, in a fixed order.
        func line(_ metrics: [String: Double]?, _ names: [(key: String, label: String)]) -> String {
            guard let metrics else { return "" }
            return names.compactMap { name in metrics[name.key].map { "\(name.label) \(n($0))" } }.joined(separator: ", ")
        }
        let rows: [(head: String, names: [(key: String, label: String)])] = [
            ("disposition", [("accuracy", "accuracy"), ("macro_f1", "macro-F1"), ("log_loss", "log-loss")]),
            ("fraud", [("pr_auc", "PR-AUC"), ("roc_auc", "ROC-AUC"), ("log_loss", "log-loss"), ("precision_at_1pct", "precision at 1%")]),
            ("recovery", [("rmse", "RMSE"), ("mae", "MAE"), ("r2", "R²"), ("interval_coverage", "80% interval coverage")]),
        ]
        var text =
            "bundle \(bundle.version): \(data.trainRows) training rows, \(data.validationRows) validation rows (orders from \(data.validationFrom))"
        if let testRows = data.testRows, let testFrom = data.testFrom { text += ", \(testRows) held-out test rows (orders from \(testFrom))" }
        text += "\n"
        func stage(_ stage: StageHeads) {
            let heads = stage.summaries
            let searches = stage.searches
            for (head, names) in rows {
                guard let summary = heads[head] else { continue }
                text += "  " + head.padding(toLength: 13, withPad: " ", startingAt: 0) + summary.reason + "\n"
                if let search = searches[head] { text += "               search     " + search.summary + "\n" }
                text += "               validation " + line(summary.metrics, names) + "\n"
                if summary.test != nil { text += "               test       " + line(summary.test, names) + "\n" }
            }
        }
        stage(bundle.receiptStage)
        if let flags = bundle.flagging { text += flagText(flags) }
        if let request = bundle.requestStage {
            text += "request stage, without \(bundle.featureSpec.spec.receiptOnlyFields.map(\.name).joined(separator: ", ")):\n"
            stage(request)
        }
        return text + "\n"
    }

    /// The flags: the review rate and the risk threshold, how they did on each split, and each rule against the model.
    static func flagText(_ flags: FlagCalibration) -> String {
        func pct(_ x: Double) -> String { String(format: "%.1f%%", 100 * x) }
        func quality(_ q: FlagQuality) -> String { "\(pct(q.flagRate)) flagged, precision \(pct(q.precision)), recall \(pct(q.recall))" }
        var text =
            "  flags        review rate \(pct(flags.reviewRate)): fraud risk at or above \(String(format: "%.4f", flags.policy.fraudRiskThreshold))"
        text += "\n               validation \(quality(flags.validation))\n"
        if let test = flags.test { text += "               test       \(quality(test))\n" }
        for rule in flags.rules {
            let threshold = rule.threshold.map { " at \(String(format: "%.4g", $0))" } ?? ""
            text += "               rule \(rule.kind.rawValue)\(threshold): \(pct(rule.rate)) flagged, precision \(pct(rule.precision)) "
            text += "against the model's \(pct(rule.modelPrecisionAtSameRate)) at that rate: \(rule.enabled ? "on" : "off")\n"
        }
        return text
    }
}
