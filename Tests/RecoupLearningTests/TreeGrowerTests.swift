import Testing

@testable import RecoupLearning

/// Binned data shared by the tree tests: `rows × columns` features in at most 16 bins, every 7th value of feature
/// 1 missing, and a target with a threshold, an interaction and a missing-value effect.
enum TreeData {
    static func make(rows: Int, columns: Int = 4, seed: UInt64 = 1) -> (x: BinnedMatrix, dense: Matrix<Float>, y: [Double]) {
        var dense = TestData.float(TestData.gaussian(rows, columns, seed: seed))
        for i in stride(from: 0, to: rows, by: 7) { dense[i, 1] = .nan }
        var rng = SplitMix64(seed: seed + 1)
        let y = (0..<rows).map { i -> Double in
            let missing = dense[i, 1].isNaN
            let a = Double(dense[i, 0])
            let b = missing ? 0 : Double(dense[i, 1])
            return (a > 0.3 ? 2 : 0) + a * b + (missing ? 1.5 : 0) + 0.1 * (rng.nextUnit() - 0.5)
        }
        return (BinMapper.fit(dense, maxBins: 16).transform(dense), dense, y)
    }

    static func gradients(_ y: [Double]) -> [SIMD2<Double>] {
        let mean = y.reduce(0, +) / Double(y.count)
        return y.enumerated().map { SIMD2(mean - $1, 0.5 + Double($0 % 3) * 0.25) }
    }
}

@Suite("Histograms and the tree grower")
struct TreeGrowerTests {
    @Test("a sibling's histogram by subtraction equals its direct histogram (sparse-row and column-wise builds)", arguments: [true, false])
    func subtraction(sparse: Bool) throws {
        let (x, _, y) = TreeData.make(rows: 200)
        let data = try TrainingBins(x, sparseRows: sparse)
        #expect((data.sparse != nil) == sparse)
        let gh = TreeData.gradients(y)
        let features = (0..<Int32(x.columns)).map { $0 }
        let all = (0..<Int32(x.rows)).map { $0 }
        let left = all.filter { data.goesLeft(Int($0), feature: 0, threshold: 6, defaultLeft: false) }
        let right = all.filter { !data.goesLeft(Int($0), feature: 0, threshold: 6, defaultLeft: false) }
        var parent = Self.histogram(all, data, gh, workers: 1)
        let small = Self.histogram(left, data, gh, workers: 1)
        parent.subtract(small, features: features, data: data)
        let direct = Self.histogram(right, data, gh, workers: 1)
        for s in 0..<data.slotCount {
            #expect(abs(parent.slots[s].x - direct.slots[s].x) < 1e-12 && abs(parent.slots[s].y - direct.slots[s].y) < 1e-12)
        }
    }

    @Test("sparse-row and column-wise histograms agree; parallel builds agree with serial ones and repeat exactly")
    func buildsAgree() throws {
        let (x, _, y) = TreeData.make(rows: 200)
        let gh = TreeData.gradients(y)
        // Large enough for the parallel paths (rows may repeat: a histogram only sums).
        let rows = Array((0..<100).flatMap { _ in (0..<Int32(x.rows)).map { $0 } }.prefix(20_000))
        let sparse = try TrainingBins(x, sparseRows: true)
        let dense = try TrainingBins(x, sparseRows: false)
        let reference = Self.histogram(rows, dense, gh, workers: 1)
        for (data, workers) in [(sparse, 1), (sparse, 2), (dense, 2)] {
            let h = Self.histogram(rows, data, gh, workers: workers)
            for s in 0..<data.slotCount {
                #expect(abs(h.slots[s].x - reference.slots[s].x) <= 1e-9 * max(1, abs(reference.slots[s].x)))
                #expect(abs(h.slots[s].y - reference.slots[s].y) <= 1e-9 * max(1, abs(reference.slots[s].y)))
            }
            #expect(Self.histogram(rows, data, gh, workers: workers).slots == h.slots)
        }
    }

