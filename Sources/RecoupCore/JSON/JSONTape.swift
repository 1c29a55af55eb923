#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A JSON document (RFC 8259, UTF-8, nesting up to 64 levels) checked in one pass and laid out as a flat list of
/// nodes, a "tape": every value's kind and where its bytes are, and where the next sibling starts. No `String` is
/// made and nothing is decoded: readers walk the tape and read values in place (``ReturnJSONDocument``).
///
/// Numbers keep their literal bytes so that the contract's number rules (range, `NaN`, `inf`, overflow) apply to JSON
/// exactly as to CSV; the non-standard literals `NaN`, `Infinity` and `-Infinity` that some producers emit are kept
/// as numbers, so that they are reported per record rather than as a broken document.
package struct JSONTape: Sendable {
    /// What a node holds.
    package enum Kind: UInt8, Sendable {
        case null
        case `true`
        case `false`
        case number
        case string
        case array
        case object

        /// What kind of value this is, for error messages.
        package var name: String {
            switch self {
            case .null: "null"
            case .true, .false: "a boolean"
            case .number: "a number"
            case .string: "a string"
            case .array: "an array"
            case .object: "an object"
            }
        }
    }

    /// One value. An object's members are its key and value nodes in turn, right after it; an array's elements
    /// follow it the same way.
    package struct Node: Sendable {
        package var kind: Kind
        /// A string with backslash escapes (its bytes must be unescaped before use).
        package var escaped: Bool
        /// First byte of the value; for a string, the first byte after the opening quote.
        package var start: Int32
        /// One past the last byte; for a string, the closing quote.
        package var end: Int32
        /// The node after this value and everything inside it.
        package var next: Int32
        /// Members (objects) or elements (arrays).
        package var count: Int32
    }

    package private(set) var nodes: [Node] = []

    /// Checks and lays out a document.
    /// - Throws: ``ReturnInputError/malformedJSON(offset:expected:)`` naming the byte and what was expected there.
    package init(_ bytes: UnsafeBufferPointer<UInt8>) throws(ReturnInputError) {
        guard bytes.count < Int(Int32.max) else { throw .malformedJSON(offset: 0, expected: "a document under 2 GiB") }
        var parser = TapeParser(bytes: bytes)
        parser.nodes.reserveCapacity(max(16, bytes.count / 12))
        try parser.document()
        nodes = parser.nodes
    }

    /// The root value.
    package var root: Node { nodes[0] }

    /// The child nodes of a container node, in order (for an object: key, value, key, value…).
    package func children(of index: Int) -> JSONChildren {
        JSONChildren(nodes: nodes, first: index + 1, count: Int(nodes[index].count) * (nodes[index].kind == .object ? 2 : 1))
    }

    /// The value of the last member named `key` of the object at `index`, or `nil`.
    package func member(_ key: StaticString, of index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var found: Int?
        var members = children(of: index).makeIterator()
        while let k = members.next(), let v = members.next() {
            if JSONString.equals(nodes[k], key, in: bytes) { found = v }
        }
        return found
    }
}

/// The children of a container node (indices into ``JSONTape/nodes``), walking sibling links.
package struct JSONChildren: Sequence {
    let nodes: [JSONTape.Node]
    let first: Int
    let count: Int

    package struct Iterator: IteratorProtocol {
        let nodes: [JSONTape.Node]
        var index: Int
        var left: Int

        package mutating func next() -> Int? {
            guard left > 0 else { return nil }
            let current = index
            index = Int(nodes[index].next)
            left -= 1
            return current
        }
    }

    package func makeIterator() -> Iterator { Iterator(nodes: nodes, index: first, left: count) }
}

