import Foundation
import RecoupCore
import RecoupScoring
import RecoupTestSupport
import Testing

@testable import RecoupTraining

@Suite("Held-out test split")
struct HeldOutTests {
    @Test("the latest orders are held out, disjoint from validation, and every head is measured on them")
    func heldOut() throws {
        let rows = SyntheticReturns.generate(rows: 900, seed: 21)
        let split = try TimeSplit(rows.map(\.record.orderDate), validationFraction: 0.2, testFraction: 0.1)
        let dates = rows.map(\.record.orderDate)
        #expect(Set(split.train).isDisjoint(with: split.validation) && Set(split.validation).isDisjoint(with: split.test))
        #expect(split.train.count + split.validation.count + split.test.count == rows.count)
        #expect(split.train.allSatisfy { dates[$0] < split.validationFrom })
        #expect(split.validation.allSatisfy { dates[$0] >= split.validationFrom && dates[$0] < split.testFrom })
        #expect(split.test.allSatisfy { dates[$0] >= split.testFrom })
        #expect(abs(Double(split.test.count) / Double(rows.count) - 0.1) < 0.03)

        let csv = ReturnRecord.csv(rows.map(\.record), labels: rows.map(\.labels))
        let bundle = try TrainingPipeline(configuration: SmallModel.configuration).run(csv: csv, source: "held-out").bundle
        #expect(bundle.trainingData.testRows == split.test.count)
        #expect(bundle.trainingData.testFrom == split.testFrom.description)
        #expect(bundle.trainingData.trainRows == split.train.count)
        for (head, summary) in bundle.headSummaries {
            let test = try #require(summary.test, "\(head)")
            #expect(Set(test.keys) == Set(summary.metrics.keys), "\(head)")
            #expect(test.values.allSatisfy { $0.isFinite }, "\(head)")
        }
    }

    @Test("test_fraction 0 holds nothing out; a split too small to measure is refused")
    func noTestSplit() throws {
        let rows = SyntheticReturns.generate(rows: 400, seed: 22)
        let split = try TimeSplit(rows.map(\.record.orderDate), validationFraction: 0.2, testFraction: 0)
        #expect(split.test.isEmpty)
        #expect(throws: TrainingError.self) {
            _ = try TimeSplit(Array(rows.prefix(60)).map(\.record.orderDate), validationFraction: 0.2, testFraction: 0.05)
        }
        var configuration = TrainingConfiguration()
        configuration.testFraction = 0.75
        #expect(throws: TrainingError.self) { try configuration.validate() }
    }
}
