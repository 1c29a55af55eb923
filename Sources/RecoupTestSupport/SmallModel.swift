// RecoupTestSupport: what the test targets share (a small model trained in a second). In no product.

internal import Foundation
package import RecoupCore
internal import RecoupLearning
package import RecoupScoring
package import RecoupTraining

/// A small model trained in a second on generated data: for tests and examples that need a real bundle without
/// the cost (or the drift) of a committed fixture.
package enum SmallModel {
    /// A quick configuration: few rounds, small trees, no search.
    package static var configuration: TrainingConfiguration {
        var c = TrainingConfiguration()
        c.trees.rounds = 25
        c.trees.maxLeaves = 8
        c.trees.minSamplesLeaf = 10
        c.trees.earlyStoppingRounds = nil
        c.logistic.maxIterations = 100
        c.budgetSeconds = 0
        return c
    }

    /// Labelled returns and the bundle trained on them (`rows` generated with `seed`).
    package static func train(
        rows: Int = 800,
        seed: UInt64 = 1,
        version: String = "small-test"
    ) throws -> (bundle: ModelBundle, data: [LabelledReturn]) {
        let data = SyntheticReturns.generate(rows: rows, seed: seed)
        let csv = ReturnRecord.csv(data.map(\.record), labels: data.map(\.labels))
        let outcome = try TrainingPipeline(configuration: configuration).run(
            csv: csv,
            source: "generated(\(rows), \(seed))",
            version: version,
            now: Date(timeIntervalSince1970: 1_790_000_000)
        )
        return (outcome.bundle, data)
    }

    /// One shared small model per process.
    package static let shared: (bundle: ModelBundle, data: [LabelledReturn]) = {
        do { return try train() } catch { fatalError("the small test model failed to train: \(error)") }
    }()
}
