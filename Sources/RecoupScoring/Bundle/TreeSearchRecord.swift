internal import Foundation
package import RecoupLearning

/// How a head's boosted trees were tuned by `recoup train --budget`: the search space, every trial of the successive
/// halving and the winner. Kept in the bundle next to the head's ``Selection`` so that the choice can be audited and
/// plotted (`recoup evaluate --report`).
package struct TreeSearchRecord: Sendable, Codable, Equatable {
    enum CodingKeys: String, CodingKey {
        case metric
        case lowerIsBetter = "lower_is_better"
        case budgetSeconds = "budget_seconds"
        case seconds, eta, space, objectives, trials, winner
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

    package init(
        metric: String,
        lowerIsBetter: Bool,
        budgetSeconds: Double,
        seconds: Double,
        eta: Int,
        space: [Dimension],
        objectives: [Objective],
        trials: [Trial],
        winner: Int
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

    /// One line: configurations, fits, time against budget, and the winner.
    package var summary: String {
        let settings = winnerSettings.map { "\($0.name) \($0.value)" }.joined(separator: ", ")
        return "searched \(configurations) configurations in \(trials.count) fits, "
            + String(format: "%.1f s of a %.1f s budget", seconds, budgetSeconds)
            + "; winner configuration \(best.configuration)"
            + (best.configuration == 0 ? " (the fixed one)" : "")
            + ": \(settings); validation \(metric) \(String(format: "%.4f", best.metric))"
    }
}

extension StageHeads {
    /// The searches that tuned the heads' trees, by head name (empty when nothing was searched).
    package var searches: [String: TreeSearchRecord] {
        ["disposition": disposition.selection.search, "fraud": fraud.selection.search, "recovery": recovery.selection.search]
            .compactMapValues { $0 }
    }
}
