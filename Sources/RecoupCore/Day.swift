/// A calendar date (UTC), stored as days since 1970-01-01.
///
/// The contract's dates are `YYYY-MM-DD` (or a full ISO 8601 timestamp, of which the UTC date is used); durations
/// between them are plain integer subtraction.
package struct Day: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Days since 1970-01-01 (negative before).
    package let daysSinceEpoch: Int

    package init(daysSinceEpoch: Int) {
        self.daysSinceEpoch = daysSinceEpoch
    }

    /// The UTC date of an instant given in seconds since 1970-01-01.
    package init(containingSecondsSinceEpoch seconds: Double) {
        self.daysSinceEpoch = Int((seconds / 86_400).rounded(.down))
    }

    /// The date with a proleptic Gregorian year, month (1–12) and day (1–31), or `nil` when it does not exist.
    package init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= Day.daysInMonth(year: year, month: month) else { return nil }
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        self.daysSinceEpoch = era * 146_097 + doe - 719_468
    }

    /// Year, month and day (Hinnant's civil_from_days).
    package var components: (year: Int, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Day of the year, 1-based (Hinnant's day of the March-based year, shifted to January).
    package var dayOfYear: Int {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)  // 0 = March 1
        if doy >= 306 { return doy - 305 }  // January or February of the next calendar year
        return doy + 60 + (Day.isLeapYear(yoe + era * 400) ? 1 : 0)
    }

    /// Day of the week, 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
    package var weekday: Int { ((daysSinceEpoch % 7) + 7 + 3) % 7 }

    /// `YYYY-MM-DD`.
    package var description: String {
        let (y, m, d) = components
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }

    package static func < (lhs: Day, rhs: Day) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    /// `rhs - lhs` in days.
    package static func - (lhs: Day, rhs: Day) -> Int { lhs.daysSinceEpoch - rhs.daysSinceEpoch }

    /// The date `days` later.
    package static func + (lhs: Day, days: Int) -> Day { Day(daysSinceEpoch: lhs.daysSinceEpoch + days) }

    package static func isLeapYear(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    package static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let day = Day(parsing: text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "expected a date YYYY-MM-DD, got \"\(text)\""
            )
        }
        self = day
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Parses `YYYY-MM-DD`, or an ISO 8601 timestamp `YYYY-MM-DDThh:mm[:ss[.fff]][Z|±hh:mm]` whose UTC date is used.
    package init?(parsing text: some StringProtocol) {
        var text = String(text)
        guard let day = text.withUTF8({ Day(utf8: $0) }) else { return nil }
        self = day
    }

    /// Parses the UTF-8 bytes of a date (see ``init(parsing:)``) without allocating.
    package init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        @inline(__always) func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for i in range {
                let b = bytes[i] &- 48
                guard b <= 9 else { return nil }
                value = value * 10 + Int(b)
            }
            return value
        }
        guard bytes.count >= 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let y = number(0..<4), let m = number(5..<7), let d = number(8..<10),
            let date = Day(year: y, month: m, day: d)
        else { return nil }
        if bytes.count == 10 {
            self = date
            return
        }
        // Timestamp: T or space, hh:mm, optional :ss and fraction, optional zone.
        guard bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") || bytes[10] == UInt8(ascii: " "),
            let hh = number(11..<13), bytes.count > 13, bytes[13] == UInt8(ascii: ":"), let mm = number(14..<16),
            hh < 24, mm < 60
        else { return nil }
        var i = 16
        if i < bytes.count, bytes[i] == UInt8(ascii: ":") {
            guard let ss = number((i + 1)..<(i + 3)), ss <= 60 else { return nil }
            i += 3
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: ",") {
                i += 1
                let start = i
                while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 { i += 1 }
                guard i > start else { return nil }
            }
        }
        var offsetMinutes = 0
        if i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                i += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let sign = bytes[i] == UInt8(ascii: "-") ? -1 : 1
                guard let oh = number((i + 1)..<(i + 3)) else { return nil }
                var j = i + 3
                if j < bytes.count, bytes[j] == UInt8(ascii: ":") { j += 1 }
                guard let om = number(j..<(j + 2)), oh < 24, om < 60 else { return nil }
                offsetMinutes = sign * (oh * 60 + om)
                i = j + 2
            default:
                return nil
            }
        }
        guard i == bytes.count else { return nil }
        let utcMinutes = hh * 60 + mm - offsetMinutes
        let shift = utcMinutes < 0 ? -1 : (utcMinutes >= 24 * 60 ? 1 : 0)
        self = date + shift
    }
}
