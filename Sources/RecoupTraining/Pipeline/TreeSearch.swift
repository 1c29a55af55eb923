internal import Dispatch
internal import Foundation
internal import RecoupLearning
internal import RecoupScoring

/// Successive halving over the boosted trees' hyper-parameters within a time budget (`recoup train --budget`).
///
/// Configuration 0 is the head's fixed configuration (today's defaults); the others are drawn from ``space`` with the
/// seed. The fixed configuration is fitted first, in full (the last rung's rounds, with early stopping): the rounds it
/// trains are what this data needs at the fixed learning rate, and they set the scale of the earlier rungs. The first
/// rung then fits many configurations with a ninth of those rounds; the best third goes on to the next rung with three
/// times the rounds, and the best third of that to the last rung, which allows the fixed configuration's configured
/// rounds. Early stopping on the validation split runs at every rung, and a fit that stopped early is not fitted again
/// (its result goes on as it is). The fixed configuration is always among the last rung's fits, whatever the early
/// metrics: a few rounds favour fast learners and objectives (squared error over Tweedie's log link), and the search
/// must not return something worse on validation than what it started from. The winner is the best validation
/// metric among the last rung's fits.
///
/// Scaling the rungs by the fixed fit matters because boosting on real data often stops long before its cap: when
/// the fixed configuration stops after 80 of 400 rounds, a first rung of a ninth of the cap would be close to a full
/// fit, and the search would cost what a search of full fits costs.
///
/// The trees kept are then an ensemble of the search's fits (``selectEnsemble(_:winner:lowerIsBetter:measure:)``):
/// from the winner, greedy selection with replacement (Caruana et al. 2004) adds the fit whose raw scores, averaged
/// in, lower the validation metric most, while one does. A search fits many models, and averaging a few good,
/// different ones is steadier on unseen rows than the single best; the average is one ``TreeEnsemble``, so it is
/// served and explained as any other. The held-out test split is never seen.
///
/// Rounds are counted at the fixed configuration's learning rate: a configuration with half of it is allowed twice the
/// rounds (and twice the early-stopping patience), so that slow learners are not cut off at the first rung for being
/// slow.
///
/// The budget is spent in the seconds of a cost model of a fit (rows, features, outputs, leaves, feature fraction,
/// rounds trained) calibrated on the 2-core reference machine (`benchmarks/RESULTS.md`), never in seconds measured
/// while training: the first rung takes configurations while its third of the budget lasts, and each later rung a
/// third of the one before; the fixed configuration's full fit is not charged to the budget. A seed and a budget
/// therefore give the same trials and the same bundle on any machine and under any load; a faster machine only
/// finishes sooner.
struct TreeSearch {
    /// A third of each rung goes on to the next.
    static let eta = 3
    /// At most this many configurations in the first rung (a tiny data set would otherwise be searched for ever).
    static let maxConfigurations = 81
    /// At most this many additions to the ensemble: weights are multiples of 1/(1 + this) at the finest.
    static let ensembleSteps = 20

    /// The head's fixed configuration (objective and seed set): configuration 0, the rounds of the last rung and the
    /// early-stopping patience at its learning rate.
    let base: GradientBoostedTrees.Configuration
    /// The objectives to draw from (the recovery value's: squared error and Tweedie; a classifier's own).
    let objectives: [Objective]
    /// This head's seconds.
    let budget: Double
    let seed: UInt64
    let shape: FitShape

    /// What a fit costs: the sizes the cost model needs.
    struct FitShape {
        var trainRows: Int
        var validationRows: Int
        var features: Int
    }

    /// A configuration at the rung it reached: its model, metric and whether it can still improve with more rounds.
    struct Fitted {
        var configuration: Int
        var hyperParameters: GradientBoostedTrees.Configuration
        var model: TreeEnsemble
        /// Raw scores of the validation rows (`rows × outputs`), what the ensemble averages.
        var validation: Matrix<Double>
        var metric: Double
        var final: Bool
        /// Index of this fit in the search's trials.
        var trial: Int
    }

    // MARK: Space

