import Foundation
import RecoupCore
import RecoupLearning
import Testing

@testable import RecoupFeatures

@Suite("Feature spec: declaration, validation, fitting")
struct FeatureSpecTests {
    @Test("the shipped default spec loads, validates and round trips through JSON")
    func defaultSpec() throws {
        let spec = try FeatureSpec.default
        #expect(spec.features.count > 30)
        #expect(Set(spec.features.map(\.kind)) == Set(FeatureKind.allCases))
        #expect(try FeatureSpec.decode(json: spec.json()) == spec)
    }

    @Test(
        "invalid specs are refused with a specific error",
        arguments: [
            (#"{"name": "x", "kind": "numeric"}"#, FeatureSpecError.missingParameter(feature: "x", parameter: "source")),
            (
                #"{"name": "x", "kind": "numeric", "source": {"field": "category"}}"#,
                .wrongFieldType(feature: "x", field: "category", expected: "a numeric field")
            ),
            (
                #"{"name": "x", "kind": "one_hot", "field": "unit_price"}"#,
                .wrongFieldType(feature: "x", field: "unit_price", expected: "a string field")
            ),
            (
                #"{"name": "x", "kind": "hashed", "field": "sku", "buckets": 0}"#,
                .invalidParameter(feature: "x", parameter: "buckets", value: "0", expected: "1...4096")
            ),
            (
                #"{"name": "x", "kind": "cyclic", "field": "is_gift"}"#,
                .wrongFieldType(feature: "x", field: "is_gift", expected: "a date field")
            ),
            (#"{"name": "x", "kind": "signal"}"#, .missingParameter(feature: "x", parameter: "signal")),
            (
                #"{"name": "x", "kind": "boolean", "field": "fraud_flag"}"#,
                .wrongFieldType(feature: "x", field: "fraud_flag", expected: "a boolean field")
            ),
        ]
    )
    func invalid(feature: String, error: FeatureSpecError) {
        let json = #"{"format_version": 1, "features": ["# + feature + "]}"
        #expect(throws: error) { try FeatureSpec.decode(json: Array(json.utf8)) }
    }

    @Test("duplicate names, a future format and unknown fields are refused")
    func refused() {
        let twice =
            #"{"format_version": 1, "features": [{"name": "a", "kind": "boolean", "field": "is_gift"}, {"name": "a", "kind": "boolean", "field": "promo_flag"}]}"#
        #expect(throws: FeatureSpecError.duplicateName("a")) { try FeatureSpec.decode(json: Array(twice.utf8)) }
        #expect(throws: FeatureSpecError.unsupportedFormatVersion(2)) {
            try FeatureSpec.decode(json: Array(#"{"format_version": 2, "features": []}"#.utf8))
        }
        #expect(throws: FeatureSpecError.self) {
            try FeatureSpec.decode(json: Array(#"{"format_version": 1, "features": [{"name": "a", "kind": "boolean", "field": "colour"}]}"#.utf8))
        }
        #expect(throws: FeatureSpecError.noTrainingRecords) { try Fixtures.spec.fit([]) }
    }

    @Test("fit is deterministic; the fitted spec round trips through JSON with the same fingerprint")
    func deterministic() throws {
        let again = try Fixtures.spec.fit(Array(Fixtures.records.prefix(400)))
        #expect(again == Fixtures.fitted)
        #expect(again.fingerprint == Fixtures.fitted.fingerprint)
        let decoded = try FittedFeatureSpec.decode(json: Fixtures.fitted.canonicalJSON())
        #expect(decoded == Fixtures.fitted)
        #expect(decoded.fingerprint == Fixtures.fitted.fingerprint)
        try decoded.requireFingerprint(Fixtures.fitted.fingerprint)
        let other = try Fixtures.spec.fit(Array(Fixtures.records.suffix(400)))
        #expect(other.fingerprint != Fixtures.fitted.fingerprint)
        #expect(throws: FeatureSpecError.fingerprintMismatch(expected: other.fingerprint, found: decoded.fingerprint)) {
            try decoded.requireFingerprint(other.fingerprint)
        }
    }

    @Test("columns: unique names, each traced to contract fields; trees see no ids or indicators")
    func columns() {
        let fitted = Fixtures.fitted
        #expect(Set(fitted.columnNames).count == fitted.denseWidth)
        #expect(fitted.columns.allSatisfy { !$0.sources.isEmpty && !$0.label.isEmpty })
        #expect(fitted.treeColumns == fitted.columns.indices.filter { fitted.columns[$0].inTree })
        #expect(!fitted.treeColumnNames.contains { $0.hasPrefix("sku#") || $0.hasSuffix(".missing") })
        #expect(fitted.binMapper.featureCount == fitted.treeWidth)
        #expect(fitted.binMapper.binCounts.allSatisfy { $0 >= 1 && $0 <= 255 })
        #expect(fitted.levels(of: "reason_code").count == 9)
        #expect(fitted.columnNames.contains("category=<unknown>"))
        #expect(fitted.columnNames.contains("package_condition=<missing>"))
        #expect(!fitted.columnNames.contains("category=<missing>"))  // category is required
    }

    @Test("levels need min_count records and are capped by max_levels")
    func levelThresholds() throws {
        var spec = Fixtures.spec
        spec.minLevelCount = 10_000
        #expect(try spec.fit(Fixtures.records).levels(of: "category").isEmpty)
        spec.minLevelCount = 1
        spec.maxLevels = 3
        #expect(try spec.fit(Fixtures.records).levels(of: "category").count == 3)
    }

    @Test("numeric columns are standardized on their (log1p, clipped) training values")
    func standardization() {
        let extractor = Fixtures.extractor
        let train = extractor.extract(Array(Fixtures.records.prefix(400)), parallel: false)
        let j = Fixtures.fitted.columnNames.firstIndex(of: "unit_price")!
        let column = (0..<train.rows).map { Double(train.dense[$0, j]) }
        let mean = column.reduce(0, +) / Double(column.count)
        let variance = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(column.count)
        #expect(abs(mean) < 0.01)
        #expect(abs(variance - 1) < 0.05)
        let clipLow = Fixtures.fitted.columns[j].clipLow!
        let clipHigh = Fixtures.fitted.columns[j].clipHigh!
        #expect(clipLow < clipHigh)
    }
}

@Suite("Reason wording")
struct ReasonWordingTests {
    @Test(
        "numbers keep at most two decimals and no trailing zeros",
        arguments: [
            (Float(2), "2"), (1.5, "1.5"), (0.05, "0.05"), (-0.25, "-0.25"), (-0.001, "0"), (1234.567, "1234.57"), (0.1, "0.1"), (-3, "-3"),
        ]
    )
    func format(value: Float, text: String) {
        #expect(FeatureColumn.format(value) == text)
    }

    @Test("templates fill every placeholder in one pass and leave unknown ones")
    func fill() {
        #expect(FeatureColumn.fill("weighs {abs_percent} {more_or_less} than declared", label: "w", value: -0.41) == "weighs 41% less than declared")
        #expect(FeatureColumn.fill("{label} is {value} ({percent}) {other}", label: "ratio", value: 0.5) == "ratio is 0.5 (50%) {other}")
        #expect(FeatureColumn.fill("no placeholders", label: "x", value: 1) == "no placeholders")
        // Multi-byte text around the placeholders, and a brace that never closes, are copied once and intact.
        #expect(FeatureColumn.fill("größe {label}: {value} 🧥 {unclosed", label: "é", value: 2) == "größe é: 2 🧥 {unclosed")
        #expect(FeatureColumn.fill("{label}{value}", label: "", value: -1.5) == "-1.5")
    }
}
