/// The learner's view of a ``BinnedMatrix``: the bins stored feature-major, with the missing bin (255) of feature
/// `f` moved to the slot right after its value bins (`binCounts[f]`), and each feature's first slot in a
/// ``Histogram``.
///
/// Feature-major storage lets histograms and partitions read one feature's column for the rows of a leaf in
/// increasing row order, which streams through memory. A histogram holds `binCounts[f] + 1` slots per feature,
/// back to back, instead of 256: for one-hot and low-cardinality features it is a fraction of the size, so it
/// stays in L1/L2.
struct TrainingBins: Sendable {
    let rows: Int
    let columns: Int
    /// Feature-major bins (`columnBins[f·rows + i]`); missing is `binCounts[f]`.
    let columnBins: [UInt8]
    /// Value bins of each feature.
    let binCounts: [Int]
    /// First histogram slot of each feature.
    let offsets: [Int32]
    /// Slots in one histogram: `Σ (binCounts[f] + 1)`.
    let slotCount: Int
    /// The rows' bins other than each feature's most frequent one (`nil` for very wide data; see ``SparseRows``).
    let sparse: SparseRows?

    /// Checks, remaps and transposes the bins of `x` (in parallel over features).
    /// - Parameter sparseRows: build ``SparseRows`` (when the histogram is small enough); `false` forces the
    ///   column-wise histograms (tests compare the two).
    /// - Throws: ``LearningError/binOutOfRange(row:column:bin:binCount:)`` for a bin the feature cannot have.
    init(_ x: BinnedMatrix, workers: Int = Parallel.workerCount, sparseRows: Bool = true) throws(LearningError) {
        rows = x.rows
        columns = x.columns
        binCounts = x.binCounts
        for (f, count) in binCounts.enumerated() where count < 1 || count > BinMapper.maxValueBins {
            throw .binOutOfRange(row: -1, column: f, bin: count, binCount: BinMapper.maxValueBins)
        }
        var offsets = [Int32](repeating: 0, count: columns)
        var next = 0
        for f in 0..<columns {
            offsets[f] = Int32(next)
            next += binCounts[f] + 1
        }
        self.offsets = offsets
        slotCount = next
        let (n, columns) = (x.rows, x.columns)
        let missing = binCounts.map { UInt8($0) }
        let parts = n * columns >= 1 << 20 ? workers : 1
        var bad = [(Int, Int, Int)?](repeating: nil, count: parts)
        var out = [UInt8](repeating: 0, count: n * columns)
        x.bins.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                bad.withUnsafeMutableBufferPointer { bad in
                    Parallel.run(parts: parts) { part in
                        let mine = Parallel.slice(columns, part: part, of: parts)
                        for r0 in stride(from: 0, to: n, by: 256) {
                            for f in mine {
                                let column = dst.baseAddress! + f * n
                                for r in r0..<min(r0 + 256, n) {
                                    let v = src[r * columns + f]
                                    if v == BinMapper.missingBin {
                                        column[r] = missing[f]
                                    } else {
                                        if v >= missing[f], bad[part] == nil { bad[part] = (r, f, Int(v)) }
                                        column[r] = v
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if let (r, f, v) = bad.compactMap({ $0 }).min(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
            throw .binOutOfRange(row: r, column: f, bin: v, binCount: binCounts[f])
        }
        columnBins = out
        sparse =
            sparseRows
            ? SparseRows(
                columnBins: out,
                rows: n,
                binCounts: binCounts,
                offsets: offsets,
                slotCount: next,
                workers: workers
            ) : nil
    }

    /// Whether row `row` goes to the left child of a split on `feature` at `threshold`.
    @inline(__always)
    func goesLeft(_ row: Int, feature: Int, threshold: UInt8, defaultLeft: Bool) -> Bool {
        let b = columnBins[feature * rows + row]
        return b == UInt8(truncatingIfNeeded: binCounts[feature]) ? defaultLeft : b <= threshold
    }
}
