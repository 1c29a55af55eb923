extension GradientBoostedTrees {
    /// Trains an ensemble (LightGBM `GBDT::TrainOneIter`, once per round): boost from the constant score that best
    /// fits the targets, then each round compute gradients and hessians from the objective, sample rows, grow one
    /// tree per output on them, and add its leaf values to the scores.
    ///
    /// - Parameters:
    ///   - x: binned features (missing = bin 255), as the features layer produces them.
    ///   - targets: one target per row: the amount (squared error, Tweedie, Poisson), 0/1 (binary) or the class
    ///     index (multiclass).
    ///   - weights: optional sample weights `>= 0`; gradients and hessians are multiplied by them.
    ///   - validation: rows whose loss is reported every round and drives early stopping.
    ///   - progress: called after every round.
    /// - Throws: ``LearningError`` for bad hyper-parameters or inputs, before the first round.
    package func fit(
        _ x: BinnedMatrix,
        targets: [Double],
        weights: [Double]? = nil,
        validation: ValidationSet? = nil,
        progress: ProgressHandler? = nil
    ) throws(LearningError) -> TreeEnsemble {
        let config = configuration
        try config.validate()
        try checkInputs(x, targets: targets, weights: weights, validation: validation)
        let data = try TrainingBins(x)
        let objective = config.objective
        let k = objective.outputs
        let n = x.rows
        let base = objective.baseScores(targets: targets, weights: weights)
        var scores = [Double](repeating: 0, count: n * k)
        for i in 0..<n { for c in 0..<k { scores[i * k + c] = base[c] } }
        var validationScores = [Double](repeating: 0, count: (validation?.x.rows ?? 0) * k)
        for i in 0..<(validation?.x.rows ?? 0) { for c in 0..<k { validationScores[i * k + c] = base[c] } }

        let workers = config.workers ?? Parallel.workerCount
        let finder = SplitFinder(
            l2: config.l2,
            minSamplesLeaf: config.minSamplesLeaf,
            minHessianLeaf: config.minHessianLeaf,
            minGain: config.minGain
        )
        var grower = TreeGrower(
            data: data,
            rules: .init(maxLeaves: config.maxLeaves, maxDepth: config.maxDepth, learningRate: config.learningRate, finder: finder),
            workers: workers
        )
        var sampler = Sampler(seed: config.seed, rows: n, features: x.columns)
        var gradients = [SIMD2<Double>](repeating: .zero, count: n * k)
        var trees: [Tree] = []
        var history: [Double] = []
        var best = (loss: Double.infinity, round: 0)
        var roundsTrained = 0

        for round in 1...config.rounds {
            objective.computeGradients(scores: scores, targets: targets, weights: weights, into: &gradients)
            let (rows, outOfBag) = sampler.rows(fraction: config.rowSubsample)
            for c in 0..<k {
                let features = sampler.features(fraction: config.featureSubsample)
                let tree = gradients.withUnsafeBufferPointer { all in
                    grower.grow(rows: rows, gradients: UnsafeBufferPointer(rebasing: all[(c * n)..<((c + 1) * n)]), features: features)
                }
                grower.partition.addLeafValues(of: tree, to: &scores, output: c, outputs: k)
                if !outOfBag.isEmpty { tree.addValues(x, rows: outOfBag, to: &scores, output: c, outputs: k) }
                if let v = validation { tree.addValues(v.x, rows: nil, to: &validationScores, output: c, outputs: k) }
                trees.append(tree)
            }
            roundsTrained = round
            var validationLoss: Double?
            if let v = validation {
                let loss = objective.meanLoss(scores: validationScores, targets: v.targets, weights: v.weights)
                history.append(loss)
                validationLoss = loss
                if loss < best.loss { best = (loss, round) }
            }
            if let progress {
                progress(
                    TrainingProgress(
                        iteration: round,
                        maxIterations: config.rounds,
                        trainingLoss: objective.meanLoss(scores: scores, targets: targets, weights: weights),
                        validationLoss: validationLoss
                    )
                )
            }
            if let patience = config.earlyStoppingRounds, validation != nil, round - best.round >= patience { break }
        }
        let kept = config.earlyStoppingRounds != nil && validation != nil ? best.round : roundsTrained
        let report = Report(
            rounds: kept,
            roundsTrained: roundsTrained,
            validationLoss: history,
            stoppedEarly: roundsTrained < config.rounds
        )
        return TreeEnsemble(
            objective: objective,
            features: x.columns,
            baseScores: base,
            trees: Array(trees.prefix(kept * k)),
            report: report
        )
    }

    /// Convenience for classification: class indices as targets.
    package func fit(
        _ x: BinnedMatrix,
        labels: [Int],
        weights: [Double]? = nil,
        validation: ValidationSet? = nil,
        progress: ProgressHandler? = nil
    ) throws(LearningError) -> TreeEnsemble {
        try fit(x, targets: labels.map(Double.init), weights: weights, validation: validation, progress: progress)
    }

    private func checkInputs(
        _ x: BinnedMatrix,
        targets: [Double],
        weights: [Double]?,
        validation: ValidationSet?
    ) throws(LearningError) {
        guard x.rows > 0 else { throw .emptyTrainingSet }
        guard targets.count == x.rows else { throw .sizeMismatch(what: "targets", expected: x.rows, actual: targets.count) }
        try configuration.objective.validate(targets: targets)
        if let w = weights {
            guard w.count == x.rows else { throw .sizeMismatch(what: "weights", expected: x.rows, actual: w.count) }
            for (i, v) in w.enumerated() where !(v >= 0 && v.isFinite) { throw .invalidWeight(row: i, value: v) }
            guard w.contains(where: { $0 > 0 }) else { throw .emptyTrainingSet }
        }
        if let v = validation {
            guard v.x.columns == x.columns else {
                throw .sizeMismatch(what: "validation columns", expected: x.columns, actual: v.x.columns)
            }
            guard v.targets.count == v.x.rows else {
                throw .sizeMismatch(what: "validation targets", expected: v.x.rows, actual: v.targets.count)
            }
            try configuration.objective.validate(targets: v.targets)
        }
    }
}

