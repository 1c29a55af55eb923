internal import Foundation
internal import RecoupCore
internal import RecoupFeatures
internal import RecoupLearning

/// Per-group contributions of each head for the row being explained (reused from row to row: no allocation per row).
struct Attribution {
    var disposition: [Double]
    var fraud: [Double]
    var recovery: [Double]

    init(groups: Int) {
        disposition = [Double](repeating: 0, count: groups)
        fraud = disposition
        recovery = disposition
    }
}

extension Scorer {
    /// The calibrated fraud risk and the recovery value of a row, with their attributions written into `work`: each
    /// tree is walked once for both (the raw score is the sum of the leaves the walk reaches, added in the order
    /// prediction adds them, so the values equal ``predict(_:workers:)``'s).
    func explainedRiskAndRecovery(dense: ArraySlice<Float>, bins: ArraySlice<UInt8>, into work: inout Attribution) -> (Double, Double) {
        let fraud = explainedProbability(bundle.fraud.learner, output: 1, dense: dense, bins: bins, into: &work.fraud)
        let recovery = bundle.recovery.model
        clear(&work.recovery)
        let raw = addTrees(recovery, output: 0, bins: bins, weight: 1, into: &work.recovery)
        return (bundle.fraud.calibration(fraud), max(0, recovery.prediction(raw: raw)))
    }

    /// A binary head's positive-class probability for one row, its attribution summed per group into `sums`.
    private func explainedProbability(
        _ learner: HeadLearner,
        output c: Int,
        dense: ArraySlice<Float>,
        bins: ArraySlice<UInt8>,
        into sums: inout [Double]
    ) -> Double {
        clear(&sums)
        switch learner {
        case .logistic(let m):
            addLinear(m, output: c, dense: dense, weight: 1, into: &sums)
            return Double(m.probabilities(row: dense)[c])
        case .trees(let t):
            return t.prediction(raw: addTrees(t, output: c, bins: bins, weight: 1, into: &sums))
        case .blend(let m, let t, let w):
            addLinear(m, output: c, dense: dense, weight: w, into: &sums)
            let trees = t.prediction(raw: addTrees(t, output: c, bins: bins, weight: 1 - w, into: &sums))
            return w * Double(m.probabilities(row: dense)[c]) + (1 - w) * trees
        }
    }

    /// The top reasons of each head, from per-feature contributions to the head's raw score: the logistic
    /// coefficient times the standardized value, or the trees' path attributions (Saabas), or their blend.
    ///
    /// Disposition keeps the features that pushed *towards* the chosen class; fraud those that raised the risk of a
    /// risky return (one whose features together raise its risk above the model's baseline) or lowered that of a clean one; recovery the largest either
    /// way, worded "value up" or "value down".
    func reasons(
        _ record: ReturnRecord,
        disposition: Disposition,
        fraudRisk: Double,
        dense: ArraySlice<Float>,
        bins: ArraySlice<UInt8>,
        values known: ArraySlice<Float>?,
        attribution work: inout Attribution
    ) -> [Reason] {
        let values = known ?? extractor.values(of: record)[...]
        var reasons: [Reason] = []
        reasons.reserveCapacity(3 * reasonsPerHead)
        func add(_ head: Reason.Head, _ sums: [Double], direction: Double, prefix: (Double) -> String) {
            var top = explainer.top(sums, count: reasonsPerHead, direction: direction)
            if top.isEmpty { top = explainer.top(sums, count: reasonsPerHead, direction: -direction) }
            for (g, contribution) in top {
                var text = prefix(contribution)
                text.reserveCapacity(80)
                explainer.appendSentence(group: g, values: values, record: record, to: &text)
                reasons.append(Reason(head: head, feature: explainer.groups[g].name, text: text, contribution: contribution))
            }
        }
        let c = disposition.index
        contributions(bundle.disposition.learner, output: c, dense: dense, bins: bins, into: &work.disposition)
        add(.disposition, work.disposition, direction: 1) { _ in Self.dispositionPrefix[c] }
        // A risky return (its features together raise the risk above the model's baseline) is explained by what raised
        // it; a clean one by what kept it low.
        let risky = work.fraud.reduce(0, +) > 0
        add(.fraud, work.fraud, direction: risky ? 1 : -1) { $0 > 0 ? "fraud risk up: " : "fraud risk down: " }
        add(.recovery, work.recovery, direction: 0) { $0 > 0 ? "value up: " : "value down: " }
        return reasons
    }

    /// "open box: ", "return to vendor: ", … by class index.
    static let dispositionPrefix = Disposition.allCases.map { $0.rawValue.split(separator: "_").joined(separator: " ") + ": " }

    /// Per-group contributions of one class's raw score, written into `sums` (one per feature group).
    func contributions(
        _ learner: HeadLearner,
        output c: Int,
        dense: ArraySlice<Float>,
        bins: ArraySlice<UInt8>,
        into sums: inout [Double]
    ) {
        clear(&sums)
        switch learner {
        case .logistic(let m):
            addLinear(m, output: c, dense: dense, weight: 1, into: &sums)
        case .trees(let t):
            addTrees(t, output: c, bins: bins, weight: 1, into: &sums)
        case .blend(let m, let t, let w):
            addLinear(m, output: c, dense: dense, weight: w, into: &sums)
            addTrees(t, output: c, bins: bins, weight: 1 - w, into: &sums)
        }
    }

    private func clear(_ sums: inout [Double]) {
        for g in sums.indices { sums[g] = 0 }
    }

    /// `weight × x_j · w_jc` summed per group (binary: the single output; multinomial: relative to the mean over
    /// classes, which is what the softmax sees).
    private func addLinear(_ m: LogisticModel, output c: Int, dense: ArraySlice<Float>, weight: Double, into sums: inout [Double]) {
        let k = m.outputs
        let base = dense.startIndex
        for j in 0..<m.features {
            let x = Double(dense[base + j])
            var w = m.weights[j * k + (k == 1 ? 0 : c)]
            if k > 1 {
                var mean = 0.0
                for o in 0..<k { mean += m.weights[j * k + o] }
                w -= mean / Double(k)
            }
            sums[explainer.group[j]] += weight * x * w
        }
    }

    /// Adds `weight ×` the trees' Saabas contributions of output `c` to `sums` (the packed walk sums per group
    /// itself) and returns the output's raw score.
    @discardableResult
    private func addTrees(_ t: TreeEnsemble, output c: Int, bins: ArraySlice<UInt8>, weight: Double, into sums: inout [Double]) -> Double {
        let output = t.outputs == 1 ? 0 : c
        guard weight != 1 else {
            return bins.withUnsafeBufferPointer { bins in
                explainer.treeGroups.withUnsafeBufferPointer { groups in
                    sums.withUnsafeMutableBufferPointer { sums in
                        t.saabas(row: bins.baseAddress!, output: output, buckets: groups.baseAddress!, into: sums.baseAddress!)
                    }
                }
            }
        }
        var part = [Double](repeating: 0, count: sums.count)
        let raw = addTrees(t, output: c, bins: bins, weight: 1, into: &part)
        for g in sums.indices { sums[g] += weight * part[g] }
        return raw
    }
}
