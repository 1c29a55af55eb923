internal import Foundation

extension LogisticRegression {
    /// Fits the model.
    ///
    /// - Parameters:
    ///   - x: `n × F` features, finite values (the dense matrix of the features layer).
    ///   - labels: class of each row in `0..<classes`.
    ///   - classes: number of classes `K ≥ 2` (default: largest label + 1). Two gives the binary model.
    ///   - sampleWeights: optional weight `≥ 0` per row (multiplied by the class weights).
    ///   - progress: called after every L-BFGS iteration with the objective.
    /// - Returns: the model in the original feature scale, with its training ``Report``.
    /// - Throws: ``LearningError`` for bad hyper-parameters or inputs, before any iteration runs.
    ///
    /// Optimization runs in standardized coordinates `x̃ⱼ = (xⱼ − μⱼ)/σⱼ` (applied inside the loss, without copying
    /// `x`; see ``LogisticLoss``) with the penalty rewritten as
    /// `(λ/2) Σⱼ (w̃ⱼ/σⱼ)²`: the optimum is exactly the original problem's (`wⱼ = w̃ⱼ/σⱼ`, `b = b̃ − Σⱼ μⱼ wⱼ`), but the
    /// Hessian is far better conditioned, so L-BFGS needs fewer iterations. The intercepts start at the log-odds of
    /// the weighted class shares. BLAS runs single-threaded inside the parallel row blocks for the duration of the
    /// fit (see ``BLAS/withThreadCount(_:_:)``).
    package func fit(
        _ x: Matrix<Float>,
        labels: [Int],
        classes: Int? = nil,
        sampleWeights: [Double]? = nil,
        progress: ProgressHandler? = nil
    ) throws(LearningError) -> LogisticModel {
        try configuration.validate()
        let k = classes ?? ((labels.max() ?? 0) + 1)
        try require(k >= 2, "classes", k, ">= 2")
        let rowWeights = try checkedWeights(x, labels: labels, classes: k, sampleWeights: sampleWeights)
        let total = rowWeights.reduce(0, +)
        guard total > 0 else { throw .emptyTrainingSet }
        let lambda = configuration.regularization.strength(totalWeight: total)
        let outputs = k == 2 ? 1 : k
        let moments = Self.moments(x)
        if let index = moments.nonFinite { throw .nonFiniteFeature(row: index / x.columns, column: index % x.columns) }
        let mean = configuration.standardize ? moments.mean : [Double](repeating: 0, count: x.columns)
        let scale = configuration.standardize ? moments.scale : [Double](repeating: 1, count: x.columns)
        let problem = Problem(
            labels: labels.map { Int32($0) },
            rowScale: rowWeights.map { $0 / total },
            outputs: outputs,
            penalty: scale.map { lambda / ($0 * $0) },
            mean: mean,
            scale: scale,
            start: Self.initialParameters(labels: labels, weights: rowWeights, classes: k, features: x.columns)
        )
        let solved: LBFGS.Result
        switch configuration.precision {
        case .single:
            solved = solve(x, problem, progress: progress)
        case .double:
            solved = solve(Matrix(rows: x.rows, columns: x.columns, values: x.values.map { Double($0) }), problem, progress: progress)
        }
        var (weights, intercepts) = LogisticLoss<Float>.originalScale(
            solved.x,
            mean: problem.mean,
            scale: problem.scale,
            outputs: problem.outputs
        )
        if problem.outputs > 1 {
            // Softmax is unchanged by a common shift of the intercepts (they are unpenalized): report them centered,
            // Σₖ bₖ = 0, as scikit-learn's are (its L-BFGS starts at zero and its gradients keep the sum).
            let shift = intercepts.reduce(0, +) / Double(intercepts.count)
            intercepts = intercepts.map { $0 - shift }
        }
        let report = Report(
            termination: solved.termination.rawValue,
            iterations: solved.iterations,
            evaluations: solved.evaluations,
            objective: solved.value,
            l2Strength: lambda
        )
        return LogisticModel(classes: k, features: x.columns, weights: weights, intercepts: intercepts, report: report)
    }

    /// The optimization problem in standardized coordinates.
    private struct Problem {
        var labels: [Int32]
        var rowScale: [Double]
        var outputs: Int
        var penalty: [Double]
        var mean: [Double]
        var scale: [Double]
        var start: [Double]

        /// Largest absolute gradient component in the original coordinates:
        /// `∂L/∂wⱼₖ = σⱼ ∂L/∂w̃ⱼₖ + μⱼ ∂L/∂b̃ₖ`, `∂L/∂bₖ = ∂L/∂b̃ₖ`.
        func originalGradientNorm(_ g: [Double]) -> Double {
            let fk = mean.count * outputs
            var worst = 0.0
            for j in 0..<mean.count {
                for c in 0..<outputs { worst = max(worst, abs(scale[j] * g[j * outputs + c] + mean[j] * g[fk + c])) }
            }
            for c in 0..<outputs { worst = max(worst, abs(g[fk + c])) }
            return worst
        }

        /// The diagonal of the inverse Hessian at the start, for standardized features: class `k` at its weighted
        /// share `πₖ` has `∂²L/∂w̃ⱼₖ² ≈ πₖ(1 − πₖ) + λ/σⱼ²` (unit-variance columns), and `πₖ(1 − πₖ)` for its intercept.
        func diagonalInverseHessian() -> [Double] {
            var share = [Double](repeating: 0, count: outputs == 1 ? 2 : outputs)
            for (i, y) in labels.enumerated() { share[Int(y)] += rowScale[i] }
            let curvature = outputs == 1 ? [share[1] * (1 - share[1])] : share.map { $0 * (1 - $0) }
            var diagonal: [Double] = []
            for j in 0..<mean.count {
                for c in 0..<outputs { diagonal.append(1 / max(curvature[c] + penalty[j], 1e-6)) }
            }
            for c in 0..<outputs { diagonal.append(1 / max(curvature[c], 1e-6)) }
            return diagonal
        }

    }

