extension Histogram {
    /// Builds the histogram of `rows` from ``SparseRows``: each row adds its `(g, h)` to the slots of its
    /// non-default bins only, and each feature's most frequent bin gets the leaf total minus its other bins.
    ///
    /// A large leaf's rows are cut into ``Parallel/rowParts`` parts, each summed into its own histogram on the
    /// workers; the partial histograms are then added in part order, so the sums do not depend on the workers.
    mutating func buildSparse(
        rows: UnsafeBufferPointer<Int32>,
        data: TrainingBins,
        sparse: SparseRows,
        gradients: UnsafeBufferPointer<SIMD2<Double>>,
        features: [Int32],
        workers: Int
    ) {
        let m = rows.count
        let parts = m >= 4096 ? Parallel.rowParts : 1
        let slotCount = data.slotCount
        var partials = [[SIMD2<Double>]](repeating: [], count: parts - 1)
        var totals = [SIMD2<Double>](repeating: .zero, count: parts)
        var sinks = [UInt32](repeating: 0, count: parts)
        sparse.rowStart.withUnsafeBufferPointer { start in
            sparse.slots.withUnsafeBufferPointer { entries in
                slots.withUnsafeMutableBufferPointer { own in
                    partials.withUnsafeMutableBufferPointer { partials in
                        totals.withUnsafeMutableBufferPointer { totals in
                            sinks.withUnsafeMutableBufferPointer { sinks in
                                Parallel.run(parts: parts, workers: workers) { part in
                                    if part > 0 { partials[part - 1] = [SIMD2<Double>](repeating: .zero, count: slotCount) }
                                    func accumulate(_ h: UnsafeMutablePointer<SIMD2<Double>>) {
                                        if part == 0 { h.update(repeating: .zero, count: slotCount) }
                                        var total = SIMD2<Double>.zero
                                        let mine = Parallel.slice(m, part: part, of: parts)
                                        // Rows come in batches of 16: a first pass touches each row's offsets, first
                                        // entry and gradient (16 independent loads in flight instead of one miss at a
                                        // time), the second adds the entries from cache.
                                        var sink: UInt32 = 0
                                        var p = mine.lowerBound
                                        while p < mine.upperBound {
                                            let end = min(p + 16, mine.upperBound)
                                            for q in p..<end {
                                                let r = Int(rows[q])
                                                sink &+= UInt32(entries[Int(start[r])]) &+ UInt32(bitPattern: start[r + 1])
                                                sink &+= UInt32(truncatingIfNeeded: Int(gradients[r].y.bitPattern))
                                            }
                                            for q in p..<end {
                                                let r = Int(rows[q])
                                                let v = gradients[r]
                                                total += v
                                                for e in Int(start[r])..<Int(start[r + 1]) { h[Int(entries[e])] += v }
                                            }
                                            p = end
                                        }
                                        totals[part] = total
                                        sinks[part] = sink
                                    }
                                    if part == 0 {
                                        accumulate(own.baseAddress!)
                                    } else {
                                        partials[part - 1].withUnsafeMutableBufferPointer { accumulate($0.baseAddress!) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var total = totals[0]
        slots.withUnsafeMutableBufferPointer { h in
            for part in 1..<max(parts, 1) {
                total += totals[part]
                partials[part - 1].withUnsafeBufferPointer { p in for s in 0..<slotCount { h[s] += p[s] } }
            }
            for f in features {
                let feature = Int(f)
                let start = Int(data.offsets[feature])
                let fill = Int(sparse.defaultSlot[feature])
                var others = SIMD2<Double>.zero
                for s in start...(start + data.binCounts[feature]) where s != fill { others += h[s] }
                h[fill] = total - others
            }
        }
    }
}
