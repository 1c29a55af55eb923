/// Per-row feature contributions: how much each feature moved one row's raw score away from the ensemble's
/// expected score. For every output `k`, `Σ_j φ_kj + bias_k = raw score_k` exactly.
extension TreeEnsemble {
    /// How contributions are attributed.
    package enum ContributionMethod: String, Sendable, Codable {
        /// Saabas path attribution (XGBoost `approx_contribs`): along the row's path, each split's feature gets
        /// `value(child) − value(node)`, where a node's value is its own Newton value `−ηG/(H+λ)`. `O(depth)` per
        /// tree: a few microseconds per row, the choice for serving.
        case saabas
        /// TreeSHAP (Lundberg, Erion & Lee 2018, Algorithm 2): exact Shapley values of the tree's conditional
        /// expectation with training row counts as covers. Consistent, `O(leaves · depth²)` per tree.
        case treeSHAP
    }

    /// Contributions of one binned row: a `K × (F + 1)` matrix whose last column is the bias (base score plus each
    /// tree's expected value).
    package func contributions(row: ArraySlice<UInt8>, method: ContributionMethod = .saabas) -> Matrix<Double> {
        precondition(row.count == features, "TreeEnsemble trained with \(features) features, got \(row.count)")
        let k = outputs
        var phi = Matrix<Double>(rows: k, columns: features + 1)
        for c in 0..<k { phi[c, features] = baseScores[c] }
        let bins = Array(row)
        let width = features + 1
        phi.values.withUnsafeMutableBufferPointer { all in
            for (t, tree) in trees.enumerated() {
                let out = UnsafeMutableBufferPointer(rebasing: all[((t % k) * width)..<((t % k + 1) * width)])
                switch method {
                case .saabas: tree.saabas(bins, into: out)
                case .treeSHAP: tree.treeSHAP(bins, into: out)
                }
            }
        }
        return phi
    }

    /// Contributions of one binned row.
    package func contributions(row: [UInt8], method: ContributionMethod = .saabas) -> Matrix<Double> {
        contributions(row: row[...], method: method)
    }

    /// Saabas contributions of one binned row to one output only (`F` values, bias excluded).
    package func saabasContributions(row: ArraySlice<UInt8>, output: Int) -> [Double] {
        precondition(row.count == features, "TreeEnsemble trained with \(features) features, got \(row.count)")
        var phi = [Double](repeating: 0, count: features)
        let identity = (0..<Int32(features)).map { $0 }
        row.withUnsafeBufferPointer { bins in
            identity.withUnsafeBufferPointer { buckets in
                phi.withUnsafeMutableBufferPointer { phi in
                    _ = saabas(row: bins.baseAddress!, output: output, buckets: buckets.baseAddress!, into: phi.baseAddress!)
                }
            }
        }
        return phi
    }

    /// The prediction of a single-output ensemble from its raw score (``saabas(row:output:buckets:into:)`` returns one):
    /// the same link as ``predict(_:workers:)``.
    package func prediction(raw: Double) -> Double {
        precondition(outputs == 1, "a single-output ensemble")
        var value = raw
        withUnsafeMutablePointer(to: &value) { objective.transform(UnsafeMutableBufferPointer(start: $0, count: 1)) }
        return value
    }

