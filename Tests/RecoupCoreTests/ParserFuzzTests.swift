import Foundation
import Testing

@testable import RecoupCore

/// Random and mutated inputs for the CSV reader and the JSON reader: no crash, no hang, and every failure typed
/// (a `ReturnInputError` for the document, a `RecordError` per bad record). `make test` runs a few thousand cases;
/// `make reliability` (RECOUP_RELIABILITY=1) runs 100,000 of each.
@Suite("Parser fuzzing")
struct ParserFuzzTests {
    static let cases = ProcessInfo.processInfo.environment["RECOUP_RELIABILITY"] == "1" ? 100_000 : 3_000

    /// SplitMix64 (tests have no access to RecoupLearning's).
    struct RNG: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let interesting: [[UInt8]] = [
        Array("\"".utf8), Array(",".utf8), Array("\n".utf8), Array("\r\n".utf8), Array("\"\"".utf8), [0xEF, 0xBB, 0xBF], [0xFF, 0xFE], [0x00],
        Array("NaN".utf8), Array("1e999".utf8), Array("-0".utf8), Array("9999999999999999999999".utf8), Array("{".utf8), Array("}".utf8),
        Array("[".utf8), Array("]".utf8), Array(":".utf8), Array("\\u00".utf8), Array("\\".utf8), Array("null".utf8), Array("true".utf8),
        Array("2024-02-30".utf8), Array(" ".utf8), [0xC3], [0xE2, 0x82], Array(String(repeating: "[", count: 5000).utf8),
    ]

    /// One mutation of a seed document.
    static func mutate(_ seed: [UInt8], _ rng: inout RNG) -> [UInt8] {
        var bytes = seed
        for _ in 0..<Int.random(in: 1...6, using: &rng) {
            guard !bytes.isEmpty else {
                bytes = [UInt8.random(in: 0...255, using: &rng)]
                continue
            }
            let i = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0: bytes[i] = UInt8.random(in: 0...255, using: &rng)
            case 1: bytes.insert(contentsOf: interesting.randomElement(using: &rng)!, at: i)
            case 2: bytes.removeSubrange(i..<min(bytes.count, i + Int.random(in: 1...40, using: &rng)))
            case 3: bytes = Array(bytes.prefix(i))
            case 4:
                let j = Int.random(in: 0..<bytes.count, using: &rng)
                let chunk = bytes[min(i, j)..<max(i, j)]
                bytes.insert(contentsOf: chunk.prefix(500), at: Int.random(in: 0...bytes.count, using: &rng))
            case 5: bytes.swapAt(i, Int.random(in: 0..<bytes.count, using: &rng))
            default: bytes.append(contentsOf: (0..<Int.random(in: 1...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
            }
        }
        return bytes
    }

    static func seeds() -> (csv: [[UInt8]], json: [[UInt8]]) {
        let records = SampleRecords.make(12).map(\.record)
        let csv = [ReturnRecord.csv(records), ReturnRecord.csv(Array(records.prefix(1))), Array("return_id\nR1\n".utf8)]
        let json = [ReturnRecord.jsonDocument(records), records[0].json(), Array("[{}]".utf8)]
        return (csv, json)
    }

    @Test("the CSV reader survives random and mutated documents", .timeLimit(.minutes(10)))
    func csv() {
        var rng = RNG(state: 0xC5F)
        let seeds = Self.seeds().csv
        var documents = 0
        var records = 0
        for n in 0..<Self.cases {
            let input =
                n % 10 == 0
                ? (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                : Self.mutate(seeds[n % seeds.count], &rng)
            do {
                let batch = try ReturnCSVReader.read(input, labels: n % 2 == 0 ? .ignore : .optional, parallel: n % 3 == 0)
                records += batch.returns.count
                for error in batch.errors { #expect(!error.description.isEmpty) }
            } catch {
                documents += 1
                #expect(!error.description.isEmpty)
            }
        }
        #expect(documents + records > 0)
        print("RELIABILITY parser-fuzz-csv cases=\(Self.cases)")  // for `make reliability`'s table
    }

    @Test("the JSON reader survives random and mutated documents, deep nesting included", .timeLimit(.minutes(10)))
    func json() {
        var rng = RNG(state: 0x15_0A)
        let seeds = Self.seeds().json
        for n in 0..<Self.cases {
            let input =
                n % 10 == 0
                ? (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                : Self.mutate(seeds[n % seeds.count], &rng)
            do {
                let batch = try ReturnJSONReader.read(input, labels: .ignore)
                for error in batch.errors { #expect(!error.description.isEmpty) }
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
        let deep = Array((String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)).utf8)
        #expect(throws: ReturnInputError.self) { _ = try ReturnJSONReader.read(deep, labels: .ignore) }
        print("RELIABILITY parser-fuzz-json cases=\(Self.cases + 1)")  // for `make reliability`'s table
    }
}