    /// The searched hyper-parameters and their ranges: wide enough for any retailer's data, drawn on a log scale
    /// where the effect is multiplicative.
    static let space: [TreeSearchRecord.Dimension] = [
        .init(name: "maxLeaves", low: 8, high: 256, logScale: true, integer: true),
        .init(name: "learningRate", low: 0.02, high: 0.3, logScale: true, integer: false),
        .init(name: "minSamplesLeaf", low: 5, high: 500, logScale: true, integer: true),
        .init(name: "featureSubsample", low: 0.3, high: 1, logScale: false, integer: false),
        .init(name: "rowSubsample", low: 0.5, high: 1, logScale: false, integer: false),
        .init(name: "l2", low: 1e-3, high: 100, logScale: true, integer: false),
    ]
    /// The Tweedie variance power's range when a Tweedie objective is drawn.
    static let tweediePower = TreeSearchRecord.Dimension(name: "variancePower", low: 1.1, high: 1.9, logScale: false, integer: false)

    /// Configuration `index` of the search: 0 is `base`; the others drawn from the space with the seed (configuration
    /// `i` depends on the seed and `i` only).
    func configuration(_ index: Int) -> GradientBoostedTrees.Configuration {
        guard index > 0 else { return base }
        var random = SplitMix64(seed: seed &+ 0x5EA2_C400_0000_0000 &+ UInt64(index) &* 0x9E37_79B9)
        func draw(_ d: TreeSearchRecord.Dimension) -> Double {
            let u = random.nextUnit()
            let x = d.logScale ? exp(log(d.low) + u * (log(d.high) - log(d.low))) : d.low + u * (d.high - d.low)
            return d.integer ? x.rounded() : x
        }
        var c = base
        let values = Self.space.map(draw)
        c.maxLeaves = Int(values[0])
        c.learningRate = values[1]
        c.minSamplesLeaf = Int(values[2])
        c.featureSubsample = values[3]
        c.rowSubsample = values[4]
        c.l2 = values[5]
        let objective = objectives[min(objectives.count - 1, Int(random.nextUnit() * Double(objectives.count)))]
        if case .tweedie = objective {
            c.objective = .tweedie(variancePower: (draw(Self.tweediePower) * 100).rounded() / 100)
        } else {
            c.objective = objective
        }
        return c
    }

    /// `c` as fitted at `rung` of `rungs`: the rounds and patience for its learning rate. The last rung allows the
    /// fixed configuration's rounds; an earlier one `scale` (the rounds the fixed configuration trained) divided by
    /// η per rung before the last.
    func atRung(_ c: GradientBoostedTrees.Configuration, rung: Int, of rungs: Int, scale: Int) -> GradientBoostedTrees.Configuration {
        var c = c
        let pace = base.learningRate / c.learningRate
        let rounds = rung == rungs - 1 ? Double(base.rounds) : Double(scale) / pow(Double(Self.eta), Double(rungs - 1 - rung))
        c.rounds = max(1, Int((rounds * pace).rounded(.up)))
        c.earlyStoppingRounds = base.earlyStoppingRounds.map { max(5, Int((Double($0) * pace).rounded(.up))) }
        return c
    }

    /// Whether metric `a` is strictly better than `b`.
    static func isBetter(_ a: Double, than b: Double, lowerIsBetter: Bool) -> Bool {
        lowerIsBetter ? a < b : a > b
    }

    // MARK: Cost

    /// Estimated seconds of a fit on the 2-core reference machine, per round and output: gradients, partitions,
    /// out-of-bag and validation scores cost every training and validation row; split finding scans every bin of
    /// every sampled feature for each leaf grown (histogram building, with the subtraction trick and sparse rows, did
    /// not show as a term of its own). Fitted (non-negative least squares on relative error) to the 117 fits of three
    /// `recoup train --budget 90s` runs on the shipped set, 2026-12-04 (140k training and 40k validation rows, 116
    /// binned columns; `benchmarks/RESULTS.md`, issue 20): actual over estimated seconds 0.82–1.37 (10th–90th
    /// percentile), median 1.09. The model it replaced (rows and histograms only) underestimated those fits by 2.1×,
    /// and 3× for wide trees.
    static func estimatedSeconds(_ c: GradientBoostedTrees.Configuration, shape: FitShape) -> Double {
        let rows = Double(shape.trainRows + shape.validationRows)
        let splitFinding = Double(max(2, c.maxLeaves)) * Double(shape.features) * c.featureSubsample
        let perOutputRound = 8.5e-8 * rows + 1.5e-6 * splitFinding
        return 0.02 + Double(c.rounds) * Double(c.objective.outputs) * perOutputRound
    }

