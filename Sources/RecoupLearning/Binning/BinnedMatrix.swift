/// Feature values reduced to small integer bins: the only view of the data the tree learner sees.
///
/// Row-major, one `UInt8` per cell: `bins[row * columns + feature]`. Feature `f` uses value bins
/// `0..<binCounts[f]` (at most ``BinMapper/maxValueBins``) and ``BinMapper/missingBin`` (255) for a missing value.
package struct BinnedMatrix: Sendable, Equatable {
    /// Number of rows.
    package let rows: Int
    /// Number of features.
    package let columns: Int
    /// Row-major bins, `rows * columns` elements.
    package var bins: [UInt8]
    /// Number of value bins of each feature (the missing bin not included).
    package let binCounts: [Int]

    package init(rows: Int, columns: Int, bins: [UInt8], binCounts: [Int]) {
        precondition(bins.count == rows * columns, "BinnedMatrix \(rows)x\(columns) needs \(rows * columns) bins, got \(bins.count)")
        precondition(binCounts.count == columns, "BinnedMatrix has \(columns) columns but \(binCounts.count) bin counts")
        self.rows = rows
        self.columns = columns
        self.bins = bins
        self.binCounts = binCounts
    }

    /// Bin of `(row, feature)`.
    package subscript(row: Int, feature: Int) -> UInt8 {
        bins[row * columns + feature]
    }

    /// The bins of one row.
    package func row(_ index: Int) -> ArraySlice<UInt8> {
        bins[(index * columns)..<((index + 1) * columns)]
    }
}
