internal import Dispatch
internal import Foundation
internal import RecoupCore
internal import RecoupFeatures
internal import RecoupLearning
internal import RecoupScoring

/// Fits the candidates of each head on the training split and picks one on the validation split.
struct HeadTrainer: Sendable {
    let configuration: TrainingConfiguration
    let data: SplitData
    let events: (@Sendable (TrainingEvent) -> Void)?
    /// Seconds of tree search per head (`disposition`, `fraud`, `recovery`); a head without one fits its trees once.
    var budgets: [String: Double] = [:]
    /// Tree configurations fitted instead of the configured one, per head: the request stage fits the receipt
    /// stage's search winners.
    var tuned: [String: GradientBoostedTrees.Configuration] = [:]

    /// A fitted candidate: its learner, validation probabilities (rows × classes) and report.
    struct Candidate {
        var learner: HeadLearner
        var probabilities: Matrix<Double>
        var report: CandidateReport
        /// How the trees were tuned (the trees candidate, after a search).
        var search: TreeSearchRecord? = nil
    }

    // MARK: Disposition

    func disposition() throws(TrainingError) -> DispositionHead {
        let y = data.trainLabels.map(\.disposition.index)
        let yValidation = data.validationLabels.map(\.disposition.index)
        let candidates = try classifierCandidates(
            head: "disposition",
            labels: y,
            validationLabels: yValidation,
            classes: 8
        ) { p in
            let m = ClassificationMetrics(labels: yValidation, probabilities: p)
            return ["log_loss": m.logLoss, "macro_f1": m.macroF1, "accuracy": m.accuracy]
        }
        let best = candidates.min { $0.report.metrics["log_loss"]! < $1.report.metrics["log_loss"]! }!
        return DispositionHead(
            learner: best.learner,
            validation: ClassificationMetrics(labels: yValidation, probabilities: best.probabilities),
            selection: selection(candidates, chosen: best, metric: "log_loss", lowerIsBetter: true)
        )
    }

    // MARK: Fraud

    func fraud() throws(TrainingError) -> FraudHead {
        let y = data.trainLabels.map { $0.fraudFlag ? 1 : 0 }
        let yValidation = data.validationLabels.map { $0.fraudFlag ? 1 : 0 }
        let candidates = try classifierCandidates(
            head: "fraud",
            labels: y,
            validationLabels: yValidation,
            classes: 2
        ) { p in
            let m = BinaryMetrics(labels: yValidation, probabilities: (0..<p.rows).map { r in p[r, 1] })
            return ["pr_auc": m.prAUC, "roc_auc": m.rocAUC, "log_loss": m.logLoss, "brier": m.brier, "precision_at_1pct": m.precisionAtFlagRate]
        }
        let best = candidates.max { $0.report.metrics["pr_auc"]! < $1.report.metrics["pr_auc"]! }!
        let raw = (0..<best.probabilities.rows).map { best.probabilities[$0, 1] }
        let calibration = Self.calibration(raw: raw, labels: yValidation)
        let calibrated = raw.map { calibration($0) }
        return FraudHead(
            learner: best.learner,
            calibration: calibration,
            validation: BinaryMetrics(labels: yValidation, probabilities: calibrated),
            selection: selection(candidates, chosen: best, metric: "pr_auc", lowerIsBetter: false)
        )
    }

    /// Platt scaling, kept only when it lowers log-loss out of sample: fitted on one half of the validation split
    /// and measured on the other, both ways.
    static func calibration(raw: [Double], labels: [Int]) -> Calibrator {
        let logits = raw.map(Calibrator.logit)
        let even = Array(stride(from: 0, to: raw.count, by: 2))
        let odd = Array(stride(from: 1, to: raw.count, by: 2))
        func logLoss(_ p: [Double], _ y: [Int]) -> Double {
            zip(p, y).reduce(0) { $0 - log(max(1e-15, $1.1 == 1 ? $1.0 : 1 - $1.0)) } / Double(max(1, p.count))
        }
        var before = 0.0
        var after = 0.0
        for (fit, test) in [(even, odd), (odd, even)] {
            let platt = PlattScaling.fit(scores: fit.map { logits[$0] }, labels: fit.map { labels[$0] })
            before += logLoss(test.map { raw[$0] }, test.map { labels[$0] })
            after += logLoss(test.map { platt(logits[$0]) }, test.map { labels[$0] })
        }
        guard after < before else { return .none }
        return .platt(PlattScaling.fit(scores: logits, labels: labels))
    }

