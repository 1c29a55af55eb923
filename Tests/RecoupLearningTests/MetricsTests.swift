import Foundation
import Testing

@testable import RecoupLearning

/// Expected values computed with scikit-learn 1.9 (`roc_auc_score`, `average_precision_score`, `log_loss`,
/// `brier_score_loss`, `f1_score(average="macro")`, `confusion_matrix`, `r2_score`) on the same arrays.
@Suite("Metrics against scikit-learn")
struct MetricsTests {
    static let y = [0, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1]
    static let p = [0.1, 0.4, 0.35, 0.8, 0.2, 0.9, 0.65, 0.4, 0.4, 0.05, 0.7, 0.6]

    @Test("binary: ROC-AUC, average precision, log-loss, Brier, precision at a flag rate, calibration bins")
    func binary() {
        let m = BinaryMetrics(labels: Self.y, probabilities: Self.p, flagRate: 0.25, calibrationBins: 2)
        #expect(abs(m.rocAUC - 0.8333333333333333) < 1e-12)
        #expect(abs(m.prAUC - 0.848611111111111) < 1e-12)
        #expect(abs(m.logLoss - 0.4677823520366531) < 1e-12)
        #expect(abs(m.brier - 0.15645833333333334) < 1e-12)
        #expect(m.precisionAtFlagRate == 1)  // top ⌈0.25 · 12⌉ = 3: 0.9, 0.8 and 0.7 are all positives
        #expect(m.calibration.map(\.count) == [7, 5])
        #expect(m.positives == 6 && m.rows == 12)
    }

    @Test("multiclass: accuracy, macro-F1, per-class precision and recall, confusion matrix, log-loss")
    func multiclass() {
        let labels = [0, 1, 2, 2, 1, 0, 2, 1]
        let predicted = [0, 2, 2, 2, 1, 0, 1, 1]
        let m = ClassificationMetrics(labels: labels, predicted: predicted, classes: 3)
        #expect(m.accuracy == 0.75)
        #expect(abs(m.macroF1 - 0.7777777777777777) < 1e-12)
        #expect(m.confusion == [[2, 0, 0], [0, 2, 1], [0, 1, 2]])
        #expect(m.precision.map { ($0 * 1e9).rounded() } == [1e9, 666_666_667, 666_666_667])
        #expect(m.recall == m.precision)
        let probabilities = Matrix<Double>([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
        let q = ClassificationMetrics(labels: [0, 1], probabilities: probabilities)
        #expect(abs(q.logLoss - (-(log(0.7) + log(0.1)) / 2)) < 1e-12)
        #expect(q.accuracy == 0.5)
    }

    @Test("regression: RMSE, MAE, R²")
    func regression() {
        let m = RegressionMetrics(targets: [3.0, 0, 10, 2.5, 7], predictions: [2.5, 0.5, 8, 3, 7.5])
        #expect(abs(m.r2 - 0.9206349206349207) < 1e-12)
        #expect(abs(m.mae - 0.8) < 1e-12)
        #expect(abs(m.rmse - 1.0) < 1e-12)
    }

    @Test("Platt scaling recovers a logistic link; isotonic calibration is monotone and fits steps")
    func calibration() {
        var rng = SplitMix64(seed: 5)
        let scores = (0..<4000).map { _ in 8 * rng.nextUnit() - 4 }
        let labels = scores.map { rng.nextUnit() < 1 / (1 + exp(-(1.7 * $0 - 0.4))) ? 1 : 0 }
        let platt = PlattScaling.fit(scores: scores, labels: labels)
        #expect(abs(platt.a - 1.7) < 0.2 && abs(platt.b + 0.4) < 0.15, "\(platt)")
        let iso = IsotonicCalibration.fit(scores: scores, labels: labels)
        #expect(zip(iso.values, iso.values.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(iso(-10) == iso.values.first && iso(10) == iso.values.last)
        let step = IsotonicCalibration.fit(scores: [1, 2, 3, 4, 5, 6], labels: [0, 1, 0, 1, 1, 1])
        #expect(step.values == [0, 0.5, 1, 1, 1])
        #expect(abs(step(2.5) - 0.5) < 1e-12)
    }
}
