import Foundation
import RecoupCore
import RecoupFeatures
import RecoupLearning
import RecoupScoring
import RecoupTestSupport
import Testing

@testable import RecoupTraining

@Suite("Tree search within a budget")
struct TreeSearchTests {
    static let rows = SyntheticReturns.generate(rows: 1500, seed: 41)
    static let csv = ReturnRecord.csv(rows.map(\.record), labels: rows.map(\.labels))
    /// One searched bundle for the tests that only read it.
    static let searched = Result { try train(budget: budget) }
    /// Seconds of the cost model (calibrated on 180k rows, where split finding over 116 columns weighs far less than
    /// on these 1,500): about a dozen configurations for each head.
    static let budget = 30.0

    /// The small configuration with a budget: a few dozen fits of a few rounds on 1,050 training rows.
    static func configuration(budget: Double, seed: UInt64 = 9) -> TrainingConfiguration {
        var c = SmallModel.configuration
        c.trees.rounds = 60
        c.trees.earlyStoppingRounds = 10
        c.budgetSeconds = budget
        c.seed = seed
        return c
    }

    static func train(budget: Double, seed: UInt64 = 9) throws -> ModelBundle {
        try TrainingPipeline(configuration: configuration(budget: budget, seed: seed))
            .run(csv: csv, source: "search", version: "v", now: Date(timeIntervalSince1970: 1_800_000_000)).bundle
    }

    /// The bundle without what is measured in seconds (fits, searches).
    static func untimed(_ bundle: ModelBundle) -> ModelBundle {
        func strip(_ s: inout Selection) {
            for i in s.candidates.indices { s.candidates[i].fitSeconds = 0 }
            guard var search = s.search else { return }
            search.seconds = 0
            for i in search.trials.indices { search.trials[i].seconds = 0 }
            s.search = search
        }
        var b = bundle
        strip(&b.disposition.selection)
        strip(&b.fraud.selection)
        strip(&b.recovery.selection)
        if var r = b.requestStage {
            strip(&r.disposition.selection)
            strip(&r.fraud.selection)
            strip(&r.recovery.selection)
            b.requestStage = r
        }
        return b
    }

    @Test("the same seed and budget give the same bundle; another seed draws other configurations")
    func reproducible() throws {
        let again = try Self.train(budget: Self.budget)
        #expect(Self.untimed(try Self.searched.get()) == Self.untimed(again))
        func search(seed: UInt64) -> TreeSearch {
            TreeSearch(
                base: TrainingConfiguration.defaultTrees,
                objectives: [.squaredError],
                budget: 1,
                seed: seed,
                shape: .init(trainRows: 1, validationRows: 1, features: 1)
            )
        }
        #expect((1...5).map { search(seed: 9).configuration($0) } == (1...5).map { search(seed: 9).configuration($0) })
        #expect((1...5).map { search(seed: 9).configuration($0) } != (1...5).map { search(seed: 10).configuration($0) })
        #expect(search(seed: 9).configuration(0) == TrainingConfiguration.defaultTrees)
    }

