internal import Foundation
internal import RecoupCore
internal import RecoupLearning

// The per-row hot loop, over plain memory: a fitted spec's tables copied once into buffers owned by
// `KernelStorage`, read through `RowKernel`, a trivial struct of pointers. No reference counting and no dictionary
// or array access happens per row, so both cores run without touching shared reference counts.

/// ASCII whitespace as `ScalarParsing.isSpace` defines it (kept here so that the hot loop inlines it).
@inline(__always)
func isASCIISpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }

/// Owns the buffers a ``RowKernel`` points into; immutable after `init`, freed with the extractor.
final class KernelStorage: @unchecked Sendable {
    let kernel: RowKernel
    private let allocations: [UnsafeMutableRawPointer]

    init(steps: [Step], levels: [[(level: String, column: Int)]], columns: [FeatureColumn], treeColumns: [Int], bins: BinMapper) {
        var allocations: [UnsafeMutableRawPointer] = []
        func copy<T>(_ values: [T]) -> UnsafePointer<T> {
            let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(values.count, 1))
            _ = buffer.initialize(from: values)
            allocations.append(UnsafeMutableRawPointer(buffer.baseAddress!))
            return UnsafePointer(buffer.baseAddress!)
        }
        var arena: [UInt8] = []
        var levelOffsets: [Int32] = []
        var levelLengths: [Int32] = []
        var levelColumns: [Int32] = []
        var levelKeys: [UInt64] = []
        var tableStarts: [Int32] = [0]
        for table in levels {
            for (level, column) in table {
                levelOffsets.append(Int32(arena.count))
                levelLengths.append(Int32(level.utf8.count))
                levelColumns.append(Int32(column))
                arena.append(contentsOf: level.utf8)
                let key = RowKernel.packedKey(Array(level.utf8.prefix(16)))
                levelKeys += [key.0, key.1]
            }
            tableStarts.append(Int32(levelColumns.count))
        }
        let tree = TreeBinning(bins: bins, treeColumns: treeColumns)
        let linear = LinearView(columns)
        kernel = RowKernel(
            yearCycle: copy(CyclicPeriod.year.sineCosine.flatMap { [$0.0, $0.1] }),
            weekCycle: copy(CyclicPeriod.week.sineCosine.flatMap { [$0.0, $0.1] }),
            width: columns.count, treeWidth: treeColumns.count, stepCount: steps.count, steps: copy(steps),
            levelArena: copy(arena), levelOffsets: copy(levelOffsets), levelLengths: copy(levelLengths),
            levelColumns: copy(levelColumns), levelKeys: copy(levelKeys), tableStarts: copy(tableStarts),
            log1pColumns: copy(columns.indices.filter { columns[$0].log1p }.map(Int32.init)),
            log1pCount: columns.filter(\.log1p).count,
            low: copy(linear.low), high: copy(linear.high), mean: copy(linear.mean), inverseScale: copy(linear.inverseScale),
            binaryCount: tree.binary.count, binaryColumns: copy(tree.binary.map(\.column)),
            binaryOutputs: copy(tree.binary.map(\.output)), binaryBounds: copy(tree.binary.map(\.bound)),
            wideCount: tree.wide.count, wideColumns: copy(tree.wide.map(\.column)), wideOutputs: copy(tree.wide.map(\.output)),
            wideStarts: copy(tree.wide.map(\.start)), wideBounds: copy(tree.paddedBounds))
        self.allocations = allocations
    }

    deinit {
        for pointer in allocations { pointer.deallocate() }
    }
}

/// Pointers to a fitted spec's tables (see ``KernelStorage``), valid while the storage lives.
struct RowKernel {
    let signals = SignalIndices()
    /// `sin, cos` pairs of each position of the yearly and weekly cycles (see ``CyclicPeriod/sineCosine``).
    let yearCycle: UnsafePointer<Float>
    let weekCycle: UnsafePointer<Float>
    let width: Int
    let treeWidth: Int
    let stepCount: Int
    let steps: UnsafePointer<Step>
    // One-hot levels: table `t` is entries `tableStarts[t]..<tableStarts[t+1]` of the level arrays.
    let levelArena: UnsafePointer<UInt8>
    let levelOffsets: UnsafePointer<Int32>
    let levelLengths: UnsafePointer<Int32>
    let levelColumns: UnsafePointer<Int32>
    /// Each level's first 16 bytes packed into two words (see ``packedKey(_:)``), for one-comparison matching.
    let levelKeys: UnsafePointer<UInt64>
    let tableStarts: UnsafePointer<Int32>
    // Linear view.
    let log1pColumns: UnsafePointer<Int32>
    let log1pCount: Int
    let low: UnsafePointer<Float>
    let high: UnsafePointer<Float>
    let mean: UnsafePointer<Float>
    let inverseScale: UnsafePointer<Float>
    // Tree view (see `TreeBinning`): features with at most one threshold, then the others.
    let binaryCount: Int
    let binaryColumns: UnsafePointer<Int32>
    let binaryOutputs: UnsafePointer<Int32>
    let binaryBounds: UnsafePointer<Float>
    let wideCount: Int
    let wideColumns: UnsafePointer<Int32>
    let wideOutputs: UnsafePointer<Int32>
    let wideStarts: UnsafePointer<Int32>
    let wideBounds: UnsafePointer<Float>