    /// Splits `total` seconds between heads in proportion to the estimated cost of their fixed configurations.
    static func shares(
        _ total: Double,
        heads: [(name: String, configuration: GradientBoostedTrees.Configuration)],
        shape: FitShape
    )
        -> [String: Double]
    {
        let costs = heads.map { estimatedSeconds($0.configuration, shape: shape) }
        let sum = costs.reduce(0, +)
        return Dictionary(uniqueKeysWithValues: zip(heads.map(\.name), costs.map { total * $0 / sum }))
    }

    // MARK: Run

    /// Runs the search: `fit` fits a configuration and returns its raw scores of the validation rows, which `measure`
    /// turns into the validation metric (for the objective's link). Returns the ensemble's model and the record of every
    /// trial. `progress` gets the fits done, the fits expected, the best metric so far and the estimated seconds left.
    func run(
        metric: String,
        lowerIsBetter: Bool,
        fit: (GradientBoostedTrees.Configuration) throws(TrainingError) -> (model: TreeEnsemble, validation: Matrix<Double>),
        measure: (_ validation: Matrix<Double>, Objective) -> Double,
        progress: ((_ done: Int, _ of: Int, _ best: Double, _ secondsLeft: Double) -> Void)? = nil
    ) throws(TrainingError) -> (model: TreeEnsemble, record: TreeSearchRecord) {
        let start = DispatchTime.now().uptimeNanoseconds
        let rungs = 3
        func better(_ a: Fitted, _ b: Fitted) -> Bool {
            if a.metric != b.metric { return Self.isBetter(a.metric, than: b.metric, lowerIsBetter: lowerIsBetter) }
            return a.configuration < b.configuration
        }
        var trials: [TreeSearchRecord.Trial] = []
        var best = lowerIsBetter ? Double.infinity : -Double.infinity
        // Spent budget, in the cost model's seconds for the rounds each fit actually trained: deterministic.
        var spent = 0.0
        var alive: [Fitted] = []
        /// Every configuration's latest fit: the ensemble's pool.
        var latest: [Int: Fitted] = [:]
        /// The rounds the fixed configuration trained in full: the earlier rungs' scale.
        var scale = base.rounds
        func evaluate(_ k: Int?, _ configuration: Int, _ hyperParameters: GradientBoostedTrees.Configuration, rung: Int) throws(TrainingError) {
            let c = atRung(hyperParameters, rung: rung, of: rungs, scale: scale)
            let t0 = DispatchTime.now().uptimeNanoseconds
            let (model, validation) = try fit(c)
            let value = measure(validation, model.objective)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            let trained = model.report?.roundsTrained ?? c.rounds
            var cost = c
            cost.rounds = trained
            spent += Self.estimatedSeconds(cost, shape: shape)
            // A fit that stopped early is not fitted again: more rounds cannot change it.
            let fitted = Fitted(
                configuration: configuration,
                hyperParameters: hyperParameters,
                model: model,
                validation: validation,
                metric: value,
                final: rung == rungs - 1 || (model.report?.stoppedEarly ?? false),
                trial: trials.count
            )
            if let k { alive[k] = fitted } else { alive.append(fitted) }
            latest[configuration] = fitted
            trials.append(
                .init(
                    configuration: configuration,
                    rung: rung,
                    hyperParameters: c,
                    roundsKept: model.report?.rounds ?? trained,
                    roundsTrained: trained,
                    metric: value,
                    seconds: seconds
                )
            )
            if value.isFinite, Self.isBetter(value, than: best, lowerIsBetter: lowerIsBetter) { best = value }
            let firstRung = rung == 0 ? max(alive.count, Int(Double(alive.count) * budget / Double(rungs) / max(spent, 1e-9))) : alive.count
            let expected = (0..<rungs).reduce(0) { $0 + max(1, firstRung / Int(pow(Double(Self.eta), Double($1)))) }
            progress?(trials.count, max(expected, trials.count), best, max(0, budget - spent))
        }
        // The fixed configuration in full, then the first rung: configurations in the order drawn while its share of
        // the budget lasts. The fixed fit is not charged to the budget: it is what `--budget 0` fits, and the budget
        // buys the search beyond it (a small head's share would otherwise go to it alone).
        try evaluate(nil, 0, base, rung: rungs - 1)
        scale = trials[0].roundsTrained
        spent = 0
        let share = budget / Double(rungs)
        while alive.count < Self.maxConfigurations {
            let c = configuration(alive.count)
            guard spent + Self.estimatedSeconds(atRung(c, rung: 0, of: rungs, scale: scale), shape: shape) <= share else { break }
            try evaluate(nil, alive.count, c, rung: 0)
        }
        let firstRung = alive.count
        // The best third of each rung goes on with three times the rounds, and the fixed configuration with them.
        for rung in 1..<rungs {
            var next = Array(alive.sorted(by: better).prefix(max(1, firstRung / Int(pow(Double(Self.eta), Double(rung))))))
            if !next.contains(where: { $0.configuration == 0 }), let fixed = alive.first(where: { $0.configuration == 0 }) { next.append(fixed) }
            alive = next
            for k in alive.indices where !alive[k].final {
                try evaluate(k, alive[k].configuration, alive[k].hyperParameters, rung: rung)
            }
        }
        let winner = alive.filter(\.metric.isFinite).min(by: better) ?? alive[0]
        let pool = latest.keys.sorted().map { latest[$0]! }
        let ensemble = Self.selectEnsemble(pool, winner: winner, lowerIsBetter: lowerIsBetter) { measure($0, winner.model.objective) }
        let record = TreeSearchRecord(
            metric: metric,
            lowerIsBetter: lowerIsBetter,
            budgetSeconds: budget,
            seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9,
            eta: Self.eta,
            space: Self.space + (objectives.contains { if case .tweedie = $0 { true } else { false } } ? [Self.tweediePower] : []),
            objectives: objectives,
            trials: trials,
            winner: winner.trial,
            ensemble: ensemble.members.map { .init(trial: pool[$0.index].trial, weight: $0.weight) },
            ensembleMetric: ensemble.metric
        )
        let model =
            ensemble.members.count == 1
            ? winner.model : TreeEnsemble(averaging: ensemble.members.map { (pool[$0.index].model, $0.weight) })
        return (model, record)
    }

