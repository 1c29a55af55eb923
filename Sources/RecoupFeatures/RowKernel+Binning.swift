internal import RecoupLearning

// Tree bins in the row kernel: the fitted `BinMapper`'s thresholds rearranged so that binning a row takes no
// branches (see `TreeBinning`).

extension RowKernel {
    /// The binned row: `BinMapper.bin` (the first bin whose upper bound is >= the value, i.e. the number of bounds
    /// below the value; 255 for NaN) without branches: one comparison for single-threshold features, two 16-wide
    /// vector counts for the others (see ``TreeBinning``).
    @inline(__always)
    func bin(_ values: UnsafePointer<Float>, into bins: UnsafeMutablePointer<UInt8>) {
        for i in 0..<binaryCount {
            let v = values[Int(binaryColumns[i])]
            let bin: UInt8 = binaryBounds[i] < v ? 1 : 0
            bins[Int(binaryOutputs[i])] = v.isNaN ? BinMapper.missingBin : bin
        }
        for i in 0..<wideCount {
            let v = values[Int(wideColumns[i])]
            let splat = SIMD16<Float>(repeating: v)
            let group = wideBounds + Int(wideStarts[i])
            // The group of 16 that holds the answer: how many groups end below v (the coarse maxima follow the groups).
            let coarse = UnsafeRawPointer(group + 256).loadUnaligned(as: SIMD16<Float>.self)
            let g = Self.lanes(coarse .< splat)
            let fine = UnsafeRawPointer(group + 16 * g).loadUnaligned(as: SIMD16<Float>.self)
            let bin = 16 * g + Self.lanes(fine .< splat)
            bins[Int(wideOutputs[i])] = v.isNaN ? BinMapper.missingBin : UInt8(truncatingIfNeeded: bin)
        }
    }

    /// The number of true lanes of a mask.
    @inline(__always)
    static func lanes(_ mask: SIMDMask<SIMD16<Int32>>) -> Int {
        // True lanes are -1; fold halves (vector adds) instead of `wrappedSum()`, which compiles to a scalar loop.
        let v = unsafeBitCast(mask, to: SIMD16<Int32>.self)
        let s8 = v.lowHalf &+ v.highHalf
        let s4 = s8.lowHalf &+ s8.highHalf
        let s2 = s4.lowHalf &+ s4.highHalf
        return Int(0 &- (s2[0] &+ s2[1]))
    }
}

/// The fitted bins rearranged for ``RowKernel/bin(_:into:)``.
///
/// A feature with zero or one threshold is "binary": its bin is `threshold < v ? 1 : 0` (no threshold: `+inf`, bin 0).
/// Every other feature gets 272 floats: its thresholds padded with `+inf` to 256 (16 groups of 16), then the 16 group
/// maxima. The bin is `16·g + (thresholds of group g below v)`, `g` being the number of group maxima below `v`: every
/// threshold of an earlier group is below `v`, none of a later one is. Padding keeps the last maximum infinite, so `g`
/// is at most 15 for finite values. Equal to `BinMapper.bin` because the thresholds ascend strictly.
struct TreeBinning {
    var binary: [(column: Int32, output: Int32, bound: Float)] = []
    var wide: [(column: Int32, output: Int32, start: Int32)] = []
    var paddedBounds: [Float] = []

    init(bins: BinMapper, treeColumns: [Int]) {
        for (k, bounds) in bins.upperBounds.enumerated() {
            if bounds.count <= 1 {
                binary.append((Int32(treeColumns[k]), Int32(k), bounds.first ?? .infinity))
                continue
            }
            precondition(bounds.count < 256, "at most 255 bins")
            wide.append((Int32(treeColumns[k]), Int32(k), Int32(paddedBounds.count)))
            let padded = bounds + Array(repeating: Float.infinity, count: 256 - bounds.count)
            paddedBounds += padded
            paddedBounds += (0..<16).map { padded[16 * $0 + 15] }
        }
    }
}
