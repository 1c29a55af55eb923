internal import Foundation

/// The L2-regularized logistic loss of a linear model and its gradient, evaluated with BLAS level 3 over row blocks
/// that run in parallel on every core.
///
/// With `n` rows `xᵢ`, labels `yᵢ`, sample weights `sᵢ` (`S = Σ sᵢ`), parameters `W` (`F × K'`) and intercepts `b`
/// (unpenalized), the objective is the weighted mean loss plus a diagonal L2 penalty:
///
///     L(W, b) = (1/S) Σᵢ sᵢ ℓᵢ + ½ Σⱼ πⱼ Σₖ Wⱼₖ²
///     binary (K' = 1):       ℓᵢ = softplus(zᵢ) − yᵢ zᵢ,            zᵢ = xᵢ·w + b
///     multinomial (K' = K):  ℓᵢ = log Σₖ e^{zᵢₖ} − zᵢ,yᵢ,         zᵢ = xᵢ·W + b
///
/// and the gradient is `∇W = Xᵀ R + diag(π) W`, `∇b = 1ᵀ R` with residuals `Rᵢₖ = (sᵢ/S)(pᵢₖ − [yᵢ = k])`
/// (scikit-learn `_linear_loss.LinearModelLoss`, whose `HalfBinomialLoss`/`HalfMultinomialLoss` are these `ℓᵢ`).
/// `softplus` and `log Σ e^z` use the shifted forms of ``Numerics`` (liblinear `C_times_loss`).
///
/// Standardization is a reparametrization done inside the loss, without a standardized copy of the design: with
/// column means `μ` and scales `σ`, the parameters `θ̃ = (W̃, b̃)` act on `x̃ = (x − μ)/σ`, so the scores are
/// `X·(W̃/σ) + (b̃ − μ·W̃/σ)` and the gradient is `∂L/∂W̃ⱼ = ((XᵀR)ⱼ − μⱼ 1ᵀR)/σⱼ`. The GEMMs see the original `X`.
///
/// The rows are cut into up to ``Parallel/rowParts`` contiguous parts (run on the workers); each part walks its rows in blocks of ``blockRows`` rows: the scores of a
/// block are one GEMM (`Z = X_b · W`), the residuals are computed in place, and the block's gradient is a second GEMM
/// (`X_bᵀ · R`) while the block is still in cache. BLAS works in the design's scalar type `T` (Float: single-
/// precision GEMM); losses, residual sums and the gradient are accumulated in Double, per block, and the workers'
/// partial sums are added in part order, so the result depends neither on timing nor on the number of cores.
struct LogisticLoss<T: BLASScalar> {
    /// The design, `n × F`.
    let x: Matrix<T>
    /// Column means `μ` and scales `σ` of the reparametrization (0 and 1 for none).
    let mean: [Double]
    let scale: [Double]
    /// Class index of each row (0/1 for binary).
    let labels: [Int32]
    /// `sᵢ / S` for each row.
    let rowScale: [Double]
    /// `K'`: 1 for binary, `K` for multinomial.
    let outputs: Int
    /// `πⱼ`: the L2 strength of each feature in the parametrization being optimized.
    let penalty: [Double]
    /// Rows per GEMM block: large enough for BLAS to be efficient, small enough to stay in L2 with its scores.
    let blockRows: Int
    /// Number of threads (the rows are always cut into the same parts, so the result does not depend on it).
    let workers: Int

    /// Number of parameters: `F·K'` weights (feature-major: `θ[j·K' + k]`) followed by `K'` intercepts.
    var parameterCount: Int { (x.columns + 1) * outputs }

    private struct Workspace {
        var scores: Matrix<T>
        var blockGradient: Matrix<T>
        var gradient: [Double]
        var loss: Double
    }

