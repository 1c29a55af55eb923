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
    mutating func split(_ leaf: Int, into newLeaf: Int, data: TrainingBins, _ split: SplitCandidate) -> Int {
        let start = begin[leaf]
        let n = count[leaf]
        let feature = split.feature
        let columnStart = feature * data.rows
        let threshold = split.threshold
        let missing = UInt8(data.binCounts[feature])
        let defaultLeft = split.defaultLeft
        var leftCount = 0
        var rightCount = 0
        data.columnBins.withUnsafeBufferPointer { bins in
            scratch.withUnsafeMutableBufferPointer { right in
                indices.withUnsafeMutableBufferPointer { idx in
                    let column = bins.baseAddress! + columnStart
                    for p in start..<(start + n) {
                        let row = idx[p]
                        let b = column[Int(row)]
                        let left = b == missing ? defaultLeft : b <= threshold
                        // Branch-free: write to both sides, advance one (the direction is data, not control flow).
                        idx[start &+ leftCount] = row
                        right[rightCount] = row
                        leftCount &+= left ? 1 : 0
                        rightCount &+= left ? 0 : 1
                    }
                    for p in 0..<rightCount { idx[start + leftCount + p] = right[p] }
                }
            }
        }
        count[leaf] = leftCount
        begin[newLeaf] = start + leftCount
        count[newLeaf] = rightCount
        return leftCount
    }
}
