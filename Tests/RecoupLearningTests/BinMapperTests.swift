import Testing

@testable import RecoupLearning

@Suite("Quantile binning")
struct BinMapperTests {
    @Test("few distinct values get one bin each; NaN goes to the missing bin; unseen values still bin")
    func distinctValues() {
        let x = Matrix<Float>(rows: 6, columns: 1, values: [3, 1, 2, 2, .nan, 1])
        let mapper = BinMapper.fit(x)
        #expect(mapper.binCounts == [3])
        let binned = mapper.transform(x)
        #expect(binned.bins == [2, 0, 1, 1, BinMapper.missingBin, 0])
        #expect(mapper.bin(-100, feature: 0) == 0)
        #expect(mapper.bin(100, feature: 0) == 2)
    }

    @Test("many distinct values are cut into at most maxBins roughly equal-count bins")
    func quantiles() {
        var rng = SplitMix64(seed: 1)
        let values = (0..<10_000).map { _ in Float(rng.nextUnit()) }
        let mapper = BinMapper.fit(Matrix(rows: values.count, columns: 1, values: values), maxBins: 10)
        #expect(mapper.binCounts == [10])
        var counts = [Int](repeating: 0, count: 10)
        for v in values { counts[Int(mapper.bin(v, feature: 0))] += 1 }
        #expect(counts.allSatisfy { abs($0 - 1000) < 60 }, "\(counts)")
    }

    @Test("a column that is all missing has one bin and never crashes")
    func allMissing() {
        let mapper = BinMapper.fit(Matrix<Float>(rows: 3, columns: 1, values: [.nan, .nan, .nan]))
        #expect(mapper.binCounts == [1])
        #expect(mapper.bin(5, feature: 0) == 0)
    }
}
