import Foundation
import Testing

@testable import RecoupLearning

/// Small seeded data sets and fixture loading shared by the learner tests.
enum TestData {
    /// `rows × columns` standard-normal-ish features (sum of uniforms), seeded.
    static func gaussian(_ rows: Int, _ columns: Int, seed: UInt64) -> Matrix<Double> {
        var rng = SplitMix64(seed: seed)
        let values = (0..<(rows * columns)).map { _ in (0..<4).reduce(0.0) { s, _ in s + rng.nextUnit() } - 2 }
        return Matrix(rows: rows, columns: columns, values: values)
    }

    /// Labels drawn from a softmax (or sigmoid for 2 classes) of random linear scores of `x`.
    static func labels(_ x: Matrix<Double>, classes: Int, seed: UInt64) -> [Int] {
        var rng = SplitMix64(seed: seed)
        let w = (0..<(x.columns * classes)).map { _ in 2 * rng.nextUnit() - 1 }
        return (0..<x.rows).map { i in
            var z = (0..<classes).map { c in (0..<x.columns).reduce(0.0) { $0 + x[i, $1] * w[$1 * classes + c] } }
            let m = z.max()!
            z = z.map { exp($0 - m) }
            let total = z.reduce(0, +)
            var u = rng.nextUnit() * total
            for c in 0..<classes {
                u -= z[c]
                if u <= 0 { return c }
            }
            return classes - 1
        }
    }

    static func float(_ x: Matrix<Double>) -> Matrix<Float> {
        Matrix(rows: x.rows, columns: x.columns, values: x.values.map { Float($0) })
    }

    /// A JSON fixture of `Tests/RecoupLearningTests/Fixtures/`.
    static func fixture<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }

    /// JSON round trip with the encoder a model bundle would use.
    static func roundTrip<T: Codable>(_ value: T) throws -> T {
        try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
    }
}