/// Seeded row and feature sampling (SplitMix64): the same seed gives the same samples.
private struct Sampler {
    var rng: SplitMix64
    let allRows: [Int32]
    let allFeatures: [Int32]

    init(seed: UInt64, rows: Int, features: Int) {
        rng = SplitMix64(seed: seed)
        allRows = (0..<rows).map { Int32($0) }
        allFeatures = (0..<features).map { Int32($0) }
    }

    /// `⌊fraction · n⌋` rows (at least 1) in ascending order, and the rest, by selection sampling (Knuth, TAOCP
    /// vol. 2, Algorithm S): each row is taken with probability (still needed) / (still left).
    mutating func rows(fraction: Double) -> (sample: [Int32], outOfBag: [Int32]) {
        guard fraction < 1 else { return (allRows, []) }
        let n = allRows.count
        var needed = max(1, Int(fraction * Double(n)))
        var sample: [Int32] = []
        var rest: [Int32] = []
        sample.reserveCapacity(needed)
        rest.reserveCapacity(n - needed)
        for i in 0..<n {
            if Double(n - i) * rng.nextUnit() < Double(needed) {
                sample.append(Int32(i))
                needed -= 1
            } else {
                rest.append(Int32(i))
            }
        }
        return (sample, rest)
    }

    /// `round(fraction · F)` features (at least 1), ascending, by a partial Fisher–Yates shuffle.
    mutating func features(fraction: Double) -> [Int32] {
        guard fraction < 1 else { return allFeatures }
        var pool = allFeatures
        let m = max(1, Int((fraction * Double(pool.count)).rounded()))
        for i in 0..<m {
            let j = i + Int(rng.next() % UInt64(pool.count - i))
            pool.swapAt(i, j)
        }
        return pool.prefix(m).sorted()
    }
}

extension DataPartition {
    /// Adds each leaf's value to the scores of the rows it holds (no tree traversal needed for training rows).
    func addLeafValues(of tree: Tree, to scores: inout [Double], output: Int, outputs: Int) {
        scores.withUnsafeMutableBufferPointer { s in
            for leaf in 0..<tree.leaves {
                let value = tree.leafValue[leaf]
                withRows(of: leaf) { rows in
                    for r in rows { s[Int(r) * outputs + output] += value }
                }
            }
        }
    }
}

extension Tree {
    /// Adds this tree's value to the scores of `rows` of `x` (all rows when `nil`) by traversal, in parallel over
    /// row slices (each row's score is written by one worker only).
    func addValues(_ x: BinnedMatrix, rows: [Int32]?, to scores: inout [Double], output: Int, outputs: Int) {
        let columns = x.columns
        let count = rows?.count ?? x.rows
        let parts = count >= 8192 ? Parallel.workerCount : 1
        x.bins.withUnsafeBufferPointer { bins in
            scores.withUnsafeMutableBufferPointer { s in
                Parallel.run(parts: parts) { part in
                    for p in Parallel.slice(count, part: part, of: parts) {
                        let r = rows.map { Int($0[p]) } ?? p
                        s[r * outputs + output] += leafValue[leaf(of: bins.baseAddress! + r * columns)]
                    }
                }
            }
        }
    }
}