    /// The column of a kept level of one-hot table `table`, or `nil` (unknown). Matches like
    /// `ReturnRecord.normalized(raw) == level`: ASCII values are trimmed and lower-cased on the fly (up to 16 bytes
    /// packed into two words and compared with each level's key), without allocating; others are normalized first.
    @inline(__always)
    func levelColumn(_ bytes: UnsafeBufferPointer<UInt8>, table: Int) -> Int? {
        var lo = 0
        var hi = bytes.count
        while lo < hi, isASCIISpace(bytes[lo]) { lo += 1 }
        while hi > lo, isASCIISpace(bytes[hi - 1]) { hi -= 1 }
        let count = hi - lo
        let entries = Int(tableStarts[table])..<Int(tableStarts[table + 1])
        var high: UInt8 = 0
        for i in lo..<hi { high |= bytes[i] }
        if high < 0x80 {
            if count <= 16 {
                var w0: UInt64 = 0
                var w1: UInt64 = 0
                for i in 0..<count {
                    let b = bytes[lo &+ i]
                    let lower = UInt64(b >= 65 && b <= 90 ? b | 0x20 : b)
                    if i < 8 { w0 |= lower << UInt64(8 * i) } else { w1 |= lower << UInt64(8 * (i - 8)) }
                }
                for e in entries where levelKeys[2 * e] == w0 && levelKeys[2 * e + 1] == w1 && Int(levelLengths[e]) == count {
                    return Int(levelColumns[e])
                }
                return nil
            }
            entries: for e in entries where Int(levelLengths[e]) == count {
                let level = levelArena + Int(levelOffsets[e])
                for i in 0..<count {
                    let b = bytes[lo + i]
                    if (b >= 65 && b <= 90 ? b | 0x20 : b) != level[i] { continue entries }
                }
                return Int(levelColumns[e])
            }
            return nil
        }
        var normalized = ReturnRecord.normalized(String(decoding: bytes, as: UTF8.self))
        return normalized.withUTF8 { bytes in
            for e in entries where Int(levelLengths[e]) == bytes.count {
                if memcmp(levelArena + Int(levelOffsets[e]), bytes.baseAddress!, bytes.count) == 0 { return Int(levelColumns[e]) }
            }
            return nil
        }
    }

    /// Up to 16 bytes, little-endian, in two words (zero-padded).
    static func packedKey(_ bytes: [UInt8]) -> (UInt64, UInt64) {
        var words: (UInt64, UInt64) = (0, 0)
        for (i, b) in bytes.prefix(16).enumerated() {
            if i < 8 { words.0 |= UInt64(b) << UInt64(8 * i) } else { words.1 |= UInt64(b) << UInt64(8 * (i - 8)) }
        }
        return words
    }

    /// The dense row from the values: log1p (in place: `values` is scratch afterwards), then a vectorizable pass that
    /// imputes, clips, standardizes and bounds.
    @inline(__always)
    func linear(_ values: UnsafeMutablePointer<Float>, into dense: UnsafeMutablePointer<Float>) {
        for i in 0..<log1pCount {
            let j = Int(log1pColumns[i])
            values[j] = LinearView.signedLog1p(values[j])
        }
        let bound = LinearView.bound
        for j in 0..<width {
            var x = values[j]
            x = x.isNaN ? mean[j] : x
            x = x < low[j] ? low[j] : x
            x = x > high[j] ? high[j] : x
            var z = (x - mean[j]) * inverseScale[j]
            z = z < -bound ? -bound : z
            z = z > bound ? bound : z
            dense[j] = z
        }
    }

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
        Int(0 &- unsafeBitCast(mask, to: SIMD16<Int32>.self).wrappedSum())
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
