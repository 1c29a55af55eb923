internal import Foundation

/// A fitted logistic regression: an immutable, `Sendable` value that predicts class probabilities.
///
/// Binary models (`classes == 2`) hold one weight vector `w` and predict `P(y = 1 | x) = σ(x·w + b)`; multinomial
/// models hold one column per class and predict `softmax(x·W + b)`. Weights are in the original feature scale, so a
/// model takes the same dense rows it was trained on. Batch prediction is one single-precision GEMM (`X·W`) followed
/// by the link in Double; the single-row path is a plain dot product per output (no BLAS call overhead).
package struct LogisticModel: Sendable, Equatable {
    /// Number of classes `K` (2 for binary).
    package let classes: Int
    /// Number of input features `F`.
    package let features: Int
    /// `F × K'` weights, feature-major (`weights[j·K' + k]`), `K' = 1` for binary and `K` otherwise.
    package let weights: [Double]
    /// `K'` intercepts.
    package let intercepts: [Double]
    /// How training went (iterations, termination, objective); `nil` for a model built by hand.
    package let report: LogisticRegression.Report?
    /// Single-precision copy of ``weights`` for GEMM.
    let weightMatrix: Matrix<Float>

    /// Number of score columns `K'`: 1 for binary, `K` for multinomial.
    package var outputs: Int { classes == 2 ? 1 : classes }

    package init(classes: Int, features: Int, weights: [Double], intercepts: [Double], report: LogisticRegression.Report?) {
        let outputs = classes == 2 ? 1 : classes
        precondition(classes >= 2, "a logistic model needs at least 2 classes, got \(classes)")
        precondition(weights.count == features * outputs, "\(weights.count) weights for \(features)x\(outputs)")
        precondition(intercepts.count == outputs, "\(intercepts.count) intercepts for \(outputs) outputs")
        self.classes = classes
        self.features = features
        self.weights = weights
        self.intercepts = intercepts
        self.report = report
        weightMatrix = Matrix(rows: features, columns: outputs, values: weights.map { Float($0) })
    }

    package static func == (a: LogisticModel, b: LogisticModel) -> Bool {
        a.classes == b.classes && a.features == b.features && a.weights == b.weights && a.intercepts == b.intercepts
            && a.report == b.report
    }
}

extension LogisticModel {
    /// Raw scores `X·W + b`, `n × K'`, through single-precision GEMM.
    package func decisionScores(_ x: Matrix<Float>) -> Matrix<Float> {
        precondition(x.columns == features, "LogisticModel fitted with \(features) features, got \(x.columns)")
        var z = Matrix<Float>(rows: x.rows, columns: outputs)
        BLAS.gemm(x, weightMatrix, into: &z)
        let k = outputs
        let b = intercepts.map { Float($0) }
        z.values.withUnsafeMutableBufferPointer { v in
            for r in 0..<x.rows {
                for c in 0..<k { v[r * k + c] += b[c] }
            }
        }
        return z
    }

    /// Class probabilities, `n × K` (for binary: `[1 − p, p]` per row), computed in Double and stored as Float.
    package func probabilities(_ x: Matrix<Float>) -> Matrix<Float> {
        let z = decisionScores(x)
        var p = Matrix<Float>(rows: x.rows, columns: classes)
        let k = classes
        z.values.withUnsafeBufferPointer { z in
            p.values.withUnsafeMutableBufferPointer { out in
                var row = [Double](repeating: 0, count: k)
                row.withUnsafeMutableBufferPointer { row in
                    for r in 0..<x.rows {
                        if k == 2 {
                            let p1 = Numerics.sigmoid(Double(z[r]))
                            out[2 * r] = Float(1 - p1)
                            out[2 * r + 1] = Float(p1)
                        } else {
                            for c in 0..<k { row[c] = Double(z[r * k + c]) }
                            Numerics.softmaxInPlace(row)
                            for c in 0..<k { out[r * k + c] = Float(row[c]) }
                        }
                    }
                }
            }
        }
        return p
    }

    /// `P(y = 1)` of each row of a binary model.
    package func positiveProbabilities(_ x: Matrix<Float>) -> [Float] {
        precondition(classes == 2, "positiveProbabilities needs a binary model, this one has \(classes) classes")
        return decisionScores(x).values.map { Float(Numerics.sigmoid(Double($0))) }
    }

    /// Class probabilities of one row (`K` values), computed in Double without BLAS.
    package func probabilities(row: ArraySlice<Float>) -> [Float] {
        precondition(row.count == features, "LogisticModel fitted with \(features) features, got \(row.count)")
        let k = outputs
        var z = intercepts
        var j = 0
        for v in row {
            let value = Double(v)
            for c in 0..<k { z[c] += value * weights[j * k + c] }
            j += 1
        }
        if classes == 2 {
            let p1 = Numerics.sigmoid(z[0])
            return [Float(1 - p1), Float(p1)]
        }
        _ = z.withUnsafeMutableBufferPointer { Numerics.softmaxInPlace($0) }
        return z.map { Float($0) }
    }

    /// Class probabilities of one row.
    package func probabilities(row: [Float]) -> [Float] { probabilities(row: row[...]) }
}
