/// Class weights that give every class the same total weight, for learners that take sample weights (the boosted
/// trees) as well as for ``LogisticRegression/ClassWeights/balanced``.
package enum ClassBalance {
    /// `S / (K · S_k)` for each class `k`, where `S_k` is the weight of the rows of class `k` (scikit-learn
    /// `compute_class_weight("balanced", ..., sample_weight=...)`); an absent class gets 0.
    package static func multipliers(labels: [Int], classes k: Int, sampleWeights: [Double]? = nil) -> [Double] {
        var perClass = [Double](repeating: 0, count: k)
        for (i, y) in labels.enumerated() { perClass[y] += sampleWeights?[i] ?? 1 }
        let total = perClass.reduce(0, +)
        return perClass.map { $0 > 0 ? total / (Double(k) * $0) : 0 }
    }

    /// Sample weights with the balanced multiplier of each row's class applied.
    package static func weights(labels: [Int], classes k: Int, sampleWeights: [Double]? = nil) -> [Double] {
        let m = multipliers(labels: labels, classes: k, sampleWeights: sampleWeights)
        return labels.enumerated().map { i, y in (sampleWeights?[i] ?? 1) * m[y] }
    }
}
