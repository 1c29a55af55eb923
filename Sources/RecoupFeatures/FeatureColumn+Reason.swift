internal import Foundation
internal import RecoupCore

extension FeatureColumn {
    /// A short human phrase for this column holding `value` (natural units, as ``FeatureExtractor/values(of:)``
    /// gives), for explanations: "serial number does not match", "weighs 41% less than declared",
    /// "category is electronics", "customer tenure (days) is missing".
    ///
    /// A spec's `reason` template may use `{label}`, `{value}`, `{percent}`, `{abs_percent}` and `{more_or_less}`; it
    /// applies to the feature's value column when the value is present.
    package func reason(value: Float) -> String {
        switch role {
        case .missing, .missingLevel:
            return "\(label) is missing"
        case .level:
            return "\(label) is \(level ?? "?")"
        case .unknownLevel:
            return "\(label) is a value not seen in training"
        case .bucket:
            return "\(label) (hashed bucket \(bucket ?? 0))"
        case .sine, .cosine:
            return label
        case .value:
            guard !value.isNaN else { return "\(label) is missing" }
            if let reasonTemplate { return Self.fill(reasonTemplate, label: label, value: value) }
            if sources.count == 1, sources[0].valueType == .boolean {
                return "\(label): \(value != 0 ? "yes" : "no")"
            }
            return "\(label) is \(Self.format(value))"
        }
    }

    static func fill(_ template: String, label: String, value: Float) -> String {
        template
            .replacing("{label}", with: label)
            .replacing("{value}", with: format(value))
            .replacing("{abs_percent}", with: wholePercent(abs(Double(value))))
            .replacing("{percent}", with: wholePercent(Double(value)))
            .replacing("{more_or_less}", with: value < 0 ? "less" : "more")
    }

    /// A number with at most two decimals and no trailing zeros.
    static func format(_ value: Float) -> String {
        let rounded = (Double(value) * 100).rounded() / 100
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int64(rounded)) }
        return String(format: "%.2f", rounded).replacing(/0+$/, with: "")
    }
}

extension FittedFeatureSpec {
    /// The reason phrase of column `column` for a record's values (see ``FeatureColumn/reason(value:)``).
    package func reason(column: Int, values: [Float]) -> String {
        columns[column].reason(value: values[column])
    }
}

/// A ratio as a whole percentage (`0.414` → `41%`). A ratio too large for an integer (a weight declared as 5e-324 kg
/// makes the measured one infinitely heavier) reads "over 1000000000%" instead of trapping in `Int(_:)`.
package func wholePercent(_ ratio: Double) -> String {
    let percent = (ratio * 100).rounded()
    guard percent.isFinite, abs(percent) < 1e9 else {
        return ratio.isNaN ? "an unknown percentage" : (ratio < 0 ? "below -1000000000%" : "over 1000000000%")
    }
    return "\(Int(percent))%"
}
