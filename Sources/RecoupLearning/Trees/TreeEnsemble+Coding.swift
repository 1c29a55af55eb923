/// Versioned `Codable` form of ``TreeEnsemble`` (LightGBM `gbdt_model_text.cpp` writes `version=v4` first; we write
/// `formatVersion` first and refuse any other version before reading further).
///
/// ```json
/// {"formatVersion": 1, "kind": "gradient-boosted-trees", "objective": {"binaryLogLoss": {}}, "features": 100,
///  "baseScores": [-3.2], "trees": [{"splitFeature": [...], "thresholdBin": [...], ...}], "report": {...}}
/// ```
/// Decoding checks every tree's arrays (equal lengths, children and features in range), so a damaged file fails to
/// load instead of crashing at prediction time. Doubles round-trip exactly, so predictions after save and load are
/// bit-identical.
extension TreeEnsemble: Codable {
    /// The format this build writes and reads.
    package static let formatVersion = 1
    static let kind = "gradient-boosted-trees"

    private enum CodingKeys: String, CodingKey {
        case formatVersion, kind, objective, features, baseScores, trees, report
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try ModelFormatError.checkHeader(c, version: .formatVersion, kind: .kind, model: Self.kind, supported: Self.formatVersion)
        let objective = try c.decode(Objective.self, forKey: .objective)
        let features = try c.decode(Int.self, forKey: .features)
        let baseScores = try c.decode([Double].self, forKey: .baseScores)
        let trees = try c.decode([Tree].self, forKey: .trees)
        guard baseScores.count == objective.outputs, features >= 0, features <= Int(UInt16.max) + 1 else {
            throw ModelFormatError.inconsistent(
                model: Self.kind,
                reason: "\(baseScores.count) base scores for \(objective.outputs) outputs, \(features) features"
            )
        }
        for (t, tree) in trees.enumerated() {
            if let problem = tree.inconsistency(features: features) {
                throw ModelFormatError.inconsistent(model: Self.kind, reason: "tree \(t): \(problem)")
            }
        }
        self.init(
            objective: objective,
            features: features,
            baseScores: baseScores,
            trees: trees,
            report: try c.decodeIfPresent(GradientBoostedTrees.Report.self, forKey: .report)
        )
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.formatVersion, forKey: .formatVersion)
        try c.encode(Self.kind, forKey: .kind)
        try c.encode(objective, forKey: .objective)
        try c.encode(features, forKey: .features)
        try c.encode(baseScores, forKey: .baseScores)
        try c.encode(trees, forKey: .trees)
        try c.encodeIfPresent(report, forKey: .report)
    }
}

extension Tree {
    /// Why this tree's arrays cannot be a valid tree over `features` features, or `nil` when they can.
    func inconsistency(features: Int) -> String? {
        let nodes = splitFeature.count
        let sizes = [thresholdBin.count, defaultLeft.count, leftChild.count, rightChild.count, gain.count, internalValue.count, internalCount.count]
        guard sizes.allSatisfy({ $0 == nodes }) else { return "internal-node arrays of different lengths \([nodes] + sizes)" }
        guard leafValue.count == nodes + 1, leafCount.count == nodes + 1 else {
            return "\(leafValue.count) leaf values and \(leafCount.count) leaf counts for \(nodes) internal nodes"
        }
        guard splitFeature.allSatisfy({ $0 >= 0 && Int($0) < features }) else { return "a split feature outside 0..<\(features)" }
        var seen = [Bool](repeating: false, count: 2 * nodes + 1)
        for n in 0..<nodes {
            for child in [leftChild[n], rightChild[n]] {
                // Children must point forward (node numbers grow as the tree grows), so the tree has no cycle.
                let slot = child >= 0 ? Int(child) : nodes + Int(~child)
                guard (child >= 0 && Int(child) > n && Int(child) < nodes) || (child < 0 && Int(~child) <= nodes) else {
                    return "node \(n) has child \(child) out of range"
                }
                guard !seen[slot] else { return "node or leaf \(child) has two parents" }
                seen[slot] = true
            }
        }
        return nil
    }
}
