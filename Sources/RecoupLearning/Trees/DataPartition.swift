/// The rows of every leaf of the tree being grown, as contiguous segments of one index array (LightGBM
/// `DataPartition`). Splitting a leaf reorders its segment stably into left rows then right rows; the left child
/// keeps the leaf's id and the right child takes a new one.
struct DataPartition {
    /// Row indices, grouped by leaf.
    private(set) var indices: [Int32]
    private var scratch: [Int32]
    /// First position and number of rows of each leaf.
    private(set) var begin: [Int]
    private(set) var count: [Int]

    /// All `rows` in leaf 0.
    init(rows: [Int32], maxLeaves: Int) {
        indices = rows
        scratch = [Int32](repeating: 0, count: rows.count)
        begin = [Int](repeating: 0, count: maxLeaves)
        count = [Int](repeating: 0, count: maxLeaves)
        count[0] = rows.count
    }

    /// Starts a new tree with all `rows` in leaf 0 (reusing the buffers).
    mutating func reset(rows: [Int32]) {
        if rows.count == indices.count {
            indices.withUnsafeMutableBufferPointer { dst in
                rows.withUnsafeBufferPointer { src in dst.baseAddress!.update(from: src.baseAddress!, count: src.count) }
            }
        } else {
            indices = rows
            scratch = [Int32](repeating: 0, count: rows.count)
        }
        for l in begin.indices { (begin[l], count[l]) = (0, 0) }
        count[0] = rows.count
    }

    /// Calls `body` with the row indices of `leaf`.
    func withRows<R>(of leaf: Int, _ body: (UnsafeBufferPointer<Int32>) -> R) -> R {
        indices.withUnsafeBufferPointer { all in
            body(UnsafeBufferPointer(rebasing: all[begin[leaf]..<(begin[leaf] + count[leaf])]))
        }
    }

    /// Moves the rows of `leaf` that fail `split` into `newLeaf`; returns the number that stay (go left).
    ///
    /// Large leaves are split by several workers, each over a contiguous part of the segment: it packs its left
    /// rows in place and its right rows into the scratch buffer; the parts are then stitched together in order, so
    /// the result is the same stable partition a single worker makes.
    mutating func split(_ leaf: Int, into newLeaf: Int, data: TrainingBins, _ split: SplitCandidate, workers: Int = 1) -> Int {
        let start = begin[leaf]
        let n = count[leaf]
        let parts = n >= 16_384 ? workers : 1
        let column = split.feature * data.rows
        let threshold = split.threshold
        let missing = UInt8(data.binCounts[split.feature])
        let defaultLeft = split.defaultLeft
        var lefts = [Int](repeating: 0, count: parts)
        data.columnBins.withUnsafeBufferPointer { bins in
            scratch.withUnsafeMutableBufferPointer { right in
                indices.withUnsafeMutableBufferPointer { idx in
                    lefts.withUnsafeMutableBufferPointer { lefts in
                        Parallel.run(parts: parts) { part in
                            let mine = Parallel.slice(n, part: part, of: parts)
                            let bins = bins.baseAddress! + column
                            let (first, spill) = (start + mine.lowerBound, right.baseAddress! + start + mine.lowerBound)
                            var (l, r) = (0, 0)
                            for p in first..<(start + mine.upperBound) {
                                let row = idx[p]
                                let b = bins[Int(row)]
                                let left = b == missing ? defaultLeft : b <= threshold
                                // Branch-free: write to both sides, advance one (the direction is data, not control flow).
                                idx[first &+ l] = row
                                spill[r] = row
                                l &+= left ? 1 : 0
                                r &+= left ? 0 : 1
                            }
                            lefts[part] = l
                        }
                    }
                    // Stitch: every part's left rows, then every part's right rows, in part order.
                    var write = start
                    for part in 0..<parts {
                        let from = start + Parallel.slice(n, part: part, of: parts).lowerBound
                        for p in 0..<lefts[part] { idx[write + p] = idx[from + p] }
                        write += lefts[part]
                    }
                    for part in 0..<parts {
                        let mine = Parallel.slice(n, part: part, of: parts)
                        let rights = mine.count - lefts[part]
                        for p in 0..<rights { idx[write + p] = right[start + mine.lowerBound + p] }
                        write += rights
                    }
                }
            }
        }
        let leftCount = lefts.reduce(0, +)
        count[leaf] = leftCount
        begin[newLeaf] = start + leftCount
        count[newLeaf] = n - leftCount
        return leftCount
    }
}
