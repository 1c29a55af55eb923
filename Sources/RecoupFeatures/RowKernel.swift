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
            width: columns.count,
            treeWidth: treeColumns.count,
            stepCount: steps.count,
            steps: copy(steps),
            levelArena: copy(arena),
            levelOffsets: copy(levelOffsets),
            levelLengths: copy(levelLengths),
            levelColumns: copy(levelColumns),
            levelKeys: copy(levelKeys),
            tableStarts: copy(tableStarts),
            log1pColumns: copy(columns.indices.filter { columns[$0].log1p }.map(Int32.init)),
            log1pCount: columns.filter(\.log1p).count,
            log1pTable: copy((0..<RowKernel.log1pTableSize).map { LinearView.signedLog1p(Float($0)) }),
            low: copy(linear.low),
            high: copy(linear.high),
            mean: copy(linear.mean),
            inverseScale: copy(linear.inverseScale),
            binaryCount: tree.binary.count,
            binaryColumns: copy(tree.binary.map(\.column)),
            binaryOutputs: copy(tree.binary.map(\.output)),
            binaryBounds: copy(tree.binary.map(\.bound)),
            wideCount: tree.wide.count,
            wideColumns: copy(tree.wide.map(\.column)),
            wideOutputs: copy(tree.wide.map(\.output)),
            wideStarts: copy(tree.wide.map(\.start)),
            wideBounds: copy(tree.paddedBounds)
        )
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
    /// `signedLog1p(n)` for the whole numbers `0..<log1pTableSize`.
    let log1pTable: UnsafePointer<Float>
    static let log1pTableSize = 4096
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

    /// The dense row from the values: log1p (in place: `values` is scratch afterwards), then a vectorizable pass that
    /// imputes, clips, standardizes and bounds.
    @inline(__always)
    func linear(_ values: UnsafeMutablePointer<Float>, into dense: UnsafeMutablePointer<Float>) {
        for i in 0..<log1pCount {
            let j = Int(log1pColumns[i])
            let x = values[j]
            // Small whole numbers (counts, days) from a table of the same function's values.
            if x >= 0, x < Float(Self.log1pTableSize), let n = Int(exactly: x) {
                values[j] = log1pTable[n]
            } else {
                values[j] = LinearView.signedLog1p(x)
            }
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
}
