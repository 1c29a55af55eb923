internal import Foundation
internal import RecoupCore

// One-hot level matching in the row kernel: trimmed, ASCII-lower-cased values compared as packed words, without
// allocating; other values are normalized like `ReturnRecord.normalized` first.

extension RowKernel {
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
        if count <= 16, let base = bytes.baseAddress {
            let (w0, w1) = Self.packedWords(UnsafeRawPointer(base + lo), count: count)
            if (w0 | w1) & 0x8080_8080_8080_8080 == 0 {
                let l0 = Self.asciiLowercased(w0)
                let l1 = Self.asciiLowercased(w1)
                for e in entries where levelKeys[2 * e] == l0 && levelKeys[2 * e + 1] == l1 && Int(levelLengths[e]) == count {
                    return Int(levelColumns[e])
                }
                return nil
            }
        } else if !bytes[lo..<hi].contains(where: { $0 >= 0x80 }) {
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

    /// `count` (at most 16) bytes as two little-endian words, zero-padded, reading only `p[0..<count]`: overlapping
    /// loads for 4 bytes and more (the overlap ORs equal bytes), single bytes below.
    @inline(__always)
    static func packedWords(_ p: UnsafeRawPointer, count: Int) -> (UInt64, UInt64) {
        switch count {
        case 9...16:
            let first = p.loadUnaligned(as: UInt64.self)
            let last = p.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            return (first, last >> UInt64(8 * (16 - count)))
        case 8:
            return (p.loadUnaligned(as: UInt64.self), 0)
        case 4...7:
            let first = UInt64(p.loadUnaligned(as: UInt32.self))
            let last = UInt64(p.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
            return (first | last << UInt64(8 * (count - 4)), 0)
        default:
            var w: UInt64 = 0
            for i in 0..<count { w |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << UInt64(8 * i) }
            return (w, 0)
        }
    }

    /// ASCII letters A–Z of a word of ASCII bytes lower-cased (SWAR: a byte's high bit marks 0x41...0x5A).
    @inline(__always)
    static func asciiLowercased(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let atLeastA = w &+ ones &* 0x3F  // high bit set for bytes >= 0x41
        let aboveZ = w &+ ones &* 0x25  // high bit set for bytes >= 0x5B
        let upper = atLeastA & ~aboveZ & (ones &* 0x80)
        return w | upper >> 2
    }

    /// Up to 16 bytes, little-endian, in two words (zero-padded).
    static func packedKey(_ bytes: [UInt8]) -> (UInt64, UInt64) {
        var words: (UInt64, UInt64) = (0, 0)
        for (i, b) in bytes.prefix(16).enumerated() {
            if i < 8 { words.0 |= UInt64(b) << UInt64(8 * i) } else { words.1 |= UInt64(b) << UInt64(8 * (i - 8)) }
        }
        return words
    }
}