    // MARK: Held out

    /// Each head as chosen (learner, calibration, interval) measured on the test split, which neither early stopping,
    /// learner choice, blending nor calibration has seen.
    func measureHeldOut(
        _ test: FeatureMatrices,
        labels: [ReturnLabels],
        disposition: inout DispositionHead,
        fraud: inout FraudHead,
        recovery: inout RecoveryHead
    ) {
        let classes = disposition.learner.probabilities(dense: test.dense, binned: test.binned)
        disposition.test = ClassificationMetrics(labels: labels.map(\.disposition.index), probabilities: classes)
        let risk = fraud.learner.probabilities(dense: test.dense, binned: test.binned)
        let calibration = fraud.calibration
        fraud.test = BinaryMetrics(labels: labels.map { $0.fraudFlag ? 1 : 0 }, probabilities: (0..<risk.rows).map { calibration(risk[$0, 1]) })
        let values = recovery.model.predict(test.binned).values.map { max(0, $0) }
        let targets = labels.map(\.recoveryValue)
        recovery.test = RegressionMetrics(targets: targets, predictions: values)
        let inside = zip(values, targets).filter { value, target in
            let (low, high) = recovery.interval.interval(value)
            return target >= low && target <= high
        }.count
        recovery.testIntervalCoverage = Double(inside) / Double(max(1, targets.count))
    }

    // MARK: Recovery

    func recovery() throws(TrainingError) -> RecoveryHead {
        let y = data.trainLabels.map(\.recoveryValue)
        let yValidation = data.validationLabels.map(\.recoveryValue)
        var objectives: [Objective] = [.squaredError]
        if let p = configuration.tweedieVariancePower { objectives.append(.tweedie(variancePower: p)) }
        var base = configuration.trees
        base.seed = configuration.seed
        // One fit per objective; a search draws the objective itself (from the last objective's configuration);
        // the request stage fits the receipt stage's winner.
        let configured: [GradientBoostedTrees.Configuration]
        if let winner = tuned["recovery"] {
            configured = [winner]
        } else if budgets["recovery"] != nil {
            configured = [objectives.last!].map {
                base.objective = $0
                return base
            }
        } else {
            configured = objectives.map {
                base.objective = $0
                return base
            }
        }
        var fitted: [(model: TreeEnsemble, predictions: [Double], report: CandidateReport, search: TreeSearchRecord?)] = []
        for config in configured {
            func predictions(_ model: TreeEnsemble) -> [Double] { model.predict(data.validation.binned).values.map { max(0, $0) } }
            let trees = try fitTrees(
                head: "recovery",
                configured: config,
                objectives: objectives,
                targets: y,
                validationTargets: yValidation,
                searchBy: ("rmse", lowerIsBetter: true)
            ) { raw, objective in
                RegressionMetrics(targets: yValidation, predictions: objective.predictions(raw: raw).values.map { max(0, $0) }).rmse
            }
            let values = predictions(trees.model)
            let m = RegressionMetrics(targets: yValidation, predictions: values)
            fitted.append(
                (
                    trees.model, values,
                    CandidateReport(
                        learner: Self.treesName(trees.configuration.objective),
                        hyperParameters: Self.json(trees.configuration),
                        metrics: ["rmse": m.rmse, "mae": m.mae, "r2": m.r2],
                        fitSeconds: trees.seconds
                    ),
                    trees.search
                )
            )
        }
        let best = fitted.min { $0.report.metrics["rmse"]! < $1.report.metrics["rmse"]! }!
        // Interval bands fitted on one half of validation and measured on the other, then refitted on all of it.
        let even = Array(stride(from: 0, to: yValidation.count, by: 2))
        let odd = Array(stride(from: 1, to: yValidation.count, by: 2))
        let halfBands = ResidualBands.fit(predictions: even.map { best.predictions[$0] }, targets: even.map { yValidation[$0] })
        let covered = odd.filter { i in
            let (lo, hi) = halfBands.interval(best.predictions[i])
            return yValidation[i] >= lo && yValidation[i] <= hi
        }.count
        let chosen = CandidateReportChoice(best.report)
        return RecoveryHead(
            model: best.model,
            interval: ResidualBands.fit(predictions: best.predictions, targets: yValidation),
            validation: RegressionMetrics(targets: yValidation, predictions: best.predictions),
            intervalCoverage: Double(covered) / Double(max(1, odd.count)),
            selection: Selection(
                candidates: fitted.map(\.report),
                selectedBy: "rmse",
                chosen: chosen.learner,
                reason: Self.reason(fitted.map(\.report), chosen: best.report, metric: "rmse"),
                search: best.search
            )
        )
    }

