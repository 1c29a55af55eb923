internal import Foundation
internal import RecoupCore
internal import RecoupFeatures
internal import RecoupLearning

extension Scorer {
    /// The top reasons of each head, from per-feature contributions to the head's raw score: the logistic
    /// coefficient times the standardized value, or the trees' path attributions (Saabas), or their blend.
    ///
    /// Disposition keeps the features that pushed *towards* the chosen class; fraud those that raised the risk of a
    /// risky return (at least half the flag threshold) or lowered that of a clean one; recovery the largest either
    /// way, worded "value up" or "value down".
    func reasons(
        _ record: ReturnRecord,
        disposition: Disposition,
        fraudRisk: Double,
        dense: ArraySlice<Float>,
        bins: ArraySlice<UInt8>
    ) -> [Reason] {
        let values = extractor.values(of: record)
        var reasons: [Reason] = []
        func add(_ head: Reason.Head, _ sums: [Double], direction: Double, prefix: (Double) -> String) {
            var top = explainer.top(sums, count: reasonsPerHead, direction: direction)
            if top.isEmpty { top = explainer.top(sums, count: reasonsPerHead, direction: -direction) }
            for (g, contribution) in top {
                reasons.append(
                    Reason(
                        head: head,
                        feature: explainer.groups[g].name,
                        text: prefix(contribution) + explainer.sentence(group: g, values: values, record: record),
                        contribution: contribution
                    )
                )
            }
        }
        let c = disposition.index
        add(.disposition, contributions(bundle.disposition.learner, output: c, dense: dense, bins: bins), direction: 1) { _ in
            Self.dispositionPrefix[c]
        }
        // A risky return is explained by what raised its risk; a clean one by what kept it low.
        let risky = fraudRisk >= policy.anomaly.fraudRiskThreshold / 2
        add(.fraud, contributions(bundle.fraud.learner, output: 1, dense: dense, bins: bins), direction: risky ? 1 : -1) {
            $0 > 0 ? "fraud risk up: " : "fraud risk down: "
        }
        let recovery = explainer.byGroup(trees: bundle.recovery.model.saabasContributions(row: bins, output: 0)[...])
        add(.recovery, recovery, direction: 0) { $0 > 0 ? "value up: " : "value down: " }
        return reasons
    }

    /// "open box: ", "return to vendor: ", … by class index.
    static let dispositionPrefix = Disposition.allCases.map { $0.rawValue.split(separator: "_").joined(separator: " ") + ": " }

    /// Per-group contributions of one class's raw score.
    func contributions(_ learner: HeadLearner, output c: Int, dense: ArraySlice<Float>, bins: ArraySlice<UInt8>) -> [Double] {
        switch learner {
        case .logistic(let m): return explainer.byGroup(dense: linear(m, output: c, dense: dense))
        case .trees(let t): return explainer.byGroup(trees: trees(t, output: c, bins: bins))
        case .blend(let m, let t, let w):
            let a = explainer.byGroup(dense: linear(m, output: c, dense: dense))
            let b = explainer.byGroup(trees: trees(t, output: c, bins: bins))
            return zip(a, b).map { w * $0 + (1 - w) * $1 }
        }
    }

    /// `x_j · w_jc` (binary: the single output; multinomial: relative to the mean over classes, which is what the
    /// softmax sees).
    private func linear(_ m: LogisticModel, output c: Int, dense: ArraySlice<Float>) -> [Double] {
        let k = m.outputs
        let base = dense.startIndex
        return (0..<m.features).map { j in
            let x = Double(dense[base + j])
            if k == 1 { return x * m.weights[j] }
            var mean = 0.0
            for o in 0..<k { mean += m.weights[j * k + o] }
            return x * (m.weights[j * k + c] - mean / Double(k))
        }
    }

    private func trees(_ t: TreeEnsemble, output c: Int, bins: ArraySlice<UInt8>) -> ArraySlice<Double> {
        t.saabasContributions(row: bins, output: t.outputs == 1 ? 0 : c)[...]
    }
}