/// Reading string nodes.
package enum JSONString {
    /// Whether any of eight string bytes (read as one word) is a quote, a backslash or a control character: the bytes
    /// that end a run of plain string text, in JSON read or written. Exact (the classic tests for a zero byte and for
    /// a byte below a bound, each true only when such a byte is there).
    @inline(__always)
    package static func hasSpecialByte(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        return ((quote &- ones) & ~quote | (backslash &- ones) & ~backslash | (word &- ones &* 0x20) & ~word) & (ones &* 0x80) != 0
    }

    /// Whether a string node without escapes is exactly `key`.
    static func equals(_ node: JSONTape.Node, _ key: StaticString, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard node.kind == .string, !node.escaped, Int(node.end - node.start) == key.utf8CodeUnitCount else { return false }
        return memcmp(bytes.baseAddress! + Int(node.start), key.utf8Start, key.utf8CodeUnitCount) == 0
    }

    /// The text of a string node (unescaped).
    package static func string(_ node: JSONTape.Node, in bytes: UnsafeBufferPointer<UInt8>) -> String {
        let raw = UnsafeBufferPointer(rebasing: bytes[Int(node.start)..<Int(node.end)])
        guard node.escaped else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        // The tape was checked: every escape is valid.
        _ = try? unescape(raw, offset: Int(node.start), into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the unescaped bytes of a string's content (between its quotes) to `out`.
    /// - Throws: the offset of a bad escape and what was expected there.
    static func unescape(
        _ raw: UnsafeBufferPointer<UInt8>,
        offset: Int,
        into out: inout [UInt8]
    ) throws(ReturnInputError) {
        var i = 0
        func fail(_ expected: String) -> ReturnInputError { .malformedJSON(offset: offset + i, expected: expected) }
        func hex4() throws(ReturnInputError) -> UInt32 {
            guard i + 4 <= raw.count else { throw fail("four hex digits") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let b = raw[i] | 0x20
                let digit: UInt8
                if b &- 48 <= 9 {
                    digit = b &- 48
                } else if b >= 97 && b <= 102 {
                    digit = b - 87
                } else {
                    throw fail("a hex digit")
                }
                value = value << 4 | UInt32(digit)
                i += 1
            }
            return value
        }
        while i < raw.count {
            let start = i
            while i < raw.count, raw[i] != UInt8(ascii: "\\") { i += 1 }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: raw[start..<i]))
            guard i < raw.count else { return }
            i += 1  // backslash
            guard i < raw.count else { throw fail("an escape sequence") }
            let escape = raw[i]
            i += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar), i + 1 < raw.count, raw[i] == UInt8(ascii: "\\"), raw[i + 1] == UInt8(ascii: "u") {
                    i += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("a low surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw fail("a valid Unicode scalar") }
                UTF8.encode(unicode) { out.append($0) }
            default:
                i -= 1
                throw fail("a valid escape sequence")
            }
        }
    }
}

