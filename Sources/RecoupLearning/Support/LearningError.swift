/// Why a learner refused to train or a model refused to load. Every case names the offending value.
///
/// Hyper-parameters are checked by `validate()` before any work starts (as liblinear's `check_parameter` and
/// scikit-learn's `_validate_parameters` do); inputs are checked before the first iteration.
package enum LearningError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A hyper-parameter is outside its range, e.g. a negative learning rate or `maxLeaves < 2`.
    case invalidHyperParameter(name: String, value: String, expected: String)
    /// Two inputs disagree in size, e.g. 100 rows but 99 labels.
    case sizeMismatch(what: String, expected: Int, actual: Int)
    /// There is nothing to learn from (no rows, or all sample weights zero).
    case emptyTrainingSet
    /// A class label outside `0..<classes`.
    case labelOutOfRange(row: Int, label: Int, classes: Int)
    /// A target a learner cannot use, e.g. a negative amount for a Tweedie objective or a NaN.
    case invalidTarget(row: Int, value: Double, expected: String)
    /// A sample weight that is negative or not finite.
    case invalidWeight(row: Int, value: Double)
    /// A feature value that is not finite (the logistic learner needs finite inputs; trees take NaN as missing).
    case nonFiniteFeature(row: Int, column: Int)
    /// A bin outside a feature's value bins that is not the missing bin (255).
    case binOutOfRange(row: Int, column: Int, bin: Int, binCount: Int)

    package var description: String {
        switch self {
        case .invalidHyperParameter(let name, let value, let expected):
            "invalid hyper-parameter \(name) = \(value): expected \(expected)"
        case .sizeMismatch(let what, let expected, let actual):
            "size mismatch: \(what) has \(actual), expected \(expected)"
        case .emptyTrainingSet:
            "empty training set: no rows with a positive weight"
        case .labelOutOfRange(let row, let label, let classes):
            "label \(label) in row \(row) is outside 0..<\(classes)"
        case .invalidTarget(let row, let value, let expected):
            "target \(value) in row \(row): expected \(expected)"
        case .invalidWeight(let row, let value):
            "sample weight \(value) in row \(row): expected a finite value >= 0"
        case .nonFiniteFeature(let row, let column):
            "feature \(column) in row \(row) is not finite"
        case .binOutOfRange(let row, let column, let bin, let binCount):
            "bin \(bin) of feature \(column) in row \(row) is outside 0..<\(binCount) and is not the missing bin 255"
        }
    }
}

/// Why a serialized model could not be decoded.
package enum ModelFormatError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The payload was written by a format this build does not know (newer, or not a model of this kind).
    case unsupportedFormatVersion(model: String, found: Int, supported: Int)
    /// The payload decodes but breaks an invariant of the model (array lengths, child indices, ...).
    case inconsistent(model: String, reason: String)

    package var description: String {
        switch self {
        case .unsupportedFormatVersion(let model, let found, let supported):
            "\(model): unsupported format version \(found) (this build reads version \(supported))"
        case .inconsistent(let model, let reason):
            "\(model): inconsistent model: \(reason)"
        }
    }
}

extension ModelFormatError {
    /// Reads the header of a serialized model: `formatVersion` first (anything but `supported` is refused before
    /// the rest is read), then `kind`, which must be `model`.
    static func checkHeader<Key: CodingKey>(
        _ c: KeyedDecodingContainer<Key>,
        version: Key,
        kind: Key,
        model: String,
        supported: Int
    ) throws {
        let found = try c.decode(Int.self, forKey: version)
        guard found == supported else { throw unsupportedFormatVersion(model: model, found: found, supported: supported) }
        let actual = try c.decode(String.self, forKey: kind)
        guard actual == model else { throw inconsistent(model: model, reason: "the payload is a \(actual) model") }
    }
}

/// A check used by `validate()` methods: throws ``LearningError/invalidHyperParameter(name:value:expected:)`` unless
/// `condition` holds.
@inline(__always)
func require<V>(_ condition: Bool, _ name: String, _ value: V, _ expected: String) throws(LearningError) {
    if !condition { throw .invalidHyperParameter(name: name, value: "\(value)", expected: expected) }
}
