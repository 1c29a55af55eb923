/// Prediction (LightGBM `gbdt_prediction.cpp`): raw scores by walking each tree over bins, then the link.
///
/// Batch prediction splits the rows between the cores and, within a core, walks blocks of rows through one tree at
/// a time, so that a block's bins and the tree's nodes both stay in L1. Single-row prediction walks the trees in
/// order; both paths add the same values in the same order, so they agree bit for bit.
extension TreeEnsemble {
    /// Rows per block of batch prediction.
    static let blockRows = 64

    /// The leaf a binned row reaches from `root` (missing = 255 follows `defaultLeft`).
    @inline(__always)
    static func leaf(from root: Int32, row: UnsafePointer<UInt8>, nodes: UnsafePointer<PackedNode>) -> Int {
        var node = root
        while node >= 0 {
            let n = nodes[Int(node)]
            let b = row[Int(n.feature)]
            node = b <= n.threshold || (b == BinMapper.missingBin && n.defaultLeft) ? n.left : n.right
        }
        return Int(~node)
    }

    /// One step down from `node` for a binned row, or `node` itself once it is a leaf (negative): no branch
    /// depends on the data, so several rows can be walked in lockstep.
    @inline(__always)
    static func step(_ node: Int32, _ row: UnsafePointer<UInt8>, _ nodes: UnsafePointer<PackedNode>) -> Int32 {
        let n = nodes[Int(max(node, 0))]
        let b = row[Int(n.feature)]
        let next = b <= n.threshold || (b == BinMapper.missingBin && n.defaultLeft) ? n.left : n.right
        return node >= 0 ? next : node
    }

    /// The leaves of eight consecutive rows, walked in lockstep so that their chains of dependent loads overlap.
    @inline(__always)
    static func leaves8(
        from root: Int32,
        rows: UnsafePointer<UInt8>,
        columns: Int,
        nodes: UnsafePointer<PackedNode>,
        into leaves: UnsafeMutablePointer<Int>
    ) {
        var (a, b, c, d, e, f, g, h) = (root, root, root, root, root, root, root, root)
        while max(max(max(a, b), max(c, d)), max(max(e, f), max(g, h))) >= 0 {
            a = step(a, rows, nodes)
            b = step(b, rows + columns, nodes)
            c = step(c, rows + 2 * columns, nodes)
            d = step(d, rows + 3 * columns, nodes)
            e = step(e, rows + 4 * columns, nodes)
            f = step(f, rows + 5 * columns, nodes)
            g = step(g, rows + 6 * columns, nodes)
            h = step(h, rows + 7 * columns, nodes)
        }
        (leaves[0], leaves[1], leaves[2], leaves[3]) = (Int(~a), Int(~b), Int(~c), Int(~d))
        (leaves[4], leaves[5], leaves[6], leaves[7]) = (Int(~e), Int(~f), Int(~g), Int(~h))
    }