    /// The serving path of explanations: walks only output `output`'s trees over the packed nodes, adds each split's
    /// Saabas contribution `value(child) − value(node)` to `sums[buckets[feature]]` (so that callers sum straight
    /// into their own groups of features, without an intermediate vector), and returns the output's raw score: the
    /// base score plus the leaves reached, exactly what prediction adds. No allocation.
    package func saabas(
        row: UnsafePointer<UInt8>,
        output: Int,
        buckets: UnsafePointer<Int32>,
        into sums: UnsafeMutablePointer<Double>
    ) -> Double {
        precondition(output >= 0 && output < outputs, "output \(output) of \(outputs)")
        let k = outputs
        var raw = baseScores[output]
        nodes.withUnsafeBufferPointer { nodes in
            leafValues.withUnsafeBufferPointer { leaves in
                nodeValues.withUnsafeBufferPointer { values in
                    roots.withUnsafeBufferPointer { roots in
                        let walk = SaabasWalk(row: row, nodes: nodes.baseAddress!, leaves: leaves.baseAddress!, values: values.baseAddress!)
                        // Eight of the output's trees at a time in lockstep (their walks are independent chains of
                        // loads); their leaves are added to the raw score in tree order, as prediction adds them.
                        var t = output
                        while t + 7 * k < roots.count {
                            var lanes = (
                                walk.start(roots[t]), walk.start(roots[t + k]), walk.start(roots[t + 2 * k]), walk.start(roots[t + 3 * k]),
                                walk.start(roots[t + 4 * k]), walk.start(roots[t + 5 * k]), walk.start(roots[t + 6 * k]),
                                walk.start(roots[t + 7 * k])
                            )
                            while max(
                                max(max(lanes.0.node, lanes.1.node), max(lanes.2.node, lanes.3.node)),
                                max(max(lanes.4.node, lanes.5.node), max(lanes.6.node, lanes.7.node))
                            ) >= 0 {
                                walk.step(&lanes.0, buckets, sums)
                                walk.step(&lanes.1, buckets, sums)
                                walk.step(&lanes.2, buckets, sums)
                                walk.step(&lanes.3, buckets, sums)
                                walk.step(&lanes.4, buckets, sums)
                                walk.step(&lanes.5, buckets, sums)
                                walk.step(&lanes.6, buckets, sums)
                                walk.step(&lanes.7, buckets, sums)
                            }
                            raw += lanes.0.value
                            raw += lanes.1.value
                            raw += lanes.2.value
                            raw += lanes.3.value
                            raw += lanes.4.value
                            raw += lanes.5.value
                            raw += lanes.6.value
                            raw += lanes.7.value
                            t += 8 * k
                        }
                        while t < roots.count {
                            var lane = walk.start(roots[t])
                            while lane.node >= 0 { walk.step(&lane, buckets, sums) }
                            raw += lane.value
                            t += k
                        }
                    }
                }
            }
        }
        return raw
    }
}

/// One tree walk of ``TreeEnsemble/saabas(row:output:buckets:into:)``: where it is and the value of that node.
private struct SaabasWalk {
    struct Lane {
        var node: Int32
        var value: Double
    }
    let row: UnsafePointer<UInt8>
    let nodes: UnsafePointer<TreeEnsemble.PackedNode>
    let leaves: UnsafePointer<Double>
    let values: UnsafePointer<Double>

    @inline(__always)
    func value(_ node: Int32) -> Double { node >= 0 ? values[Int(node)] : leaves[Int(~node)] }

    @inline(__always)
    func start(_ root: Int32) -> Lane { Lane(node: root, value: value(root)) }

    /// One split down: the split's feature gets `value(child) − value(node)`; a finished walk (a leaf) stays put.
    @inline(__always)
    func step(_ lane: inout Lane, _ buckets: UnsafePointer<Int32>, _ sums: UnsafeMutablePointer<Double>) {
        guard lane.node >= 0 else { return }
        let n = nodes[Int(lane.node)]
        let b = row[Int(n.feature)]
        let next = b <= n.threshold || (b == BinMapper.missingBin && n.defaultLeft) ? n.left : n.right
        let v = value(next)
        sums[Int(buckets[Int(n.feature)])] += v - lane.value
        lane = Lane(node: next, value: v)
    }
}

extension Tree {
    /// Whether a row with bin `b` at internal node `n` goes left.
    @inline(__always)
    func goesLeft(_ n: Int, _ bins: [UInt8]) -> Bool {
        let b = bins[Int(splitFeature[n])]
        return b == BinMapper.missingBin ? defaultLeft[n] : b <= thresholdBin[n]
    }

    /// The value of a child reference (internal node value or leaf value).
    @inline(__always)
    private func value(_ c: Int32) -> Double { c >= 0 ? internalValue[Int(c)] : leafValue[Int(~c)] }

    /// Saabas attribution; `phi[features]` receives the root value (the bias).
    func saabas(_ bins: [UInt8], into phi: UnsafeMutableBufferPointer<Double>) {
        bins.withUnsafeBufferPointer { saabas($0, into: phi) }
    }

    /// Saabas attribution over a row's bins in place.
    func saabas(_ bins: UnsafeBufferPointer<UInt8>, into phi: UnsafeMutableBufferPointer<Double>) {
        var node = root
        phi[phi.count - 1] += value(node)
        while node >= 0 {
            let n = Int(node)
            let b = bins[Int(splitFeature[n])]
            let left = b == BinMapper.missingBin ? defaultLeft[n] : b <= thresholdBin[n]
            let child = left ? leftChild[n] : rightChild[n]
            phi[Int(splitFeature[n])] += value(child) - value(node)
            node = child
        }
    }

    /// The cover (training rows) of a child reference.
    @inline(__always)
    private func cover(_ c: Int32) -> Double { c >= 0 ? internalCount[Int(c)] : leafCount[Int(~c)] }