    @Test("a split partitions rows stably, in parallel exactly as serially")
    func partition() throws {
        let (x, _, _) = TreeData.make(rows: 40_000, columns: 2)
        let data = try TrainingBins(x)
        let rows = (0..<Int32(x.rows)).filter { $0 % 3 != 0 }
        let split = SplitCandidate(feature: 1, threshold: 7, defaultLeft: true, gain: 1, left: .zero, right: .zero)
        var results: [[Int32]] = []
        for workers in [1, 2] {
            var p = DataPartition(rows: rows, maxLeaves: 4)
            let left = p.split(0, into: 1, data: data, split, workers: workers)
            let (l, r) = (p.withRows(of: 0) { Array($0) }, p.withRows(of: 1) { Array($0) })
            #expect(
                l.count == left
                    && l + r == rows.filter { data.goesLeft(Int($0), feature: 1, threshold: 7, defaultLeft: true) }
                        + rows.filter { !data.goesLeft(Int($0), feature: 1, threshold: 7, defaultLeft: true) }
            )
            results.append(l + r)
        }
        #expect(results[0] == results[1])
    }

    static func histogram(_ rows: [Int32], _ data: TrainingBins, _ gh: [SIMD2<Double>], workers: Int) -> Histogram {
        var h = Histogram(slotCount: data.slotCount)
        rows.withUnsafeBufferPointer { r in
            gh.withUnsafeBufferPointer { g in
                h.build(rows: r, data: data, gradients: g, features: (0..<Int32(data.columns)).map { $0 }, workers: workers)
            }
        }
        return h
    }

    static func grow(
        _ x: BinnedMatrix,
        _ gh: [SIMD2<Double>],
        maxLeaves: Int = 8,
        maxDepth: Int? = nil,
        minSamples: Int = 5,
        l2: Double = 1.5,
        eta: Double = 0.3
    ) throws -> (Tree, TreeGrower) {
        let data = try TrainingBins(x)
        var grower = TreeGrower(
            data: data,
            rules: .init(
                maxLeaves: maxLeaves,
                maxDepth: maxDepth,
                learningRate: eta,
                finder: SplitFinder(l2: l2, minSamplesLeaf: minSamples, minHessianLeaf: 1e-3, minGain: 0)
            ),
            workers: 2
        )
        let tree = gh.withUnsafeBufferPointer {
            grower.grow(rows: (0..<Int32(x.rows)).map { $0 }, gradients: $0, features: (0..<Int32(x.columns)).map { $0 })
        }
        return (tree, grower)
    }

    @Test("each leaf's value is −η·G/(H+λ) over the rows that reach it (XGBoost eq. 5)")
    func leafValues() throws {
        let (x, _, y) = TreeData.make(rows: 300)
        let gh = TreeData.gradients(y)
        let (tree, grower) = try Self.grow(x, gh)
        #expect(tree.leaves == 8)
        for leaf in 0..<tree.leaves {
            var g = 0.0
            var h = 0.0
            var n = 0
            for i in 0..<x.rows where x.bins.withUnsafeBufferPointer({ tree.leaf(of: $0.baseAddress! + i * x.columns) }) == leaf {
                g += gh[i].x
                h += gh[i].y
                n += 1
            }
            #expect(abs(tree.leafValue[leaf] - (-0.3 * g / (h + 1.5))) < 1e-12)
            #expect(Double(n) == tree.leafCount[leaf] && n == grower.partition.count[leaf])
            #expect(n >= 5)
        }
    }

    @Test("growth stops at max leaves and max depth")
    func limits() throws {
        let (x, _, y) = TreeData.make(rows: 300)
        let gh = TreeData.gradients(y)
        #expect(try Self.grow(x, gh, maxLeaves: 2).0.leaves == 2)
        let (deep, _) = try Self.grow(x, gh, maxLeaves: 31, maxDepth: 2)
        #expect(deep.leaves <= 4)
        func depth(_ c: Int32) -> Int { c < 0 ? 0 : 1 + max(depth(deep.leftChild[Int(c)]), depth(deep.rightChild[Int(c)])) }
        #expect(depth(deep.root) <= 2)
        let (big, _) = try Self.grow(x, gh, maxLeaves: 31, minSamples: 60)
        #expect(big.leafCount.allSatisfy { $0 >= 60 })
    }

    @Test("missing values go to the side the data favours")
    func missingDirection() throws {
        // Target depends only on whether feature 1 is missing: the first split must separate missing values.
        let (x, dense, _) = TreeData.make(rows: 280)
        let y = (0..<x.rows).map { dense[$0, 1].isNaN ? 5.0 : 0.0 }
        let (tree, _) = try Self.grow(x, TreeData.gradients(y), maxLeaves: 2)
        #expect(tree.splitFeature == [1])
        let missingRow = [UInt8](repeating: 0, count: 4).enumerated().map { $0.offset == 1 ? BinMapper.missingBin : $0.element }
        let leaf = missingRow.withUnsafeBufferPointer { tree.leaf(of: $0.baseAddress!) }
        #expect(tree.leafValue[leaf] > 0)  // g = mean − 5 < 0 for missing rows: the step moves them up towards 5
        #expect(tree.leafCount[leaf] == 40)
    }
}
