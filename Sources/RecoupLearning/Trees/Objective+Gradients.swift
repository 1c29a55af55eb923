internal import Foundation

extension Objective {
    /// Gradient and hessian of every row for every output, from the current raw scores.
    ///
    /// - Parameters:
    ///   - scores: raw scores, row-major `n × K` (`scores[i·K + k]`).
    ///   - gradients: output, output-major: `(gᵢₖ, hᵢₖ)` at `gradients[k·n + i]`, so that the tree of output `k` reads
    ///     one contiguous array.
    /// Rows are split between the workers; each row's arithmetic is independent, so the result is deterministic.
    func computeGradients(
        scores: [Double],
        targets: [Double],
        weights: [Double]?,
        into gradients: inout [SIMD2<Double>]
    ) {
        let n = targets.count
        let k = outputs
        precondition(gradients.count == n * k && scores.count == n * k, "gradient buffers do not match \(n) rows x \(k)")
        let workers = n >= 16_384 ? Parallel.workerCount : 1
        scores.withUnsafeBufferPointer { f in
            targets.withUnsafeBufferPointer { y in
                gradients.withUnsafeMutableBufferPointer { gh in
                    Parallel.run(parts: workers) { part in
                        let rows = Parallel.slice(n, part: part, of: workers)
                        fill(rows, f, y, weights, gh, n: n)
                    }
                }
            }
        }
    }

    private func fill(
        _ rows: Range<Int>,
        _ f: UnsafeBufferPointer<Double>,
        _ y: UnsafeBufferPointer<Double>,
        _ weights: [Double]?,
        _ gh: UnsafeMutableBufferPointer<SIMD2<Double>>,
        n: Int
    ) {
        switch self {
        case .squaredError:
            for i in rows {
                let w = weights?[i] ?? 1
                gh[i] = SIMD2(w * (f[i] - y[i]), w)
            }
        case .binaryLogLoss:
            for i in rows {
                let w = weights?[i] ?? 1
                let p = Numerics.sigmoid(f[i])
                gh[i] = SIMD2(w * (p - y[i]), w * max(p * (1 - p), 1e-16))
            }
        case .multiclassSoftmax(let k):
            let factor = Double(k) / Double(k - 1)
            var p = [Double](repeating: 0, count: k)
            p.withUnsafeMutableBufferPointer { p in
                for i in rows {
                    let w = weights?[i] ?? 1
                    for c in 0..<k { p[c] = f[i * k + c] }
                    Numerics.softmaxInPlace(p)
                    let label = Int(y[i])
                    for c in 0..<k {
                        let g = c == label ? p[c] - 1 : p[c]
                        gh[c * n + i] = SIMD2(w * g, w * max(factor * p[c] * (1 - p[c]), 1e-16))
                    }
                }
            }
        case .tweedie(let rho):
            for i in rows {
                let w = weights?[i] ?? 1
                let a = exp((1 - rho) * f[i])
                let b = exp((2 - rho) * f[i])
                gh[i] = SIMD2(w * (-y[i] * a + b), w * (-y[i] * (1 - rho) * a + (2 - rho) * b))
            }
        case .poisson:
            for i in rows {
                let w = weights?[i] ?? 1
                let mu = exp(f[i])
                gh[i] = SIMD2(w * (mu - y[i]), w * exp(f[i] + 0.7))
            }
        }
    }

    /// The weighted mean loss of raw scores (`n × K` row-major): the metric of early stopping and progress reports.
    /// Squared error reports the mean squared error (`2ℓ`), the others the loss of the table above.
    func meanLoss(scores: [Double], targets: [Double], weights: [Double]?) -> Double {
        let k = outputs
        var total = 0.0
        var weightSum = 0.0
        var row = [Double](repeating: 0, count: k)
        for (i, y) in targets.enumerated() {
            let w = weights?[i] ?? 1
            let f = scores[i * k]
            let loss: Double
            switch self {
            case .squaredError: loss = (f - y) * (f - y)
            case .binaryLogLoss: loss = Numerics.softplus(f) - y * f
            case .multiclassSoftmax:
                for c in 0..<k { row[c] = scores[i * k + c] }
                loss = row.withUnsafeBufferPointer { Numerics.logSumExp($0) } - row[Int(y)]
            case .tweedie(let rho): loss = -y * exp((1 - rho) * f) / (1 - rho) + exp((2 - rho) * f) / (2 - rho)
            case .poisson: loss = exp(f) - y * f
            }
            total += w * loss
            weightSum += w
        }
        return weightSum > 0 ? total / weightSum : 0
    }
}
