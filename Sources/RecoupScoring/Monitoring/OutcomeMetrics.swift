package import RecoupCore
package import RecoupLearning

/// Every head measured against known outcomes: what `recoup evaluate` reports for a labelled file and monitoring for
/// the inspected returns, computed by this one function so that the two agree.
package struct OutcomeMetrics: Sendable {
    package var rows: Int
    package var disposition: ClassificationMetrics
    package var fraud: BinaryMetrics
    /// Mean predicted risk against the confirmed rate, by decile of the predicted risk (equal counts).
    package var fraudRiskDeciles: [BinaryMetrics.CalibrationBin]
    package var recovery: RegressionMetrics
    /// Share of actual recovery values inside their predicted 80% interval.
    package var intervalCoverage: Double

    /// - Parameters:
    ///   - probabilities: each row's 8 disposition probabilities, in `Disposition.allCases` order.
    ///   - fraudRisk, recovery, low, high: one per row; `labels` the outcomes, same order.
    package init(
        probabilities: [[Double]],
        fraudRisk: [Double],
        recovery predicted: [Double],
        low: [Double],
        high: [Double],
        labels: [ReturnLabels]
    ) {
        rows = labels.count
        let k = Disposition.allCases.count
        var matrix = Matrix<Double>(rows: probabilities.count, columns: k)
        for (i, p) in probabilities.enumerated() {
            for c in 0..<k { matrix[i, c] = p[c] }
        }
        disposition = ClassificationMetrics(labels: labels.map(\.disposition.index), probabilities: matrix)
        let fraudLabels = labels.map { $0.fraudFlag ? 1 : 0 }
        fraud = BinaryMetrics(labels: fraudLabels, probabilities: fraudRisk)
        fraudRiskDeciles = BinaryMetrics.calibrationByQuantile(labels: fraudLabels, probabilities: fraudRisk, bins: 10)
        let actual = labels.map(\.recoveryValue)
        recovery = RegressionMetrics(targets: actual, predictions: predicted)
        let inside = actual.indices.filter { actual[$0] >= low[$0] && actual[$0] <= high[$0] }.count
        intervalCoverage = Double(inside) / Double(max(1, labels.count))
    }

    /// The metrics of assessments against their labels (same order).
    package init(_ assessments: [Assessment], labels: [ReturnLabels]) {
        self.init(
            probabilities: assessments.map(\.dispositionProbabilities),
            fraudRisk: assessments.map(\.fraudRisk),
            recovery: assessments.map(\.recoveryValue),
            low: assessments.map(\.recoveryValueLow),
            high: assessments.map(\.recoveryValueHigh),
            labels: labels
        )
    }
}