    @Test(
        "every head is searched by successive halving: the fixed configuration is fitted in full first and scales the rungs, a third goes on, rounds follow the learning rate"
    )
    func halving() throws {
        let bundle = try Self.searched.get()
        let fixed = Self.configuration(budget: 0).trees
        #expect(bundle.receiptStage.searches.count == 3)
        for (head, search) in bundle.receiptStage.searches {
            // The fixed configuration first, in full: the rounds it trained are the scale of the earlier rungs.
            let fixedFit = search.trials[0]
            #expect(fixedFit.configuration == 0 && fixedFit.rung == 2 && fixedFit.hyperParameters.rounds == fixed.rounds, "\(head)")
            let zero = fixedFit.hyperParameters
            #expect(zero.maxLeaves == fixed.maxLeaves && zero.learningRate == fixed.learningRate && zero.l2 == fixed.l2, "\(head)")
            let scale = Double(fixedFit.roundsTrained)
            let first = search.trials.filter { $0.rung == 0 } + [fixedFit]
            #expect(first.count >= (head == "disposition" ? 9 : 3), "\(head): \(first.count) configurations in the first rung")
            #expect(first.dropLast().map(\.configuration) == Array(1..<first.count), "\(head)")
            for rung in 1..<3 {
                let reached = Set(search.trials.dropFirst().filter { $0.rung == rung }.map(\.configuration))
                let before = Set(search.trials.dropFirst().filter { $0.rung < rung }.map(\.configuration)).union([0])
                #expect(
                    reached.isSubset(of: before) && reached.count <= max(1, first.count / Int(pow(3.0, Double(rung)))) + 1,
                    "\(head) rung \(rung)"
                )
            }
            // The fixed configuration reaches the last rung (unless it stopped early before it), so the winner is
            // never worse on validation than it.
            let fixedLast = try #require(search.trials.last { $0.configuration == 0 })
            #expect(fixedLast.rung == 2 || fixedLast.roundsTrained < fixedLast.hyperParameters.rounds, "\(head)")
            #expect(search.lowerIsBetter ? search.best.metric <= fixedLast.metric : search.best.metric >= fixedLast.metric, "\(head)")
            for trial in search.trials {
                let c = trial.hyperParameters
                // Rounds in units of the fixed learning rate: the configured 60 at the last rung, the fixed fit's rounds
                // divided by 3 per rung before it.
                let rounds = trial.rung == 2 ? Double(fixed.rounds) : scale / pow(3.0, Double(2 - trial.rung))
                let expected = Int((rounds * fixed.learningRate / c.learningRate).rounded(.up))
                #expect(c.rounds == max(1, expected), "\(head) configuration \(trial.configuration) rung \(trial.rung)")
                #expect(trial.roundsKept <= trial.roundsTrained && trial.roundsTrained <= c.rounds)
                for d in TreeSearch.space {
                    let value: Double =
                        switch d.name {
                        case "maxLeaves": Double(c.maxLeaves)
                        case "learningRate": c.learningRate
                        case "minSamplesLeaf": Double(c.minSamplesLeaf)
                        case "featureSubsample": c.featureSubsample
                        case "rowSubsample": c.rowSubsample
                        default: c.l2
                        }
                    #expect(trial.configuration == 0 || (value >= d.low && value <= d.high), "\(head) \(d.name) \(value)")
                }
            }
            // The winner reached the last rung (or stopped early before it and went on as it was), and no fit of the
            // last rung did better.
            let winner = search.best
            #expect(winner.rung == 2 || winner.roundsTrained < winner.hyperParameters.rounds, "\(head)")
            for t in search.trials where t.rung == 2 {
                #expect(search.lowerIsBetter ? winner.metric <= t.metric : winner.metric >= t.metric, "\(head)")
            }
        }
        #expect(bundle.recovery.selection.search?.objectives.count == 2)
    }

    @Test(
        "the trees kept average the ensemble's fits: weights sum to 1, the winner is in it, and its validation metric is the record's and no worse than the winner's"
    )
    func ensembleIsKept() throws {
        let bundle = try Self.searched.get()
        let splits = try TrainingPipeline(configuration: Self.configuration(budget: Self.budget)).splits(csv: Self.csv, source: "search").splits
        let validation = try #require(splits.first { $0.name == "validation" })
        func trees(_ learner: HeadLearner) -> TreeEnsemble? {
            switch learner {
            case .trees(let t), .blend(_, let t, _): t
            case .logistic: nil
            }
        }
        for (head, search) in bundle.receiptStage.searches {
            #expect(abs(search.ensemble.map(\.weight).reduce(0, +) - 1) < 1e-12, "\(head)")
            #expect(search.ensemble.contains { $0.trial == search.winner }, "\(head)")
            #expect(Set(search.ensemble.map(\.trial)).count == search.ensemble.count, "\(head): a fit appears once, weighted")
            #expect(search.lowerIsBetter ? search.ensembleMetric <= search.best.metric : search.ensembleMetric >= search.best.metric, "\(head)")
            // The kept model, measured afresh on the validation rows, has the metric the selection recorded.
            let x = validation.matrices.binned
            let measured: Double
            switch head {
            case "disposition":
                guard let model = trees(bundle.disposition.learner) else { continue }
                measured = ClassificationMetrics(labels: validation.labels.map(\.disposition.index), probabilities: model.probabilities(x)).logLoss
            case "fraud":
                guard let model = trees(bundle.fraud.learner) else { continue }
                measured =
                    BinaryMetrics(labels: validation.labels.map { $0.fraudFlag ? 1 : 0 }, probabilities: model.positiveProbabilities(x)).logLoss
            default:
                let values = bundle.recovery.model.predict(x).values.map { max(0, $0) }
                measured = RegressionMetrics(targets: validation.labels.map(\.recoveryValue), predictions: values).rmse
                // Its rounds are the members' rounds, each member once.
                #expect(bundle.recovery.model.report?.rounds == search.ensemble.reduce(0) { $0 + search.trials[$1.trial].roundsKept })
            }
            #expect(abs(measured - search.ensembleMetric) < 1e-9 * max(1, abs(measured)), "\(head): \(measured) against \(search.ensembleMetric)")
        }
        #expect(bundle.receiptStage.searches.values.contains { $0.ensemble.count > 1 }, "some head averages more than its winner")
    }

    @Test("a record written before ensembles reads as the winner alone; a member that is not a trial is refused, named")
    func recordCompatibility() throws {
        let search = try #require(try Self.searched.get().disposition.selection.search)
        var json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(search)) as? [String: Any])
        json["ensemble"] = nil
        json["ensemble_metric"] = nil
        let old = try JSONDecoder().decode(TreeSearchRecord.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(old.ensemble == [.init(trial: search.winner, weight: 1)])
        #expect(old.ensembleMetric == search.best.metric)
        #expect(old.summary.contains("kept the winner alone"))
        json["ensemble"] = [["trial": search.trials.count, "weight": 1.0]]
        let data = try JSONSerialization.data(withJSONObject: json)
        #expect {
            _ = try JSONDecoder().decode(TreeSearchRecord.self, from: data)
        } throws: { "\($0)".contains("ensemble member \(search.trials.count) is not one of the \(search.trials.count) trials") }
    }

    @Test("the request stage fits the winners without a search of its own")
    func winnerIsKept() throws {
        let bundle = try Self.searched.get()
        let recovery = try #require(bundle.recovery.selection.search)
        #expect(bundle.recovery.selection.chosen == HeadTrainer.treesName(recovery.best.hyperParameters.objective))
        let request = try #require(bundle.requestStage)
        #expect(request.searches.isEmpty)
        #expect(request.recovery.model.objective == recovery.best.hyperParameters.objective)
        let trees = try #require(request.fraud.selection.candidates.first { $0.learner == "trees" })
        let winner = bundle.fraud.selection.search!.best.hyperParameters
        let fitted = try JSONDecoder().decode(GradientBoostedTrees.Configuration.self, from: Data(trees.hyperParameters.utf8))
        #expect(fitted == winner)
    }

    @Test("the HTML report plots every fit's validation metric per head and names the winners' settings")
    func report() throws {
        let bundle = try Self.searched.get()
        let sample = Self.rows.suffix(200).map { LabelledReturn(record: $0.record, labels: $0.labels) }
        let evaluation = Evaluation(scorer: Scorer(bundle: bundle, policy: .default), rows: sample)
        let html = EvaluationReport.html([evaluation], data: "d.csv")
        #expect(html.contains("Hyper-parameter search (recoup train --budget)"))
        for (head, search) in bundle.receiptStage.searches {
            #expect(html.contains("\(head) (\(bundle.version))"), "\(head)")
            #expect(html.contains("configuration \(search.best.configuration): objective"), "\(head)")
            #expect(html.contains("\(search.configurations) configurations, \(search.trials.count) fits"), "\(head)")
        }
        let plain = Evaluation(scorer: Scorer(bundle: try Self.train(budget: 0), policy: .default), rows: sample)
        #expect(!EvaluationReport.html([plain], data: "d.csv").contains("Hyper-parameter search"))
    }

    @Test("budget 0 fits the configured trees once, as before the search existed")
    func noBudget() throws {
        let bundle = try Self.train(budget: 0)
        #expect(bundle.receiptStage.searches.isEmpty)
        #expect(bundle.recovery.selection.candidates.map(\.learner) == ["trees(squared_error)", "trees(tweedie 1.5)"])
        let trees = try #require(bundle.fraud.selection.candidates.first { $0.learner == "trees" })
        var expected = Self.configuration(budget: 0).trees
        expected.objective = .binaryLogLoss
        expected.seed = 9
        #expect(try JSONDecoder().decode(GradientBoostedTrees.Configuration.self, from: Data(trees.hyperParameters.utf8)) == expected)
    }

    @Test("a budget that is not a finite number of seconds >= 0 is refused, named")
    func badBudget() throws {
        for bad in ["-1", "1e999"] {
            #expect(throws: TrainingError.self) {
                _ = try TrainingConfiguration.load(json: Array(#"{"budget_seconds": \#(bad)}"#.utf8), source: "t.json")
            }
        }
        var c = TrainingConfiguration()
        c.budgetSeconds = -2
        #expect(throws: TrainingError.invalidSetting("budget_seconds must be a finite number of seconds >= 0, got -2.0")) { try c.validate() }
        #expect(try TrainingConfiguration.load(json: Array(#"{"budget_seconds": 30}"#.utf8), source: "t.json").budgetSeconds == 30)
    }

    @Test("the budget is shared in proportion to the heads' cost: eight outputs cost about eight times one")
    func shares() {
        var multi = TrainingConfiguration.defaultTrees
        multi.objective = .multiclassSoftmax(classes: 8)
        var binary = TrainingConfiguration.defaultTrees
        binary.objective = .binaryLogLoss
        let shares = TreeSearch.shares(
            100,
            heads: [("disposition", multi), ("fraud", binary), ("recovery", TrainingConfiguration.defaultTrees)],
            shape: .init(trainRows: 100_000, validationRows: 30_000, features: 100)
        )
        #expect(abs(shares.values.reduce(0, +) - 100) < 1e-9)
        #expect(shares["fraud"] == shares["recovery"])
        #expect(shares["disposition"]! / shares["fraud"]! > 7.5 && shares["disposition"]! / shares["fraud"]! <= 8)
    }
}
