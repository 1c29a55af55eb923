/// Writes JSON text into a byte buffer: what every JSON answer, stored copy and hash of Recoup is made with, so that a
/// value is written one way everywhere. The caller writes the punctuation; the writer escapes strings and formats
/// numbers.
package struct JSONWriter: Sendable {
    /// The UTF-8 written so far.
    package var bytes: [UInt8] = []

    package init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// The text written so far.
    package var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends text that needs no escaping (punctuation, keys, literals).
    @inline(__always)
    package mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends bytes that are already JSON.
    package mutating func raw(_ json: some Sequence<UInt8>) {
        bytes.append(contentsOf: json)
    }

    /// Appends `"key":`.
    @inline(__always)
    package mutating func key(_ key: StaticString) {
        bytes.append(UInt8(ascii: "\""))
        raw(key)
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    /// Appends a string literal, escaping quotes, backslashes and control characters.
    package mutating func string(_ text: String) {
        var text = text
        text.withUTF8 { string($0) }
    }

    /// Appends a string literal from UTF-8 bytes.
    package mutating func string(_ utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        var start = 0
        for (i, b) in utf8.enumerated() where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i]))
            start = i + 1
            switch b {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            default:
                raw("\\u00")
                bytes.append(Self.hexDigits[Int(b >> 4)])
                bytes.append(Self.hexDigits[Int(b & 15)])
            }
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends a string literal, or `null`.
    package mutating func string(_ text: String?) {
        if let text { string(text) } else { raw("null") }
    }

    /// Appends `true` or `false`.
    @inline(__always)
    package mutating func bool(_ flag: Bool) {
        if flag { raw("true") } else { raw("false") }
    }

    /// Appends an integer.
    package mutating func integer(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of room, more than the 20 digits of a UInt64
        let count = withUnsafeMutableBytes(of: &digits) { buffer -> Int in
            var n = 0
            repeat {
                buffer[23 - n] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                n += 1
            } while magnitude > 0
            return n
        }
        withUnsafeBytes(of: &digits) { bytes.append(contentsOf: $0[(24 - count)...]) }
    }

    /// Appends an integer.
    @inline(__always)
    package mutating func integer(_ value: Int) { integer(Int64(value)) }

    /// Appends a number in the contract's text encoding (``FieldValue/encoded``): an integral value below 10¹⁵ as an
    /// integer, anything else in its shortest round-trip form; `null` when not finite.
    package mutating func number(_ value: Double) {
        guard value.isFinite else { return raw("null") }
        if value == value.rounded(), abs(value) < 1e15 { return integer(Int64(value)) }
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Appends a field value (`null` when missing).
    package mutating func value(_ value: FieldValue?) {
        switch value {
        case nil: raw("null")
        case .text(let text): string(text)
        case .date(let day): string(day.description)
        case .boolean(let flag): bool(flag)
        case .integer(let int): integer(int)
        case .number(let number): self.number(number)
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
