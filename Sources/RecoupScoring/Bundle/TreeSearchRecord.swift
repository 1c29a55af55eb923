internal import Foundation
package import RecoupLearning

/// How a head's boosted trees were tuned by `recoup train --budget`: the search space, every trial of the successive
/// halving, the winner and the ensemble of fits kept. Kept in the bundle next to the head's ``Selection`` so that the
/// choice can be audited and plotted (`recoup evaluate --report`).
package struct TreeSearchRecord: Sendable, Codable, Equatable {
    enum CodingKeys: String, CodingKey {
        case metric
        case lowerIsBetter = "lower_is_better"
        case budgetSeconds = "budget_seconds"
        case seconds, eta, space, objectives, trials, winner, ensemble
        case ensembleMetric = "ensemble_metric"
    }

    /// A fit in the ensemble kept, and its weight.
    package struct Member: Sendable, Codable, Equatable {
        /// Index in ``TreeSearchRecord/trials``.
        package var trial: Int
        /// Its share of the averaged raw scores (the members' weights sum to 1).
        package var weight: Double

        package init(trial: Int, weight: Double) {
            self.trial = trial
            self.weight = weight
        }
    }

    /// One searched hyper-parameter and the range it is drawn from.
    package struct Dimension: Sendable, Codable, Equatable {
        package var name: String
        package var low: Double
        package var high: Double
        /// Drawn uniformly on a log scale (`true`) or a linear one.
        package var logScale: Bool
        /// Rounded to a whole number.
        package var integer: Bool

        enum CodingKeys: String, CodingKey {
            case name, low, high
            case logScale = "log_scale"
            case integer
        }

        package init(name: String, low: Double, high: Double, logScale: Bool, integer: Bool) {
            self.name = name
            self.low = low
            self.high = high
            self.logScale = logScale
            self.integer = integer
        }
    }

    /// One fit: a configuration at one rung of the halving.
    package struct Trial: Sendable, Codable, Equatable {
        enum CodingKeys: String, CodingKey {
            case configuration, rung
            case hyperParameters = "hyper_parameters"
            case roundsKept = "rounds_kept"
            case roundsTrained = "rounds_trained"
            case metric, seconds
        }

        /// Which configuration (0 is the fixed default configuration; the others in the order they were drawn).
        package var configuration: Int
        /// 0 for the first, cheapest rung.
        package var rung: Int
        /// As fitted: `rounds` is what this rung allowed.
        package var hyperParameters: GradientBoostedTrees.Configuration
        /// Rounds kept after early stopping.
        package var roundsKept: Int
        /// Rounds trained before stopping.
        package var roundsTrained: Int
        /// The head's validation metric.
        package var metric: Double
        package var seconds: Double

        package init(
            configuration: Int,
            rung: Int,
            hyperParameters: GradientBoostedTrees.Configuration,
            roundsKept: Int,
            roundsTrained: Int,
            metric: Double,
            seconds: Double
        ) {
            self.configuration = configuration
            self.rung = rung
            self.hyperParameters = hyperParameters
            self.roundsKept = roundsKept
            self.roundsTrained = roundsTrained
            self.metric = metric
            self.seconds = seconds
        }
    }

    /// The validation metric the halving compares: the loss the trees minimize (`log_loss`, `rmse`).
    package var metric: String
    package var lowerIsBetter: Bool
    /// This head's share of `--budget`.
    package var budgetSeconds: Double
    /// What the search took.
    package var seconds: Double
    /// The halving factor: a third of each rung goes on to the next with three times the rounds.
    package var eta: Int
    package var space: [Dimension]
    /// The objectives searched (for the recovery value; one for the classifiers).
    package var objectives: [Objective]
    package var trials: [Trial]
    /// Index in ``trials`` of the winner: the best metric among the last rung's fits.
    package var winner: Int
    /// The fits whose raw scores the trees kept average, with their weights (the winner alone when no other fit
    /// improved it on validation).
    package var ensemble: [Member]
    /// The ensemble's validation ``metric``.
    package var ensembleMetric: Double

    package init(
        metric: String,
        lowerIsBetter: Bool,
        budgetSeconds: Double,
        seconds: Double,
        eta: Int,
        space: [Dimension],
        objectives: [Objective],
        trials: [Trial],
        winner: Int,
        ensemble: [Member],
        ensembleMetric: Double
    ) {
        self.metric = metric
        self.lowerIsBetter = lowerIsBetter
        self.budgetSeconds = budgetSeconds
        self.seconds = seconds
        self.eta = eta
        self.space = space
        self.objectives = objectives
        self.trials = trials
        self.winner = winner
        self.ensemble = ensemble
        self.ensembleMetric = ensembleMetric
    }

    /// Reads a record; one written before ensembles kept the winner alone.
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metric = try c.decode(String.self, forKey: .metric)
        lowerIsBetter = try c.decode(Bool.self, forKey: .lowerIsBetter)
        budgetSeconds = try c.decode(Double.self, forKey: .budgetSeconds)
        seconds = try c.decode(Double.self, forKey: .seconds)
        eta = try c.decode(Int.self, forKey: .eta)
        space = try c.decode([Dimension].self, forKey: .space)
        objectives = try c.decode([Objective].self, forKey: .objectives)
        trials = try c.decode([Trial].self, forKey: .trials)
        winner = try c.decode(Int.self, forKey: .winner)
        guard trials.indices.contains(winner) else {
            throw DecodingError.dataCorruptedError(
                forKey: .winner,
                in: c,
                debugDescription: "winner \(winner) is not one of the \(trials.count) trials"
            )
        }
        // Locals: the closure below must not capture `self` before every property is set.
        let trials = trials
        let ensemble = try c.decodeIfPresent([Member].self, forKey: .ensemble) ?? [Member(trial: winner, weight: 1)]
        self.ensemble = ensemble
        if let bad = ensemble.first(where: { !trials.indices.contains($0.trial) }) {
            throw DecodingError.dataCorruptedError(
                forKey: .ensemble,
                in: c,
                debugDescription: "ensemble member \(bad.trial) is not one of the \(trials.count) trials"
            )
        }
        ensembleMetric = try c.decodeIfPresent(Double.self, forKey: .ensembleMetric) ?? trials[winner].metric
    }

    /// The winning trial.
    package var best: Trial { trials[winner] }

    /// The configurations tried (not fits: a configuration may be fitted at several rungs).
    package var configurations: Int { Set(trials.map(\.configuration)).count }
}

