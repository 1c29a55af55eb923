internal import Foundation
internal import RecoupCore

/// One feature compiled for the per-row loop: plain values only (no references), so that reading it costs nothing.
struct Step: Sendable {
    var kind: FeatureKind
    var field: ContractField = .returnID
    var source: NumericSource = .field(.unitPrice)
    var period: CyclicPeriod = .year
    var signal: FraudSignal = .serialMismatch
    /// First column of the feature (the value, the first bucket, the sine; one-hot: the `<unknown>` column).
    var column: Int32 = 0
    /// The missing-indicator (or `<missing>` level) column, or -1.
    var missing: Int32 = -1
    /// Hashed: the bucket count.
    var count: Int32 = 0
    /// One-hot: index of its ``LevelLookup``.
    var lookup: Int32 = -1

    /// Compiles `definition` against the fitted columns.
    init(_ definition: FeatureDefinition, columns: [FeatureColumn], lookups: inout [LevelLookup]) {
        kind = definition.kind
        let own = columns.indices.filter { columns[$0].feature == definition.name }
        func first(_ role: ColumnRole) -> Int32 { Int32(own.first { columns[$0].role == role } ?? -1) }
        field = definition.field ?? .returnID
        source = definition.source ?? .field(.unitPrice)
        period = definition.period ?? .year
        signal = definition.signal ?? .serialMismatch
        switch kind {
        case .numeric, .boolean, .signal:
            column = first(.value)
            missing = first(.missing)
        case .oneHot:
            column = first(.unknownLevel)
            missing = first(.missingLevel)
            var table: [String: Int] = [:]
            for i in own where columns[i].role == .level { table[columns[i].level!] = i }
            lookup = Int32(lookups.count)
            lookups.append(LevelLookup(table))
        case .hashed, .hashedTokens:
            column = first(.bucket)
            count = Int32(own.count)
        case .cyclic:
            column = first(.sine)
        }
        precondition(column >= 0, "fitted spec has no columns for feature \(definition.name)")
    }
}

/// The columns of a one-hot feature's kept levels, by normalized (trimmed, lower-cased) level.
struct LevelLookup: Sendable {
    let table: [String: Int]

    init(_ table: [String: Int]) {
        self.table = table
    }

    /// The column of a raw value's level, or `nil` for a level that was not kept (unknown).
    @inline(__always)
    func column(of raw: String) -> Int? {
        table[ReturnRecord.normalized(raw)]
    }
}

extension NumericSource {
    /// The source's value for a record, `nil` when missing.
    @inline(__always)
    func value(in record: ReturnRecord) -> Double? {
        switch self {
        case .field(let a):
            return record.number(a)
        case .ratio(let a, let b):
            guard let x = record.number(a), let y = record.number(b), y > 0 else { return nil }
            return x / y
        case .product(let a, let b):
            guard let x = record.number(a), let y = record.number(b) else { return nil }
            return x * y
        case .daysBetween(let a, let b):
            guard let from = record.day(a), let to = record.day(b) else { return nil }
            return Double(to - from)
        case .relativeDifference(let a, let b):
            guard let x = record.number(a), let y = record.number(b), y > 0 else { return nil }
            return x / y - 1
        case .textLength(let a):
            return Double(record.string(a)?.utf8.count ?? 0)
        }
    }

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
    /// The date's angle in its cycle, in radians.
    func phase(of day: Day) -> Double {
        switch self {
        case .year: 2 * Double.pi * Double(day.dayOfYear - 1) / 365.25
        case .week: 2 * Double.pi * Double(day.weekday) / 7
        }
    }
}

extension FraudSignal {
    /// The signal's value for a record (`NaN` when it cannot be computed).
    @inline(__always)
    func value(in record: ReturnRecord) -> Float {
        switch self {
        case .serialMismatch:
            return record.serialMatches == false && record.hasSerial != false ? 1 : 0
        case .accessoriesMissing:
            return record.accessoriesComplete == false ? 1 : 0
        case .weightDeviation:
            guard let measured = record.weightKgMeasured, let declared = record.weightKgDeclared, declared > 0 else {
                return .nan
            }
            return FeatureExtractor.finite(abs(measured / declared - 1))
        }
    }

    /// Whether the signal can be missing.
    var canBeMissing: Bool { self == .weightDeviation }
}
