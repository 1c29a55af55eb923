/// Quantile bin boundaries for each feature, fitted once and applied identically at training and serving time.
///
/// In the manner of LightGBM's `BinMapper` and scikit-learn's `_BinMapper`: a feature with at most `maxBins`
/// distinct values gets one bin per value (thresholds at the midpoints between neighbours); otherwise the
/// thresholds are quantiles of a subsample, de-duplicated. `NaN` means missing and goes to ``missingBin``.
///
/// A value `v` of feature `f` goes to the first bin `i` with `v <= upperBounds[f][i]`, or to the last bin
/// (`upperBounds[f].count`) when it exceeds every bound, so values never seen in training still bin.
package struct BinMapper: Sendable, Codable, Equatable {
    /// The bin reserved for missing values (`NaN`).
    package static let missingBin: UInt8 = 255
    /// The most value bins a feature may have (bins `0...254`; 255 is the missing bin).
    package static let maxValueBins = 255

    /// Ascending inner thresholds of each feature; feature `f` has `upperBounds[f].count + 1` value bins.
    package let upperBounds: [[Float]]

    package init(upperBounds: [[Float]]) {
        precondition(upperBounds.allSatisfy { $0.count < Self.maxValueBins }, "at most \(Self.maxValueBins) bins per feature")
        self.upperBounds = upperBounds
    }

    /// Number of features.
    package var featureCount: Int { upperBounds.count }

    /// Number of value bins of each feature.
    package var binCounts: [Int] { upperBounds.map { $0.count + 1 } }

    /// Fits thresholds on the columns of a row-major matrix (`NaN` = missing).
    /// - Parameters:
    ///   - maxBins: value bins per feature, 2...255.
    ///   - sampleSize: rows used to find quantiles (a seeded random subset when the matrix is larger).
    package static func fit(
        _ x: Matrix<Float>,
        maxBins: Int = maxValueBins,
        sampleSize: Int = 200_000,
        seed: UInt64 = 0
    )
        -> BinMapper
    {
        precondition((2...maxValueBins).contains(maxBins), "maxBins must be in 2...\(maxValueBins), got \(maxBins)")
        var sampleRows = Array(0..<x.rows)
        if x.rows > sampleSize {
            var rng = SplitMix64(seed: seed)
            sampleRows.shuffle(using: &rng)
            sampleRows = Array(sampleRows.prefix(sampleSize)).sorted()
        }
        // Features are independent: each worker sorts its own share of the columns.
        let workers = x.rows * x.columns >= 1 << 16 ? Parallel.workerCount : 1
        var shares = [[[Float]]](repeating: [], count: workers)
        Parallel.forEach(&shares) { worker, share in
            var column: [Float] = []
            column.reserveCapacity(sampleRows.count)
            for f in Parallel.slice(x.columns, part: worker, of: workers) {
                column.removeAll(keepingCapacity: true)
                for r in sampleRows {
                    let v = x.values[r * x.columns + f]
                    if !v.isNaN { column.append(v) }
                }
                share.append(thresholds(of: &column, maxBins: maxBins))
            }
        }
        let bounds = shares.flatMap { $0 }
        return BinMapper(upperBounds: bounds)
    }

    /// The inner thresholds of one feature's non-missing values (sorted in place).
    static func thresholds(of values: inout [Float], maxBins: Int) -> [Float] {
        guard !values.isEmpty else { return [] }
        values.sort()
        var distinct: [Float] = []
        var counts: [Int] = []
        for v in values {
            if let last = distinct.last, last == v {
                counts[counts.count - 1] += 1
            } else {
                distinct.append(v)
                counts.append(1)
            }
        }
        if distinct.count <= maxBins {
            return (0..<(distinct.count - 1)).map { midpoint(distinct[$0], distinct[$0 + 1]) }
        }
        // Quantiles: the bound after the value at each (k / maxBins) fraction of the sorted sample.
        var result: [Float] = []
        let n = values.count
        for k in 1..<maxBins {
            let index = min(n - 1, Int((Double(k) * Double(n) / Double(maxBins)).rounded(.down)))
            let v = values[index]
            // The midpoint towards the next larger distinct value keeps equal values in one bin.
            guard let next = nextLarger(than: v, in: distinct) else { break }
            let t = midpoint(v, next)
            if result.last.map({ $0 < t }) ?? true { result.append(t) }
        }
        return result
    }

    private static func nextLarger(than v: Float, in sortedDistinct: [Float]) -> Float? {
        var lo = 0
        var hi = sortedDistinct.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sortedDistinct[mid] <= v { lo = mid + 1 } else { hi = mid }
        }
        return lo < sortedDistinct.count ? sortedDistinct[lo] : nil
    }

    private static func midpoint(_ a: Float, _ b: Float) -> Float {
        let m = a + (b - a) / 2
        return m < b ? m : a  // guards against rounding up to b for adjacent floats
    }

    /// The bin of one value of feature `feature`.
    @inline(__always)
    package func bin(_ value: Float, feature: Int) -> UInt8 {
        if value.isNaN { return Self.missingBin }
        let bounds = upperBounds[feature]
        var lo = 0
        var hi = bounds.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if value <= bounds[mid] { hi = mid } else { lo = mid + 1 }
        }
        return UInt8(truncatingIfNeeded: lo)
    }

    /// Bins every cell of a row-major matrix with as many columns as this mapper has features.
    package func transform(_ x: Matrix<Float>) -> BinnedMatrix {
        precondition(x.columns == featureCount, "BinMapper fitted with \(featureCount) features, got \(x.columns)")
        var bins = [UInt8](repeating: 0, count: x.values.count)
        let workers = x.rows * x.columns >= 1 << 16 ? Parallel.workerCount : 1
        x.values.withUnsafeBufferPointer { values in
            bins.withUnsafeMutableBufferPointer { bins in
                Parallel.run(parts: workers) { part in
                    for r in Parallel.slice(x.rows, part: part, of: workers) {
                        let base = r * x.columns
                        for f in 0..<x.columns { bins[base + f] = bin(values[base + f], feature: f) }
                    }
                }
            }
        }
        return BinnedMatrix(rows: x.rows, columns: x.columns, bins: bins, binCounts: binCounts)
    }
}
