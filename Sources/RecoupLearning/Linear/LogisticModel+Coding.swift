/// Versioned JSON (any `Encoder`) form of ``LogisticModel``: `formatVersion` is encoded first and checked first.
///
/// ```json
/// {"formatVersion": 1, "kind": "logistic-regression", "classes": 2, "features": 3,
///  "weights": [...], "intercepts": [...], "report": {...}}
/// ```
/// Doubles are written with the shortest representation that reads back to the same bits, so a saved and loaded
/// model predicts bit-identically.
extension LogisticModel: Codable {
    /// The format this build writes and reads.
    package static let formatVersion = 1
    static let kind = "logistic-regression"

    private enum CodingKeys: String, CodingKey {
        case formatVersion, kind, classes, features, weights, intercepts, report
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try ModelFormatError.checkHeader(c, version: .formatVersion, kind: .kind, model: Self.kind, supported: Self.formatVersion)
        let classes = try c.decode(Int.self, forKey: .classes)
        let features = try c.decode(Int.self, forKey: .features)
        let weights = try c.decode([Double].self, forKey: .weights)
        let intercepts = try c.decode([Double].self, forKey: .intercepts)
        let outputs = classes == 2 ? 1 : classes
        guard classes >= 2, features >= 0, weights.count == features * outputs, intercepts.count == outputs else {
            throw ModelFormatError.inconsistent(
                model: Self.kind,
                reason: "\(classes) classes, \(features) features, \(weights.count) weights, \(intercepts.count) intercepts"
            )
        }
        self.init(
            classes: classes,
            features: features,
            weights: weights,
            intercepts: intercepts,
            report: try c.decodeIfPresent(LogisticRegression.Report.self, forKey: .report)
        )
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.formatVersion, forKey: .formatVersion)
        try c.encode(Self.kind, forKey: .kind)
        try c.encode(classes, forKey: .classes)
        try c.encode(features, forKey: .features)
        try c.encode(weights, forKey: .weights)
        try c.encode(intercepts, forKey: .intercepts)
        try c.encodeIfPresent(report, forKey: .report)
    }
}
