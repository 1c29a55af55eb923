/// Isotonic calibration: the non-decreasing step function of the score that best fits the labels in squared error
/// (pool adjacent violators; Zadrozny & Elkan 2002; scikit-learn `IsotonicRegression`), interpolated linearly
/// between the blocks' mean scores and clamped outside them.
package struct IsotonicCalibration: Sendable, Codable, Equatable {
    /// Increasing block scores and their fitted probabilities (non-decreasing).
    package var thresholds: [Double]
    package var values: [Double]

    package init(thresholds: [Double], values: [Double]) {
        precondition(thresholds.count == values.count, "\(thresholds.count) thresholds for \(values.count) values")
        self.thresholds = thresholds
        self.values = values
    }

    /// Fits on scores and 0/1 labels (optional weights).
    package static func fit(scores: [Double], labels: [Int], weights: [Double]? = nil) -> IsotonicCalibration {
        precondition(scores.count == labels.count, "\(scores.count) scores for \(labels.count) labels")
        let order = scores.indices.sorted { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        // Blocks: (weight, weighted score sum, weighted label sum); equal scores start in one block.
        var weight: [Double] = []
        var scoreSum: [Double] = []
        var labelSum: [Double] = []
        var lastScore = Double.nan
        for i in order {
            let w = weights?[i] ?? 1
            let y = labels[i] != 0 ? 1.0 : 0.0
            if scores[i] == lastScore {
                weight[weight.count - 1] += w
                scoreSum[scoreSum.count - 1] += w * scores[i]
                labelSum[labelSum.count - 1] += w * y
            } else {
                weight.append(w)
                scoreSum.append(w * scores[i])
                labelSum.append(w * y)
            }
            lastScore = scores[i]
            // Pool while the last block's mean is below its predecessor's.
            while weight.count >= 2 {
                let n = weight.count
                guard labelSum[n - 1] * weight[n - 2] < labelSum[n - 2] * weight[n - 1] else { break }
                weight[n - 2] += weight[n - 1]
                scoreSum[n - 2] += scoreSum[n - 1]
                labelSum[n - 2] += labelSum[n - 1]
                weight.removeLast()
                scoreSum.removeLast()
                labelSum.removeLast()
            }
        }
        let kept = weight.indices.filter { weight[$0] > 0 }
        return IsotonicCalibration(
            thresholds: kept.map { scoreSum[$0] / weight[$0] },
            values: kept.map { labelSum[$0] / weight[$0] }
        )
    }

    /// The calibrated probability of a score.
    package func callAsFunction(_ score: Double) -> Double {
        guard let first = thresholds.first, let last = thresholds.last else { return 0.5 }
        if score <= first { return values[0] }
        if score >= last { return values[values.count - 1] }
        var lo = 0
        var hi = thresholds.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if thresholds[mid] <= score { lo = mid } else { hi = mid }
        }
        let span = thresholds[hi] - thresholds[lo]
        let t = span > 0 ? (score - thresholds[lo]) / span : 0
        return values[lo] + t * (values[hi] - values[lo])
    }
}
