internal import Foundation

/// Numerically stable scalar functions shared by the objectives, the losses and the metrics.
///
/// The forms follow liblinear's `l2r_lr_fun::C_times_loss` and scikit-learn's `_loss` module: never evaluate
/// `exp` of a large positive number, and use `log1p` where the argument is close to zero.
enum Numerics {
    /// The logistic function `σ(z) = 1 / (1 + e^{−z})`, evaluated without overflow for any `z`.
    @inline(__always)
    static func sigmoid(_ z: Double) -> Double {
        if z >= 0 {
            return 1 / (1 + exp(-z))
        }
        let e = exp(z)
        return e / (1 + e)
    }

    /// `softplus(z) = log(1 + e^z)`, as `max(z, 0) + log1p(e^{−|z|})`.
    @inline(__always)
    static func softplus(_ z: Double) -> Double {
        max(z, 0) + log1p(exp(-abs(z)))
    }

    /// `log Σ_k e^{z_k}` over a contiguous run of scores, shifted by the maximum so no term overflows.
    @inline(__always)
    static func logSumExp(_ z: UnsafeBufferPointer<Double>) -> Double {
        var m = -Double.infinity
        for v in z { m = max(m, v) }
        if m == -.infinity { return m }
        var s = 0.0
        for v in z { s += exp(v - m) }
        return m + log(s)
    }

    /// Replaces scores by their softmax, `p_k = e^{z_k − m} / Σ_j e^{z_j − m}` with `m = max_k z_k`, and returns
    /// `log Σ_k e^{z_k}`.
    @inline(__always)
    @discardableResult
    static func softmaxInPlace(_ z: UnsafeMutableBufferPointer<Double>) -> Double {
        var m = -Double.infinity
        for v in z { m = max(m, v) }
        var s = 0.0
        for k in z.indices {
            let e = exp(z[k] - m)
            z[k] = e
            s += e
        }
        let inv = 1 / s
        for k in z.indices { z[k] *= inv }
        return m + log(s)
    }
}
