/// Binary and multinomial logistic regression with an L2 penalty, trained by ``LBFGS`` on a loss evaluated with
/// BLAS level 3 (``LogisticLoss``).
///
/// ```swift
/// let learner = LogisticRegression(.init(regularization: .inverse(C: 1)))
/// let model = try learner.fit(x, labels: y, classes: 8)      // x: Matrix<Float>, y: [Int] in 0..<8
/// let p = model.probabilities(xHoldout)                      // rows × 8
/// ```
///
/// Two classes give the binary model (one weight vector, the sigmoid); more give the multinomial model (one weight
/// vector per class, the softmax), both exactly as scikit-learn's `LogisticRegression(solver="lbfgs")`.
package struct LogisticRegression: Sendable {
    /// How strongly the weights are pulled to zero. The intercepts are never penalized.
    package enum Regularization: Sendable, Codable, Equatable {
        /// `λ` in `(1/S) Σᵢ sᵢ ℓᵢ + (λ/2) ‖W‖²`: the strength relative to the weighted *mean* loss (`S = Σ sᵢ`).
        case l2(Double)
        /// scikit-learn's `C` (`C Σᵢ sᵢ ℓᵢ + ½‖W‖²`): the same optimum as ``l2(_:)`` with `λ = 1 / (C · S)`, where the
        /// `sᵢ` include class weights (scikit-learn `_logistic_regression_path`, `l2_reg_strength = 1 / (C * sw_sum)`).
        case inverse(C: Double)
        /// No penalty (the optimum may not exist when the classes are separable).
        case none

        /// `λ` for a training set whose weights sum to `totalWeight`.
        package func strength(totalWeight: Double) -> Double {
            switch self {
            case .l2(let lambda): lambda
            case .inverse(let c): 1 / (c * totalWeight)
            case .none: 0
            }
        }
    }

    /// Per-class multipliers of the sample weights.
    package enum ClassWeights: Sendable, Codable, Equatable {
        /// All classes weigh 1.
        case uniform
        /// `S / (K · S_k)`: every class gets the same total weight (scikit-learn `class_weight="balanced"`).
        case balanced
        /// One multiplier per class.
        case custom([Double])
    }

    /// Scalar type of the BLAS work during training.
    package enum Precision: String, Sendable, Codable, Equatable {
        /// Single-precision GEMM on a Float copy of the design, Double accumulation (fast; the default).
        case single
        /// Double-precision GEMM throughout (for reference comparisons at tight tolerances).
        case double
    }

    /// Hyper-parameters. Defaults follow scikit-learn (`C = 1`, `tol = 1e-4`, 10 L-BFGS pairs), plus a stall test
    /// on the objective (``lossTolerance``) that scikit-learn effectively disables (`ftol = 64 ε`).
    package struct Configuration: Sendable, Codable, Equatable {
        package var regularization: Regularization = .inverse(C: 1)
        package var classWeights: ClassWeights = .uniform
        /// Most L-BFGS iterations.
        package var maxIterations = 500
        /// Stop when the largest absolute gradient component (original feature scale) is at most this.
        package var gradientTolerance = 1e-4
        /// Stop when the objective fell by at most `lossTolerance · max(|f|, 1)` per iteration, on average over the
        /// last 5 iterations. The default, 5e-5 (nats of mean log-loss per iteration), stops where further
        /// iterations change held-out log-loss by well under 0.1%; set 0 to run to ``gradientTolerance``.
        package var lossTolerance = 5e-5
        /// L-BFGS memory (pairs).
        package var memory = 10
        /// Optimize in standardized coordinates (a reparametrization with the same optimum; far fewer iterations).
        package var standardize = true
        package var precision: Precision = .single
        /// Rows per GEMM block of the loss.
        package var blockRows = 512

        package init(
            regularization: Regularization = .inverse(C: 1),
            classWeights: ClassWeights = .uniform,
            maxIterations: Int = 500,
            gradientTolerance: Double = 1e-4,
            lossTolerance: Double = 5e-5,
            memory: Int = 10,
            standardize: Bool = true,
            precision: Precision = .single,
            blockRows: Int = 512
        ) {
            self.regularization = regularization
            self.classWeights = classWeights
            self.maxIterations = maxIterations
            self.gradientTolerance = gradientTolerance
            self.lossTolerance = lossTolerance
            self.memory = memory
            self.standardize = standardize
            self.precision = precision
            self.blockRows = blockRows
        }

        /// Decodes a configuration in which any key may be missing (it then takes its default), so that configuration
        /// files name only what they change and stay readable when fields are added.
        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Configuration()
            regularization = try c.decodeIfPresent(Regularization.self, forKey: .regularization) ?? d.regularization
            classWeights = try c.decodeIfPresent(ClassWeights.self, forKey: .classWeights) ?? d.classWeights
            maxIterations = try c.decodeIfPresent(Int.self, forKey: .maxIterations) ?? d.maxIterations
            gradientTolerance = try c.decodeIfPresent(Double.self, forKey: .gradientTolerance) ?? d.gradientTolerance
            lossTolerance = try c.decodeIfPresent(Double.self, forKey: .lossTolerance) ?? d.lossTolerance
            memory = try c.decodeIfPresent(Int.self, forKey: .memory) ?? d.memory
            standardize = try c.decodeIfPresent(Bool.self, forKey: .standardize) ?? d.standardize
            precision = try c.decodeIfPresent(Precision.self, forKey: .precision) ?? d.precision
            blockRows = try c.decodeIfPresent(Int.self, forKey: .blockRows) ?? d.blockRows
        }

        /// Throws ``LearningError/invalidHyperParameter(name:value:expected:)`` for the first value out of range.
        package func validate() throws(LearningError) {
            switch regularization {
            case .l2(let lambda): try require(lambda >= 0 && lambda.isFinite, "regularization.l2", lambda, "a finite value >= 0")
            case .inverse(let c): try require(c > 0 && c.isFinite, "regularization.C", c, "a finite value > 0")
            case .none: break
            }
            if case .custom(let w) = classWeights {
                try require(w.allSatisfy { $0 >= 0 && $0.isFinite }, "classWeights", w, "finite values >= 0")
            }
            try require(maxIterations >= 1, "maxIterations", maxIterations, ">= 1")
            try require(gradientTolerance >= 0 && gradientTolerance.isFinite, "gradientTolerance", gradientTolerance, ">= 0")
            try require(lossTolerance >= 0, "lossTolerance", lossTolerance, ">= 0")
            try require(memory >= 1, "memory", memory, ">= 1")
            try require(blockRows >= 1, "blockRows", blockRows, ">= 1")
        }
    }

    /// What a fit did: the reason it stopped, iterations, function evaluations and the final objective.
    package struct Report: Sendable, Codable, Equatable {
        package var termination: String
        package var iterations: Int
        package var evaluations: Int
        package var objective: Double
        /// `λ` actually used (after resolving ``Regularization/inverse(C:)``).
        package var l2Strength: Double
    }

    package var configuration: Configuration

    package init(_ configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }
}
