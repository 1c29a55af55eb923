/// A parsed JSON value. Numbers keep their literal text so that the contract's number rules (range, `NaN`, `inf`,
/// overflow) apply to JSON exactly as to CSV.
package indirect enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The literal as written (`12.50`, `-3e2`; also the non-standard `NaN`, `Infinity` that some producers emit,
    /// so that they are reported per record rather than as a broken document).
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in document order (a repeated key: the last one wins when looked up).
    case object([JSONMember])

    /// What kind of value this is, for error messages.
    package var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The value of `key` in an object (the last occurrence), or `nil`.
    package subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }

    /// Parses a JSON document (RFC 8259, UTF-8, nesting depth up to 64).
    package static func parse(_ bytes: [UInt8]) throws(ReturnInputError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { (buffer) throws(ReturnInputError) -> JSONValue in
            var parser = JSONParser(bytes: buffer)
            return try parser.document()
        }
    }
}

/// One `"key": value` member of a JSON object.
package struct JSONMember: Sendable, Hashable {
    package var key: String
    package var value: JSONValue

    package init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// Recursive-descent JSON parser over bytes.
struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0
    var depth = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
    }

    mutating func document() throws(ReturnInputError) -> JSONValue {
        let value = try self.value()
        skipSpace()
        guard i == bytes.count else { throw fail("the end of the document") }
        return value
    }

    func fail(_ expected: String) -> ReturnInputError { .malformedJSON(offset: i, expected: expected) }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    mutating func literal(_ word: String) -> Bool {
        let utf8 = Array(word.utf8)
        guard i + utf8.count <= bytes.count, bytes[i..<(i + utf8.count)].elementsEqual(utf8) else { return false }
        i += utf8.count
        return true
    }

    mutating func value() throws(ReturnInputError) -> JSONValue {
        skipSpace()
        guard i < bytes.count else { throw fail("a value") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t") where literal("true"): return .bool(true)
        case UInt8(ascii: "f") where literal("false"): return .bool(false)
        case UInt8(ascii: "n") where literal("null"): return .null
        case UInt8(ascii: "N") where literal("NaN"): return .number("NaN")
        case UInt8(ascii: "I") where literal("Infinity"): return .number("Infinity")
        case UInt8(ascii: "-") where literal("-Infinity"): return .number("-Infinity")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw fail("a value")
        }
    }

    mutating func nested<T>(_ body: (inout JSONParser) throws(ReturnInputError) -> T) throws(ReturnInputError) -> T {
        depth += 1
        defer { depth -= 1 }
        guard depth <= 64 else { throw fail("at most 64 levels of nesting") }
        return try body(&self)
    }

    /// After a member or an element: consumes `close` (true) or a comma (false); anything else is an error.
    mutating func closes(_ close: UInt8) throws(ReturnInputError) -> Bool {
        skipSpace()
        let expected = "\",\" or \"\(Character(Unicode.Scalar(close)))\""
        guard i < bytes.count else { throw fail(expected) }
        if bytes[i] == close { i += 1; return true }
        guard bytes[i] == UInt8(ascii: ",") else { throw fail(expected) }
        i += 1
        return false
    }

    mutating func object() throws(ReturnInputError) -> JSONValue {
        try nested { (p) throws(ReturnInputError) -> JSONValue in
            p.i += 1
            var members: [JSONMember] = []
            p.skipSpace()
            if p.i < p.bytes.count, p.bytes[p.i] == UInt8(ascii: "}") {
                p.i += 1
                return .object(members)
            }
            while true {
                p.skipSpace()
                guard p.i < p.bytes.count, p.bytes[p.i] == UInt8(ascii: "\"") else { throw p.fail("a quoted key") }
                let key = try p.string()
                p.skipSpace()
                guard p.i < p.bytes.count, p.bytes[p.i] == UInt8(ascii: ":") else { throw p.fail("\":\"") }
                p.i += 1
                members.append(JSONMember(key: key, value: try p.value()))
                if try p.closes(UInt8(ascii: "}")) { return .object(members) }
            }
        }
    }

    mutating func array() throws(ReturnInputError) -> JSONValue {
        try nested { (p) throws(ReturnInputError) -> JSONValue in
            p.i += 1
            var elements: [JSONValue] = []
            p.skipSpace()
            if p.i < p.bytes.count, p.bytes[p.i] == UInt8(ascii: "]") {
                p.i += 1
                return .array(elements)
            }
            while true {
                elements.append(try p.value())
                if try p.closes(UInt8(ascii: "]")) { return .array(elements) }
            }
        }
    }

    mutating func number() throws(ReturnInputError) -> String {
        let start = i
        func digits(_ p: inout JSONParser) -> Int {
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
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
    }

    mutating func string() throws(ReturnInputError) -> String {
        i += 1  // opening quote
        var out: [UInt8] = []
        while true {
            let start = i
            while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\"), bytes[i] >= 0x20 {
                i += 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
            guard i < bytes.count, bytes[i] >= 0x20 else { throw fail("a closing quote (control characters must be escaped)") }
            if bytes[i] == UInt8(ascii: "\"") {
                i += 1
                guard let string = String(validating: out, as: UTF8.self) else { throw fail("a string of valid UTF-8") }
                return string
            }
            i += 1  // backslash
            guard i < bytes.count else { throw fail("an escape sequence") }
            let escape = bytes[i]
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
                if (0xD800..<0xDC00).contains(scalar), literal("\\u") {
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("a low surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw fail("a valid Unicode scalar") }
                out.append(contentsOf: String(Character(unicode)).utf8)
            default:
                i -= 1
                throw fail("a valid escape sequence")
            }
        }
    }

    mutating func hex4() throws(ReturnInputError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw fail("four hex digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i] | 0x20
            let digit: UInt8
            if b &- 48 <= 9 { digit = b &- 48 } else if b >= 97 && b <= 102 { digit = b - 87 } else { throw fail("a hex digit") }
            value = value << 4 | UInt32(digit)
            i += 1
        }
        return value
    }
}
