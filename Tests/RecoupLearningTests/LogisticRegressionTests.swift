import Foundation
import Testing

@testable import RecoupLearning

/// `Fixtures/logistic_*.json`, written by `benchmarks/make_learning_fixtures.py` (scikit-learn, solver lbfgs,
/// tol 1e-12).
struct LogisticFixture: Decodable {
    struct Fit: Decodable {
        var name: String
        var C: Double
        var balanced: Bool
        var weights: [Double]?
        var coef: [[Double]]
        var intercept: [Double]
        var probabilities: [[Double]]
    }
    var rows: Int
    var columns: Int
    var x: [Double]
    var y: [Int]
    var fits: [Fit]
}

@Suite("Logistic regression", .serialized)
struct LogisticRegressionTests {
    static func fixtureCases() -> [(String, Int, LogisticRegression.Precision)] {
        var cases: [(String, Int, LogisticRegression.Precision)] = []
        for file in ["logistic_binary", "logistic_multinomial"] {
            for fit in 0..<3 {
                for precision in [LogisticRegression.Precision.double, .single] { cases.append((file, fit, precision)) }
            }
        }
        return cases
    }

    @Test("coefficients within 1e-3 of scikit-learn's at the same C, weights and class weights", arguments: fixtureCases())
    func matchesScikitLearn(file: String, index: Int, precision: LogisticRegression.Precision) throws {
        let fixture = try TestData.fixture(file, as: LogisticFixture.self)
        let reference = fixture.fits[index]
        let x = Matrix<Float>(rows: fixture.rows, columns: fixture.columns, values: fixture.x.map { Float($0) })
        let k = (fixture.y.max() ?? 1) + 1
        var config = LogisticRegression.Configuration(
            regularization: .inverse(C: reference.C),
            classWeights: reference.balanced ? .balanced : .uniform,
            gradientTolerance: 1e-9,
            lossTolerance: 0,
            precision: precision
        )
        config.maxIterations = 2000
        let model = try LogisticRegression(config).fit(x, labels: fixture.y, classes: k, sampleWeights: reference.weights)
        let outputs = model.outputs
        var worst = 0.0
        for c in 0..<outputs {
            for j in 0..<fixture.columns {
                worst = max(worst, abs(model.weights[j * outputs + c] - reference.coef[c][j]))
            }
            worst = max(worst, abs(model.intercepts[c] - reference.intercept[c]))
        }
        #expect(worst < 1e-3, "\(file) \(reference.name) \(precision): largest difference \(worst), \(model.report!)")
        let p = model.probabilities(Matrix(rows: 5, columns: fixture.columns, values: Array(x.values.prefix(5 * fixture.columns))))
        for i in 0..<5 {
            for c in 0..<k { #expect(abs(Double(p[i, c]) - reference.probabilities[i][c]) < 1e-4) }
        }
    }

    static let binary: (Matrix<Float>, [Int]) = {
        let x = TestData.gaussian(60, 4, seed: 3)
        return (TestData.float(x), TestData.labels(x, classes: 2, seed: 4))
    }()

    @Test("invalid hyper-parameters are rejected before training, naming the value")
    func invalidHyperParameters() {
        let (x, y) = Self.binary
        let bad: [(String, LogisticRegression.Configuration)] = [
            ("regularization.C", .init(regularization: .inverse(C: 0))),
            ("regularization.C", .init(regularization: .inverse(C: -1))),
            ("regularization.l2", .init(regularization: .l2(-0.1))),
            ("maxIterations", .init(maxIterations: 0)),
            ("gradientTolerance", .init(gradientTolerance: -1)),
            ("memory", .init(memory: 0)),
            ("blockRows", .init(blockRows: 0)),
            ("classWeights", .init(classWeights: .custom([1, -2]))),
        ]
        for (name, config) in bad {
            #expect(throws: LearningError.self) { try config.validate() }
            do {
                _ = try LogisticRegression(config).fit(x, labels: y)
                Issue.record("\(name) accepted")
            } catch {
                guard case .invalidHyperParameter(let n, _, _) = error else {
                    Issue.record("\(error)")
                    continue
                }
                #expect(n == name)
            }
        }
    }

    @Test("bad inputs are rejected with the offending row")
    func invalidInputs() {
        let (x, y) = Self.binary
        let learner = LogisticRegression()
        #expect(throws: LearningError.sizeMismatch(what: "labels", expected: 60, actual: 59)) {
            try learner.fit(x, labels: Array(y.dropLast()))
        }
        var labels = y
        labels[7] = 5
        #expect(throws: LearningError.labelOutOfRange(row: 7, label: 5, classes: 2)) { try learner.fit(x, labels: labels, classes: 2) }
        var weights = [Double](repeating: 1, count: 60)
        weights[3] = -1
        #expect(throws: LearningError.invalidWeight(row: 3, value: -1)) { try learner.fit(x, labels: y, sampleWeights: weights) }
        var nan = x
        nan[2, 1] = .nan
        #expect(throws: LearningError.nonFiniteFeature(row: 2, column: 1)) { try learner.fit(nan, labels: y) }
        #expect(throws: LearningError.emptyTrainingSet) {
            try learner.fit(x, labels: y, sampleWeights: [Double](repeating: 0, count: 60))
        }
    }

    @Test("save, load and predict give bit-identical probabilities; an unknown version is refused")
    func roundTrip() throws {
        let x = TestData.gaussian(50, 3, seed: 9)
        let y = TestData.labels(x, classes: 3, seed: 10)
        let model = try LogisticRegression().fit(TestData.float(x), labels: y)
        let loaded = try TestData.roundTrip(model)
        #expect(loaded == model)
        #expect(loaded.probabilities(TestData.float(x)) == model.probabilities(TestData.float(x)))
        var json = try #require(String(data: JSONEncoder().encode(model), encoding: .utf8))
        json = json.replacingOccurrences(of: "\"formatVersion\":1", with: "\"formatVersion\":99")
        #expect(throws: ModelFormatError.unsupportedFormatVersion(model: "logistic-regression", found: 99, supported: 1)) {
            try JSONDecoder().decode(LogisticModel.self, from: Data(json.utf8))
        }
    }

    @Test("configurations decode from partial JSON (missing keys take defaults) and round-trip")
    func configurationCoding() throws {
        let lr = try JSONDecoder().decode(
            LogisticRegression.Configuration.self,
            from: Data(#"{"maxIterations": 7, "relativeLossTolerance": 1e-9}"#.utf8)
        )
        var expected = LogisticRegression.Configuration()
        expected.maxIterations = 7
        #expect(lr == expected)
        #expect(try TestData.roundTrip(expected) == expected)
        let trees = try JSONDecoder().decode(
            GradientBoostedTrees.Configuration.self,
            from: Data(#"{"objective": {"poisson": {}}, "rounds": 12}"#.utf8)
        )
        var expectedTrees = GradientBoostedTrees.Configuration(objective: .poisson)
        expectedTrees.rounds = 12
        #expect(trees == expectedTrees)
        expectedTrees.maxDepth = 4
        expectedTrees.earlyStoppingRounds = 3
        #expect(try TestData.roundTrip(expectedTrees) == expectedTrees)
    }

    @Test("single-row prediction agrees with batch prediction", arguments: [2, 4])
    func singleRow(classes: Int) throws {
        let x = TestData.float(TestData.gaussian(40, 5, seed: 11))
        let y = TestData.labels(TestData.gaussian(40, 5, seed: 11), classes: classes, seed: 12)
        let model = try LogisticRegression().fit(x, labels: y, classes: classes)
        let batch = model.probabilities(x)
        for i in 0..<x.rows {
            let one = model.probabilities(row: x.row(i))
            for c in 0..<classes { #expect(abs(one[c] - batch[i, c]) < 1e-6) }
        }
        if classes == 2 {
            #expect(model.positiveProbabilities(x).enumerated().allSatisfy { abs($1 - batch[$0, 1]) < 1e-6 })
        }
    }

    @Test("fits are deterministic, report progress, and the objective decreases")
    func deterministic() throws {
        let (x, y) = Self.binary
        var losses: [Double] = []
        let a = try LogisticRegression().fit(x, labels: y) { losses.append($0.trainingLoss) }
        let b = try LogisticRegression().fit(x, labels: y)
        #expect(a == b)
        #expect(!losses.isEmpty && zip(losses, losses.dropFirst()).allSatisfy { $1 <= $0 })
        #expect(a.report!.objective == losses.last)
    }
}
