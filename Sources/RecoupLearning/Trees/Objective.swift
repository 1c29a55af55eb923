internal import Foundation

/// The loss a boosted ensemble minimizes: a provider of first and second derivatives of the loss with respect to the
/// raw score, plus the initial score and the link back to predictions (LightGBM `ObjectiveFunction`:
/// `GetGradients`, `BoostFromScore`, `ConvertOutput`).
///
/// With raw score `f`, target `y` and sample weight `w`:
///
/// | objective | loss ℓ(y, f) | gradient g | hessian h | prediction |
/// |---|---|---|---|---|
/// | squared error | ½(f − y)² | f − y | 1 | f |
/// | binary log-loss | softplus(f) − y f | σ(f) − y | σ(f)(1 − σ(f)) | σ(f) |
/// | multiclass softmax | log Σ e^{f_k} − f_y | p_k − [y = k] | K/(K−1) · p_k(1 − p_k) | softmax(f) |
/// | Tweedie (1 < ρ < 2) | −y e^{(1−ρ)f}/(1−ρ) + e^{(2−ρ)f}/(2−ρ) | −y e^{(1−ρ)f} + e^{(2−ρ)f} | −y(1−ρ)e^{(1−ρ)f} + (2−ρ)e^{(2−ρ)f} | e^f |
/// | Poisson | e^f − y f | e^f − y | e^{f + 0.7} | e^f |
///
/// all multiplied by `w`. The multiclass hessian carries Friedman's `K/(K−1)` factor (Friedman 2001, Algorithm 6;
/// LightGBM `MulticlassSoftmax`), the Poisson hessian LightGBM's `poisson_max_delta_step = 0.7` safeguard, which
/// halves the Newton step where `e^f` is small. Tweedie and Poisson use a log link, so predictions are positive
/// and the model is multiplicative — suited to skewed non-negative amounts with a mass at zero (Tweedie with
/// `1 < ρ < 2` is a compound Poisson–gamma: a point mass at 0 plus a continuous right tail).
package enum Objective: Sendable, Codable, Equatable, Hashable {
    case squaredError
    case binaryLogLoss
    case multiclassSoftmax(classes: Int)
    case tweedie(variancePower: Double)
    case poisson

    /// Raw scores per row: `K` for multiclass, else 1 (and trees per boosting round).
    package var outputs: Int {
        if case .multiclassSoftmax(let k) = self { return k }
        return 1
    }

    /// Whether raw scores of `other` mean the same as this objective's (same outputs and link), so that they can be
    /// averaged: Tweedie of any power and Poisson share the log link.
    package func sharesLink(with other: Objective) -> Bool {
        switch (self, other) {
        case (.tweedie, .tweedie), (.tweedie, .poisson), (.poisson, .tweedie), (.poisson, .poisson): true
        default: self == other
        }
    }

    /// Whether the hessian is the sample weight itself, so that histogram hessian sums are exact counts.
    var hasConstantHessian: Bool { self == .squaredError }

    /// Checks the objective's own parameters.
    func validate() throws(LearningError) {
        switch self {
        case .multiclassSoftmax(let k): try require(k >= 2 && k <= 255, "objective.classes", k, "2...255")
        case .tweedie(let rho): try require(rho > 1 && rho < 2, "objective.variancePower", rho, "a value in (1, 2)")
        default: break
        }
    }

    /// Checks that every target is one this objective can learn from.
    func validate(targets: [Double]) throws(LearningError) {
        for (i, y) in targets.enumerated() {
            let ok: Bool
            let expected: String
            switch self {
            case .squaredError: (ok, expected) = (y.isFinite, "a finite number")
            case .binaryLogLoss: (ok, expected) = (y == 0 || y == 1, "0 or 1")
            case .multiclassSoftmax(let k):
                (ok, expected) = (y >= 0 && y < Double(k) && y == y.rounded(), "a class index in 0..<\(k)")
            case .tweedie, .poisson: (ok, expected) = (y >= 0 && y.isFinite, "a finite value >= 0")
            }
            if !ok { throw .invalidTarget(row: i, value: y, expected: expected) }
        }
    }

    /// The constant raw score that minimizes the weighted loss: the starting point of boosting
    /// (LightGBM `BoostFromScore`).
    func baseScores(targets: [Double], weights: [Double]?) -> [Double] {
        var total = 0.0
        var sum = 0.0
        var perClass = [Double](repeating: 0, count: outputs)
        for (i, y) in targets.enumerated() {
            let w = weights?[i] ?? 1
            total += w
            sum += w * y
            if case .multiclassSoftmax = self { perClass[Int(y)] += w }
        }
        let mean = total > 0 ? sum / total : 0
        switch self {
        case .squaredError: return [mean]
        case .binaryLogLoss:
            let p = min(max(mean, 1e-15), 1 - 1e-15)
            return [log(p / (1 - p))]
        case .multiclassSoftmax: return perClass.map { log(max($0 / max(total, 1e-300), 1e-15)) }
        case .tweedie, .poisson: return [log(max(mean, 1e-15))]
        }
    }

    /// Maps raw scores of one row to the prediction in place (identity, sigmoid, softmax or exp).
    @inline(__always)
    func transform(_ raw: UnsafeMutableBufferPointer<Double>) {
        switch self {
        case .squaredError: break
        case .binaryLogLoss: raw[0] = Numerics.sigmoid(raw[0])
        case .multiclassSoftmax: Numerics.softmaxInPlace(raw)
        case .tweedie, .poisson: raw[0] = exp(raw[0])
        }
    }
}
