/// A line search that finds a step satisfying the strong Wolfe conditions (Nocedal & Wright, *Numerical
/// Optimization*, 2nd ed., Algorithms 3.5 and 3.6).
///
/// Along the direction `d` from `x`, with `φ(α) = f(x + α d)`, a step `α` is accepted when
///
///     φ(α) ≤ φ(0) + c₁ α φ′(0)        (sufficient decrease, Armijo)
///     |φ′(α)| ≤ c₂ |φ′(0)|              (curvature, strong form)
///
/// with `0 < c₁ < c₂ < 1` (1e-4 and 0.9 for quasi-Newton methods). The search first brackets an acceptable step
/// by growing `α`, then shrinks the bracket in `zoom`, choosing each trial by the minimizer of the cubic that
/// interpolates `φ` and `φ′` at the bracket's ends (N&W eq. 3.59), safeguarded to stay inside the bracket.
struct WolfeLineSearch {
    var c1 = 1e-4
    var c2 = 0.9
    /// Most function evaluations per search.
    var maxEvaluations = 25
    /// Largest step tried.
    var maxStep = 1e10

    /// A point of the search: step, value, directional derivative, and the full gradient there.
    struct Point {
        var step: Double
        var value: Double
        var slope: Double
        var gradient: [Double]
    }

    /// The outcome: the accepted point (always one that decreased `f`), or `nil` if none was found.
    struct Outcome {
        var point: Point?
        var evaluations: Int
    }

    /// Searches from `x` (value `f0`, gradient `g0`) along `direction`, starting with step `initialStep`.
    /// - Parameter evaluate: `f` at a point; writes the gradient into its second argument.
    func search(
        from x: [Double],
        value f0: Double,
        gradient g0: [Double],
        direction: [Double],
        initialStep: Double,
        evaluate: ([Double], inout [Double]) -> Double
    ) -> Outcome {
        let slope0 = BLAS.dot(g0, direction)
        guard slope0 < 0 else { return Outcome(point: nil, evaluations: 0) }
        var evaluations = 0
        var best: Point?
        func probe(_ step: Double) -> Point {
            var trial = x
            BLAS.axpy(step, direction, &trial)
            var g = [Double](repeating: 0, count: x.count)
            let v = evaluate(trial, &g)
            evaluations += 1
            let p = Point(step: step, value: v, slope: BLAS.dot(g, direction), gradient: g)
            if v.isFinite, v < (best?.value ?? f0) { best = p }
            return p
        }
        func armijoFails(_ p: Point) -> Bool { !p.value.isFinite || p.value > f0 + c1 * p.step * slope0 }
        func curvatureHolds(_ p: Point) -> Bool { abs(p.slope) <= -c2 * slope0 }

        func zoom(_ loStart: Point, _ hiStart: Point) -> Outcome {
            var lo = loStart
            var hi = hiStart
            while evaluations < maxEvaluations {
                let width = hi.step - lo.step
                if abs(width) < 1e-14 * max(1, abs(lo.step)) { break }
                var step = Self.cubicMinimizer(lo, hi) ?? (lo.step + 0.5 * width)
                let margin = 0.1 * abs(width)
                if !(step > min(lo.step, hi.step) + margin && step < max(lo.step, hi.step) - margin) {
                    step = lo.step + 0.5 * width
                }
                let trial = probe(step)
                if armijoFails(trial) || trial.value >= lo.value {
                    hi = trial
                } else {
                    if curvatureHolds(trial) { return Outcome(point: trial, evaluations: evaluations) }
                    if trial.slope * (hi.step - lo.step) >= 0 { hi = lo }
                    lo = trial
                }
            }
            return Outcome(point: best, evaluations: evaluations)
        }

        var previous = Point(step: 0, value: f0, slope: slope0, gradient: g0)
        var step = min(initialStep, maxStep)
        var first = true
        while evaluations < maxEvaluations {
            let current = probe(step)
            if armijoFails(current) || (!first && current.value >= previous.value) { return zoom(previous, current) }
            if curvatureHolds(current) { return Outcome(point: current, evaluations: evaluations) }
            if current.slope >= 0 { return zoom(current, previous) }
            if step >= maxStep { break }
            previous = current
            step = min(2 * step, maxStep)
            first = false
        }
        return Outcome(point: best, evaluations: evaluations)
    }

    /// The minimizer of the cubic interpolating value and slope at two points (N&W eq. 3.59), or `nil`.
    static func cubicMinimizer(_ p: Point, _ q: Point) -> Double? {
        guard q.value.isFinite, p.value.isFinite else { return nil }
        let d1 = p.slope + q.slope - 3 * (p.value - q.value) / (p.step - q.step)
        let disc = d1 * d1 - p.slope * q.slope
        guard disc >= 0 else { return nil }
        let d2 = (q.step > p.step ? 1.0 : -1.0) * disc.squareRoot()
        let denominator = q.slope - p.slope + 2 * d2
        guard denominator != 0 else { return nil }
        let step = q.step - (q.step - p.step) * (q.slope + d2 - d1) / denominator
        return step.isFinite ? step : nil
    }
}
