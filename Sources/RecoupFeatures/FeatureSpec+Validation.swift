internal import Foundation
internal import RecoupCore

/// A feature spec that cannot be used, or a fitted spec that does not fit the model.
package enum FeatureSpecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The spec's `format_version` is not one this code reads.
    case unsupportedFormatVersion(Int)
    /// Two features share a name.
    case duplicateName(String)
    /// A feature lacks a parameter its kind needs.
    case missingParameter(feature: String, parameter: String)
    /// A parameter has a value outside its range.
    case invalidParameter(feature: String, parameter: String, value: String, expected: String)
    /// A feature reads a field of the wrong type.
    case wrongFieldType(feature: String, field: String, expected: String)
    /// A spec-level setting is out of range.
    case invalidSetting(name: String, value: String, expected: String)
    /// `fit` was given no records.
    case noTrainingRecords
    /// The spec JSON could not be decoded.
    case unreadable(String)
    /// A fitted spec's fingerprint differs from the one a model was trained with.
    case fingerprintMismatch(expected: String, found: String)

    package var description: String {
        switch self {
        case .unsupportedFormatVersion(let v): "feature spec format_version \(v) is not supported (expected \(FeatureSpec.currentFormatVersion))"
        case .duplicateName(let name): "feature name \"\(name)\" is used twice"
        case .missingParameter(let feature, let parameter): "feature \"\(feature)\" needs \"\(parameter)\""
        case .invalidParameter(let feature, let parameter, let value, let expected):
            "feature \"\(feature)\": \(parameter) = \(value); expected \(expected)"
        case .wrongFieldType(let feature, let field, let expected): "feature \"\(feature)\": field \(field) is not \(expected)"
        case .invalidSetting(let name, let value, let expected): "feature spec \(name) = \(value); expected \(expected)"
        case .noTrainingRecords: "cannot fit a feature spec on zero records"
        case .unreadable(let reason): "cannot read the feature spec: \(reason)"
        case .fingerprintMismatch(let expected, let found):
            "feature spec fingerprint \(found) does not match the model's \(expected)"
        }
    }
}

extension FeatureSpec {
    /// Checks every setting and feature; throws the first problem found.
    package func validate() throws(FeatureSpecError) {
        guard formatVersion == Self.currentFormatVersion else { throw .unsupportedFormatVersion(formatVersion) }
        guard minLevelCount >= 1 else { throw .invalidSetting(name: "min_level_count", value: "\(minLevelCount)", expected: ">= 1") }
        guard maxLevels >= 1 else { throw .invalidSetting(name: "max_levels", value: "\(maxLevels)", expected: ">= 1") }
        guard clipQuantiles.count == 2, clipQuantiles[0] >= 0, clipQuantiles[0] < clipQuantiles[1], clipQuantiles[1] <= 1 else {
            throw .invalidSetting(name: "clip_quantiles", value: "\(clipQuantiles)", expected: "[low, high] with 0 <= low < high <= 1")
        }
        guard (2...255).contains(maxBins) else { throw .invalidSetting(name: "max_bins", value: "\(maxBins)", expected: "2...255") }
        guard sampleSize >= 1 else { throw .invalidSetting(name: "sample_size", value: "\(sampleSize)", expected: ">= 1") }
        for field in receiptFields ?? [] where field.isLabel || field.isRequired {
            throw .invalidSetting(
                name: "receipt_fields",
                value: field.name,
                expected: "optional record fields (a required field is known at request)"
            )
        }
        if let receiptFields, Set(receiptFields).count != receiptFields.count {
            throw .invalidSetting(name: "receipt_fields", value: "\(receiptFields.map(\.name))", expected: "each field once")
        }
        var names = Set<String>()
        for feature in features {
            guard names.insert(feature.name).inserted else { throw .duplicateName(feature.name) }
            try feature.validate()
        }
    }

    /// Decodes and validates a spec from JSON.
    package static func decode(json: [UInt8]) throws(FeatureSpecError) -> FeatureSpec {
        let spec: FeatureSpec
        do {
            spec = try JSONDecoder().decode(FeatureSpec.self, from: Data(json))
        } catch {
            throw .unreadable(String(describing: error))
        }
        try spec.validate()
        return spec
    }

    /// The spec as pretty, key-sorted JSON.
    package func json() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(self)) ?? Data())
    }

    /// The spec shipped with Recoup (`Resources/default-feature-spec.json`).
    package static var `default`: FeatureSpec {
        get throws(FeatureSpecError) {
            guard let url = Bundle.module.url(forResource: "default-feature-spec", withExtension: "json", subdirectory: "Resources"),
                let data = try? Data(contentsOf: url)
            else { throw .unreadable("the bundled default-feature-spec.json is missing") }
            return try decode(json: Array(data))
        }
    }
}

extension FeatureDefinition {
    func validate() throws(FeatureSpecError) {
        guard !name.isEmpty else { throw .invalidParameter(feature: name, parameter: "name", value: "\"\"", expected: "a non-empty name") }
        switch kind {
        case .numeric:
            guard let source else { throw .missingParameter(feature: name, parameter: "source") }
            try validateSource(source)
        case .oneHot:
            try requireField(types: [.category, .text], expected: "a string field")
            if let minCount, minCount < 1 { throw .invalidParameter(feature: name, parameter: "min_count", value: "\(minCount)", expected: ">= 1") }
            if let maxLevels, maxLevels < 1 {
                throw .invalidParameter(feature: name, parameter: "max_levels", value: "\(maxLevels)", expected: ">= 1")
            }
        case .hashed, .hashedTokens:
            try requireField(types: [.category, .text], expected: "a string field")
            guard let buckets else { throw .missingParameter(feature: name, parameter: "buckets") }
            guard (1...4096).contains(buckets) else {
                throw .invalidParameter(feature: name, parameter: "buckets", value: "\(buckets)", expected: "1...4096")
            }
        case .boolean:
            try requireField(types: [.boolean], expected: "a boolean field")
        case .cyclic:
            try requireField(types: [.date], expected: "a date field")
        case .signal:
            guard signal != nil else { throw .missingParameter(feature: name, parameter: "signal") }
        }
    }

    private func requireField(types: [ContractField.ValueType], expected: String) throws(FeatureSpecError) {
        guard let field else { throw .missingParameter(feature: name, parameter: "field") }
        guard !field.isLabel, types.contains(field.valueType) else {
            throw .wrongFieldType(feature: name, field: field.name, expected: expected)
        }
    }

    private func validateSource(_ source: NumericSource) throws(FeatureSpecError) {
        let numeric: [ContractField.ValueType] = [.number, .integer]
        let expected: (fields: [ContractField], types: [ContractField.ValueType], what: String) =
            switch source {
            case .field, .ratio, .product, .relativeDifference: (source.fields, numeric, "a numeric field")
            case .daysBetween: (source.fields, [.date], "a date field")
            case .textLength: (source.fields, [.text, .category], "a string field")
            }
        for field in expected.fields where field.isLabel || !expected.types.contains(field.valueType) {
            throw .wrongFieldType(feature: name, field: field.name, expected: expected.what)
        }
    }
}
