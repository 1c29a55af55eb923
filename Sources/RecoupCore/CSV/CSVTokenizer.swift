/// One field of a CSV record: a byte range of the input (without the surrounding quotes of a quoted field).
package struct CSVFieldSpan: Sendable, Hashable {
    /// First byte of the content.
    package var start: Int
    /// One past the last byte of the content.
    package var end: Int
    /// The content holds doubled quotes (`""`) that stand for one quote each.
    package var hasEscapedQuotes: Bool

    package init(start: Int, end: Int, hasEscapedQuotes: Bool = false) {
        self.start = start
        self.end = end
        self.hasEscapedQuotes = hasEscapedQuotes
    }
}

/// Storage for one record's field spans, owned by the caller (allocated once, reused for every record).
package struct CSVFields {
    /// Where spans are written; spans beyond its count are counted only.
    package let spans: UnsafeMutableBufferPointer<CSVFieldSpan>
    /// Fields of the current record (may exceed `spans.count`).
    package var count = 0

    package init(_ spans: UnsafeMutableBufferPointer<CSVFieldSpan>) {
        self.spans = spans
    }

    @inline(__always)
    mutating func append(_ span: CSVFieldSpan) {
        if count < spans.count { spans[count] = span }
        count &+= 1
    }

    /// The stored spans of the current record.
    package var stored: UnsafeMutableBufferPointer<CSVFieldSpan> {
        UnsafeMutableBufferPointer(rebasing: spans[0..<min(count, spans.count)])
    }
}

/// A record found by ``CSVTokenizer``: where it is, and the first syntax error in it, if any.
package struct CSVRecordSpan: Sendable, Hashable {
    /// The 1-based physical line the record starts on.
    package var line: Int
    /// First byte of the record.
    package var start: Int
    /// One past the record's line break (or the end of the input).
    package var end: Int
    /// The first RFC 4180 violation in the record, with the index of the field it is in.
    package var syntaxError: (kind: RecordError.Kind, field: Int)? {
        get { errorKind.map { ($0, errorField) } }
        set {
            errorKind = newValue?.kind
            errorField = newValue?.field ?? 0
        }
    }
    private var errorKind: RecordError.Kind?
    private var errorField = 0

    init(line: Int, start: Int) {
        self.line = line
        self.start = start
        self.end = start
    }
}