    /// TreeSHAP (Lundberg et al. 2018, Algorithm 2); `phi[features]` receives the tree's expected value.
    func treeSHAP(_ bins: [UInt8], into phi: UnsafeMutableBufferPointer<Double>) {
        let expected = expectedValue(root)
        phi[phi.count - 1] += expected
        guard root >= 0 else { return }
        var path: [PathElement] = []
        recurse(root, bins, phi, &path, zeroFraction: 1, oneFraction: 1, feature: -1)
    }

    /// Cover-weighted mean of the leaf values below `c`.
    private func expectedValue(_ c: Int32) -> Double {
        if c < 0 { return leafValue[Int(~c)] }
        let n = Int(c)
        let (l, r) = (leftChild[n], rightChild[n])
        let total = cover(l) + cover(r)
        guard total > 0 else { return 0.5 * (expectedValue(l) + expectedValue(r)) }
        return (cover(l) * expectedValue(l) + cover(r) * expectedValue(r)) / total
    }

    private struct PathElement {
        var feature: Int
        var zeroFraction: Double
        var oneFraction: Double
        var weight: Double
    }

    private func recurse(
        _ c: Int32,
        _ bins: [UInt8],
        _ phi: UnsafeMutableBufferPointer<Double>,
        _ parentPath: inout [PathElement],
        zeroFraction: Double,
        oneFraction: Double,
        feature: Int
    ) {
        var path = parentPath
        Self.extend(&path, zeroFraction, oneFraction, feature)
        if c < 0 {
            let v = leafValue[Int(~c)]
            for i in 1..<path.count {
                let w = Self.unwoundSum(path, i)
                phi[path[i].feature] += w * (path[i].oneFraction - path[i].zeroFraction) * v
            }
            return
        }
        let n = Int(c)
        let hot = goesLeft(n, bins) ? leftChild[n] : rightChild[n]
        let cold = hot == leftChild[n] ? rightChild[n] : leftChild[n]
        let nodeCover = cover(c) > 0 ? cover(c) : cover(hot) + cover(cold)
        let split = Int(splitFeature[n])
        var incomingZero = 1.0
        var incomingOne = 1.0
        if let k = path.indices.dropFirst().first(where: { path[$0].feature == split }) {
            incomingZero = path[k].zeroFraction
            incomingOne = path[k].oneFraction
            Self.unwind(&path, k)
        }
        let hotShare = nodeCover > 0 ? cover(hot) / nodeCover : 0.5
        let coldShare = nodeCover > 0 ? cover(cold) / nodeCover : 0.5
        recurse(hot, bins, phi, &path, zeroFraction: hotShare * incomingZero, oneFraction: incomingOne, feature: split)
        recurse(cold, bins, phi, &path, zeroFraction: coldShare * incomingZero, oneFraction: 0, feature: split)
    }

    private static func extend(_ path: inout [PathElement], _ zero: Double, _ one: Double, _ feature: Int) {
        let depth = path.count
        path.append(PathElement(feature: feature, zeroFraction: zero, oneFraction: one, weight: depth == 0 ? 1 : 0))
        let d = Double(depth)
        for i in stride(from: depth - 1, through: 0, by: -1) {
            path[i + 1].weight += one * path[i].weight * Double(i + 1) / (d + 1)
            path[i].weight = zero * path[i].weight * (d - Double(i)) / (d + 1)
        }
    }

    private static func unwind(_ path: inout [PathElement], _ index: Int) {
        let depth = path.count - 1
        let one = path[index].oneFraction
        let zero = path[index].zeroFraction
        var next = path[depth].weight
        let d = Double(depth)
        for i in stride(from: depth - 1, through: 0, by: -1) {
            if one != 0 {
                let t = path[i].weight
                path[i].weight = next * (d + 1) / (Double(i + 1) * one)
                next = t - path[i].weight * zero * (d - Double(i)) / (d + 1)
            } else {
                path[i].weight = path[i].weight * (d + 1) / (zero * (d - Double(i)))
            }
        }
        for i in index..<depth {
            path[i].feature = path[i + 1].feature
            path[i].zeroFraction = path[i + 1].zeroFraction
            path[i].oneFraction = path[i + 1].oneFraction
        }
        path.removeLast()
    }

    private static func unwoundSum(_ path: [PathElement], _ index: Int) -> Double {
        let depth = path.count - 1
        let one = path[index].oneFraction
        let zero = path[index].zeroFraction
        var next = path[depth].weight
        var total = 0.0
        let d = Double(depth)
        for i in stride(from: depth - 1, through: 0, by: -1) {
            if one != 0 {
                let t = next * (d + 1) / (Double(i + 1) * one)
                total += t
                next = path[i].weight - t * zero * (d - Double(i)) / (d + 1)
            } else if zero != 0 {
                total += path[i].weight / zero / ((d - Double(i)) / (d + 1))
            }
        }
        return total
    }
}
