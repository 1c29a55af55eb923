internal import Foundation
package import RecoupCore
package import RecoupFeatures
internal import RecoupLearning

/// What the training split looked like, written into the bundle by `recoup train`: the distribution of every contract
/// field the features use and of every head's prediction. Monitoring compares live returns with it (see
/// ``DriftReport``).
///
/// - Numeric fields, fraud risk and recovery value: counts in quantile bins of the training values (the same
///   ``BinMapper`` as the trees', with at most ``valueBins`` bins), plus the missing ones.
/// - Category-like and boolean fields: the frequency of each level kept by the spec's rule (at least
///   `min_level_count` training records, at most `max_levels`), plus `<unseen>` for the others, plus the missing
///   ones. The disposition head: its predicted class mix.
///
/// Dates are not profiled: their values move with time by nature (the durations computed from them are features,
/// not contract fields). Identifiers and free text are not profiled either.
///
/// Counting is the same code at training and at serving time (``ProfileCounter``), so a return binned live lands
/// where the same return would have landed in training.
package struct ReferenceProfile: Sendable, Codable, Equatable {
    /// Quantile bins of a numeric distribution.
    package static let valueBins = 10

    /// Training records counted.
    package var rows: Int
    /// The contract fields, in contract order.
    package var fields: [ProfileDistribution]
    /// The heads' predictions: `disposition`, `fraud_risk`, `recovery_value`.
    package var predictions: [ProfileDistribution]
    /// The same predictions per warehouse (each level of `warehouse_id`, then `<unseen>`): a fraud ring or a process
    /// change at one site moves its own predictions long before it moves the mix of all returns. `nil` for a profile
    /// written before segments.
    package var segments: [ProfileSegment]?

    package init(rows: Int, fields: [ProfileDistribution], predictions: [ProfileDistribution], segments: [ProfileSegment]? = nil) {
        self.rows = rows
        self.fields = fields
        self.predictions = predictions
        self.segments = segments
    }

    /// Every distribution, fields first, then the predictions, then each segment's: the order of a count vector's
    /// blocks.
    package var distributions: [ProfileDistribution] { fields + predictions + (segments ?? []).flatMap(\.predictions) }

    /// The field segments are cut by.
    package static let segmentField = ContractField.warehouseID

    /// The profile of training records and the heads' outputs for them (same order).
    package static func fit(spec: FittedFeatureSpec, records: [ReturnRecord], heads: Scorer.HeadOutputs) -> ReferenceProfile {
        precondition(records.count == heads.fraudRisk.count, "\(records.count) records for \(heads.fraudRisk.count) predictions")
        let predicted = (0..<records.count).map { ScoredValues(heads, row: $0) }
        let used = Set(spec.columns.flatMap(\.sources))
        let profiled = ContractField.recordFields.filter { used.contains($0) && ProfileDistribution.Kind($0.valueType) != nil }
        let numeric = profiled.filter { ProfileDistribution.Kind($0.valueType) == .numeric }
        // Quantile bins of the numeric fields and of the two numeric predictions, fitted together.
        var values = Matrix<Float>(rows: records.count, columns: numeric.count + 2)
        for (i, record) in records.enumerated() {
            for (j, field) in numeric.enumerated() { values[i, j] = ProfileCounter.number(record, field).map(Float.init) ?? .nan }
            values[i, numeric.count] = Float(predicted[i].fraudRisk)
            values[i, numeric.count + 1] = Float(predicted[i].recoveryValue)
        }
        let bins = BinMapper.fit(values, maxBins: valueBins, sampleSize: spec.spec.sampleSize, seed: spec.spec.seed)
        var fields: [ProfileDistribution] = []
        for field in profiled {
            if let j = numeric.firstIndex(of: field) {
                fields.append(.numeric(field.name, upperBounds: bins.upperBounds[j]))
            } else {
                var counts: [String: Int] = [:]
                for record in records {
                    if let level = ProfileCounter.level(record, field) { counts[level, default: 0] += 1 }
                }
                let kept = counts.filter { $0.value >= spec.spec.minLevelCount }
                    .sorted { ($0.value, $1.key) > ($1.value, $0.key) }
                    .prefix(spec.spec.maxLevels)
                    .map(\.key)
                fields.append(.categorical(field.name, levels: kept.sorted()))
            }
        }
        let predictions: [ProfileDistribution] = [
            .categorical(PredictionHead.disposition.rawValue, levels: Disposition.allCases.map(\.rawValue)),
            .numeric(PredictionHead.fraudRisk.rawValue, upperBounds: bins.upperBounds[numeric.count]),
            .numeric(PredictionHead.recoveryValue.rawValue, upperBounds: bins.upperBounds[numeric.count + 1]),
        ]
        let sites = fields.first { $0.name == segmentField.name }?.levels
        let segments = sites.map {
            ($0 + [ProfileDistribution.unseen]).map { ProfileSegment(field: segmentField.name, value: $0, predictions: predictions) }
        }
        var profile = ReferenceProfile(rows: 0, fields: fields, predictions: predictions, segments: segments)
        let counter = ProfileCounter(profile)
        profile.absorb(counter.count(records, predicted), layout: counter)
        return profile
    }

    /// Sets every distribution's counts from a count vector laid out by `counter`.
    mutating func absorb(_ counts: ProfileCounts, layout counter: ProfileCounter) {
        rows = counts.rows
        var block = 0
        for d in fields.indices {
            fields[d].set(counts, from: counter.offsets[block])
            block += 1
        }
        for p in predictions.indices {
            predictions[p].set(counts, from: counter.offsets[block])
            block += 1
        }
        for s in (segments ?? []).indices {
            for p in segments![s].predictions.indices {
                segments![s].predictions[p].set(counts, from: counter.offsets[block])
                block += 1
            }
        }
    }
}

