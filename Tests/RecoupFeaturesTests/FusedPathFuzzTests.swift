import Foundation
import RecoupCore
import Testing

@testable import RecoupFeatures

/// The fused CSV → matrices path parses bytes itself, so it is fuzzed on its own: random and mutated documents never
/// crash it, and on every document it reports the same good rows and the same bad lines as the record reader.
@Suite("Fused CSV path fuzzing")
struct FusedPathFuzzTests {
    static let cases = ProcessInfo.processInfo.environment["RECOUP_RELIABILITY"] == "1" ? 20_000 : 300

    @Test("mutated CSV: no crash, and the same accepted rows and errors as the record reader", .timeLimit(.minutes(10)))
    func fused() {
        var state: UInt64 = 0xF05E
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let seed = Array(Fixtures.csv.prefix(40_000))
        let pieces: [[UInt8]] = [Array("\"".utf8), Array(",".utf8), Array("\n".utf8), Array("\r\n".utf8), Array("NaN".utf8), [0xFF], Array("x".utf8)]
        for n in 0..<Self.cases {
            var bytes = seed
            for _ in 0..<(1 + Int(next() % 5)) {
                let i = Int(next() % UInt64(max(1, bytes.count)))
                switch next() % 4 {
                case 0: if i < bytes.count { bytes[i] = UInt8(truncatingIfNeeded: next()) }
                case 1: bytes.insert(contentsOf: pieces[Int(next() % UInt64(pieces.count))], at: min(i, bytes.count))
                case 2: bytes.removeSubrange(min(i, bytes.count)..<min(bytes.count, i + Int(next() % 50)))
                default: bytes = Array(bytes.prefix(i))
                }
            }
            let fused = try? Fixtures.extractor.extract(csv: bytes, labels: .ignore, parallel: n % 2 == 0)
            let reader = try? ReturnCSVReader.read(bytes, labels: .ignore)
            #expect((fused == nil) == (reader == nil), "case \(n): one path refused the document, the other did not")
            if let fused, let reader {
                #expect(fused.matrices.rows == reader.returns.count, "case \(n)")
                #expect(Array(fused.returnIDs) == reader.returns.map(\.record.returnID), "case \(n)")
                #expect(Set(fused.errors.map(\.position)) == Set(reader.errors.map(\.position)), "case \(n)")
            }
        }
        print("RELIABILITY fused-path-fuzz cases=\(Self.cases)")  // for `make reliability`'s table
    }
}
