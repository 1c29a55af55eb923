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
        var text = ""
        appendReason(value: value, to: &text)
        return text
    }

    /// Appends ``reason(value:)`` to `out` (explanations write many of these per scored return: one string each).
    package func appendReason(value: Float, to out: inout String) {
        switch role {
        case .missing, .missingLevel:
            out += label
            out += " is missing"
        case .level:
            out += label
            out += " is "
            out += level ?? "?"
        case .unknownLevel:
            out += label
            out += " is a value not seen in training"
        case .bucket:
            out += "\(label) (hashed bucket \(bucket ?? 0))"
        case .sine, .cosine:
            out += label
        case .value:
            guard !value.isNaN else {
                out += label
                out += " is missing"
                return
            }
            if let reasonTemplate { return Self.fill(reasonTemplate, label: label, value: value, into: &out) }
            out += label
            if sources.count == 1, sources[0].valueType == .boolean {
                out += value != 0 ? ": yes" : ": no"
            } else {
                out += " is "
                out += Self.format(value)
            }
        }
    }

    /// Fills `{label}`, `{value}`, `{abs_percent}`, `{percent}` and `{more_or_less}` in one pass over the template's
    /// UTF-8 bytes, appending to `out` (serving writes reasons for every scored return: no regex, no repeated copies, no
    /// grapheme breaking; the braces are ASCII, so every cut falls between scalars).
    static func fill(_ template: String, label: String, value: Float, into out: inout String) {
        let bytes = template.utf8
        var rest = bytes.startIndex
        while let open = bytes[rest...].firstIndex(of: UInt8(ascii: "{")),
            let close = bytes[open...].firstIndex(of: UInt8(ascii: "}"))
        {
            out += Substring(bytes[rest..<open])
            let name = bytes[bytes.index(after: open)..<close]
            if name.elementsEqual("label".utf8) {
                out += label
            } else if name.elementsEqual("value".utf8) {
                out += format(value)
            } else if name.elementsEqual("abs_percent".utf8) {
                out += wholePercent(abs(Double(value)))
            } else if name.elementsEqual("percent".utf8) {
                out += wholePercent(Double(value))
            } else if name.elementsEqual("more_or_less".utf8) {
                out += value < 0 ? "less" : "more"
            } else {
                out += Substring(bytes[open...close])
            }
            rest = bytes.index(after: close)
        }
        out += Substring(bytes[rest...])
    }

    /// Fills a template into a new string (see ``fill(_:label:value:into:)``).
    static func fill(_ template: String, label: String, value: Float) -> String {
        var out = ""
        fill(template, label: label, value: value, into: &out)
        return out
    }

    /// A number with at most two decimals and no trailing zeros.
    static func format(_ value: Float) -> String {
        let hundredths = (Double(value) * 100).rounded()
        guard hundredths.isFinite, abs(hundredths) < 1e15 else { return String(Double(value)) }
        let n = Int64(hundredths)
        let whole = String(abs(n) / 100)
        let sign = n < 0 ? "-" : ""
        switch abs(n) % 100 {
        case 0: return sign + whole
        case let f where f % 10 == 0: return sign + whole + "." + String(f / 10)
        case let f: return sign + whole + (f < 10 ? ".0" : ".") + String(f)
        }
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
