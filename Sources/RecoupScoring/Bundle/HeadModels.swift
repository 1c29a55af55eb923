internal import Foundation
package import RecoupLearning

/// The model behind a classification head: logistic regression (dense rows), boosted trees (binned rows), or a blend
/// of both (`weight` on the logistic probabilities, `1 − weight` on the trees').
package enum HeadLearner: Sendable, Equatable {
    case logistic(LogisticModel)
    case trees(TreeEnsemble)
    case blend(logistic: LogisticModel, trees: TreeEnsemble, weight: Double)

    /// A short name for reports: `logistic`, `trees` or `blend(0.40)`.
    package var name: String {
        switch self {
        case .logistic: "logistic"
        case .trees: "trees"
        case .blend(_, _, let w): "blend(\(String(format: "%.2f", w)) logistic)"
        }
    }

    /// Class probabilities of a batch, `rows × classes` (binary heads: 2 columns, positive last). `workers`: cores
    /// the trees may use (`nil`: all).
    package func probabilities(dense: Matrix<Float>, binned: BinnedMatrix, workers: Int? = nil) -> Matrix<Double> {
        switch self {
        case .logistic(let m): return Self.widen(m.probabilities(dense))
        case .trees(let t): return Self.classColumns(t.predict(binned, workers: workers))
        case .blend(let m, let t, let w):
            let a = m.probabilities(dense)
            var b = Self.classColumns(t.predict(binned, workers: workers))
            for i in 0..<b.values.count { b.values[i] = w * Double(a.values[i]) + (1 - w) * b.values[i] }
            return b
        }
    }

    /// Class probabilities of one row.
    package func probabilities(dense: ArraySlice<Float>, bins: ArraySlice<UInt8>) -> [Double] {
        switch self {
        case .logistic(let m): return m.probabilities(row: dense).map(Double.init)
        case .trees(let t): return Self.classValues(t.predict(row: bins))
        case .blend(let m, let t, let w):
            let a = m.probabilities(row: dense)
            return zip(a, Self.classValues(t.predict(row: bins))).map { w * Double($0) + (1 - w) * $1 }
        }
    }

    /// Input widths the head needs: (dense columns, tree columns); `nil` where a learner is not used.
    var widths: (dense: Int?, trees: Int?) {
        switch self {
        case .logistic(let m): (m.features, nil)
        case .trees(let t): (nil, t.features)
        case .blend(let m, let t, _): (m.features, t.features)
        }
    }

    /// Number of classes the head predicts.
    var classes: Int {
        switch self {
        case .logistic(let m): m.classes
        case .trees(let t): max(2, t.outputs)
        case .blend(let m, _, _): m.classes
        }
    }

    private static func widen(_ m: Matrix<Float>) -> Matrix<Double> {
        Matrix(rows: m.rows, columns: m.columns, values: m.values.map(Double.init))
    }

    /// A binary ensemble predicts one column (the positive class): make it two.
    private static func classColumns(_ p: Matrix<Double>) -> Matrix<Double> {
        guard p.columns == 1 else { return p }
        var out = Matrix<Double>(rows: p.rows, columns: 2)
        for r in 0..<p.rows {
            out.values[2 * r] = 1 - p.values[r]
            out.values[2 * r + 1] = p.values[r]
        }
        return out
    }

    private static func classValues(_ p: [Double]) -> [Double] { p.count == 1 ? [1 - p[0], p[0]] : p }
}

/// Maps a raw positive-class probability to a calibrated one.
package enum Calibrator: Sendable, Codable, Equatable {
    case none
    case platt(PlattScaling)
    case isotonic(IsotonicCalibration)

    package func callAsFunction(_ p: Double) -> Double {
        switch self {
        case .none: return p
        case .platt(let s): return s(Self.logit(p))
        case .isotonic(let s): return s(p)
        }
    }

    /// Platt scaling works on log-odds.
    package static func logit(_ p: Double) -> Double {
        let q = min(max(p, 1e-12), 1 - 1e-12)
        return log(q / (1 - q))
    }
}

/// An 80% interval around a recovery prediction from validation residuals, per band of predicted value (so that
/// the interval widens with the prediction, as money errors do): a Mondrian split-conformal interval.
package struct ResidualBands: Sendable, Codable, Equatable {
    /// Upper prediction bound of each band, ascending; the last band is open-ended.
    package var upperBounds: [Double]
    /// 10th percentile of `actual − predicted` in each band.
    package var low: [Double]
    /// 90th percentile of `actual − predicted` in each band.
    package var high: [Double]

    package init(upperBounds: [Double], low: [Double], high: [Double]) {
        self.upperBounds = upperBounds
        self.low = low
        self.high = high
    }

    /// Fits bands on validation predictions and targets (`bands` equal-count bands).
    package static func fit(predictions: [Double], targets: [Double], bands: Int = 10) -> ResidualBands {
        let order = predictions.indices.sorted { predictions[$0] < predictions[$1] }
        let n = order.count
        let k = max(1, min(bands, n / 50))
        var uppers: [Double] = []
        var lows: [Double] = []
        var highs: [Double] = []
        for b in 0..<k {
            let slice = order[(b * n / k)..<((b + 1) * n / k)]
            guard !slice.isEmpty else { continue }
            let residuals = slice.map { targets[$0] - predictions[$0] }.sorted()
            uppers.append(b == k - 1 ? .infinity : predictions[slice.last!])
            lows.append(quantile(residuals, 0.1))
            highs.append(quantile(residuals, 0.9))
        }
        if uppers.isEmpty { return ResidualBands(upperBounds: [.infinity], low: [0], high: [0]) }
        return ResidualBands(upperBounds: uppers, low: lows, high: highs)
    }

    /// The interval `[low, high]` (never below 0) around a prediction.
    package func interval(_ prediction: Double) -> (low: Double, high: Double) {
        let b = upperBounds.firstIndex { prediction <= $0 } ?? (upperBounds.count - 1)
        return (max(0, prediction + low[b]), max(0, prediction + high[b]))
    }

    private static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(sorted.count - 1, lower + 1)
        let t = position - Double(lower)
        return sorted[lower] * (1 - t) + sorted[upper] * t
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        // JSON has no infinity: the open-ended last band is written as null.
        try c.encode(upperBounds.map { $0.isFinite ? $0 : nil }, forKey: .upperBounds)
        try c.encode(low, forKey: .low)
        try c.encode(high, forKey: .high)
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        upperBounds = try c.decode([Double?].self, forKey: .upperBounds).map { $0 ?? .infinity }
        low = try c.decode([Double].self, forKey: .low)
        high = try c.decode([Double].self, forKey: .high)
    }

    enum CodingKeys: String, CodingKey {
        case upperBounds = "upper_bounds"
        case low, high
    }
}
