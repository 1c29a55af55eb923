import Foundation
import RecoupCore
import RecoupLearning
import RecoupScoring
import RecoupTestSupport
import Testing

@testable import RecoupTraining

/// Training stops before any fitting, with a message, on input it cannot learn from.
@Suite("Training fails fast")
struct FailFastTests {
    let rows = SyntheticReturns.generate(rows: 120, seed: 9)
    var csv: [UInt8] { ReturnRecord.csv(rows.map(\.record), labels: rows.map(\.labels)) }

    @Test("missing label columns are named")
    func missingLabels() {
        let unlabelled = ReturnRecord.csv(rows.map(\.record))
        #expect {
            _ = try TrainingPipeline().run(csv: unlabelled, source: "x.csv")
        } throws: { error in
            let text = "\(error)"
            return text.contains("disposition") && text.contains("fraud_flag") && text.contains("recovery_value")
        }
    }

    @Test("an empty file is refused")
    func empty() {
        #expect(throws: TrainingError.self) { _ = try TrainingPipeline().run(csv: [], source: "empty.csv") }
        let header = Array((ReturnRecord.csvHeader(includeLabels: true).joined(separator: ",") + "\n").utf8)
        #expect(throws: TrainingError.emptyInput(source: "header-only.csv")) {
            _ = try TrainingPipeline().run(csv: header, source: "header-only.csv")
        }
    }

    @Test("a head with one class is refused")
    func singleClass() {
        var same = rows
        for i in same.indices { same[i].labels.fraudFlag = false }
        let bytes = ReturnRecord.csv(same.map(\.record), labels: same.map(\.labels))
        #expect(throws: TrainingError.singleClass(head: "fraud", value: "not fraud")) { _ = try TrainingPipeline().run(csv: bytes, source: "x") }
        for i in same.indices { same[i].labels.disposition = .outlet }
        let allOutlet = ReturnRecord.csv(same.map(\.record), labels: same.map(\.labels))
        #expect(throws: TrainingError.singleClass(head: "disposition", value: "outlet")) {
            _ = try TrainingPipeline().run(csv: allOutlet, source: "x")
        }
    }

    @Test(
        "bad hyper-parameters are refused before the data is read",
        arguments: [
            #"{"trees": {"learningRate": -0.1}}"#, #"{"trees": {"rounds": 0}}"#, #"{"trees": {"maxLeaves": 1}}"#,
            #"{"validation_fraction": 1.5}"#, #"{"learners": ["svm"]}"#, #"{"trees": {"leaves": 8}}"#, #"{"colour": "blue"}"#,
            #"{"logistic": {"maxIterations": 0}}"#, #"{"tweedie_variance_power": 2.5}"#,
        ]
    )
    func badSettings(json: String) {
        #expect(throws: TrainingError.self) { _ = try TrainingConfiguration.load(json: Array(json.utf8), source: "train.json") }
    }

    @Test("a partial configuration keeps the other defaults")
    func partialConfiguration() throws {
        let c = try TrainingConfiguration.load(json: Array(#"{"trees": {"rounds": 7}, "seed": 3}"#.utf8), source: "t.json")
        #expect(c.trees.rounds == 7)
        #expect(c.trees.maxLeaves == TrainingConfiguration.defaultTrees.maxLeaves)
        #expect(c.seed == 3)
    }

    @Test("training is reproducible for a seed")
    func reproducible() throws {
        var pipeline = TrainingPipeline(configuration: SmallModel.configuration)
        pipeline.configuration.seed = 5
        let data = SyntheticReturns.generate(rows: 300, seed: 4)
        let bytes = ReturnRecord.csv(data.map(\.record), labels: data.map(\.labels))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let a = try pipeline.run(csv: bytes, source: "d", version: "v", now: now).bundle
        let b = try pipeline.run(csv: bytes, source: "d", version: "v", now: now).bundle
        // Everything but the measured fit times is identical.
        #expect(a.featureSpec == b.featureSpec)
        #expect(a.disposition.learner == b.disposition.learner)
        #expect(a.fraud.learner == b.fraud.learner)
        #expect(a.fraud.calibration == b.fraud.calibration)
        #expect(a.recovery.model == b.recovery.model)
        #expect(a.recovery.interval == b.recovery.interval)
        #expect(a.disposition.validation == b.disposition.validation)
    }
}