extension TreeSearchRecord {
    /// The winner's settings as `(name, value)` pairs, in the space's order, for the CLI and the HTML report.
    package var winnerSettings: [(name: String, value: String)] {
        let c = best.hyperParameters
        func g(_ x: Double) -> String { String(format: "%.3g", x) }
        var objective: String
        switch c.objective {
        case .tweedie(let p): objective = "tweedie \(g(p))"
        case .multiclassSoftmax(let k): objective = "softmax (\(k) classes)"
        case .binaryLogLoss: objective = "binary log-loss"
        case .squaredError: objective = "squared error"
        case .poisson: objective = "poisson"
        }
        return [
            ("objective", objective),
            ("leaves", "\(c.maxLeaves)"),
            ("learning rate", g(c.learningRate)),
            ("min rows per leaf", "\(c.minSamplesLeaf)"),
            ("feature fraction", g(c.featureSubsample)),
            ("row fraction", g(c.rowSubsample)),
            ("L2", g(c.l2)),
            ("rounds kept", "\(best.roundsKept) of \(c.rounds)"),
        ]
    }

    /// The ensemble in a few words: `the winner alone`, or `configurations 0 ×0.45, 3 ×0.35, 7 ×0.20`.
    package var ensembleDescription: String {
        guard ensemble.count > 1 else { return "the winner alone" }
        return "configurations "
            + ensemble.map { "\(trials[$0.trial].configuration) ×\(String(format: "%.2f", $0.weight))" }.joined(separator: ", ")
    }

    /// One line: configurations, fits, time against budget, the winner and the ensemble kept.
    package var summary: String {
        let settings = winnerSettings.map { "\($0.name) \($0.value)" }.joined(separator: ", ")
        return "searched \(configurations) configurations in \(trials.count) fits, "
            + String(format: "%.1f s of a %.1f s budget", seconds, budgetSeconds)
            + "; winner configuration \(best.configuration)"
            + (best.configuration == 0 ? " (the fixed one)" : "")
            + ": \(settings); validation \(metric) \(String(format: "%.4f", best.metric))"
            + "; kept \(ensembleDescription), validation \(metric) \(String(format: "%.4f", ensembleMetric))"
    }
}

extension StageHeads {
    /// The searches that tuned the heads' trees, by head name (empty when nothing was searched).
    package var searches: [String: TreeSearchRecord] {
        ["disposition": disposition.selection.search, "fraud": fraud.selection.search, "recovery": recovery.selection.search]
            .compactMapValues { $0 }
    }
}