    // MARK: Ensemble

    /// Greedy ensemble selection with replacement (Caruana et al. 2004) over `pool`: starting from `winner`, each step
    /// adds the fit (again, if it is already in) whose raw validation scores, averaged in, give the best `measure`, as
    /// long as that is strictly better than without it, up to ``ensembleSteps`` additions. Only fits whose raw scores
    /// share the winner's link are averaged. Returns indices in `pool` with their weights (the share of the steps that
    /// chose them; they sum to 1), in pool order, and the ensemble's validation metric.
    static func selectEnsemble(
        _ pool: [Fitted],
        winner: Fitted,
        lowerIsBetter: Bool,
        measure: (Matrix<Double>) -> Double
    ) -> (members: [(index: Int, weight: Double)], metric: Double) {
        let candidates = pool.indices.filter { pool[$0].metric.isFinite && pool[$0].model.objective.sharesLink(with: winner.model.objective) }
        // The winner is a configuration's latest fit, so it is in the pool.
        let start = pool.firstIndex { $0.trial == winner.trial }!
        var counts = [start: 1]
        var sum = winner.validation
        var metric = winner.metric
        var trial = sum
        for step in 1...ensembleSteps {
            var chosen: (index: Int, metric: Double)?
            let scale = 1 / Double(step + 1)
            for c in candidates {
                let added = pool[c].validation.values
                trial.values.withUnsafeMutableBufferPointer { t in
                    sum.values.withUnsafeBufferPointer { s in
                        for i in t.indices { t[i] = (s[i] + added[i]) * scale }
                    }
                }
                let value = measure(trial)
                guard value.isFinite else { continue }
                if chosen.map({ isBetter(value, than: $0.metric, lowerIsBetter: lowerIsBetter) }) ?? true { chosen = (c, value) }
            }
            guard let chosen, isBetter(chosen.metric, than: metric, lowerIsBetter: lowerIsBetter) else { break }
            let added = pool[chosen.index].validation.values
            for i in sum.values.indices { sum.values[i] += added[i] }
            counts[chosen.index, default: 0] += 1
            metric = chosen.metric
        }
        let total = Double(counts.values.reduce(0, +))
        return (counts.keys.sorted().map { ($0, Double(counts[$0]!) / total) }, metric)
    }
}