    /// Raw scores (`n × K`): base score plus the sum of the trees' leaf values.
    package func rawScores(_ x: BinnedMatrix, workers: Int? = nil) -> Matrix<Double> {
        precondition(x.columns == features, "TreeEnsemble trained with \(features) features, got \(x.columns)")
        let k = outputs
        var out = Matrix<Double>(rows: x.rows, columns: k)
        let parts = x.rows >= 1024 ? (workers ?? Parallel.workerCount) : 1
        let columns = x.columns
        x.bins.withUnsafeBufferPointer { bins in
            nodes.withUnsafeBufferPointer { nodes in
                leafValues.withUnsafeBufferPointer { values in
                    out.values.withUnsafeMutableBufferPointer { scores in
                        Parallel.run(parts: parts) { part in
                            let mine = Parallel.slice(x.rows, part: part, of: parts)
                            let lanes = UnsafeMutablePointer<Int>.allocate(capacity: 8)
                            defer { lanes.deallocate() }
                            var start = mine.lowerBound
                            while start < mine.upperBound {
                                let block = start..<min(start + Self.blockRows, mine.upperBound)
                                for r in block { for c in 0..<k { scores[r * k + c] = baseScores[c] } }
                                for (t, root) in roots.enumerated() {
                                    let c = t % k
                                    var r = block.lowerBound
                                    while r + 8 <= block.upperBound {
                                        Self.leaves8(
                                            from: root,
                                            rows: bins.baseAddress! + r * columns,
                                            columns: columns,
                                            nodes: nodes.baseAddress!,
                                            into: lanes
                                        )
                                        for lane in 0..<8 { scores[(r + lane) * k + c] += values[lanes[lane]] }
                                        r += 8
                                    }
                                    while r < block.upperBound {
                                        let leaf = Self.leaf(from: root, row: bins.baseAddress! + r * columns, nodes: nodes.baseAddress!)
                                        scores[r * k + c] += values[leaf]
                                        r += 1
                                    }
                                }
                                start = block.upperBound
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Predictions (`n × K`): probabilities (binary: `P(y = 1)` in one column; multiclass: one column per class) or
    /// amounts (`e^f` for Tweedie and Poisson, `f` for squared error).
    package func predict(_ x: BinnedMatrix, workers: Int? = nil) -> Matrix<Double> {
        objective.predictions(raw: rawScores(x, workers: workers))
    }

    /// Raw scores of one binned row (`K` values).
    package func rawScores(row: ArraySlice<UInt8>) -> [Double] {
        precondition(row.count == features, "TreeEnsemble trained with \(features) features, got \(row.count)")
        let k = outputs
        var scores = baseScores
        row.withUnsafeBufferPointer { bins in
            nodes.withUnsafeBufferPointer { nodes in
                leafValues.withUnsafeBufferPointer { values in
                    // Eight trees at a time in lockstep (their walks are independent), in tree order.
                    var t = 0
                    while t + 8 <= roots.count {
                        var (a, b, c, d) = (roots[t], roots[t + 1], roots[t + 2], roots[t + 3])
                        var (e, f, g, h) = (roots[t + 4], roots[t + 5], roots[t + 6], roots[t + 7])
                        let row = bins.baseAddress!
                        let nodes = nodes.baseAddress!
                        while max(max(max(a, b), max(c, d)), max(max(e, f), max(g, h))) >= 0 {
                            (a, b, c, d) = (Self.step(a, row, nodes), Self.step(b, row, nodes), Self.step(c, row, nodes), Self.step(d, row, nodes))
                            (e, f, g, h) = (Self.step(e, row, nodes), Self.step(f, row, nodes), Self.step(g, row, nodes), Self.step(h, row, nodes))
                        }
                        scores[t % k] += values[Int(~a)]
                        scores[(t + 1) % k] += values[Int(~b)]
                        scores[(t + 2) % k] += values[Int(~c)]
                        scores[(t + 3) % k] += values[Int(~d)]
                        scores[(t + 4) % k] += values[Int(~e)]
                        scores[(t + 5) % k] += values[Int(~f)]
                        scores[(t + 6) % k] += values[Int(~g)]
                        scores[(t + 7) % k] += values[Int(~h)]
                        t += 8
                    }
                    while t < roots.count {
                        scores[t % k] += values[Self.leaf(from: roots[t], row: bins.baseAddress!, nodes: nodes.baseAddress!)]
                        t += 1
                    }
                }
            }
        }
        return scores
    }

    /// Prediction of one binned row (`K` values, see ``predict(_:workers:)``).
    package func predict(row: ArraySlice<UInt8>) -> [Double] {
        var scores = rawScores(row: row)
        scores.withUnsafeMutableBufferPointer { objective.transform($0) }
        return scores
    }

    /// Prediction of one binned row.
    package func predict(row: [UInt8]) -> [Double] { predict(row: row[...]) }

    /// Class probabilities (`n × K`, binary: `[1 − p, p]` per row), as ``LogisticModel/probabilities(_:)``.
    /// - Precondition: the objective is binary log-loss or multiclass softmax.
    package func probabilities(_ x: BinnedMatrix, workers: Int? = nil) -> Matrix<Double> {
        objective.probabilities(raw: rawScores(x, workers: workers))
    }

    /// `P(y = 1)` of each row of a binary ensemble.
    package func positiveProbabilities(_ x: BinnedMatrix, workers: Int? = nil) -> [Double] {
        precondition(objective == .binaryLogLoss, "positiveProbabilities needs a binary ensemble, this one has \(objective)")
        return predict(x, workers: workers).values
    }

    /// Class probabilities of one binned row (`K` values; binary: `[1 − p, p]`).
    package func probabilities(row: ArraySlice<UInt8>) -> [Double] {
        let p = predict(row: row)
        if objective == .binaryLogLoss { return [1 - p[0], p[0]] }
        precondition(outputs > 1, "probabilities need a classification objective, this ensemble has \(objective)")
        return p
    }
}

extension Objective {
    /// Predictions from raw scores (`n × K`, one row each): the link of ``TreeEnsemble/predict(_:workers:)``.
    package func predictions(raw: Matrix<Double>) -> Matrix<Double> {
        precondition(raw.columns == outputs, "\(raw.columns) raw scores per row for \(outputs) outputs")
        var scores = raw
        let k = outputs
        scores.values.withUnsafeMutableBufferPointer { s in
            for r in 0..<raw.rows {
                transform(UnsafeMutableBufferPointer(rebasing: s[(r * k)..<((r + 1) * k)]))
            }
        }
        return scores
    }

    /// Class probabilities from raw scores (`n × K`, binary: `[1 − p, p]` per row).
    /// - Precondition: the objective is binary log-loss or multiclass softmax.
    package func probabilities(raw: Matrix<Double>) -> Matrix<Double> {
        let p = predictions(raw: raw)
        guard self == .binaryLogLoss else {
            precondition(outputs > 1, "probabilities need a classification objective, this ensemble has \(self)")
            return p
        }
        return Matrix(rows: p.rows, columns: 2, values: p.values.flatMap { [1 - $0, $0] })
    }
}
