// Parsers for the contract's scalar encodings, straight from UTF-8 bytes (no String per field). Each returns the
// specific ``RecordError/Kind`` on failure so that every malformed case gets its own error.

/// The outcome of parsing one scalar: its value, or the specific way it is malformed.
package enum Parsed<Value: Sendable & Equatable>: Sendable, Equatable {
    case success(Value)
    case failure(RecordError.Kind)

    /// The value, or `nil` when malformed.
    package var value: Value? {
        if case .success(let value) = self { value } else { nil }
    }
}

/// Byte-level parsers for numbers, integers, booleans and dates.
package enum ScalarParsing {
    /// The bytes without leading and trailing ASCII whitespace.
    @inline(__always)
    package static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var lo = 0
        var hi = bytes.count
        while lo < hi, isSpace(bytes[lo]) { lo += 1 }
        while hi > lo, isSpace(bytes[hi - 1]) { hi -= 1 }
        if lo == 0 && hi == bytes.count { return bytes }
        return UnsafeBufferPointer(rebasing: bytes[lo..<hi])
    }

    /// ASCII whitespace: space, tab, LF, VT, FF, CR.
    @inline(__always)
    package static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }

    /// Skips a leading `+` or `-` at `i`; returns whether it was `-`.
    @inline(__always)
    static func sign(_ bytes: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Bool {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") else { return false }
        i += 1
        return bytes[i - 1] == UInt8(ascii: "-")
    }

    /// A decimal number: `[+-]digits[.digits][(e|E)[+-]digits]`, finite. Correctly rounded: simple numbers take
    /// the exact fast path (at most 15 significant digits, power of ten up to 22), others go through the standard
    /// library's parser.
    package static func double(_ raw: UnsafeBufferPointer<UInt8>) -> Parsed<Double> {
        let bytes = trimmed(raw)
        let n = bytes.count
        var i = 0
        let negative = sign(bytes, &i)
        var mantissa: UInt64 = 0
        var significant = 0
        var digits = 0
        var exponent = 0
        while i < n, bytes[i] &- 48 <= 9 {
            let d = UInt64(bytes[i] &- 48)
            if significant < 19 {
                mantissa = mantissa * 10 + d
                if mantissa != 0 { significant += 1 }
            } else {
                exponent += 1
                significant += 1
            }
            digits += 1
            i += 1
        }
        if i < n, bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, bytes[i] &- 48 <= 9 {
                let d = UInt64(bytes[i] &- 48)
                if significant < 19 {
                    mantissa = mantissa * 10 + d
                    if mantissa != 0 { significant += 1 }
                    exponent -= 1
                } else {
                    significant += 1
                }
                digits += 1
                i += 1
            }
        }
        guard digits > 0 else { return .failure(classifyNonNumber(bytes)) }
        if i < n, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var expNegative = false
            if i < n, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
                expNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            var e = 0
            var expDigits = 0
            while i < n, bytes[i] &- 48 <= 9 {
                e = min(e * 10 + Int(bytes[i] &- 48), 1_000_000)
                expDigits += 1
                i += 1
            }
            guard expDigits > 0 else { return .failure(classifyNonNumber(bytes)) }
            exponent += expNegative ? -e : e
        }
        guard i == n else { return .failure(classifyNonNumber(bytes)) }
        if significant <= 15 && exponent >= -22 && exponent <= 22 {
            var value = Double(mantissa)
            if exponent < 0 { value /= powersOfTen[-exponent] } else { value *= powersOfTen[exponent] }
            return .success(negative ? -value : value)
        }
        // Rare: many digits or a large exponent. The standard library rounds correctly.
        guard let value = Double(String(decoding: bytes, as: UTF8.self)) else { return .failure(.malformedNumber) }
        return value.isFinite ? .success(value) : .failure(.numberOutOfRange)
    }

    /// An integer; a number with a zero fraction (`3.0`, `1e3`) is accepted, a fraction is not.
    package static func integer(_ raw: UnsafeBufferPointer<UInt8>) -> Parsed<Int> {
        let bytes = trimmed(raw)
        let n = bytes.count
        var i = 0
        let negative = sign(bytes, &i)
        let start = i
        var value = 0
        var overflow = false
        while i < n, bytes[i] &- 48 <= 9 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.subtractingReportingOverflow(Int(bytes[i] &- 48))  // accumulate negatively: Int.min fits
            overflow = overflow || o1 || o2
            value = a
            i += 1
        }
        if i == n && i > start {
            if overflow { return .failure(.numberOutOfRange) }
            if negative { return .success(value) }
            guard value != Int.min else { return .failure(.numberOutOfRange) }
            return .success(-value)
        }
        switch double(bytes) {
        case .failure(let kind): return .failure(kind)
        case .success(let d):
            guard d.rounded(.towardZero) == d else { return .failure(.notAnInteger) }
            guard d >= -0x1p63 && d < 0x1p63 else { return .failure(.numberOutOfRange) }
            return .success(Int(d))
        }
    }

    /// `true`/`false`, `1`/`0`, `yes`/`no`, in any case.
    package static func boolean(_ raw: UnsafeBufferPointer<UInt8>) -> Parsed<Bool> {
        let bytes = trimmed(raw)
        var word: UInt64 = 0
        guard bytes.count <= 5 else { return .failure(.malformedBoolean) }
        for b in bytes { word = word << 8 | UInt64(b >= 65 && b <= 90 ? b | 0x20 : b) }
        switch word {
        case 0x74_72_75_65, 0x31, 0x79_65_73: return .success(true)  // true, 1, yes
        case 0x66_61_6C_73_65, 0x30, 0x6E_6F: return .success(false)  // false, 0, no
        default: return .failure(.malformedBoolean)
        }
    }

    /// A date, `YYYY-MM-DD` or an ISO 8601 timestamp (its UTC date).
    package static func day(_ raw: UnsafeBufferPointer<UInt8>) -> Parsed<Day> {
        guard let day = Day(utf8: trimmed(raw)) else { return .failure(.malformedDate) }
        return .success(day)
    }

    /// Why bytes that are not a plain number fail: NaN, infinity, a comma, or anything else.
    static func classifyNonNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> RecordError.Kind {
        var start = 0
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") { start = 1 }
        let word = String(decoding: UnsafeBufferPointer(rebasing: bytes[start...]), as: UTF8.self).lowercased()
        if word == "nan" { return .notANumber }
        if word == "inf" || word == "infinity" { return .infinite }
        if bytes.contains(UInt8(ascii: ",")),
            bytes.allSatisfy({ $0 &- 48 <= 9 || $0 == 44 || $0 == 46 || $0 == 43 || $0 == 45 || isSpace($0) })
        {
            return .commaInNumber
        }
        return .malformedNumber
    }

    private static let powersOfTen: [Double] = (0...22).map { e in
        var p = 1.0
        for _ in 0..<e { p *= 10 }
        return p
    }
}
