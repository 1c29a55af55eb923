import Testing

@testable import RecoupCore

@Suite("Calendar dates")
struct DayTests {
    @Test("round trip through YYYY-MM-DD, including leap days and the epoch")
    func roundTrip() throws {
        for text in ["1970-01-01", "2024-02-29", "2000-12-31", "1969-12-31", "2026-11-26"] {
            let day = try #require(Day(parsing: text))
            #expect(day.description == text)
        }
        #expect(Day(parsing: "1970-01-01")?.daysSinceEpoch == 0)
        #expect(Day(parsing: "2024-03-01")! - Day(parsing: "2024-02-28")! == 2)
    }

    @Test("impossible or malformed dates are refused", arguments: ["2023-02-29", "2024-13-01", "2024-1-01", "20240101", "", "2024-01-01T"])
    func refused(text: String) {
        #expect(Day(parsing: text) == nil)
    }

    @Test("a timestamp contributes its UTC date")
    func timestamps() {
        #expect(Day(parsing: "2024-05-01T10:00:00Z")?.description == "2024-05-01")
        #expect(Day(parsing: "2024-05-01T23:30:00-02:00")?.description == "2024-05-02")
        #expect(Day(parsing: "2024-05-01T00:30:00.123+01:00")?.description == "2024-04-30")
    }

    @Test("weekday: 1970-01-01 was a Thursday")
    func weekday() {
        #expect(Day(daysSinceEpoch: 0).weekday == 3)
        #expect(Day(parsing: "2026-11-26")!.weekday == 3)
    }
}

@Suite("Day of year")
struct DayOfYearTests {
    @Test("matches counting from January 1 over four centuries")
    func dayOfYear() {
        for days in stride(from: -200_000, through: 200_000, by: 7) {
            let day = Day(daysSinceEpoch: days)
            let january = Day(year: day.components.year, month: 1, day: 1)!
            #expect(day.dayOfYear == days - january.daysSinceEpoch + 1)
        }
        #expect(Day(parsing: "2024-12-31")!.dayOfYear == 366)
        #expect(Day(parsing: "2023-03-01")!.dayOfYear == 60)
    }
}
