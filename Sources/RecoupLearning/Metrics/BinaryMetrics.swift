internal import Foundation

/// Quality of scores for a binary (and usually rare) positive class: ranking (ROC-AUC, PR-AUC), probability
/// quality (log-loss, Brier, calibration bins) and the precision of flagging the top-scored share of rows.
package struct BinaryMetrics: Sendable, Codable, Equatable {
    package var logLoss: Double
    /// Area under the ROC curve: the probability that a random positive outscores a random negative (ties count ½).
    package var rocAUC: Double
    /// Average precision `Σₙ (Rₙ − Rₙ₋₁) Pₙ` over the distinct score thresholds (scikit-learn
    /// `average_precision_score`), the usual summary of the precision–recall curve.
    package var prAUC: Double
    /// `(1/n) Σ (p − y)²`.
    package var brier: Double
    /// Share of positives among the `⌈flagRate · n⌉` highest-scored rows.
    package var precisionAtFlagRate: Double
    package var flagRate: Double
    /// Positives and rows.
    package var positives: Int
    package var rows: Int
    package var calibration: [CalibrationBin]

    /// One bin of a reliability diagram: rows whose predicted probability falls in `[lower, upper)`.
    package struct CalibrationBin: Sendable, Codable, Equatable {
        package var lower: Double
        package var upper: Double
        package var count: Int
        package var meanPredicted: Double
        package var observedRate: Double
    }

    /// - Parameters:
    ///   - labels: 0/1 (anything non-zero is positive).
    ///   - probabilities: predicted `P(y = 1)` of each row.
    ///   - flagRate: share of rows flagged for ``precisionAtFlagRate`` (e.g. 0.01).
    ///   - calibrationBins: equal-width bins on [0, 1].
    package init<T: BinaryFloatingPoint>(labels: [Int], probabilities: [T], flagRate: Double = 0.01, calibrationBins: Int = 10) {
        precondition(labels.count == probabilities.count, "\(labels.count) labels for \(probabilities.count) scores")
        let p = probabilities.map { Double($0) }
        let y = labels.map { $0 != 0 }
        rows = y.count
        positives = y.filter { $0 }.count
        self.flagRate = flagRate
        logLoss = Self.logLoss(y, p)
        brier = rows > 0 ? zip(y, p).reduce(0.0) { $0 + ($1.1 - ($1.0 ? 1 : 0)) * ($1.1 - ($1.0 ? 1 : 0)) } / Double(rows) : 0
        let order = Self.descendingOrder(p)
        rocAUC = Self.rocAUC(y, p, order)
        prAUC = Self.averagePrecision(y, p, order)
        let flagged = min(rows, Int((flagRate * Double(rows)).rounded(.up)))
        precisionAtFlagRate = flagged > 0 ? Double(order.prefix(flagged).filter { y[$0] }.count) / Double(flagged) : 0
        calibration = Self.calibration(y, p, bins: calibrationBins)
    }

    static func logLoss(_ y: [Bool], _ p: [Double]) -> Double {
        guard !y.isEmpty else { return 0 }
        var total = 0.0
        for (positive, q) in zip(y, p) {
            let c = min(max(q, 1e-15), 1 - 1e-15)
            total -= positive ? log(c) : log1p(-c)
        }
        return total / Double(y.count)
    }

    /// Row indices by decreasing score (stable: equal scores keep row order).
    static func descendingOrder(_ p: [Double]) -> [Int] {
        p.indices.sorted { p[$0] > p[$1] || (p[$0] == p[$1] && $0 < $1) }
    }

    /// Trapezoidal area under the ROC curve, one point per distinct score (ties form one diagonal step).
    static func rocAUC(_ y: [Bool], _ p: [Double], _ order: [Int]) -> Double {
        let pos = Double(y.filter { $0 }.count)
        let neg = Double(y.count) - pos
        guard pos > 0, neg > 0 else { return .nan }
        var (tp, fp, area) = (0.0, 0.0, 0.0)
        var i = 0
        while i < order.count {
            let (tp0, fp0) = (tp, fp)
            let score = p[order[i]]
            while i < order.count, p[order[i]] == score {
                if y[order[i]] { tp += 1 } else { fp += 1 }
                i += 1
            }
            area += (fp - fp0) * (tp + tp0) / 2
        }
        return area / (pos * neg)
    }

    static func averagePrecision(_ y: [Bool], _ p: [Double], _ order: [Int]) -> Double {
        let pos = Double(y.filter { $0 }.count)
        guard pos > 0 else { return .nan }
        var (tp, seen, ap, previousRecall) = (0.0, 0.0, 0.0, 0.0)
        var i = 0
        while i < order.count {
            let score = p[order[i]]
            while i < order.count, p[order[i]] == score {
                if y[order[i]] { tp += 1 }
                seen += 1
                i += 1
            }
            let recall = tp / pos
            ap += (recall - previousRecall) * (tp / seen)
            previousRecall = recall
        }
        return ap
    }

    /// Mean predicted probability against the observed rate in `bins` groups of (nearly) equal size, by predicted
    /// probability: each bin's `lower` and `upper` are its smallest and largest prediction.
    package static func calibrationByQuantile(labels: [Int], probabilities p: [Double], bins: Int) -> [CalibrationBin] {
        precondition(labels.count == p.count, "\(labels.count) labels for \(p.count) scores")
        let order = p.indices.sorted { p[$0] < p[$1] }
        let groups = min(bins, order.count)
        return (0..<groups).map { b in
            let members = order[(order.count * b / groups)..<(order.count * (b + 1) / groups)]
            return CalibrationBin(
                lower: p[members.first!],
                upper: p[members.last!],
                count: members.count,
                meanPredicted: members.reduce(0.0) { $0 + p[$1] } / Double(members.count),
                observedRate: Double(members.filter { labels[$0] != 0 }.count) / Double(members.count)
            )
        }
    }

    static func calibration(_ y: [Bool], _ p: [Double], bins: Int) -> [CalibrationBin] {
        guard bins > 0 else { return [] }
        var count = [Int](repeating: 0, count: bins)
        var sumP = [Double](repeating: 0, count: bins)
        var sumY = [Double](repeating: 0, count: bins)
        for (positive, q) in zip(y, p) {
            let b = min(bins - 1, max(0, Int(q * Double(bins))))
            count[b] += 1
            sumP[b] += q
            sumY[b] += positive ? 1 : 0
        }
        return (0..<bins).map { b in
            CalibrationBin(
                lower: Double(b) / Double(bins),
                upper: Double(b + 1) / Double(bins),
                count: count[b],
                meanPredicted: count[b] > 0 ? sumP[b] / Double(count[b]) : 0,
                observedRate: count[b] > 0 ? sumY[b] / Double(count[b]) : 0
            )
        }
    }
}
