/// Each row's bins that differ from their feature's most frequent bin, as global histogram slots in compressed
/// sparse rows (LightGBM's multi-value row-wise bins with the most frequent bin left out).
///
/// Returns data is mostly one-hot and low-cardinality columns whose most frequent bin holds 75% of the rows on
/// average, so a row has a quarter of its features here: a histogram visits only those, and each feature's most
/// frequent bin is filled in afterwards as the leaf total minus the feature's other bins (LightGBM
/// `FixHistogram`).
struct SparseRows: Sendable {
    /// Row `r`'s entries are `slots[rowStart[r]..<rowStart[r + 1]]`, in feature order.
    let rowStart: [Int32]
    /// Global histogram slots (``TrainingBins/offsets`` plus the bin).
    let slots: [UInt16]
    /// Global slot of each feature's most frequent bin.
    let defaultSlot: [Int32]

    /// Builds the sparse rows of feature-major bins, or `nil` when a histogram has more than 65,536 slots (the
    /// learner then uses its column-wise histograms only).
    init?(columnBins: [UInt8], rows n: Int, binCounts: [Int], offsets: [Int32], slotCount: Int, workers: Int) {
        guard slotCount <= Int(UInt16.max) + 1, n < Int(Int32.max) / max(binCounts.count, 1) else { return nil }
        let columns = binCounts.count
        let parts = n * columns >= 1 << 20 ? workers : 1
        var mostFrequent = [UInt8](repeating: 0, count: columns)
        columnBins.withUnsafeBufferPointer { bins in
            mostFrequent.withUnsafeMutableBufferPointer { out in
                Parallel.run(parts: parts) { part in
                    var counts = [Int](repeating: 0, count: 256)
                    for f in Parallel.slice(columns, part: part, of: parts) {
                        for b in 0..<256 { counts[b] = 0 }
                        for r in 0..<n { counts[Int(bins[f * n + r])] += 1 }
                        out[f] = UInt8(counts.indices.max { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) }!)
                    }
                }
            }
        }
        defaultSlot = (0..<columns).map { offsets[$0] + Int32(mostFrequent[$0]) }
        // Entries per row, then their positions, then the entries; rows are split between the workers.
        var start = [Int32](repeating: 0, count: n + 1)
        let tile = 512
        columnBins.withUnsafeBufferPointer { bins in
            start.withUnsafeMutableBufferPointer { start in
                Parallel.run(parts: parts) { part in
                    let mine = Parallel.slice(n, part: part, of: parts)
                    for t0 in stride(from: mine.lowerBound, to: mine.upperBound, by: tile) {
                        let t1 = min(t0 + tile, mine.upperBound)
                        for f in 0..<columns {
                            let column = bins.baseAddress! + f * n
                            let skip = mostFrequent[f]
                            for r in t0..<t1 where column[r] != skip { start[r + 1] += 1 }
                        }
                    }
                }
            }
        }
        for r in 0..<n { start[r + 1] += start[r] }
        var slots = [UInt16](repeating: 0, count: Int(start[n]))
        columnBins.withUnsafeBufferPointer { bins in
            slots.withUnsafeMutableBufferPointer { slots in
                start.withUnsafeBufferPointer { start in
                    Parallel.run(parts: parts) { part in
                        let mine = Parallel.slice(n, part: part, of: parts)
                        var cursor = [Int](repeating: 0, count: tile)
                        for t0 in stride(from: mine.lowerBound, to: mine.upperBound, by: tile) {
                            let t1 = min(t0 + tile, mine.upperBound)
                            for r in t0..<t1 { cursor[r - t0] = Int(start[r]) }
                            for f in 0..<columns {
                                let column = bins.baseAddress! + f * n
                                let skip = mostFrequent[f]
                                let base = UInt16(truncatingIfNeeded: offsets[f])
                                for r in t0..<t1 where column[r] != skip {
                                    slots[cursor[r - t0]] = base &+ UInt16(column[r])
                                    cursor[r - t0] += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        rowStart = start
        self.slots = slots
    }
}