/// The predictions of the returns of one group (a warehouse).
package struct ProfileSegment: Sendable, Codable, Equatable {
    /// The contract field (`warehouse_id`) and its level, or `<unseen>` for the levels not kept.
    package var field: String
    package var value: String
    package var predictions: [ProfileDistribution]

    package init(field: String, value: String, predictions: [ProfileDistribution]) {
        self.field = field
        self.value = value
        self.predictions = predictions
    }
}

/// The three predictions of a scored return that a profile counts.
package struct ScoredValues: Sendable, Equatable {
    package var disposition: Disposition
    package var fraudRisk: Double
    package var recoveryValue: Double

    package init(_ a: Assessment) {
        disposition = a.disposition
        fraudRisk = a.fraudRisk
        recoveryValue = a.recoveryValue
    }

    /// Row `row` of a batch's head outputs (the recommended disposition is the most probable one).
    package init(_ heads: Scorer.HeadOutputs, row: Int) {
        disposition = .mostProbable(heads.disposition.row(row))
        fraudRisk = heads.fraudRisk[row]
        recoveryValue = heads.recovery[row]
    }
}

/// A head's prediction as profiled.
package enum PredictionHead: String, Sendable, Codable, CaseIterable {
    case disposition
    case fraudRisk = "fraud_risk"
    case recoveryValue = "recovery_value"
}

/// One distribution of a profile: its buckets, their training counts and the missing count.
package struct ProfileDistribution: Sendable, Codable, Equatable {
    /// How values are bucketed.
    package enum Kind: String, Sendable, Codable {
        /// Quantile bins of a number (``upperBounds``).
        case numeric
        /// Levels (``levels``) plus `<unseen>`.
        case categorical

        /// How a contract field of a value type is profiled; `nil`: not profiled.
        init?(_ type: ContractField.ValueType) {
            switch type {
            case .number, .integer: self = .numeric
            case .category, .boolean: self = .categorical
            case .text, .date: return nil
            }
        }
    }

    /// The contract field's or the head's name.
    package var name: String
    package var kind: Kind
    /// Numeric: ascending inner bin bounds (a value goes to the first bin whose bound is at least the value).
    package var upperBounds: [Float]?
    /// Categorical: the levels kept, sorted.
    package var levels: [String]?
    /// Training records per bucket (bins, or levels then `<unseen>`).
    package var counts: [Int]
    /// Training records where the value was missing.
    package var missing: Int

    enum CodingKeys: String, CodingKey {
        case name, kind, levels, counts, missing
        case upperBounds = "upper_bounds"
    }

    static func numeric(_ name: String, upperBounds: [Float]) -> ProfileDistribution {
        ProfileDistribution(
            name: name,
            kind: .numeric,
            upperBounds: upperBounds,
            counts: [Int](repeating: 0, count: upperBounds.count + 1),
            missing: 0
        )
    }

    static func categorical(_ name: String, levels: [String]) -> ProfileDistribution {
        ProfileDistribution(name: name, kind: .categorical, levels: levels, counts: [Int](repeating: 0, count: levels.count + 1), missing: 0)
    }

    /// Value buckets (the missing one not included).
    package var bucketCount: Int { counts.count }

    /// The bucket of the levels not kept.
    package static let unseen = "<unseen>"

    /// A bucket's name in words: `≤ 24.5`, `24.5 – 60`, `> 310`, a level, or `<unseen>`.
    package func bucketLabel(_ b: Int) -> String {
        if let levels { return b < levels.count ? levels[b] : Self.unseen }
        let bounds = (upperBounds ?? []).map { String(format: "%.4g", Double($0)) }
        if bounds.isEmpty { return "all" }
        if b == 0 { return "≤ \(bounds[0])" }
        if b == bounds.count { return "> \(bounds[b - 1])" }
        return "\(bounds[b - 1]) – \(bounds[b])"
    }

    mutating func set(_ counts: ProfileCounts, from offset: Int) {
        for b in self.counts.indices { self.counts[b] = Int(counts.values[offset + b]) }
        missing = Int(counts.values[offset + self.counts.count])
    }
}

