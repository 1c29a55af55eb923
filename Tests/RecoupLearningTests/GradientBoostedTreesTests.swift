import Foundation
import Testing

@testable import RecoupLearning

@Suite("Gradient-boosted trees", .serialized)
struct GradientBoostedTreesTests {
    static func config(_ objective: Objective, rounds: Int = 15) -> GradientBoostedTrees.Configuration {
        var c = GradientBoostedTrees.Configuration(objective: objective)
        c.rounds = rounds
        c.maxLeaves = 6
        c.minSamplesLeaf = 5
        c.learningRate = 0.3
        return c
    }

    /// Targets for each objective from the regression target of ``TreeData``.
    static func targets(_ objective: Objective, _ y: [Double]) -> [Double] {
        switch objective {
        case .squaredError: y
        case .binaryLogLoss: y.map { $0 > 1 ? 1 : 0 }
        case .multiclassSoftmax: y.map { $0 < 0.5 ? 0 : $0 < 2 ? 1 : 2 }
        case .tweedie, .poisson: y.map { max(0, $0 - 0.5) * 3 }
        }
    }

    static let objectives: [Objective] = [.squaredError, .binaryLogLoss, .multiclassSoftmax(classes: 3), .tweedie(variancePower: 1.5), .poisson]

    @Test("each objective learns: training loss below the constant model's, R² high for amounts", arguments: objectives)
    func learns(objective: Objective) throws {
        let (x, _, y) = TreeData.make(rows: 240)
        let t = Self.targets(objective, y)
        var losses: [Double] = []
        let model = try GradientBoostedTrees(Self.config(objective)).fit(x, targets: t) { losses.append($0.trainingLoss) }
        let k = objective.outputs
        let constant = objective.meanLoss(
            scores: (0..<x.rows).flatMap { _ in model.baseScores },
            targets: t,
            weights: nil
        )
        let trained = objective.meanLoss(scores: model.rawScores(x).values, targets: t, weights: nil)
        #expect(trained < constant, "\(objective): \(trained) vs constant \(constant)")
        switch objective {
        case .binaryLogLoss, .multiclassSoftmax:
            #expect(trained < 0.6 * constant, "\(objective): \(trained) vs constant \(constant)")
        case .squaredError, .tweedie, .poisson:
            // The Tweedie and Poisson losses are likelihoods with a data-dependent floor: judge them by R².
            let fit = RegressionMetrics(targets: t, predictions: model.predict(x).values)
            #expect(fit.r2 > 0.8, "\(objective): R² \(fit.r2)")
        }
        #expect(abs(trained - losses.last!) < 1e-9)
        #expect(model.trees.count == 15 * k)
    }

