/// Per-slot sums `(Σg, Σh)` of one leaf's rows: one slot per (feature, bin), laid out as ``TrainingBins/offsets``.
///
/// Sums are Double (LightGBM's `hist_t`); each slot is a `SIMD2<Double>` so that one row adds its `(g, h)` pair with
/// a single vector add. Counts are not stored: where a rule needs a count (minimum rows per leaf) it is estimated
/// from the hessian as LightGBM does (`count ≈ Σh · n_leaf / H_leaf`), which is exact for unweighted squared error.
struct Histogram {
    var slots: [SIMD2<Double>]

    init(slotCount: Int) {
        slots = [SIMD2<Double>](repeating: .zero, count: slotCount)
    }

    /// Builds the histogram of `rows` directly, for the `features` given (the other features' slots are left as
    /// they are).
    ///
    /// Column-wise, as LightGBM's `force_col_wise`: the leaf's `(g, h)` pairs are first gathered into row order
    /// ("ordered gradients"), then each worker walks the columns of its share of the features, eight at a time, so
    /// that one pass over the leaf's rows feeds eight independent histograms (consecutive rows that fall in the same
    /// bin of one feature would otherwise wait on each other's stores). Rows are visited in increasing order, so
    /// the column reads stream through memory. Work is split by feature: each worker owns its features' slots, no
    /// partial histograms are merged and the sums do not depend on timing.
    mutating func build(
        rows: UnsafeBufferPointer<Int32>,
        data: TrainingBins,
        gradients: UnsafeBufferPointer<SIMD2<Double>>,
        features: [Int32],
        workers: Int
    ) {
        if let sparse = data.sparse {
            buildSparse(rows: rows, data: data, sparse: sparse, gradients: gradients, features: features, workers: workers)
            return
        }
        let m = rows.count
        let parts = m * features.count >= 65_536 ? min(workers, features.count) : 1
        let ordered = [SIMD2<Double>](unsafeUninitializedCapacity: m) { buffer, count in
            for p in 0..<m { buffer[p] = gradients[Int(rows[p])] }
            count = m
        }
        let n = data.rows
        data.columnBins.withUnsafeBufferPointer { bins in
            data.offsets.withUnsafeBufferPointer { offsets in
                data.binCounts.withUnsafeBufferPointer { counts in
                    ordered.withUnsafeBufferPointer { ordered in
                        slots.withUnsafeMutableBufferPointer { hist in
                            Parallel.run(parts: parts) { part in
                                let mine = features[Parallel.slice(features.count, part: part, of: parts)].map(Int.init)
                                for f in mine {
                                    let h = hist.baseAddress! + Int(offsets[f])
                                    for s in 0...counts[f] { h[s] = .zero }
                                }
                                var g = 0
                                while g < mine.count {
                                    let group = Array(mine[g..<min(g + 8, mine.count)])
                                    let columns = group.map { bins.baseAddress! + $0 * n }
                                    let targets = group.map { hist.baseAddress! + Int(offsets[$0]) }
                                    if group.count == 8 {
                                        Self.accumulate8(m, rows, ordered.baseAddress!, columns, targets)
                                    } else {
                                        for k in group.indices { Self.accumulate1(m, rows, ordered.baseAddress!, columns[k], targets[k]) }
                                    }
                                    g += 8
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// One pass over the rows adding `(g, h)` to eight features' histograms.
    @inline(__always)
    private static func accumulate8(
        _ m: Int,
        _ rows: UnsafeBufferPointer<Int32>,
        _ ordered: UnsafePointer<SIMD2<Double>>,
        _ c: [UnsafePointer<UInt8>],
        _ h: [UnsafeMutablePointer<SIMD2<Double>>]
    ) {
        let (c0, c1, c2, c3, c4, c5, c6, c7) = (c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7])
        let (h0, h1, h2, h3, h4, h5, h6, h7) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
        for p in 0..<m {
            let r = Int(rows[p])
            let v = ordered[p]
            h0[Int(c0[r])] += v
            h1[Int(c1[r])] += v
            h2[Int(c2[r])] += v
            h3[Int(c3[r])] += v
            h4[Int(c4[r])] += v
            h5[Int(c5[r])] += v
            h6[Int(c6[r])] += v
            h7[Int(c7[r])] += v
        }
    }

    /// One pass over the rows for a single feature (the last few features of a worker's share).
    @inline(__always)
    private static func accumulate1(
        _ m: Int,
        _ rows: UnsafeBufferPointer<Int32>,
        _ ordered: UnsafePointer<SIMD2<Double>>,
        _ column: UnsafePointer<UInt8>,
        _ h: UnsafeMutablePointer<SIMD2<Double>>
    ) {
        for p in 0..<m { h[Int(column[Int(rows[p])])] += ordered[p] }
    }

    /// `self ← self − other` on the slots of `features`: a parent's histogram becomes its larger child's once the
    /// smaller child's has been built (the subtraction trick of LightGBM and scikit-learn's `TreeGrower`).
    mutating func subtract(_ other: Histogram, features: [Int32], data: TrainingBins) {
        slots.withUnsafeMutableBufferPointer { a in
            other.slots.withUnsafeBufferPointer { b in
                for f in features {
                    let start = Int(data.offsets[Int(f)])
                    for s in start...(start + data.binCounts[Int(f)]) { a[s] -= b[s] }
                }
            }
        }
    }
}