    // MARK: Shared

    /// Logistic regression and boosted trees (as configured, or searched by validation log-loss), then blends of the
    /// two.
    private func classifierCandidates(
        head: String,
        labels: [Int],
        validationLabels: [Int],
        classes: Int,
        metrics: (Matrix<Double>) -> [String: Double]
    ) throws(TrainingError) -> [Candidate] {
        var candidates: [Candidate] = []
        var logistic: (LogisticModel, Matrix<Double>)?
        var trees: (TreeEnsemble, Matrix<Double>)?
        if configuration.useLogistic {
            let (model, seconds) = try timed(head, "logistic") { progress throws(TrainingError) -> LogisticModel in
                do {
                    return try LogisticRegression(configuration.logistic).fit(data.train.dense, labels: labels, classes: classes, progress: progress)
                } catch { throw .learner(head: head, reason: "\(error)") }
            }
            let learner = HeadLearner.logistic(model)
            let p = learner.probabilities(dense: data.validation.dense, binned: data.validation.binned)
            logistic = (model, p)
            candidates.append(
                Candidate(
                    learner: learner,
                    probabilities: p,
                    report: CandidateReport(
                        learner: "logistic",
                        hyperParameters: Self.json(configuration.logistic),
                        metrics: metrics(p),
                        fitSeconds: seconds
                    )
                )
            )
        }
        var search: TreeSearchRecord?
        if configuration.useTrees {
            var config = tuned[head] ?? configuration.trees
            config.objective = classes == 2 ? .binaryLogLoss : .multiclassSoftmax(classes: classes)
            config.seed = configuration.seed
            let fitted = try fitTrees(
                head: head,
                configured: config,
                objectives: [config.objective],
                targets: labels.map(Double.init),
                validationTargets: validationLabels.map(Double.init),
                searchBy: ("log_loss", lowerIsBetter: true)
            ) { raw, objective in ClassificationMetrics(labels: validationLabels, probabilities: objective.probabilities(raw: raw)).logLoss }
            search = fitted.search
            let learner = HeadLearner.trees(fitted.model)
            let p = learner.probabilities(dense: data.validation.dense, binned: data.validation.binned)
            trees = (fitted.model, p)
            candidates.append(
                Candidate(
                    learner: learner,
                    probabilities: p,
                    report: CandidateReport(
                        learner: "trees",
                        hyperParameters: Self.json(fitted.configuration),
                        metrics: metrics(p),
                        fitSeconds: fitted.seconds
                    ),
                    search: search
                )
            )
        }
        if configuration.tryBlends, let (lm, lp) = logistic, let (tm, tp) = trees {
            for w in [0.25, 0.5, 0.75] {
                var p = tp
                for i in 0..<p.values.count { p.values[i] = w * lp.values[i] + (1 - w) * tp.values[i] }
                let learner = HeadLearner.blend(logistic: lm, trees: tm, weight: w)
                candidates.append(
                    Candidate(
                        learner: learner,
                        probabilities: p,
                        report: CandidateReport(
                            learner: learner.name,
                            hyperParameters: "{\"weight\": \(w)}",
                            metrics: metrics(p),
                            fitSeconds: 0
                        )
                    )
                )
            }
        }
        return candidates
    }

    private func selection(_ candidates: [Candidate], chosen: Candidate, metric: String, lowerIsBetter: Bool) -> Selection {
        Selection(
            candidates: candidates.map(\.report),
            selectedBy: metric + (lowerIsBetter ? " (lower is better)" : " (higher is better)"),
            chosen: chosen.report.learner,
            reason: Self.reason(candidates.map(\.report), chosen: chosen.report, metric: metric),
            search: candidates.lazy.compactMap(\.search).first
        )
    }

