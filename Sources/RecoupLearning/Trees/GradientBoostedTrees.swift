/// Histogram gradient-boosted decision trees over binned features, in the manner of LightGBM and scikit-learn's
/// `HistGradientBoosting*`: leaf-wise trees on `(gradient, hessian)` histograms, Newton leaf values, shrinkage,
/// optional row and feature subsampling, learned directions for missing values and early stopping.
///
/// ```swift
/// var config = GradientBoostedTrees.Configuration(objective: .binaryLogLoss)
/// config.rounds = 500
/// config.earlyStoppingRounds = 20
/// let ensemble = try GradientBoostedTrees(config).fit(
///     binned, targets: y, validation: .init(x: binnedValidation, targets: yValidation))
/// let p = ensemble.predict(binnedHoldout)            // rows × 1 probabilities
/// ```
///
/// The result is a ``TreeEnsemble``: an immutable, `Sendable`, `Codable` flat predictor for serving.
package struct GradientBoostedTrees: Sendable {
    /// Hyper-parameters. Defaults are LightGBM's (`num_leaves = 31`, `min_data_in_leaf = 20`,
    /// `min_sum_hessian_in_leaf = 1e-3`, `lambda_l2 = 0`, `learning_rate = 0.1`, `num_iterations = 100`).
    package struct Configuration: Sendable, Codable, Equatable {
        package var objective: Objective
        /// Boosting rounds (each adds one tree, or `K` trees for the multiclass objective).
        package var rounds = 100
        /// Shrinkage `η` applied to every leaf value.
        package var learningRate = 0.1
        /// Most leaves per tree (leaf-wise growth stops there).
        package var maxLeaves = 31
        /// Most splits from the root to a leaf; `nil` for no limit.
        package var maxDepth: Int?
        /// Fewest rows per leaf (estimated from hessians for non-constant hessians, as LightGBM does).
        package var minSamplesLeaf = 20
        /// Smallest hessian sum per leaf.
        package var minHessianLeaf = 1e-3
        /// Smallest gain (see ``SplitFinder``) for a split to be made.
        package var minGain = 0.0
        /// `λ`: L2 penalty on leaf values.
        package var l2 = 0.0
        /// Fraction of rows each round trains on (sampled without replacement, seeded); 1 = all rows.
        package var rowSubsample = 1.0
        /// Fraction of features each tree may split on (seeded); 1 = all features.
        package var featureSubsample = 1.0
        /// Stop when the validation loss has not improved for this many rounds and keep the best round's trees;
        /// `nil` trains every round. Needs a validation set.
        package var earlyStoppingRounds: Int?
        /// Seed of the row and feature sampling.
        package var seed: UInt64 = 0
        /// Threads for histograms, partitions and gradients; `nil` uses every core. The fitted ensemble is the same
        /// for any value (work is cut into parts that depend on the data only).
        package var workers: Int?

        package init(objective: Objective = .squaredError) {
            self.objective = objective
        }

        /// Decodes a configuration in which any key may be missing (it then takes its default; the objective
        /// defaults to squared error), so that configuration files name only what they change.
        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(objective: try c.decodeIfPresent(Objective.self, forKey: .objective) ?? .squaredError)
            rounds = try c.decodeIfPresent(Int.self, forKey: .rounds) ?? rounds
            learningRate = try c.decodeIfPresent(Double.self, forKey: .learningRate) ?? learningRate
            maxLeaves = try c.decodeIfPresent(Int.self, forKey: .maxLeaves) ?? maxLeaves
            maxDepth = try c.decodeIfPresent(Int.self, forKey: .maxDepth) ?? maxDepth
            minSamplesLeaf = try c.decodeIfPresent(Int.self, forKey: .minSamplesLeaf) ?? minSamplesLeaf
            minHessianLeaf = try c.decodeIfPresent(Double.self, forKey: .minHessianLeaf) ?? minHessianLeaf
            minGain = try c.decodeIfPresent(Double.self, forKey: .minGain) ?? minGain
            l2 = try c.decodeIfPresent(Double.self, forKey: .l2) ?? l2
            rowSubsample = try c.decodeIfPresent(Double.self, forKey: .rowSubsample) ?? rowSubsample
            featureSubsample = try c.decodeIfPresent(Double.self, forKey: .featureSubsample) ?? featureSubsample
            earlyStoppingRounds = try c.decodeIfPresent(Int.self, forKey: .earlyStoppingRounds) ?? earlyStoppingRounds
            seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? seed
            workers = try c.decodeIfPresent(Int.self, forKey: .workers) ?? workers
        }

        /// Throws ``LearningError/invalidHyperParameter(name:value:expected:)`` for the first value out of range.
        package func validate() throws(LearningError) {
            try objective.validate()
            try require(rounds >= 1, "rounds", rounds, ">= 1")
            try require(learningRate > 0 && learningRate.isFinite, "learningRate", learningRate, "a finite value > 0")
            try require(maxLeaves >= 2, "maxLeaves", maxLeaves, ">= 2")
            if let d = maxDepth { try require(d >= 1, "maxDepth", d, ">= 1 (or nil for no limit)") }
            try require(minSamplesLeaf >= 1, "minSamplesLeaf", minSamplesLeaf, ">= 1")
            try require(minHessianLeaf >= 0 && minHessianLeaf.isFinite, "minHessianLeaf", minHessianLeaf, ">= 0")
            try require(minGain >= 0 && minGain.isFinite, "minGain", minGain, ">= 0")
            try require(l2 >= 0 && l2.isFinite, "l2", l2, ">= 0")
            try require(rowSubsample > 0 && rowSubsample <= 1, "rowSubsample", rowSubsample, "a value in (0, 1]")
            try require(featureSubsample > 0 && featureSubsample <= 1, "featureSubsample", featureSubsample, "a value in (0, 1]")
            if let p = earlyStoppingRounds { try require(p >= 1, "earlyStoppingRounds", p, ">= 1 (or nil)") }
            if let w = workers { try require(w >= 1, "workers", w, ">= 1 (or nil)") }
        }
    }

    /// Rows held out to watch the loss while training (and to stop early).
    package struct ValidationSet: Sendable {
        package var x: BinnedMatrix
        package var targets: [Double]
        package var weights: [Double]?

        package init(x: BinnedMatrix, targets: [Double], weights: [Double]? = nil) {
            self.x = x
            self.targets = targets
            self.weights = weights
        }
    }

    /// What a fit did.
    package struct Report: Sendable, Codable, Equatable {
        /// Rounds kept in the ensemble.
        package var rounds: Int
        /// Rounds trained before stopping.
        package var roundsTrained: Int
        /// Validation loss after each trained round (empty without a validation set).
        package var validationLoss: [Double]
        /// Whether early stopping ended training before ``Configuration/rounds``.
        package var stoppedEarly: Bool
    }

    package var configuration: Configuration

    package init(_ configuration: Configuration) {
        self.configuration = configuration
    }
}