/// A streaming RFC 4180 tokenizer over a byte buffer: yields one record at a time as field spans, without copying.
///
/// Quoted fields may hold commas, doubled quotes and line breaks; records end with LF or CRLF; blank lines are
/// skipped. Malformed records (an unterminated quote, text after a closing quote, a quote inside an unquoted field)
/// are still delimited, with the error attached, so that reading goes on with the next record.
package struct CSVTokenizer {
    /// The whole input; the tokenizer reads from ``position`` up to `limit`.
    let bytes: UnsafeBufferPointer<UInt8>
    let limit: Int
    /// The next byte to read.
    package private(set) var position: Int
    /// The physical line of ``position`` (1-based).
    package private(set) var line: Int

    /// A tokenizer over `bytes[start..<limit]`, `start` being the beginning of a record on physical line `line`.
    package init(bytes: UnsafeBufferPointer<UInt8>, start: Int = 0, limit: Int? = nil, line: Int = 1) {
        self.bytes = bytes
        self.limit = limit ?? bytes.count
        self.position = start
        self.line = line
    }

    /// Skips blank lines (LF or CRLF alone) without passing `stop`.
    package mutating func skipBlankLines(before stop: Int) {
        while position < stop {
            if bytes[position] == Self.lf {
                position += 1
                line += 1
            } else if bytes[position] == Self.cr, position + 1 < limit, bytes[position + 1] == Self.lf {
                position += 2
                line += 1
            } else {
                return
            }
        }
    }

    /// The next record's fields (in `fields`, which is cleared first), or `nil` at the end of the input.
    package mutating func next(fields: inout [CSVFieldSpan]) -> CSVRecordSpan? {
        var capacity = max(fields.capacity, 16)
        while true {
            let saved = self
            let buffer = UnsafeMutableBufferPointer<CSVFieldSpan>.allocate(capacity: capacity)
            defer { buffer.deallocate() }
            var sink = CSVFields(buffer)
            guard let record = next(into: &sink) else { return nil }
            if sink.count <= capacity {
                fields.removeAll(keepingCapacity: true)
                fields.append(contentsOf: buffer[0..<sink.count])
                return record
            }
            self = saved
            capacity = sink.count
        }
    }

    /// The next record's fields, or `nil` at the end of the input. Spans beyond `fields`' capacity are counted but
    /// not stored (a caller that sized it for the header sees a field-count error).
    package mutating func next(into fields: inout CSVFields) -> CSVRecordSpan? {
        skipBlankLines(before: limit)
        guard position < limit else { return nil }
        fields.count = 0
        var record = CSVRecordSpan(line: line, start: position)
        var p = position
        fieldLoop: while true {
            if p < limit && bytes[p] == Self.quote {
                // Quoted field.
                let contentStart = p + 1
                var q = contentStart
                var escaped = false
                while true {
                    q = scanQuoted(from: q)
                    if q >= limit {
                        fields.append(CSVFieldSpan(start: contentStart, end: limit, hasEscapedQuotes: escaped))
                        if record.syntaxError == nil { record.syntaxError = (.unterminatedQuote, fields.count - 1) }
                        p = limit
                        break fieldLoop
                    }
                    if q + 1 < limit && bytes[q + 1] == Self.quote {
                        escaped = true
                        q += 2
                        continue
                    }
                    break
                }
                fields.append(CSVFieldSpan(start: contentStart, end: q, hasEscapedQuotes: escaped))
                p = q + 1
                if p >= limit { break fieldLoop }
                let c = bytes[p]
                if c == Self.comma {
                    p += 1
                    continue fieldLoop
                }
                if c == Self.lf || (c == Self.cr && p + 1 < limit && bytes[p + 1] == Self.lf) {
                    p += c == Self.lf ? 1 : 2
                    line += 1
                    break fieldLoop
                }
                // Text after the closing quote: the rest of the physical line belongs to this bad record.
                if record.syntaxError == nil { record.syntaxError = (.textAfterClosingQuote, fields.count - 1) }
                while p < limit && bytes[p] != Self.lf { p += 1 }
                if p < limit {
                    p += 1
                    line += 1
                }
                break fieldLoop
            }
            // Unquoted field.
            let start = p
            while true {
                p = scanPlain(from: p)
                if p >= limit {
                    fields.append(CSVFieldSpan(start: start, end: p))
                    break fieldLoop
                }
                let c = bytes[p]
                if c == Self.comma {
                    fields.append(CSVFieldSpan(start: start, end: p))
                    p += 1
                    continue fieldLoop
                }
                if c == Self.lf {
                    let end = p > start && bytes[p - 1] == Self.cr ? p - 1 : p
                    fields.append(CSVFieldSpan(start: start, end: end))
                    p += 1
                    line += 1
                    break fieldLoop
                }
                if c == Self.quote, record.syntaxError == nil {
                    record.syntaxError = (.quoteInUnquotedField, fields.count)
                }
                p += 1  // a quote (already reported) or a lone CR: part of the field
            }
        }
        position = p
        record.end = p
        return record
    }

    /// The first position at or after `p` holding a comma, LF, CR or quote (or `limit`), eight bytes at a time:
    /// candidates are commas and every byte below 0x23 (LF, CR and the quote are; so are spaces, tabs, `!` and some
    /// non-ASCII bytes, which are checked and skipped).
    @inline(__always)
    func scanPlain(from start: Int) -> Int {
        var p = start
        let raw = UnsafeRawPointer(bytes.baseAddress!)
        while p &+ 8 <= limit {
            let w = raw.loadUnaligned(fromByteOffset: p, as: UInt64.self)
            var hits =
                CSVChunking.zeroBytes(w ^ 0x2C2C_2C2C_2C2C_2C2C) | ~((w | 0x8080_8080_8080_8080) &- 0x2323_2323_2323_2323) & 0x8080_8080_8080_8080
            while hits != 0 {
                let i = p &+ hits.trailingZeroBitCount >> 3
                if !Self.isPlain(bytes[i]) { return i }
                hits &= hits &- 1
            }
            p &+= 8
        }
        while p < limit && Self.isPlain(bytes[p]) { p &+= 1 }
        return p
    }

    /// The first quote at or after `p` (or `limit`), counting the line feeds passed, eight bytes at a time.
    @inline(__always)
    mutating func scanQuoted(from start: Int) -> Int {
        var p = start
        let raw = UnsafeRawPointer(bytes.baseAddress!)
        while p &+ 8 <= limit {
            let w = raw.loadUnaligned(fromByteOffset: p, as: UInt64.self)
            let quotes = CSVChunking.zeroBytes(w ^ 0x2222_2222_2222_2222)
            let feeds = CSVChunking.zeroBytes(w ^ 0x0A0A_0A0A_0A0A_0A0A)
            if quotes != 0 {
                let below = (quotes & (0 &- quotes)) &- 1  // the bits before the first quote
                line &+= CSVChunking.markCount(feeds & below)
                return p &+ quotes.trailingZeroBitCount >> 3
            }
            line &+= CSVChunking.markCount(feeds)
            p &+= 8
        }
        while p < limit && bytes[p] != Self.quote {
            if bytes[p] == Self.lf { line &+= 1 }
            p &+= 1
        }
        return p
    }

    static let quote = UInt8(ascii: "\"")
    static let comma = UInt8(ascii: ",")
    static let lf = UInt8(ascii: "\n")
    static let cr = UInt8(ascii: "\r")

    /// Bytes that never end or escape an unquoted field.
    @inline(__always)
    static func isPlain(_ b: UInt8) -> Bool {
        b != comma && b != lf && b != quote && b != cr
    }
}

extension CSVTokenizer {
    /// The content of a field with doubled quotes collapsed, as bytes.
    package static func unescaped(_ bytes: UnsafeBufferPointer<UInt8>, _ span: CSVFieldSpan) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(span.end - span.start)
        var i = span.start
        while i < span.end {
            out.append(bytes[i])
            i += bytes[i] == quote && span.hasEscapedQuotes && i + 1 < span.end && bytes[i + 1] == quote ? 2 : 1
        }
        return out
    }

    /// The content of a field as a `String` (lossy for invalid UTF-8: headers and error messages only).
    package static func string(_ bytes: UnsafeBufferPointer<UInt8>, _ span: CSVFieldSpan) -> String {
        if !span.hasEscapedQuotes {
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[span.start..<span.end]), as: UTF8.self)
        }
        return String(decoding: unescaped(bytes, span), as: UTF8.self)
    }
}
