/// The best split of a leaf found by scanning its histogram (LightGBM `FeatureHistogram::FindBestThreshold`,
/// scikit-learn `splitting.pyx`).
struct SplitCandidate: Sendable, Equatable {
    /// Feature split on.
    var feature: Int
    /// Rows whose bin is `<= threshold` go left.
    var threshold: UInt8
    /// Where missing values go (learned: the side that gains more; the larger side when the leaf had none).
    var defaultLeft: Bool
    /// `G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)`.
    var gain: Double
    /// `(G, H)` of the left and right children, missing values included on their side.
    var left: SIMD2<Double>
    var right: SIMD2<Double>
}

/// Scans histograms for the split that most reduces the second-order approximation of the loss.
///
/// For a leaf with gradient and hessian sums `G`, `H` the optimal value is `−G/(H+λ)` and the loss reduction is
/// `½ G²/(H+λ)` (XGBoost, Chen & Guestrin 2016, eqs. 5–7). A split's gain is reported, as in LightGBM, without the
/// `½`: `gain = G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)`, and a split is kept only when `gain > minGain`.
///
/// Missing values (the slot after the value bins) are tried on both sides of every threshold; the side with the
/// higher gain becomes the default direction. A leaf without missing values sends them, at prediction time, to the
/// child with more rows (scikit-learn's rule). "All values left, missing right" is a candidate too.
struct SplitFinder: Sendable {
    var l2: Double
    var minSamplesLeaf: Int
    var minHessianLeaf: Double
    var minGain: Double

    /// `G²/(H + λ)`.
    @inline(__always)
    func leafGain(_ s: SIMD2<Double>) -> Double { s.x * s.x / (s.y + l2) }

    /// The best split of a leaf with sums `totals` over `count` rows, or `nil` when no split passes the rules.
    func best(
        _ histogram: Histogram,
        totals: SIMD2<Double>,
        count: Int,
        features: [Int32],
        data: TrainingBins
    ) -> SplitCandidate? {
        guard count >= 2 * minSamplesLeaf, totals.y >= 2 * minHessianLeaf else { return nil }
        let countPerHessian = totals.y > 0 ? Double(count) / totals.y : 0
        let parentGain = leafGain(totals)
        var best: SplitCandidate?
        var bestGain = minGain
        histogram.slots.withUnsafeBufferPointer { hist in
            for f in features {
                let feature = Int(f)
                let start = Int(data.offsets[feature])
                let bins = data.binCounts[feature]
                let missing = hist[start + bins]
                let hasMissing = missing.y > 0 || missing.x != 0
                var left = SIMD2<Double>.zero
                for t in 0..<bins {
                    left += hist[start + t]
                    let lastBin = t == bins - 1
                    if lastBin && !hasMissing { break }
                    // Missing values right (the only option for the last bin: "values left, missing right").
                    consider(left, totals - left, feature, t, missingLeft: false, hasMissing, countPerHessian, parentGain, &best, &bestGain)
                    if hasMissing && !lastBin {
                        let l = left + missing
                        consider(l, totals - l, feature, t, missingLeft: true, hasMissing, countPerHessian, parentGain, &best, &bestGain)
                    }
                }
            }
        }
        return best
    }

    @inline(__always)
    private func consider(
        _ l: SIMD2<Double>,
        _ r: SIMD2<Double>,
        _ feature: Int,
        _ t: Int,
        missingLeft: Bool,
        _ hasMissing: Bool,
        _ countPerHessian: Double,
        _ parentGain: Double,
        _ best: inout SplitCandidate?,
        _ bestGain: inout Double
    ) {
        guard admissible(l, countPerHessian), admissible(r, countPerHessian) else { return }
        let gain = leafGain(l) + leafGain(r) - parentGain
        guard gain > bestGain else { return }
        bestGain = gain
        let defaultLeft = hasMissing ? missingLeft : l.y >= r.y
        best = SplitCandidate(feature: feature, threshold: UInt8(t), defaultLeft: defaultLeft, gain: gain, left: l, right: r)
    }

    /// Whether a child with sums `s` satisfies the minimum hessian and (estimated) minimum row count.
    @inline(__always)
    private func admissible(_ s: SIMD2<Double>, _ countPerHessian: Double) -> Bool {
        // `round(Σh · n/H) >= minSamplesLeaf`, without a call to `round`.
        s.y >= minHessianLeaf && s.y * countPerHessian >= Double(minSamplesLeaf) - 0.5
    }
}