    /// A head's trees: `configured` (objective and seed set) fitted once, or, when the head has a budget, the ensemble
    /// kept by a ``TreeSearch`` from it, measured by `measure` on raw scores of the validation split. The search
    /// compares the loss the trees minimize (log-loss for the classifiers, RMSE for the value): it is steadier than
    /// PR-AUC, which would reward the configuration that is luckiest on the validation split's few thousand frauds;
    /// the head's candidates are still chosen by its selection metric.
    private func fitTrees(
        head: String,
        configured: GradientBoostedTrees.Configuration,
        objectives: [Objective],
        targets: [Double],
        validationTargets: [Double],
        searchBy: (metric: String, lowerIsBetter: Bool),
        measure: (_ validationRaw: Matrix<Double>, Objective) -> Double
    ) throws(TrainingError) -> (model: TreeEnsemble, configuration: GradientBoostedTrees.Configuration, seconds: Double, search: TreeSearchRecord?) {
        let validation = GradientBoostedTrees.ValidationSet(x: data.validation.binned, targets: validationTargets)
        func fit(_ c: GradientBoostedTrees.Configuration, _ progress: ProgressHandler?) throws(TrainingError) -> TreeEnsemble {
            do {
                return try GradientBoostedTrees(c).fit(data.train.binned, targets: targets, validation: validation, progress: progress)
            } catch { throw .learner(head: head, reason: "\(error)") }
        }
        guard let budget = budgets[head] else {
            let (model, seconds) = try timed(head, "trees") { progress throws(TrainingError) in try fit(configured, progress) }
            return (model, configured, seconds, nil)
        }
        let search = TreeSearch(
            base: configured,
            objectives: objectives,
            budget: budget,
            seed: configuration.seed,
            shape: .init(trainRows: data.train.binned.rows, validationRows: data.validation.binned.rows, features: data.train.binned.columns)
        )
        let events = self.events
        let (model, record) = try search.run(
            metric: searchBy.metric,
            lowerIsBetter: searchBy.lowerIsBetter,
            fit: { c throws(TrainingError) in
                let model = try fit(c, nil)
                return (model, model.rawScores(data.validation.binned))
            },
            measure: measure,
            progress: events.map { send in
                { done, planned, best, left in
                    send(.search(head: head, trial: done, of: planned, metric: searchBy.metric, best: best, secondsLeft: left))
                }
            }
        )
        return (model, record.best.hyperParameters, record.seconds, record)
    }

    /// A recovery candidate's name: `trees(squared_error)`, `trees(tweedie 1.5)`.
    static func treesName(_ objective: Objective) -> String {
        switch objective {
        case .tweedie(let p): "trees(tweedie \(p))"
        case .poisson: "trees(poisson)"
        default: "trees(squared_error)"
        }
    }

    static func reason(_ reports: [CandidateReport], chosen: CandidateReport, metric: String) -> String {
        let others = reports.filter { $0.learner != chosen.learner }
            .map { "\($0.learner) \(format($0.metrics[metric] ?? .nan))" }.joined(separator: ", ")
        return "\(chosen.learner): validation \(metric) \(format(chosen.metrics[metric] ?? .nan))"
            + (others.isEmpty ? "" : " against \(others)")
    }

    static func format(_ x: Double) -> String { String(format: "%.4f", x) }

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// Runs a fit, forwarding its progress as events, and measures it.
    private func timed<T>(
        _ head: String,
        _ learner: String,
        _ body: (ProgressHandler?) throws(TrainingError) -> T
    ) throws(TrainingError) -> (T, Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let events = self.events
        let progress: ProgressHandler? = events.map { send in
            { p in send(.iteration(head: head, learner: learner, iteration: p.iteration, of: p.maxIterations)) }
        }
        let result = try body(progress)
        return (result, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
}

/// The chosen candidate's name (a tiny wrapper keeps `recovery()` readable).
private struct CandidateReportChoice {
    let learner: String
    init(_ report: CandidateReport) { learner = report.learner }
}
