internal import Foundation

/// Quality of a K-class classifier on labelled rows: accuracy, confusion matrix, per-class precision and recall,
/// macro-F1 and log-loss. Kept apart from the objectives (LightGBM `src/metric/` vs `src/objective/`).
package struct ClassificationMetrics: Sendable, Codable, Equatable {
    /// Share of rows whose most probable class is the label.
    package var accuracy: Double
    /// Unweighted mean over classes of `F1_k = 2 P_k R_k / (P_k + R_k)` (a class never predicted nor present: 0).
    package var macroF1: Double
    /// `−(1/n) Σᵢ log p_{i,yᵢ}`, probabilities clipped to `[1e-15, 1 − 1e-15]` (scikit-learn `log_loss`).
    package var logLoss: Double
    /// `confusion[actual][predicted]` row counts.
    package var confusion: [[Int]]
    /// `TP_k / (TP_k + FP_k)` per class (0 when the class is never predicted).
    package var precision: [Double]
    /// `TP_k / (TP_k + FN_k)` per class (0 when the class never occurs).
    package var recall: [Double]
    /// Rows of each class.
    package var support: [Int]

    /// Metrics of `probabilities` (`n × K`, one row per labelled row); the prediction is the arg-max class.
    package init<T: BLASScalar>(labels: [Int], probabilities: Matrix<T>) {
        let k = probabilities.columns
        precondition(labels.count == probabilities.rows, "\(labels.count) labels for \(probabilities.rows) rows")
        var predicted = [Int](repeating: 0, count: labels.count)
        var loss = 0.0
        for (i, y) in labels.enumerated() {
            var best = 0
            for c in 1..<max(k, 1) where probabilities[i, c] > probabilities[i, best] { best = c }
            predicted[i] = best
            loss -= log(min(max(Double(probabilities[i, y]), 1e-15), 1 - 1e-15))
        }
        self.init(labels: labels, predicted: predicted, classes: k)
        logLoss = labels.isEmpty ? 0 : loss / Double(labels.count)
    }

    /// Metrics of hard predictions (``logLoss`` is `NaN`: there are no probabilities).
    package init(labels: [Int], predicted: [Int], classes k: Int) {
        precondition(labels.count == predicted.count, "\(labels.count) labels for \(predicted.count) predictions")
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        for (y, p) in zip(labels, predicted) { confusion[y][p] += 1 }
        let correct = (0..<k).reduce(0) { $0 + confusion[$1][$1] }
        let support = confusion.map { $0.reduce(0, +) }
        let predictedCounts = (0..<k).map { c in confusion.reduce(0) { $0 + $1[c] } }
        let precision = (0..<k).map { predictedCounts[$0] > 0 ? Double(confusion[$0][$0]) / Double(predictedCounts[$0]) : 0 }
        let recall = (0..<k).map { support[$0] > 0 ? Double(confusion[$0][$0]) / Double(support[$0]) : 0 }
        let f1 = (0..<k).map { c in
            precision[c] + recall[c] > 0 ? 2 * precision[c] * recall[c] / (precision[c] + recall[c]) : 0
        }
        self.support = support
        self.precision = precision
        self.recall = recall
        macroF1 = k > 0 ? f1.reduce(0, +) / Double(k) : 0
        accuracy = labels.isEmpty ? 0 : Double(correct) / Double(labels.count)
        self.confusion = confusion
        logLoss = .nan
    }
}

/// Quality of a regressor: RMSE, MAE and the coefficient of determination R².
package struct RegressionMetrics: Sendable, Codable, Equatable {
    /// `√((1/n) Σ (ŷ − y)²)`.
    package var rmse: Double
    /// `(1/n) Σ |ŷ − y|`.
    package var mae: Double
    /// `1 − Σ (ŷ − y)² / Σ (y − ȳ)²` (1 is perfect, 0 is the mean, negative is worse than the mean).
    package var r2: Double

    package init<T: BinaryFloatingPoint, U: BinaryFloatingPoint>(targets: [T], predictions: [U]) {
        precondition(targets.count == predictions.count, "\(targets.count) targets for \(predictions.count) predictions")
        let n = Double(max(targets.count, 1))
        let mean = targets.reduce(0.0) { $0 + Double($1) } / n
        var squared = 0.0
        var absolute = 0.0
        var total = 0.0
        for (y, p) in zip(targets, predictions) {
            let e = Double(p) - Double(y)
            squared += e * e
            absolute += abs(e)
            total += (Double(y) - mean) * (Double(y) - mean)
        }
        rmse = (squared / n).squareRoot()
        mae = absolute / n
        r2 = total > 0 ? 1 - squared / total : (squared == 0 ? 1 : 0)
    }
}
