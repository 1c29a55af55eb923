import RecoupCore
import Testing

@testable import RecoupTraining

@Suite("Synthetic returns generator")
struct SyntheticReturnsTests {
    @Test("deterministic for a seed, on one core or several; another seed gives other data")
    func deterministic() {
        let a = SyntheticReturns.generate(rows: 2_500, seed: 11)
        let b = SyntheticReturns.generate(rows: 2_500, seed: 11)
        #expect(a == b)
        #expect(a.count == 2_500)
        #expect(SyntheticReturns.generate(rows: 50, seed: 12).map(\.record) != Array(a.prefix(50)).map(\.record))
        // Each row comes from its own stream: generating in parallel chunks equals generating one by one.
        let world = SyntheticWorld(seed: 11, rows: 2_500)
        #expect((0..<40).map { world.simulate(index: $0, seed: 11) } == Array(a.prefix(40)))
    }

    @Test("every generated record follows the contract: it survives a CSV round trip with no error")
    func followsContract() throws {
        let returns = SyntheticReturns.generate(rows: 600, seed: 3)
        let csv = ReturnRecord.csv(returns.map(\.record), labels: returns.map(\.labels))
        let batch = try ReturnCSVReader.read(csv, labels: .require)
        #expect(batch.errors.isEmpty, "\(batch.errors.prefix(3))")
        #expect(batch.returns.map(\.record) == returns.map(\.record))
        #expect(batch.returns.map(\.labels) == returns.map(\.labels))
    }

    @Test("rare fraud (3 to 6%), every disposition present, skewed non-negative recovery values, missing values")
    func shape() {
        let returns = SyntheticReturns.generate(rows: 8_000, seed: 5)
        let fraud = Double(returns.filter(\.labels.fraudFlag).count) / Double(returns.count)
        #expect((0.03...0.07).contains(fraud), "fraud rate \(fraud)")
        #expect(Set(returns.map(\.labels.disposition)) == Set(Disposition.allCases))
        let values = returns.map(\.labels.recoveryValue).sorted()
        #expect(values.first! >= 0)
        let mean = values.reduce(0, +) / Double(values.count)
        #expect(mean > values[values.count / 2] * 1.3, "right-skewed: mean above median")
        #expect(returns.contains { $0.record.receivedDate == nil })
        #expect(returns.contains { $0.record.customerTenureDays == nil })
        #expect(returns.contains { $0.record.serialMatches == false })
    }
}
