import Testing

@testable import RecoupLearning

@Suite("Logistic loss: gradients against finite differences")
struct LogisticLossTests {
    /// 10 × 5 data (scikit-learn `test_linear_loss.py` uses 10 × 5, seed 42), K' outputs, optional weights.
    /// Standardization inside the loss is a reparametrization, so the finite-difference check covers it too.
    static func loss(outputs: Int, weighted: Bool, blockRows: Int = 4, workers: Int = 1) -> LogisticLoss<Double> {
        let x = TestData.gaussian(10, 5, seed: 42)
        let labels = TestData.labels(x, classes: outputs == 1 ? 2 : outputs, seed: 43)
        var rng = SplitMix64(seed: 44)
        let weights = (0..<10).map { _ in weighted ? 0.2 + 2 * rng.nextUnit() : 1 }
        let total = weights.reduce(0, +)
        return LogisticLoss(
            x: x,
            mean: weighted ? [0.3, -1, 2, 0, 0.5] : [Double](repeating: 0, count: 5),
            scale: weighted ? [1.5, 0.7, 2, 1, 0.3] : [Double](repeating: 1, count: 5),
            labels: labels.map { Int32($0) },
            rowScale: weights.map { $0 / total },
            outputs: outputs,
            penalty: [0.3, 0, 0.1, 1, 0.05],
            blockRows: blockRows,
            workers: workers
        )
    }

    static func parameters(_ count: Int) -> [Double] {
        var rng = SplitMix64(seed: 45)
        return (0..<count).map { _ in 2 * rng.nextUnit() - 1 }
    }

    @Test("analytic gradient equals the 5-point finite-difference stencil", arguments: [(1, false), (1, true), (3, false), (3, true)])
    func gradient(outputs: Int, weighted: Bool) {
        let loss = Self.loss(outputs: outputs, weighted: weighted)
        let theta = Self.parameters(loss.parameterCount)
        var gradient: [Double] = []
        _ = loss.evaluate(theta, gradient: &gradient)
        var scratch: [Double] = []
        let h = 1e-4
        for p in theta.indices {
            func f(_ d: Double) -> Double {
                var t = theta
                t[p] += d
                return loss.evaluate(t, gradient: &scratch)
            }
            let numeric = (-f(2 * h) + 8 * f(h) - 8 * f(-h) + f(-2 * h)) / (12 * h)
            #expect(abs(numeric - gradient[p]) <= 1e-8 * max(1, abs(numeric)), "parameter \(p): \(numeric) vs \(gradient[p])")
        }
    }

    @Test("block size and worker count do not change the value beyond rounding", arguments: [1, 3])
    func blocksAndWorkers(outputs: Int) {
        let theta = Self.parameters(Self.loss(outputs: outputs, weighted: true).parameterCount)
        var g1: [Double] = []
        var g2: [Double] = []
        let a = Self.loss(outputs: outputs, weighted: true, blockRows: 100, workers: 1).evaluate(theta, gradient: &g1)
        let b = Self.loss(outputs: outputs, weighted: true, blockRows: 3, workers: 2).evaluate(theta, gradient: &g2)
        #expect(abs(a - b) < 1e-12)
        #expect(zip(g1, g2).allSatisfy { abs($0 - $1) < 1e-12 })
        // The same blocks on one thread or two: the rows are cut into the same parts, so the sums are identical.
        var g3: [Double] = []
        var g4: [Double] = []
        let c = Self.loss(outputs: outputs, weighted: true, blockRows: 2, workers: 1).evaluate(theta, gradient: &g3)
        let d = Self.loss(outputs: outputs, weighted: true, blockRows: 2, workers: 2).evaluate(theta, gradient: &g4)
        #expect(c == d && g3 == g4)
    }

    @Test("the loss at zero weights is the entropy of the weighted class shares under the intercepts")
    func valueAtZero() {
        let loss = Self.loss(outputs: 1, weighted: false)
        var g: [Double] = []
        // All scores 0: every row costs log 2.
        let value = loss.evaluate([Double](repeating: 0, count: loss.parameterCount), gradient: &g)
        #expect(abs(value - 0.6931471805599453) < 1e-12)
    }

    @Test("large scores do not overflow")
    func stability() {
        let loss = Self.loss(outputs: 3, weighted: false)
        var theta = [Double](repeating: 0, count: loss.parameterCount)
        theta[theta.count - 1] = 800
        theta[theta.count - 2] = -800
        var g: [Double] = []
        let value = loss.evaluate(theta, gradient: &g)
        #expect(value.isFinite && g.allSatisfy(\.isFinite))
    }
}

@Suite("L-BFGS with a strong Wolfe line search")
struct LBFGSTests {
    @Test("minimizes the Rosenbrock function from (-1.2, 1)")
    func rosenbrock() {
        var optimizer = LBFGS()
        optimizer.gradientTolerance = 1e-10
        optimizer.lossTolerance = 0
        optimizer.maxIterations = 200
        let result = optimizer.minimize(
            from: [-1.2, 1],
            evaluate: { x, g in
                let (a, b) = (x[0], x[1])
                g = [-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)]
                return (1 - a) * (1 - a) + 100 * (b - a * a) * (b - a * a)
            },
            convergenceNorm: { $0.map(abs).max()! }
        )
        #expect(abs(result.x[0] - 1) < 1e-6 && abs(result.x[1] - 1) < 1e-6, "\(result.x) after \(result.iterations)")
        #expect(result.termination == .gradientTolerance)
        #expect(result.iterations < 100)
    }

    @Test("a cubic interpolation step lies between the bracket ends for a convex function")
    func cubic() {
        // φ(α) = (α − 0.3)², sampled at 0 and 1.
        let p = WolfeLineSearch.Point(step: 0, value: 0.09, slope: -0.6, gradient: [])
        let q = WolfeLineSearch.Point(step: 1, value: 0.49, slope: 1.4, gradient: [])
        let step = try! #require(WolfeLineSearch.cubicMinimizer(p, q))
        #expect(abs(step - 0.3) < 1e-12)
    }
}