/// Puts a scored return in its bucket of every distribution of a profile: built once per bundle, shared.
package struct ProfileCounter: Sendable {
    /// Where each distribution's block starts in a count vector.
    package let offsets: [Int]
    /// Cells of a count vector.
    package let cellCount: Int
    private let fields: [Lookup]
    private let predictions: [Lookup]
    /// Per segment (a warehouse, then `<unseen>`), its prediction blocks; empty without segments.
    private let segments: [[Lookup]]
    private let segmentLevels: [String: Int]

    private struct Lookup: Sendable {
        var field: ContractField?
        var head: PredictionHead?
        var offset: Int
        var bounds: BinMapper?
        var levels: [String: Int]
        var buckets: Int
    }

    package init(_ profile: ReferenceProfile) {
        var offsets: [Int] = []
        var next = 0
        func lookup(_ d: ProfileDistribution, field: ContractField?, head: PredictionHead?) -> Lookup {
            offsets.append(next)
            defer { next += d.bucketCount + 1 }
            return Lookup(
                field: field,
                head: head,
                offset: next,
                bounds: d.upperBounds.map { BinMapper(upperBounds: [$0]) },
                levels: Dictionary(uniqueKeysWithValues: (d.levels ?? []).enumerated().map { ($1, $0) }),
                buckets: d.bucketCount
            )
        }
        fields = profile.fields.map { lookup($0, field: ContractField(name: $0.name), head: nil) }
        predictions = profile.predictions.map { lookup($0, field: nil, head: PredictionHead(rawValue: $0.name)) }
        segments = (profile.segments ?? []).map { $0.predictions.map { lookup($0, field: nil, head: PredictionHead(rawValue: $0.name)) } }
        segmentLevels = Dictionary(uniqueKeysWithValues: (profile.segments ?? []).dropLast().enumerated().map { ($1.value, $0) })
        self.offsets = offsets
        cellCount = next
    }

    /// Counts scored returns (records and their predictions, same order).
    package func count(_ records: [ReturnRecord], _ predictions: [ScoredValues]) -> ProfileCounts {
        var counts = ProfileCounts(cells: cellCount)
        var scratch: [UInt16] = []
        for (record, predicted) in zip(records, predictions) {
            scratch.removeAll(keepingCapacity: true)
            cells(record, predicted, into: &scratch)
            counts.add(scratch)
        }
        return counts
    }

    /// Appends the cell of each field and prediction distribution for one scored return, then its cell in each
    /// prediction of its own segment (a return counts in one segment only).
    package func cells(_ record: ReturnRecord, _ predicted: ScoredValues, into cells: inout [UInt16]) {
        for f in fields {
            guard let field = f.field else {
                cells.append(UInt16(f.offset + f.buckets))
                continue
            }
            if let bounds = f.bounds {
                cells.append(Self.cell(ProfileCounter.number(record, field).map(Float.init), bounds, f))
            } else {
                cells.append(Self.cell(Self.level(record, field), f))
            }
        }
        for p in predictions { cells.append(Self.cell(predicted, p)) }
        if !segments.isEmpty {
            let segment = Self.level(record, ReferenceProfile.segmentField).flatMap { segmentLevels[$0] } ?? segments.count - 1
            for p in segments[segment] { cells.append(Self.cell(predicted, p)) }
        }
    }

    private static func cell(_ a: ScoredValues, _ p: Lookup) -> UInt16 {
        switch p.head {
        case .disposition: cell(a.disposition.rawValue, p)
        case .fraudRisk: cell(Float(a.fraudRisk), p.bounds!, p)
        case .recoveryValue: cell(Float(a.recoveryValue), p.bounds!, p)
        case nil: UInt16(p.offset + p.buckets)
        }
    }

    private static func cell(_ value: Float?, _ bounds: BinMapper, _ f: Lookup) -> UInt16 {
        guard let value, !value.isNaN else { return UInt16(f.offset + f.buckets) }
        return UInt16(f.offset + Int(bounds.bin(value, feature: 0)))
    }

    private static func cell(_ level: String?, _ f: Lookup) -> UInt16 {
        guard let level else { return UInt16(f.offset + f.buckets) }
        return UInt16(f.offset + (f.levels[level] ?? f.buckets - 1))
    }

    /// A numeric field's value; `nil` when missing.
    static func number(_ record: ReturnRecord, _ field: ContractField) -> Double? {
        switch record.value(of: field) {
        case .number(let x): x
        case .integer(let n): Double(n)
        default: nil
        }
    }

    /// A category-like or boolean field's level as profiled: normalized text, `true` or `false`; `nil` when missing.
    static func level(_ record: ReturnRecord, _ field: ContractField) -> String? {
        switch record.value(of: field) {
        case .text(let text): ReturnRecord.normalized(text)
        case .boolean(let flag): flag ? "true" : "false"
        default: nil
        }
    }
}
