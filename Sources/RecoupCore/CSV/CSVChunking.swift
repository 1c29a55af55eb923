/// A run of whole CSV records: the unit of parallel parsing.
package struct CSVChunk: Sendable, Hashable {
    /// First byte (the start of a record).
    package var start: Int
    /// One past the last byte (the start of the next chunk's first record, or the end of the input).
    package var end: Int
    /// The physical line `start` is on.
    package var line: Int
    /// Line feeds in `start..<end`.
    package var lineFeeds: Int
    /// Whether the chunk's last byte is a line feed (always, except perhaps for the input's last chunk).
    package var endsWithLineFeed: Bool

    package init(start: Int, end: Int, line: Int, lineFeeds: Int, endsWithLineFeed: Bool) {
        self.start = start
        self.end = end
        self.line = line
        self.lineFeeds = lineFeeds
        self.endsWithLineFeed = endsWithLineFeed
    }

    /// The most records this chunk can hold: every record ends with its own line feed, except a last one that runs
    /// to the end of the input.
    package var recordCapacity: Int { lineFeeds + (endsWithLineFeed ? 0 : 1) }
}

/// Splits CSV bytes into chunks of whole records for parsing on several cores.
///
/// A line feed ends a record exactly when an even number of quote bytes precede it (RFC 4180 quoting toggles at
/// every `"`, and `""` toggles twice). One parallel pass counts quotes and line feeds per nominal slice; each
/// boundary then moves forward to the next line feed at even parity. On input with broken quoting this guess can
/// disagree with the tokenizer; readers detect that (a chunk's last record must end exactly at the next chunk's
/// start) and fall back to one sequential pass, so results never depend on the split.
package enum CSVChunking {
    /// About `count` chunks covering `bytes[start...]`, `start` being a record start on physical line `line`.
    package static func chunks(
        of bytes: UnsafeBufferPointer<UInt8>,
        from start: Int,
        line: Int,
        count: Int
    ) -> [CSVChunk] {
        let length = bytes.count - start
        func endsWithLineFeed(_ end: Int) -> Bool { end > start && bytes[end - 1] == CSVTokenizer.lf }
        guard count > 1, length > 0 else {
            return [
                CSVChunk(
                    start: start,
                    end: bytes.count,
                    line: line,
                    lineFeeds: lineFeeds(bytes, start, bytes.count),
                    endsWithLineFeed: endsWithLineFeed(bytes.count)
                )
            ]
        }
        let slice = (length + count - 1) / count
        let input = UnsafeTransfer(bytes)
        let counts = Parallel.map(count) { i in
            let lo = min(input.value.count, start + i * slice)
            let hi = min(input.value.count, lo + slice)
            return countQuotesAndLineFeeds(input.value, lo, hi)
        }
        var boundaries = [(offset: start, line: line)]
        var quotesBefore = 0
        var lineFeedsBefore = 0
        for i in 1..<count {
            quotesBefore += counts[i - 1].quotes
            lineFeedsBefore += counts[i - 1].lineFeeds
            let nominal = start + i * slice
            guard nominal < bytes.count else { break }
            var p = nominal
            var odd = quotesBefore & 1 == 1
            var feeds = 0
            while p < bytes.count {
                let b = bytes[p]
                p += 1
                if b == CSVTokenizer.quote {
                    odd.toggle()
                } else if b == CSVTokenizer.lf {
                    feeds += 1
                    if !odd { break }
                }
            }
            if p < bytes.count, p > boundaries[boundaries.count - 1].offset {
                boundaries.append((p, line + lineFeedsBefore + feeds))
            }
        }
        var chunks: [CSVChunk] = []
        for (i, boundary) in boundaries.enumerated() {
            let end = i + 1 < boundaries.count ? boundaries[i + 1].offset : bytes.count
            let nextLine = i + 1 < boundaries.count ? boundaries[i + 1].line : boundary.line + lineFeeds(bytes, boundary.offset, end)
            chunks.append(
                CSVChunk(
                    start: boundary.offset,
                    end: end,
                    line: boundary.line,
                    lineFeeds: nextLine - boundary.line,
                    endsWithLineFeed: endsWithLineFeed(end)
                )
            )
        }
        return chunks
    }

    /// A chunk count for `byteCount` bytes: one per core for small inputs, more (of about 4 MiB) for load balance.
    package static func suggestedCount(byteCount: Int, processors: Int = Parallel.processorCount) -> Int {
        guard processors > 1, byteCount >= 256 * 1024 else { return 1 }
        return max(processors, min(processors * 16, byteCount / (4 << 20)))
    }

    static func lineFeeds(_ bytes: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> Int {
        countQuotesAndLineFeeds(bytes, lo, hi).lineFeeds
    }

    /// Counts `"` and `\n` bytes in `bytes[lo..<hi]`, eight bytes at a time.
    static func countQuotesAndLineFeeds(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ lo: Int,
        _ hi: Int
    )
        -> (quotes: Int, lineFeeds: Int)
    {
        guard lo < hi, let base = bytes.baseAddress else { return (0, 0) }
        var quotes = 0
        var feeds = 0
        var i = lo
        let raw = UnsafeRawPointer(base)
        while i + 8 <= hi {
            let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            quotes &+= markCount(zeroBytes(word ^ 0x2222_2222_2222_2222))
            feeds &+= markCount(zeroBytes(word ^ 0x0A0A_0A0A_0A0A_0A0A))
            i += 8
        }
        while i < hi {
            if base[i] == CSVTokenizer.quote { quotes += 1 } else if base[i] == CSVTokenizer.lf { feeds += 1 }
            i += 1
        }
        return (quotes, feeds)
    }

    /// The number of marked bytes of a `zeroBytes` result (each `0x80` or `0`): their sum lands in the top byte of
    /// one multiplication (portable x86-64 has no population-count instruction).
    @inline(__always)
    static func markCount(_ marks: UInt64) -> Int {
        Int(truncatingIfNeeded: ((marks >> 7) &* 0x0101_0101_0101_0101) >> 56)
    }

    /// `0x80` in every byte of `v` that is zero, `0` elsewhere (exact, no false positives).
    @inline(__always)
    static func zeroBytes(_ v: UInt64) -> UInt64 {
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return ~(((v & low7) &+ low7) | v | low7)
    }
}
