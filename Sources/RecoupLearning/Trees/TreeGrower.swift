/// Grows one regression tree on gradients and hessians, leaf-wise (best-first): at every step the leaf whose best
/// split gains most is split, until `maxLeaves` leaves exist or no leaf can be split (LightGBM
/// `SerialTreeLearner::Train`, scikit-learn `TreeGrower`).
///
/// Per split, only the smaller child's histogram is built from its rows; the larger child's is the parent's minus
/// the smaller's (the subtraction trick), computed in the parent's buffer. Children that cannot be split (depth
/// limit, too few rows) get no histogram at all unless their sibling needs it for the subtraction.
///
/// Leaf values are the Newton step of the second-order approximation, shrunk by the learning rate η:
///
///     w* = −η · G / (H + λ)        (XGBoost, Chen & Guestrin 2016, eq. 5)
///
/// with `G`, `H` the sums of gradients and hessians of the leaf's rows.
struct TreeGrower {
    struct Rules: Sendable {
        var maxLeaves: Int
        var maxDepth: Int?
        var learningRate: Double
        var finder: SplitFinder
    }

    let data: TrainingBins
    let rules: Rules
    let workers: Int
    /// The rows of each leaf of the last grown tree.
    private(set) var partition: DataPartition
    private var pool: [Histogram] = []
    private var free: [Int] = []

    private struct LeafState {
        var totals: SIMD2<Double>
        var depth: Int
        var histogram: Int?
        var best: SplitCandidate?
        var parent: (node: Int, isLeft: Bool)?
    }

    init(data: TrainingBins, rules: Rules, workers: Int) {
        self.data = data
        self.rules = rules
        self.workers = workers
        partition = DataPartition(rows: [], maxLeaves: rules.maxLeaves)
    }

    /// Grows a tree on `rows` (all rows, or a bagged subset) using only `features`.
    /// - Parameter gradients: `(g, h)` of every row of the data set, indexed by row.
    mutating func grow(rows: [Int32], gradients: UnsafeBufferPointer<SIMD2<Double>>, features: [Int32]) -> Tree {
        partition.reset(rows: rows)
        var tree = Tree()
        var totals = SIMD2<Double>.zero
        for r in rows { totals += gradients[Int(r)] }
        var leaves = [LeafState(totals: totals, depth: 0, histogram: nil, best: nil, parent: nil)]
        if splittable(rows.count, depth: 0) {
            let slot = takeHistogram()
            build(slot, leaf: 0, gradients: gradients, features: features)
            leaves[0].histogram = slot
            leaves[0].best = rules.finder.best(pool[slot], totals: totals, count: rows.count, features: features, data: data)
        }
        while tree.leaves < rules.maxLeaves {
            guard let leaf = bestLeaf(leaves), let split = leaves[leaf].best else { break }
            let state = leaves[leaf]
            let count = partition.count[leaf]
            let node = tree.split(
                leaf: leaf,
                parent: state.parent,
                feature: split.feature,
                threshold: split.threshold,
                defaultLeft: split.defaultLeft,
                gain: split.gain,
                nodeValue: value(state.totals),
                nodeCount: Double(count)
            )
            let right = tree.leaves - 1
            _ = partition.split(leaf, into: right, data: data, split, workers: workers)
            leaves[leaf] = LeafState(totals: split.left, depth: state.depth + 1, histogram: nil, best: nil, parent: (node, true))
            leaves.append(LeafState(totals: split.right, depth: state.depth + 1, histogram: nil, best: nil, parent: (node, false)))
            childHistograms(parentSlot: state.histogram!, left: leaf, right: right, leaves: &leaves, gradients: gradients, features: features)
            for child in [leaf, right] {
                if let slot = leaves[child].histogram {
                    leaves[child].best = rules.finder.best(
                        pool[slot],
                        totals: leaves[child].totals,
                        count: partition.count[child],
                        features: features,
                        data: data
                    )
                }
            }
        }
        for l in 0..<tree.leaves {
            if let slot = leaves[l].histogram { free.append(slot) }
            var sums = SIMD2<Double>.zero
            partition.withRows(of: l) { for r in $0 { sums += gradients[Int(r)] } }
            tree.leafValue[l] = value(sums)
            tree.leafCount[l] = Double(partition.count[l])
        }
        return tree
    }

    /// `−η G/(H + λ)`.
    @inline(__always)
    private func value(_ s: SIMD2<Double>) -> Double {
        let denominator = s.y + rules.finder.l2
        return denominator > 0 ? -rules.learningRate * s.x / denominator : 0
    }

    private func splittable(_ count: Int, depth: Int) -> Bool {
        count >= 2 * rules.finder.minSamplesLeaf && (rules.maxDepth.map { depth < $0 } ?? true)
    }

    /// The leaf with the highest gain (the lowest id among equals), if any can be split.
    private func bestLeaf(_ leaves: [LeafState]) -> Int? {
        var best: Int?
        for (i, l) in leaves.enumerated() {
            guard let gain = l.best?.gain else { continue }
            if best == nil || gain > leaves[best!].best!.gain { best = i }
        }
        return best
    }

    /// Gives the children of a split their histograms: the smaller one built, the larger one by subtraction.
    private mutating func childHistograms(
        parentSlot: Int,
        left: Int,
        right: Int,
        leaves: inout [LeafState],
        gradients: UnsafeBufferPointer<SIMD2<Double>>,
        features: [Int32]
    ) {
        let (nl, nr) = (partition.count[left], partition.count[right])
        let depth = leaves[left].depth
        let (small, large) = nl <= nr ? (left, right) : (right, left)
        let smallSplits = splittable(partition.count[small], depth: depth)
        let largeSplits = splittable(partition.count[large], depth: depth)
        switch (smallSplits, largeSplits) {
        case (false, false):
            free.append(parentSlot)
        case (true, false):
            build(parentSlot, leaf: small, gradients: gradients, features: features)
            leaves[small].histogram = parentSlot
        case (_, true):
            let slot = takeHistogram()
            build(slot, leaf: small, gradients: gradients, features: features)
            let smallHistogram = pool[slot]
            pool[parentSlot].subtract(smallHistogram, features: features, data: data)
            leaves[large].histogram = parentSlot
            if smallSplits { leaves[small].histogram = slot } else { free.append(slot) }
        }
    }

    private mutating func build(_ slot: Int, leaf: Int, gradients: UnsafeBufferPointer<SIMD2<Double>>, features: [Int32]) {
        let (data, workers, partition) = (data, workers, partition)
        partition.withRows(of: leaf) { rows in
            pool[slot].build(rows: rows, data: data, gradients: gradients, features: features, workers: workers)
        }
    }

    private mutating func takeHistogram() -> Int {
        if let slot = free.popLast() { return slot }
        pool.append(Histogram(slotCount: data.slotCount))
        return pool.count - 1
    }
}
