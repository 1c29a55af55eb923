/// Writes JSON text into a byte buffer: what every JSON answer, stored copy and hash of Recoup is made with, so that a
/// value is written one way everywhere. The caller writes the punctuation; the writer escapes strings and formats
/// numbers.
///
/// The writer keeps its bytes in a buffer of its own (copied on write, as an array is), so that the many short writes
/// of an answer are a capacity check and a copy each.
package struct JSONWriter: Sendable {
    private var storage: Storage

    package init(reservingCapacity capacity: Int = 0) {
        storage = Storage(capacity: max(64, capacity))
    }

    /// The UTF-8 written so far.
    package var bytes: [UInt8] { storage.withBytes { Array($0) } }

    /// The number of bytes written so far.
    package var count: Int { storage.count }

    /// The text written so far.
    package var text: String { storage.withBytes { String(decoding: $0, as: UTF8.self) } }

    /// Forgets what was written, keeping the capacity.
    package mutating func removeAll() {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(capacity: storage.capacity) }
        storage.count = 0
    }

    /// Appends one byte.
    @inline(__always)
    package mutating func byte(_ byte: UInt8) {
        room(1).pointee = byte
        storage.count += 1
    }

    /// Appends `count` bytes from `source`.
    @inline(__always)
    package mutating func append(_ source: UnsafePointer<UInt8>, count: Int) {
        guard count > 0 else { return }
        room(count).update(from: source, count: count)
        storage.count += count
    }

    /// Appends the bytes of a buffer.
    @inline(__always)
    package mutating func append(_ buffer: UnsafeBufferPointer<UInt8>) {
        if let base = buffer.baseAddress { append(base, count: buffer.count) }
    }

    /// Where the next `count` bytes go: the buffer, unshared, with room for them.
    @inline(__always)
    private mutating func room(_ count: Int) -> UnsafeMutablePointer<UInt8> {
        if _slowPath(storage.count + count > storage.capacity || !isKnownUniquelyReferenced(&storage)) {
            grow(count)
        }
        return storage.pointer + storage.count
    }

    @inline(never)
    private mutating func grow(_ count: Int) {
        let capacity = storage.count + count > storage.capacity ? max(storage.capacity * 2, storage.count + count) : storage.capacity
        let fresh = Storage(capacity: capacity)
        fresh.pointer.update(from: storage.pointer, count: storage.count)
        fresh.count = storage.count
        storage = fresh
    }

    /// Appends text that needs no escaping (punctuation, keys, literals).
    @inline(__always)
    package mutating func raw(_ text: StaticString) {
        append(text.utf8Start, count: text.utf8CodeUnitCount)
    }

    /// Appends bytes that are already JSON.
    package mutating func raw(_ json: some Sequence<UInt8>) {
        let done: Void? = json.withContiguousStorageIfAvailable { append($0) }
        if done == nil {
            for b in json { byte(b) }
        }
    }

    /// Appends `"key":`.
    @inline(__always)
    package mutating func key(_ key: StaticString) {
        byte(UInt8(ascii: "\""))
        raw(key)
        raw("\":")
    }

    /// Appends a string literal, escaping quotes, backslashes and control characters.
    package mutating func string(_ text: String) {
        var text = text
        text.withUTF8 { string($0) }
    }

    /// Appends a string literal from UTF-8 bytes.
    package mutating func string(_ utf8: UnsafeBufferPointer<UInt8>) {
        byte(UInt8(ascii: "\""))
        var start = 0
        var i = Self.plainPrefix(utf8)
        while i < utf8.count {
            let b = utf8[i]
            i += 1
            guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
            append(UnsafeBufferPointer(rebasing: utf8[start..<(i - 1)]))
            start = i
            switch b {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            default:
                raw("\\u00")
                byte(Self.hexDigits[Int(b >> 4)])
                byte(Self.hexDigits[Int(b & 15)])
            }
        }
        append(UnsafeBufferPointer(rebasing: utf8[start...]))
        byte(UInt8(ascii: "\""))
    }

    /// How many leading bytes need no escaping, counted eight at a time (a multiple of eight, or all of them).
    @inline(__always)
    static func plainPrefix(_ utf8: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = utf8.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i + 8 <= utf8.count, !JSONString.hasSpecialByte(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
            i += 8
        }
        return i
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
        if value < 0 { byte(UInt8(ascii: "-")) }
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
        withUnsafeBytes(of: &digits) { append($0.baseAddress!.assumingMemoryBound(to: UInt8.self) + (24 - count), count: count) }
    }

    /// Appends an integer.
    @inline(__always)
    package mutating func integer(_ value: Int) { integer(Int64(value)) }

    /// Appends a number in the contract's text encoding (``FieldValue/encoded``): an integral value below 10¹⁵ as an
    /// integer, anything else in its shortest round-trip form; `null` when not finite.
    package mutating func number(_ value: Double) {
        guard value.isFinite else { return raw("null") }
        if value == value.rounded(), abs(value) < 1e15 { return integer(Int64(value)) }
        raw(String(value).utf8)
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

/// A writer's bytes.
private final class Storage: @unchecked Sendable {
    // Unchecked: a writer changes its storage only when it holds the one reference to it (copy on write).
    let pointer: UnsafeMutablePointer<UInt8>
    let capacity: Int
    var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        pointer = .allocate(capacity: capacity)
    }

    deinit { pointer.deallocate() }

    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        body(UnsafeBufferPointer(start: pointer, count: count))
    }
}
