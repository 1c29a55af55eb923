internal import Foundation
internal import RecoupCore

/// One feature compiled for the per-row loop: plain values only (no references, no calls into other modules), with
/// its contract fields resolved to ``FieldTable`` indices.
struct Step: Sendable {
    /// How a numeric value is computed (``NumericSource`` with its fields resolved).
    enum Operation: Sendable {
        case field, ratio, product, daysBetween, relativeDifference, textLength
    }

    var kind: FeatureKind
    var operation: Operation = .field
    /// The fields read, as table indices (`a` alone for one-field features).
    var a = 0
    var b = 0
    var period: CyclicPeriod = .year
    var signal: FraudSignal = .serialMismatch
    /// First column of the feature (the value, the first bucket, the sine; one-hot: the `<unknown>` column).
    var column: Int32 = 0
    /// The missing-indicator (or `<missing>` level) column, or -1.
    var missing: Int32 = -1
    /// Hashed: the bucket count.
    var count: Int32 = 0
    /// One-hot: index of its level table in the ``RowKernel``.
    var lookup: Int32 = -1

    /// Compiles `definition` against the fitted columns.
    init(_ definition: FeatureDefinition, columns: [FeatureColumn], levels: inout [[(level: String, column: Int)]]) {
        kind = definition.kind
        let own = columns.indices.filter { columns[$0].feature == definition.name }
        func first(_ role: ColumnRole) -> Int32 { Int32(own.first { columns[$0].role == role } ?? -1) }
        period = definition.period ?? .year
        signal = definition.signal ?? .serialMismatch
        a = definition.field?.rawValue ?? 0
        if let source = definition.source {
            let fields = source.fields
            a = fields[0].rawValue
            b = fields.count > 1 ? fields[1].rawValue : 0
            operation =
                switch source {
                case .field: .field
                case .ratio: .ratio
                case .product: .product
                case .daysBetween: .daysBetween
                case .relativeDifference: .relativeDifference
                case .textLength: .textLength
                }
        }
        switch kind {
        case .numeric, .boolean, .signal:
            column = first(.value)
            missing = first(.missing)
        case .oneHot:
            column = first(.unknownLevel)
            missing = first(.missingLevel)
            lookup = Int32(levels.count)
            levels.append(own.filter { columns[$0].role == .level }.map { (columns[$0].level!, $0) })
        case .hashed, .hashedTokens:
            column = first(.bucket)
            count = Int32(own.count)
        case .cyclic:
            column = first(.sine)
        }
        precondition(column >= 0, "fitted spec has no columns for feature \(definition.name)")
    }

    /// A numeric feature's value, `nil` when missing.
    @inline(__always)
    func number(in t: UnsafePointer<FieldTable>) -> Double? {
        switch operation {
        case .field:
            return t.has(a) ? t.number(a) : nil
        case .ratio:
            guard t.has(a), t.has(b), t.number(b) > 0 else { return nil }
            return t.number(a) / t.number(b)
        case .product:
            guard t.has(a), t.has(b) else { return nil }
            return t.number(a) * t.number(b)
        case .daysBetween:
            guard t.has(a), t.has(b) else { return nil }
            return t.number(b) - t.number(a)
        case .relativeDifference:
            guard t.has(a), t.has(b), t.number(b) > 0 else { return nil }
            return t.number(a) / t.number(b) - 1
        case .textLength:
            return t.has(a) ? Double(t.textCount(a)) : 0
        }
    }
}

extension UnsafePointer<FieldTable> {
    /// Whether the field at table index `index` has a value.
    @inline(__always)
    func has(_ index: Int) -> Bool { pointee.present & (1 << UInt64(index)) != 0 }

    /// A boolean field's value, `nil` when missing.
    @inline(__always)
    func flag(_ index: Int) -> Bool? { has(index) ? pointee.flags & (1 << UInt64(index)) != 0 : nil }

    /// A number, integer or date (days) field's value (meaningful when present).
    @inline(__always)
    func number(_ index: Int) -> Double { pointee.numbers[index] }

    /// The UTF-8 of a present string field.
    @inline(__always)
    func text(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: pointee.textBases[index], count: pointee.textCounts[index])
    }

    /// The byte length of a present string field.
    @inline(__always)
    func textCount(_ index: Int) -> Int { pointee.textCounts[index] }
}

extension NumericSource {
    /// Whether the value can be missing for a valid record.
    var canBeMissing: Bool {
        switch self {
        case .textLength: false
        case .ratio, .relativeDifference: true
        default: fields.contains { !$0.isRequired }
        }
    }
}

extension CyclicPeriod {
    /// Positions in the cycle: day of the year 1...366 (index 0...365), or weekday 0...6.
    var positions: Int { self == .year ? 366 : 7 }

    /// The position of a date given as days since 1970-01-01 (an index into ``sineCosine``).
    @inline(__always)
    func position(ofDay days: Int) -> Int {
        let day = Day(daysSinceEpoch: days)
        return self == .year ? day.dayOfYear - 1 : day.weekday
    }

    /// `(sin, cos)` of every position's angle: `2π · position / 365.25` (year) or `2π · weekday / 7` (week).
    var sineCosine: [(Float, Float)] {
        (0..<positions).map { position in
            let phase = 2 * Double.pi * Double(position) / (self == .year ? 365.25 : 7)
            return (Float(sin(phase)), Float(cos(phase)))
        }
    }
}

/// Table indices of the fields the named signals read (resolved once: `rawValue` is a call across modules).
enum SignalFields {
    static let hasSerial = ContractField.hasSerial.rawValue
    static let serialMatches = ContractField.serialMatches.rawValue
    static let accessoriesComplete = ContractField.accessoriesComplete.rawValue
    static let weightMeasured = ContractField.weightKgMeasured.rawValue
    static let weightDeclared = ContractField.weightKgDeclared.rawValue
}

extension FraudSignal {
    /// The signal's value for a record (`NaN` when it cannot be computed).
    @inline(__always)
    func value(in t: UnsafePointer<FieldTable>, fields: SignalIndices) -> Float {
        switch self {
        case .serialMismatch:
            return t.flag(fields.serialMatches) == false && t.flag(fields.hasSerial) != false ? 1 : 0
        case .accessoriesMissing:
            return t.flag(fields.accessoriesComplete) == false ? 1 : 0
        case .weightDeviation:
            guard t.has(fields.weightMeasured), t.has(fields.weightDeclared), t.number(fields.weightDeclared) > 0 else {
                return .nan
            }
            return FeatureExtractor.finite(abs(t.number(fields.weightMeasured) / t.number(fields.weightDeclared) - 1))
        }
    }

    /// Whether the signal can be missing.
    var canBeMissing: Bool { self == .weightDeviation }
}

/// The table indices the signals read, kept in the kernel (plain values).
struct SignalIndices: Sendable {
    var hasSerial = SignalFields.hasSerial
    var serialMatches = SignalFields.serialMatches
    var accessoriesComplete = SignalFields.accessoriesComplete
    var weightMeasured = SignalFields.weightMeasured
    var weightDeclared = SignalFields.weightDeclared
}
