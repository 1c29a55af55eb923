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
                            var start = mine.lowerBound
                            while start < mine.upperBound {
                                let block = start..<min(start + Self.blockRows, mine.upperBound)
                                for r in block { for c in 0..<k { scores[r * k + c] = baseScores[c] } }
                                for (t, root) in roots.enumerated() {
                                    let c = t % k
                                    for r in block {
                                        let leaf = Self.leaf(from: root, row: bins.baseAddress! + r * columns, nodes: nodes.baseAddress!)
                                        scores[r * k + c] += values[leaf]
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
        var scores = rawScores(x, workers: workers)
        let k = outputs
        scores.values.withUnsafeMutableBufferPointer { s in
            for r in 0..<x.rows {
                objective.transform(UnsafeMutableBufferPointer(rebasing: s[(r * k)..<((r + 1) * k)]))
            }
        }
        return scores
    }

    /// Raw scores of one binned row (`K` values).
    package func rawScores(row: ArraySlice<UInt8>) -> [Double] {
        precondition(row.count == features, "TreeEnsemble trained with \(features) features, got \(row.count)")
        let k = outputs
        var scores = baseScores
        row.withUnsafeBufferPointer { bins in
            nodes.withUnsafeBufferPointer { nodes in
                leafValues.withUnsafeBufferPointer { values in
                    for (t, root) in roots.enumerated() {
                        scores[t % k] += values[Self.leaf(from: root, row: bins.baseAddress!, nodes: nodes.baseAddress!)]
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
}