/// Recursive-descent checker that writes the tape.
private struct TapeParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0
    var depth = 0
    var nodes: [JSONTape.Node] = []
    /// Unescaped text of the last escaped string (only to check its escapes).
    var scratch: [UInt8] = []

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
    }

    mutating func document() throws(ReturnInputError) {
        try value()
        skipSpace()
        guard i == bytes.count else { throw fail("the end of the document") }
    }

    func fail(_ expected: String) -> ReturnInputError { .malformedJSON(offset: i, expected: expected) }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    mutating func literal(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard i + n <= bytes.count, memcmp(bytes.baseAddress! + i, word.utf8Start, n) == 0 else { return false }
        i += n
        return true
    }

    /// Appends a leaf node for `bytes[start..<i]`.
    @inline(__always)
    mutating func leaf(_ kind: JSONTape.Kind, from start: Int, escaped: Bool = false) {
        let index = Int32(nodes.count)
        nodes.append(.init(kind: kind, escaped: escaped, start: Int32(start), end: Int32(i), next: index + 1, count: 0))
    }

    mutating func value() throws(ReturnInputError) {
        skipSpace()
        guard i < bytes.count else { throw fail("a value") }
        let start = i
        switch bytes[i] {
        case UInt8(ascii: "{"): try container(.object)
        case UInt8(ascii: "["): try container(.array)
        case UInt8(ascii: "\""): try string()
        case UInt8(ascii: "t") where literal("true"): leaf(.true, from: start)
        case UInt8(ascii: "f") where literal("false"): leaf(.false, from: start)
        case UInt8(ascii: "n") where literal("null"): leaf(.null, from: start)
        case UInt8(ascii: "N") where literal("NaN"): leaf(.number, from: start)
        case UInt8(ascii: "I") where literal("Infinity"): leaf(.number, from: start)
        case UInt8(ascii: "-") where literal("-Infinity"): leaf(.number, from: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try number()
            leaf(.number, from: start)
        default: throw fail("a value")
        }
    }

    /// After a member or an element: consumes `close` (true) or a comma (false); anything else is an error.
    mutating func closes(_ close: UInt8) throws(ReturnInputError) -> Bool {
        skipSpace()
        guard i < bytes.count, bytes[i] == close || bytes[i] == UInt8(ascii: ",") else {
            throw fail("\",\" or \"\(Character(Unicode.Scalar(close)))\"")
        }
        i += 1
        return bytes[i - 1] == close
    }

    mutating func container(_ kind: JSONTape.Kind) throws(ReturnInputError) {
        depth += 1
        defer { depth -= 1 }
        guard depth <= 64 else { throw fail("at most 64 levels of nesting") }
        let index = nodes.count
        nodes.append(.init(kind: kind, escaped: false, start: Int32(i), end: 0, next: 0, count: 0))
        i += 1
        let close = kind == .object ? UInt8(ascii: "}") : UInt8(ascii: "]")
        var count: Int32 = 0
        skipSpace()
        if i < bytes.count, bytes[i] == close {
            i += 1
        } else {
            repeat {
                if kind == .object {
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("a quoted key") }
                    try string()
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("\":\"") }
                    i += 1
                }
                try value()
                count += 1
            } while try !closes(close)
        }
        nodes[index].end = Int32(i)
        nodes[index].next = Int32(nodes.count)
        nodes[index].count = count
    }

    mutating func number() throws(ReturnInputError) {
        func digits(_ p: inout TapeParser) -> Int {
            let from = p.i
            while p.i < p.bytes.count, p.bytes[p.i] &- 48 <= 9 { p.i += 1 }
            return p.i - from
        }
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard digits(&self) > 0 else { throw fail("a digit") }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits(&self) > 0 else { throw fail("a digit after \".\"") }
        }
        if i < bytes.count, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits(&self) > 0 else { throw fail("a digit in the exponent") }
        }
    }

    /// A string: its bytes must be valid UTF-8 with no raw control characters, and its escapes valid.
    mutating func string() throws(ReturnInputError) {
        i += 1  // opening quote
        let start = i
        var escaped = false
        var high: UInt64 = 0
        while true {
            skipPlainStringBytes(&high)
            guard i < bytes.count, bytes[i] >= 0x20 else { throw fail("a closing quote (control characters must be escaped)") }
            if bytes[i] == UInt8(ascii: "\"") { break }
            escaped = true
            i += 2  // a backslash and the byte it escapes (checked below)
            if i > bytes.count { i = bytes.count }
        }
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<i])
        if escaped {
            scratch.removeAll(keepingCapacity: true)
            try JSONString.unescape(raw, offset: start, into: &scratch)
        }
        if high & 0x8080_8080_8080_8080 != 0, !String(decoding: raw, as: UTF8.self).utf8.elementsEqual(raw) {
            throw fail("a string of valid UTF-8")
        }
        leaf(.string, from: start, escaped: escaped)
        i += 1  // closing quote
    }

    /// Moves past string bytes that need no attention (not a quote, a backslash or a control character), eight at a
    /// time while none of the eight does, and ORs them into `high` (its high bits say whether any was not ASCII).
    @inline(__always)
    mutating func skipPlainStringBytes(_ high: inout UInt64) {
        let base = UnsafeRawPointer(bytes.baseAddress!)
        while i + 8 <= bytes.count {
            let word = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if JSONString.hasSpecialByte(word) { break }
            high |= word
            i += 8
        }
        while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\"), bytes[i] >= 0x20 {
            high |= UInt64(bytes[i])
            i += 1
        }
    }
}