    /// The objective at `theta`; writes its gradient into `gradient` (resized to ``parameterCount``).
    func evaluate(_ theta: [Double], gradient: inout [Double]) -> Double {
        let f = x.columns
        let k = outputs
        precondition(theta.count == parameterCount, "theta has \(theta.count) parameters, expected \(parameterCount)")
        let (original, intercepts) = Self.originalScale(theta, mean: mean, scale: scale, outputs: k)
        let weights = Matrix<T>(rows: f, columns: k, values: original.map { T($0) })
        let parts = min(Parallel.rowParts, max(1, x.rows / blockRows))
        var spaces = (0..<parts).map { _ in
            Workspace(
                scores: Matrix(rows: blockRows, columns: k),
                blockGradient: Matrix(rows: f, columns: k),
                gradient: [Double](repeating: 0, count: parameterCount),
                loss: 0
            )
        }
        Parallel.forEach(&spaces, workers: workers) { part, space in
            let mine = Parallel.slice(x.rows, part: part, of: parts)
            var start = mine.lowerBound
            while start < mine.upperBound {
                let block = start..<min(start + blockRows, mine.upperBound)
                if block.count != space.scores.rows { space.scores = Matrix(rows: block.count, columns: k) }
                accumulate(block, weights: weights, intercepts: intercepts, into: &space)
                start = block.upperBound
            }
        }
        gradient = [Double](repeating: 0, count: parameterCount)
        var loss = 0.0
        for space in spaces {
            loss += space.loss
            for p in 0..<parameterCount { gradient[p] += space.gradient[p] }
        }
        let fk = f * k
        for j in 0..<f {
            for c in 0..<k { gradient[j * k + c] = (gradient[j * k + c] - mean[j] * gradient[fk + c]) / scale[j] }
        }
        for j in 0..<f where penalty[j] != 0 {
            for c in 0..<k {
                let w = theta[j * k + c]
                loss += 0.5 * penalty[j] * w * w
                gradient[j * k + c] += penalty[j] * w
            }
        }
        return loss
    }

    /// Parameters in the scale of `X` from standardized ones: `W = W̃/σ` (row by row), `b = b̃ − μ·W`.
    static func originalScale(_ theta: [Double], mean: [Double], scale: [Double], outputs k: Int) -> ([Double], [Double]) {
        let f = mean.count
        var weights = [Double](repeating: 0, count: f * k)
        var intercepts = Array(theta[(f * k)...])
        for j in 0..<f {
            for c in 0..<k {
                let w = theta[j * k + c] / scale[j]
                weights[j * k + c] = w
                intercepts[c] -= mean[j] * w
            }
        }
        return (weights, intercepts)
    }

    /// Loss and gradient of one block of rows, added to the workspace.
    private func accumulate(_ block: Range<Int>, weights: Matrix<T>, intercepts: [Double], into space: inout Workspace) {
        let k = outputs
        if k == 1 {
            BLAS.gemv(x, rows: block, weights.values, into: &space.scores.values)
        } else {
            BLAS.gemm(x, rows: block, weights, into: &space.scores)
        }
        var blockLoss = 0.0
        var interceptGradient = [Double](repeating: 0, count: k)
        space.scores.values.withUnsafeMutableBufferPointer { z in
            if k == 1 {
                for (r, i) in block.enumerated() {
                    let zi = Double(z[r]) + intercepts[0]
                    let y = Double(labels[i])
                    blockLoss += rowScale[i] * (Numerics.softplus(zi) - y * zi)
                    let residual = rowScale[i] * (Numerics.sigmoid(zi) - y)
                    interceptGradient[0] += residual
                    z[r] = T(residual)
                }
            } else {
                var p = [Double](repeating: 0, count: k)
                p.withUnsafeMutableBufferPointer { p in
                    for (r, i) in block.enumerated() {
                        let row = r * k
                        for c in 0..<k { p[c] = Double(z[row + c]) + intercepts[c] }
                        let y = Int(labels[i])
                        let zy = p[y]
                        let lse = Numerics.softmaxInPlace(p)
                        blockLoss += rowScale[i] * (lse - zy)
                        p[y] -= 1
                        for c in 0..<k {
                            let residual = rowScale[i] * p[c]
                            interceptGradient[c] += residual
                            z[row + c] = T(residual)
                        }
                    }
                }
            }
        }
        if k == 1 {
            BLAS.gemv(x, rows: block, space.scores.values, transpose: true, into: &space.blockGradient.values)
        } else {
            BLAS.gemmTransposed(x, rows: block, space.scores, into: &space.blockGradient)
        }
        let fk = x.columns * k
        for p in 0..<fk { space.gradient[p] += Double(space.blockGradient.values[p]) }
        for c in 0..<k { space.gradient[fk + c] += interceptGradient[c] }
        space.loss += blockLoss
    }
}