    @Test("invalid hyper-parameters fail before training, naming the parameter")
    func invalid() {
        let (x, _, y) = TreeData.make(rows: 50)
        let cases: [(String, (inout GradientBoostedTrees.Configuration) -> Void)] = [
            ("rounds", { $0.rounds = 0 }), ("learningRate", { $0.learningRate = -0.1 }), ("learningRate", { $0.learningRate = .nan }),
            ("maxLeaves", { $0.maxLeaves = 1 }), ("maxDepth", { $0.maxDepth = 0 }), ("minSamplesLeaf", { $0.minSamplesLeaf = 0 }),
            ("minHessianLeaf", { $0.minHessianLeaf = -1 }), ("minGain", { $0.minGain = -1 }), ("l2", { $0.l2 = -1 }),
            ("rowSubsample", { $0.rowSubsample = 0 }), ("featureSubsample", { $0.featureSubsample = 1.5 }),
            ("earlyStoppingRounds", { $0.earlyStoppingRounds = 0 }), ("workers", { $0.workers = 0 }),
            ("objective.variancePower", { $0.objective = .tweedie(variancePower: 2.5) }),
            ("objective.classes", { $0.objective = .multiclassSoftmax(classes: 1) }),
        ]
        for (name, change) in cases {
            var config = Self.config(.squaredError)
            change(&config)
            do {
                _ = try GradientBoostedTrees(config).fit(x, targets: y)
                Issue.record("\(name) accepted")
            } catch {
                guard case .invalidHyperParameter(let n, _, _) = error else {
                    Issue.record("\(name): \(error)")
                    continue
                }
                #expect(n == name)
            }
        }
        #expect(throws: LearningError.invalidTarget(row: 0, value: y[0] > 1 ? y[0] : y[0], expected: "0 or 1")) {
            try GradientBoostedTrees(Self.config(.binaryLogLoss)).fit(x, targets: y.map { _ in y[0] })
        }
        #expect(throws: LearningError.sizeMismatch(what: "targets", expected: 50, actual: 49)) {
            try GradientBoostedTrees(Self.config(.squaredError)).fit(x, targets: Array(y.dropLast()))
        }
    }

    @Test("a bin outside a feature's bins is refused; balanced class weights give each class the same total")
    func inputsAndWeights() throws {
        let (x, _, y) = TreeData.make(rows: 60)
        var bad = x
        bad.bins[5 * x.columns + 2] = UInt8(x.binCounts[2])
        #expect(throws: LearningError.binOutOfRange(row: 5, column: 2, bin: x.binCounts[2], binCount: x.binCounts[2])) {
            try GradientBoostedTrees(Self.config(.squaredError)).fit(bad, targets: y)
        }
        let labels = y.map { $0 > 1.5 ? 1 : 0 }
        let w = ClassBalance.weights(labels: labels, classes: 2)
        let perClass = (0..<2).map { c in zip(labels, w).filter { $0.0 == c }.reduce(0.0) { $0 + $1.1 } }
        #expect(abs(perClass[0] - perClass[1]) < 1e-9 && abs(perClass[0] + perClass[1] - 60) < 1e-9)
        let model = try GradientBoostedTrees(Self.config(.binaryLogLoss)).fit(x, labels: labels, weights: w)
        #expect(model.predict(x).values.count == 60)
    }

    @Test("single-row prediction equals batch prediction bit for bit", arguments: [Objective.binaryLogLoss, .multiclassSoftmax(classes: 3)])
    func singleRow(objective: Objective) throws {
        let (x, _, y) = TreeData.make(rows: 200)
        let model = try GradientBoostedTrees(Self.config(objective)).fit(x, targets: Self.targets(objective, y))
        let batch = model.predict(x)
        let raw = model.rawScores(x)
        for i in 0..<x.rows {
            #expect(model.predict(row: x.row(i)) == Array(batch.row(i)))
            #expect(model.rawScores(row: x.row(i)) == Array(raw.row(i)))
        }
        #expect(model.predict(x, workers: 1) == batch)
        let p = model.probabilities(x)
        #expect(p.columns == max(2, objective.outputs))
        for i in 0..<x.rows { #expect(model.probabilities(row: x.row(i)) == Array(p.row(i))) }
    }

    @Test("save, load and predict give bit-identical results; unknown versions and broken trees are refused")
    func roundTrip() throws {
        let (x, _, y) = TreeData.make(rows: 150)
        let model = try GradientBoostedTrees(Self.config(.tweedie(variancePower: 1.3))).fit(x, targets: Self.targets(.poisson, y))
        let loaded = try TestData.roundTrip(model)
        #expect(loaded == model)
        #expect(loaded.predict(x) == model.predict(x))
        let json = try #require(String(data: JSONEncoder().encode(model), encoding: .utf8))
        #expect(throws: ModelFormatError.unsupportedFormatVersion(model: "gradient-boosted-trees", found: 2, supported: 1)) {
            try JSONDecoder().decode(
                TreeEnsemble.self,
                from: Data(json.replacingOccurrences(of: "\"formatVersion\":1", with: "\"formatVersion\":2").utf8)
            )
        }
        var broken = model.trees
        broken[0].leftChild[0] = 99
        let bad = TreeEnsemble(objective: model.objective, features: 4, baseScores: model.baseScores, trees: [broken[0]], report: nil)
        #expect(throws: ModelFormatError.self) { try TestData.roundTrip(bad) }
    }

    @Test("early stopping keeps the best round and stops after the patience runs out")
    func earlyStopping() throws {
        let (x, _, y) = TreeData.make(rows: 200, seed: 3)
        let (vx, _, vy) = TreeData.make(rows: 100, seed: 30)
        var config = Self.config(.squaredError, rounds: 300)
        config.learningRate = 0.8
        config.maxLeaves = 16
        config.minSamplesLeaf = 1
        config.earlyStoppingRounds = 5
        let model = try GradientBoostedTrees(config).fit(x, targets: y, validation: .init(x: vx, targets: vy))
        let report = try #require(model.report)
        #expect(report.stoppedEarly && report.roundsTrained < 300)
        #expect(report.roundsTrained == report.rounds + 5)
        #expect(report.validationLoss[report.rounds - 1] == report.validationLoss.min())
        #expect(model.trees.count == report.rounds)
        let mse = RegressionMetrics(targets: vy, predictions: model.predict(vx).values).rmse
        #expect(abs(mse * mse - report.validationLoss[report.rounds - 1]) < 1e-9)
    }

    @Test("row and feature subsampling are repeatable for a seed and differ between seeds")
    func subsampling() throws {
        let (x, _, y) = TreeData.make(rows: 200)
        var config = Self.config(.squaredError)
        config.rowSubsample = 0.6
        config.featureSubsample = 0.5
        let a = try GradientBoostedTrees(config).fit(x, targets: y)
        let b = try GradientBoostedTrees(config).fit(x, targets: y)
        config.seed = 99
        let c = try GradientBoostedTrees(config).fit(x, targets: y)
        #expect(a == b)
        #expect(a.trees != c.trees)
        #expect(a.trees.allSatisfy { Set($0.splitFeature).count <= 2 })
    }

    @Test("the fit does not depend on the number of workers (large enough for every parallel path)")
    func workersDoNotMatter() throws {
        let (x, _, y) = TreeData.make(rows: 20_000, columns: 3)
        var config = Self.config(.binaryLogLoss, rounds: 3)
        config.workers = 1
        let one = try GradientBoostedTrees(config).fit(x, targets: Self.targets(.binaryLogLoss, y))
        config.workers = 2
        let two = try GradientBoostedTrees(config).fit(x, targets: Self.targets(.binaryLogLoss, y))
        #expect(one == two)
    }

    @Test("contributions add up to the raw score (Saabas and TreeSHAP) and TreeSHAP equals brute-force Shapley values")
    func contributions() throws {
        let (x, _, y) = TreeData.make(rows: 200)
        let model = try GradientBoostedTrees(Self.config(.multiclassSoftmax(classes: 3), rounds: 4)).fit(
            x,
            targets: Self.targets(.multiclassSoftmax(classes: 3), y)
        )
        for i in [0, 7, 33] {
            let raw = model.rawScores(row: x.row(i))
            for method in [TreeEnsemble.ContributionMethod.saabas, .treeSHAP] {
                let phi = model.contributions(row: x.row(i), method: method)
                for c in 0..<3 { #expect(abs(phi.row(c).reduce(0, +) - raw[c]) < 1e-9) }
            }
            let shap = model.contributions(row: x.row(i), method: .treeSHAP)
            let bins = Array(x.row(i))
            for (t, tree) in model.trees.enumerated() where t % 3 == 0 {
                let exact = Shapley.values(tree, bins, features: 4)
                var treePhi = [Double](repeating: 0, count: 5)
                treePhi.withUnsafeMutableBufferPointer { tree.treeSHAP(bins, into: $0) }
                for j in 0..<4 { #expect(abs(exact[j] - treePhi[j]) < 1e-12, "tree \(t) feature \(j)") }
            }
            _ = shap
        }
    }

    @Test("an average of ensembles scores the weighted average of their raw scores, and its contributions add up to it")
    func averaging() throws {
        let (x, _, y) = TreeData.make(rows: 300)
        let objective = Objective.multiclassSoftmax(classes: 3)
        var a = Self.config(objective, rounds: 5)
        var b = Self.config(objective, rounds: 8)
        b.maxLeaves = 12
        b.learningRate = 0.1
        a.seed = 1
        let first = try GradientBoostedTrees(a).fit(x, targets: Self.targets(objective, y))
        let second = try GradientBoostedTrees(b).fit(x, targets: Self.targets(objective, y))
        let average = TreeEnsemble(averaging: [(first, 0.75), (second, 0.25)])
        #expect(average.trees.count == first.trees.count + second.trees.count)
        #expect(average.report?.rounds == 13)
        let (ra, rb, r) = (first.rawScores(x), second.rawScores(x), average.rawScores(x))
        for i in r.values.indices { #expect(abs(r.values[i] - (0.75 * ra.values[i] + 0.25 * rb.values[i])) < 1e-12) }
        #expect(average.predict(x) == objective.predictions(raw: r))
        for i in [0, 41] {
            let phi = average.contributions(row: x.row(i), method: .treeSHAP)
            let raw = average.rawScores(row: x.row(i))
            for c in 0..<3 { #expect(abs(phi.row(c).reduce(0, +) - raw[c]) < 1e-9) }
        }
        // Raw scores average only in a shared link: Tweedie of any power with Poisson, not with squared error.
        #expect(Objective.tweedie(variancePower: 1.2).sharesLink(with: .tweedie(variancePower: 1.8)))
        #expect(Objective.tweedie(variancePower: 1.2).sharesLink(with: .poisson))
        #expect(!Objective.tweedie(variancePower: 1.2).sharesLink(with: .squaredError))
        #expect(!Objective.multiclassSoftmax(classes: 3).sharesLink(with: .multiclassSoftmax(classes: 4)))
    }

    @Test("the serving walk: Saabas per output summed into groups, and the raw score prediction adds, bit for bit")
    func servingWalk() throws {
        let (x, _, y) = TreeData.make(rows: 300)
        let model = try GradientBoostedTrees(Self.config(.multiclassSoftmax(classes: 3), rounds: 30)).fit(
            x,
            targets: Self.targets(.multiclassSoftmax(classes: 3), y)
        )
        let pairs: [Int32] = [0, 0, 1, 1]  // features 0 and 1 in group 0, 2 and 3 in group 1
        for i in stride(from: 0, to: 300, by: 23) {
            let raw = model.rawScores(row: x.row(i))
            let full = model.contributions(row: x.row(i), method: .saabas)
            for c in 0..<3 {
                var sums = [Double](repeating: 0, count: 2)
                let walked = Array(x.row(i)).withUnsafeBufferPointer { bins in
                    pairs.withUnsafeBufferPointer { buckets in
                        sums.withUnsafeMutableBufferPointer {
                            model.saabas(row: bins.baseAddress!, output: c, buckets: buckets.baseAddress!, into: $0.baseAddress!)
                        }
                    }
                }
                #expect(walked == raw[c], "row \(i) output \(c)")
                #expect(abs(sums[0] - (full[c, 0] + full[c, 1])) < 1e-9)
                #expect(abs(sums[1] - (full[c, 2] + full[c, 3])) < 1e-9)
            }
        }
    }

    @Test("gain importance ranks the informative features first")
    func importance() throws {
        let (x, _, y) = TreeData.make(rows: 300)
        let model = try GradientBoostedTrees(Self.config(.squaredError)).fit(x, targets: y)
        let gain = model.gainImportance
        #expect(gain[0] > gain[2] && gain[0] > gain[3] && gain[1] > gain[2] && gain[1] > gain[3])
        #expect(model.splitImportance.reduce(0, +) == model.trees.reduce(0) { $0 + $1.splitFeature.count })
    }
}

/// Exact Shapley values of one tree's conditional expectation by enumerating feature subsets (the definition that
/// TreeSHAP computes in polynomial time): `E[f | x_S]` follows the row where the feature is in `S` and averages both
/// children by training counts elsewhere.
enum Shapley {
    static func values(_ tree: Tree, _ bins: [UInt8], features f: Int) -> [Double] {
        func expectation(_ c: Int32, _ known: Set<Int>) -> Double {
            if c < 0 { return tree.leafValue[Int(~c)] }
            let n = Int(c)
            if known.contains(Int(tree.splitFeature[n])) {
                return expectation(tree.goesLeft(n, bins) ? tree.leftChild[n] : tree.rightChild[n], known)
            }
            func cover(_ c: Int32) -> Double { c < 0 ? tree.leafCount[Int(~c)] : tree.internalCount[Int(c)] }
            let (l, r) = (tree.leftChild[n], tree.rightChild[n])
            return (cover(l) * expectation(l, known) + cover(r) * expectation(r, known)) / (cover(l) + cover(r))
        }
        func factorial(_ n: Int) -> Double { n <= 1 ? 1 : Double(n) * factorial(n - 1) }
        var phi = [Double](repeating: 0, count: f)
        for j in 0..<f {
            for mask in 0..<(1 << f) where mask & (1 << j) == 0 {
                let s = Set((0..<f).filter { mask & (1 << $0) != 0 })
                let weight = factorial(s.count) * factorial(f - s.count - 1) / factorial(f)
                phi[j] += weight * (expectation(tree.root, s.union([j])) - expectation(tree.root, s))
            }
        }
        return phi
    }
}
