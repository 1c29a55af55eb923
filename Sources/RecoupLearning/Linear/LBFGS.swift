/// Limited-memory BFGS (Nocedal & Wright, *Numerical Optimization*, 2nd ed., Algorithm 7.5 with the two-loop
/// recursion of Algorithm 7.4), with a strong-Wolfe line search (``WolfeLineSearch``).
///
/// The inverse Hessian is represented by the last `m` pairs `sₖ = xₖ₊₁ − xₖ`, `yₖ = ∇fₖ₊₁ − ∇fₖ`; the search
/// direction is `d = −Hₖ ∇fₖ` with the initial scaling `Hₖ⁰ = (sᵀy / yᵀy) I` (N&W eq. 7.20). A pair is stored only
/// when `sᵀy > ε ‖y‖²` so that `H` stays positive definite (the strong Wolfe conditions guarantee `sᵀy > 0` in exact
/// arithmetic). The first step has length `min(1, 1/‖∇f₀‖)` unless a diagonal guess `D` of the inverse Hessian is
/// given (``initialInverseHessian``); later ones try `α = 1` first. With ``keepDiagonal`` the initial matrix of every
/// iteration is `γ D` (`γ = sᵀy / yᵀDy`) rather than `γ I`: for the multinomial loss, whose curvature differs by
/// class share, this saves about a tenth of the iterations.
///
/// Iteration stops when
/// - the gradient is small: `convergenceNorm(∇f) ≤ gradientTolerance` (the logistic learner measures the largest
///   absolute component in the original feature scale, as scikit-learn's `lbfgs` `gtol`), or
/// - the objective stalls: over the last `lossWindow` iterations it fell by at most `lossTolerance · max(|fₖ|, 1)`
///   per iteration on average (a window, so that one short step far from the optimum does not stop it), or
/// - `maxIterations` is reached, or the line search finds no decrease (rounding noise near the optimum).
///
/// Deterministic: the same start and objective give the same iterates. Vector work is BLAS level 1 (as liblinear's
/// TRON touches its vectors only through `ddot`, `daxpy`, `dnrm2`, `dscal`).
struct LBFGS {
    var memory = 10
    var maxIterations = 100
    var gradientTolerance = 1e-4
    var lossTolerance = 1e-9
    var lossWindow = 5
    var lineSearch = WolfeLineSearch()
    /// A diagonal guess of the inverse Hessian for the first direction, `d₀ = −D ∇f₀` tried with step 1; without it
    /// the first step is `−∇f₀` with length `min(1, 1/‖∇f₀‖)`.
    var initialInverseHessian: [Double]?
    /// Keep ``initialInverseHessian`` as the shape of the initial matrix of every iteration (scaled each time).
    var keepDiagonal = false

    /// Why the iteration stopped.
    enum Termination: String, Sendable, Codable {
        case gradientTolerance, lossTolerance, maxIterations, lineSearchFailed
    }

    struct Result {
        var x: [Double]
        var value: Double
        var gradient: [Double]
        var iterations: Int
        var evaluations: Int
        var termination: Termination
    }

    /// Minimizes `f` from `x0`.
    /// - Parameters:
    ///   - evaluate: `f(x)`; writes `∇f(x)` into its second argument.
    ///   - convergenceNorm: the norm of a gradient compared with ``gradientTolerance``.
    ///   - onIteration: called after each iteration with its number and the objective.
    func minimize(
        from x0: [Double],
        evaluate: ([Double], inout [Double]) -> Double,
        convergenceNorm: ([Double]) -> Double,
        onIteration: (Int, Double) -> Void = { _, _ in }
    ) -> Result {
        var x = x0
        var g = [Double](repeating: 0, count: x.count)
        var f = evaluate(x, &g)
        var evaluations = 1
        var s: [[Double]] = []
        var y: [[Double]] = []
        var rho: [Double] = []
        var iteration = 0
        var history = [f]
        func result(_ t: Termination) -> Result {
            Result(x: x, value: f, gradient: g, iterations: iteration, evaluations: evaluations, termination: t)
        }
        if convergenceNorm(g) <= gradientTolerance { return result(.gradientTolerance) }
        while iteration < maxIterations {
            var d = direction(g, s: s, y: y, rho: rho, diagonal: keepDiagonal ? initialInverseHessian : nil)
            var initialStep = 1.0
            if s.isEmpty {
                if let diagonal = initialInverseHessian, diagonal.count == d.count {
                    for i in d.indices { d[i] *= diagonal[i] }
                } else {
                    initialStep = min(1, 1 / max(BLAS.nrm2(g), 1e-300))
                }
            }
            let outcome = lineSearch.search(
                from: x,
                value: f,
                gradient: g,
                direction: d,
                initialStep: initialStep,
                evaluate: evaluate
            )
            evaluations += outcome.evaluations
            guard let point = outcome.point else { return result(.lineSearchFailed) }
            iteration += 1
            var step = d
            BLAS.scal(point.step, &step)
            var change = point.gradient
            BLAS.axpy(-1, g, &change)
            BLAS.axpy(1, step, &x)
            f = point.value
            g = point.gradient
            onIteration(iteration, f)
            let sy = BLAS.dot(step, change)
            let yy = BLAS.dot(change, change)
            if sy > 1e-10 * yy, yy > 0 {
                if s.count == memory {
                    s.removeFirst()
                    y.removeFirst()
                    rho.removeFirst()
                }
                s.append(step)
                y.append(change)
                rho.append(1 / sy)
            }
            if convergenceNorm(g) <= gradientTolerance { return result(.gradientTolerance) }
            history.append(f)
            if history.count > lossWindow {
                let decrease = history[history.count - 1 - lossWindow] - f
                if decrease <= Double(lossWindow) * lossTolerance * max(abs(f), 1) { return result(.lossTolerance) }
            }
        }
        return result(.maxIterations)
    }

    /// The two-loop recursion: `−H ∇f` from the stored pairs (N&W Algorithm 7.4).
    /// With a `diagonal` `D`, the initial matrix is `γ D` with `γ = sᵀy / yᵀDy` (a diagonally scaled L-BFGS,
    /// Gilbert & Lemaréchal 1989) instead of `γ I`.
    private func direction(_ g: [Double], s: [[Double]], y: [[Double]], rho: [Double], diagonal: [Double]?) -> [Double] {
        var q = g
        var alpha = [Double](repeating: 0, count: s.count)
        for i in stride(from: s.count - 1, through: 0, by: -1) {
            alpha[i] = rho[i] * BLAS.dot(s[i], q)
            BLAS.axpy(-alpha[i], y[i], &q)
        }
        if let sl = s.last, let yl = y.last {
            if let d = diagonal {
                var yd = 0.0
                for i in yl.indices { yd += yl[i] * d[i] * yl[i] }
                let gamma = BLAS.dot(sl, yl) / yd
                for i in q.indices { q[i] *= gamma * d[i] }
            } else {
                BLAS.scal(BLAS.dot(sl, yl) / BLAS.dot(yl, yl), &q)
            }
        }
        for i in 0..<s.count {
            let beta = rho[i] * BLAS.dot(y[i], q)
            BLAS.axpy(alpha[i] - beta, s[i], &q)
        }
        BLAS.scal(-1, &q)
        return q
    }
}