    private func solve<T: BLASScalar>(_ design: Matrix<T>, _ problem: Problem, progress: ProgressHandler?) -> LBFGS.Result {
        let workers = min(Parallel.workerCount, max(1, design.rows / configuration.blockRows))
        let loss = LogisticLoss(
            x: design,
            mean: problem.mean,
            scale: problem.scale,
            labels: problem.labels,
            rowScale: problem.rowScale,
            outputs: problem.outputs,
            penalty: problem.penalty,
            blockRows: configuration.blockRows,
            workers: workers
        )
        var optimizer = LBFGS()
        optimizer.memory = configuration.memory
        optimizer.maxIterations = configuration.maxIterations
        optimizer.gradientTolerance = configuration.gradientTolerance
        optimizer.lossTolerance = configuration.lossTolerance
        if configuration.standardize {
            optimizer.initialInverseHessian = problem.diagonalInverseHessian()
            optimizer.keepDiagonal = true
        }
        let maxIterations = configuration.maxIterations
        return BLAS.withThreadCount(workers > 1 ? 1 : BLAS.threadCount) {
            optimizer.minimize(
                from: problem.start,
                evaluate: { loss.evaluate($0, gradient: &$1) },
                convergenceNorm: problem.originalGradientNorm,
                onIteration: { iteration, value in
                    progress?(TrainingProgress(iteration: iteration, maxIterations: maxIterations, trainingLoss: value))
                }
            )
        }
    }

    /// Row weights `sᵢ = sampleWeightᵢ · classWeight[yᵢ]`, after checking every input.
    private func checkedWeights(
        _ x: Matrix<Float>,
        labels: [Int],
        classes k: Int,
        sampleWeights: [Double]?
    ) throws(LearningError) -> [Double] {
        guard x.rows > 0 else { throw .emptyTrainingSet }
        guard labels.count == x.rows else { throw .sizeMismatch(what: "labels", expected: x.rows, actual: labels.count) }
        if let w = sampleWeights, w.count != x.rows {
            throw .sizeMismatch(what: "sampleWeights", expected: x.rows, actual: w.count)
        }
        for (i, y) in labels.enumerated() where y < 0 || y >= k { throw .labelOutOfRange(row: i, label: y, classes: k) }
        var weights = sampleWeights ?? [Double](repeating: 1, count: x.rows)
        for (i, w) in weights.enumerated() where !(w >= 0 && w.isFinite) { throw .invalidWeight(row: i, value: w) }
        let multipliers: [Double]
        switch configuration.classWeights {
        case .uniform:
            return weights
        case .custom(let m):
            guard m.count == k else { throw .sizeMismatch(what: "classWeights", expected: k, actual: m.count) }
            multipliers = m
        case .balanced:
            multipliers = ClassBalance.multipliers(labels: labels, classes: k, sampleWeights: weights)
        }
        for i in weights.indices { weights[i] *= multipliers[labels[i]] }
        return weights
    }

    /// Column means and standard deviations (a constant column gets scale 1), in one parallel pass over row parts
    /// (partial sums added in part order). Also finds a non-finite value, which sums cannot hide.
    static func moments(_ x: Matrix<Float>) -> (mean: [Double], scale: [Double], nonFinite: Int?) {
        let f = x.columns
        let parts = x.rows >= 4096 ? Parallel.rowParts : 1
        var partial = [[Double]](repeating: [Double](repeating: 0, count: 2 * f), count: parts)
        x.values.withUnsafeBufferPointer { v in
            Parallel.forEach(&partial) { part, sums in
                sums.withUnsafeMutableBufferPointer { s in
                    for r in Parallel.slice(x.rows, part: part, of: parts) {
                        let row = v.baseAddress! + r * f
                        for j in 0..<f {
                            let value = Double(row[j])
                            s[j] += value
                            s[f + j] += value * value
                        }
                    }
                }
            }
        }
        var sum = [Double](repeating: 0, count: 2 * f)
        for p in partial { for j in 0..<(2 * f) { sum[j] += p[j] } }
        let nonFinite = sum.allSatisfy(\.isFinite) ? nil : x.values.firstIndex { !$0.isFinite }
        let n = Double(max(x.rows, 1))
        let mean = (0..<f).map { sum[$0] / n }
        let scale = (0..<f).map { j in
            let sd = max(0, sum[f + j] / n - mean[j] * mean[j]).squareRoot()
            return sd > 1e-12 * max(1, abs(mean[j])) ? sd : 1
        }
        return (mean, scale, nonFinite)
    }

    /// Zero weights and intercepts at the log-odds of the weighted class shares (centered for the multinomial).
    static func initialParameters(labels: [Int], weights: [Double], classes k: Int, features f: Int) -> [Double] {
        var share = [Double](repeating: 0, count: k)
        for (i, y) in labels.enumerated() { share[y] += weights[i] }
        let total = share.reduce(0, +)
        let logShare = share.map { log(max($0 / total, 1e-12)) }
        if k == 2 {
            return [Double](repeating: 0, count: f) + [logShare[1] - logShare[0]]
        }
        let center = logShare.reduce(0, +) / Double(k)
        return [Double](repeating: 0, count: f * k) + logShare.map { $0 - center }
    }
}
