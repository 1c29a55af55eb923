internal import RecoupCore

/// Stable hashing for hashed features and fingerprints: FNV-1a 64-bit (never Swift's per-process seeded `Hasher`, so
/// that a bucket is the same in training, serving and on every machine).
package enum FeatureHashing {
    static let offsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// FNV-1a of bytes.
    package static func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash = offsetBasis
        for b in bytes { hash = (hash ^ UInt64(b)) &* prime }
        return hash
    }

    /// The bucket of a category-like value: FNV-1a of its trimmed, lower-cased UTF-8 (`ReturnRecord.normalized`).
    package static func bucket(of value: String, buckets: Int) -> Int {
        var value = value
        return value.withUTF8 { bucket(of: $0, buckets: buckets) }
    }

    /// ``bucket(of:buckets:)`` of UTF-8 bytes; ASCII is trimmed and lower-cased on the fly, without allocating.
    package static func bucket(of bytes: UnsafeBufferPointer<UInt8>, buckets: Int) -> Int {
        var lo = 0
        var hi = bytes.count
        while lo < hi, isASCIISpace(bytes[lo]) { lo += 1 }
        while hi > lo, isASCIISpace(bytes[hi - 1]) { hi -= 1 }
        var hash = offsetBasis
        for i in lo..<hi {
            let b = bytes[i]
            if b >= 0x80 {
                hash = fnv1a(ReturnRecord.normalized(String(decoding: bytes, as: UTF8.self)).utf8)
                break
            }
            hash = (hash ^ UInt64(b >= 65 && b <= 90 ? b | 0x20 : b)) &* prime
        }
        return Int(hash % UInt64(buckets))
    }

    /// Calls `body` with the bucket of every word token of `text`: runs of ASCII letters and digits and of non-ASCII
    /// bytes, ASCII lower-cased.
    package static func forEachTokenBucket(of text: String, buckets: Int, _ body: (Int) -> Void) {
        var text = text
        text.withUTF8 { forEachTokenBucket(of: $0, buckets: buckets, body) }
    }

    /// ``forEachTokenBucket(of:buckets:_:)`` over UTF-8 bytes.
    package static func forEachTokenBucket(of bytes: UnsafeBufferPointer<UInt8>, buckets: Int, _ body: (Int) -> Void) {
        var hash = offsetBasis
        var inToken = false
        for b in bytes {
            let lower = b >= 65 && b <= 90 ? b | 0x20 : b
            let isTokenByte = (lower >= 97 && lower <= 122) || (lower >= 48 && lower <= 57) || lower >= 0x80
            if isTokenByte {
                hash = (hash ^ UInt64(lower)) &* prime
                inToken = true
            } else if inToken {
                body(Int(hash % UInt64(buckets)))
                hash = offsetBasis
                inToken = false
            }
        }
        if inToken { body(Int(hash % UInt64(buckets))) }
    }
}
