package import RecoupCore

/// The declarative description of Recoup's model inputs: which features to compute from a ``ReturnRecord`` and how.
///
/// A spec is JSON (the shipped default is `Resources/default-feature-spec.json`, see ``FeatureSpec/default``).
/// ``fit(_:)`` turns it into a ``FittedFeatureSpec`` (statistics, level vocabularies, bins) that travels inside the
/// model bundle; a ``FeatureExtractor`` built from the fitted spec fills the matrices. Nothing in a spec names a
/// particular retailer's values: levels, clips and bins all come from the training data.
package struct FeatureSpec: Sendable, Codable, Equatable {
    /// The spec format this code reads.
    package static let currentFormatVersion = 1

    /// Format of this spec (checked by ``validate()``).
    package var formatVersion: Int
    /// Default `k` of one-hot features: a level needs at least this many training records.
    package var minLevelCount: Int
    /// Default cap on one-hot levels (the most frequent are kept; the rest are `unknown`).
    package var maxLevels: Int
    /// Lower and upper quantile at which clipped numeric features are clipped.
    package var clipQuantiles: [Double]
    /// Value bins per tree feature (2...255).
    package var maxBins: Int
    /// Training records used for quantiles, standardization and bins (a seeded random subset when there are more).
    package var sampleSize: Int
    /// Seed of that subset.
    package var seed: UInt64
    /// The features, in column order.
    package var features: [FeatureDefinition]
    /// The contract fields known only once the warehouse has the item (`receipt_fields`); the request-stage heads are
    /// trained and scored with them missing. `nil` (a spec written before stages): ``defaultReceiptFields``.
    package var receiptFields: [ContractField]?

    /// The fields a warehouse learns at receipt: when it arrived, its package and item condition, whether its serial
    /// matches, whether its accessories are complete, and what it weighs.
    package static let defaultReceiptFields: [ContractField] = [
        .receivedDate, .serialMatches, .packageCondition, .itemConditionGrade, .accessoriesComplete, .weightKgMeasured,
    ]

    /// The fields the request stage does not see: ``receiptFields`` or the default.
    package var receiptOnlyFields: [ContractField] { receiptFields ?? Self.defaultReceiptFields }

    package init(
        formatVersion: Int = FeatureSpec.currentFormatVersion,
        minLevelCount: Int = 10,
        maxLevels: Int = 64,
        clipQuantiles: [Double] = [0.001, 0.999],
        maxBins: Int = 255,
        sampleSize: Int = 200_000,
        seed: UInt64 = 0,
        features: [FeatureDefinition],
        receiptFields: [ContractField]? = nil
    ) {
        self.formatVersion = formatVersion
        self.minLevelCount = minLevelCount
        self.maxLevels = maxLevels
        self.clipQuantiles = clipQuantiles
        self.maxBins = maxBins
        self.sampleSize = sampleSize
        self.seed = seed
        self.features = features
        self.receiptFields = receiptFields
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case minLevelCount = "min_level_count"
        case maxLevels = "max_levels"
        case clipQuantiles = "clip_quantiles"
        case maxBins = "max_bins"
        case sampleSize = "sample_size"
        case seed, features
        case receiptFields = "receipt_fields"
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = FeatureSpec(features: [])
        self.init(
            formatVersion: try c.decode(Int.self, forKey: .formatVersion),
            minLevelCount: try c.decodeIfPresent(Int.self, forKey: .minLevelCount) ?? defaults.minLevelCount,
            maxLevels: try c.decodeIfPresent(Int.self, forKey: .maxLevels) ?? defaults.maxLevels,
            clipQuantiles: try c.decodeIfPresent([Double].self, forKey: .clipQuantiles) ?? defaults.clipQuantiles,
            maxBins: try c.decodeIfPresent(Int.self, forKey: .maxBins) ?? defaults.maxBins,
            sampleSize: try c.decodeIfPresent(Int.self, forKey: .sampleSize) ?? defaults.sampleSize,
            seed: try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? defaults.seed,
            features: try c.decode([FeatureDefinition].self, forKey: .features),
            receiptFields: try c.decodeIfPresent([ContractField].self, forKey: .receiptFields)
        )
    }
}

/// One feature of a spec: a transform of one or more contract fields into one or more columns.
///
/// In JSON a flat object: `name`, `kind` and the kind's parameters, e.g.
/// `{"name": "unit_price", "kind": "numeric", "source": {"field": "unit_price"}, "log1p": true}`.
package struct FeatureDefinition: Sendable, Codable, Equatable {
    /// Unique name; column names start with it.
    package var name: String
    /// What the feature computes.
    package var kind: FeatureKind
    /// Human wording of the feature for reasons ("unit price"); defaults to the name with spaces.
    package var label: String?
    /// A reason template for explanations (see ``FeatureColumn/reason(value:)``).
    package var reason: String?

    // numeric
    /// Where a numeric feature's value comes from.
    package var source: NumericSource?
    /// Apply `sign(x)·log(1+|x|)` before clipping and standardizing (the linear view only).
    package var log1p: Bool?
    /// Clip at the spec's fitted quantiles (the linear view only). Default true.
    package var clip: Bool?
    /// Add a 0/1 column that says the value is missing. Default: when the value can be missing.
    package var missingIndicator: Bool?
    // categorical, hashed, boolean, cyclic
    /// The contract field of a one-hot, hashed, boolean or cyclic feature.
    package var field: ContractField?
    /// One-hot: levels need this many training records (default: the spec's `min_level_count`).
    package var minCount: Int?
    /// One-hot: at most this many levels (default: the spec's `max_levels`).
    package var maxLevels: Int?
    /// Hashed: number of buckets.
    package var buckets: Int?
    /// Cyclic: the period.
    package var period: CyclicPeriod?
    /// Signal: which one.
    package var signal: FraudSignal?
    /// Whether the feature's columns are also given to the trees (default: true, except hashed ids).
    package var inTree: Bool?

    package init(name: String, kind: FeatureKind) {
        self.name = name
        self.kind = kind
    }

    enum CodingKeys: String, CodingKey {
        case name, kind, label, reason, source, log1p, clip, field, buckets, period, signal
        case missingIndicator = "missing_indicator"
        case minCount = "min_count"
        case maxLevels = "max_levels"
        case inTree = "in_tree"
    }
}

/// The transforms a feature can apply.
package enum FeatureKind: String, Sendable, Codable, Equatable, CaseIterable {
    /// A number (from a field, a ratio, a product, a duration…): log1p, quantile clip, standardize, missing indicator.
    case numeric
    /// One column per level seen at least `min_count` times, plus `unknown` (and `missing` for optional fields).
    /// Values compare trimmed and lower-cased.
    case oneHot = "one_hot"
    /// A high-cardinality string hashed (FNV-1a) into a fixed number of 0/1 bucket columns.
    case hashed
    /// The lower-cased word tokens of a text field, counted into a fixed number of hashed buckets.
    case hashedTokens = "hashed_tokens"
    /// A boolean as 0/1, with a missing state.
    case boolean
    /// A date's position in its year (or week) as a sine and a cosine column.
    case cyclic
    /// A named signal for the fraud head (serial mismatch, weight deviation, accessories missing).
    case signal
}

/// How a numeric feature is computed from the record.
package enum NumericSource: Sendable, Equatable, Codable {
    /// A numeric field as it is.
    case field(ContractField)
    /// `numerator / denominator`; missing when either is missing or the denominator is not positive.
    case ratio(ContractField, ContractField)
    /// `a × b`.
    case product(ContractField, ContractField)
    /// Days from the first date to the second; missing when either is missing.
    case daysBetween(ContractField, ContractField)
    /// `a / b − 1` (e.g. measured over declared weight minus one); missing when either is missing or `b <= 0`.
    case relativeDifference(ContractField, ContractField)
    /// Length in UTF-8 bytes of a text field (0 when missing).
    case textLength(ContractField)

    /// The contract fields it reads.
    package var fields: [ContractField] {
        switch self {
        case .field(let a), .textLength(let a): [a]
        case .ratio(let a, let b), .product(let a, let b), .daysBetween(let a, let b), .relativeDifference(let a, let b):
            [a, b]
        }
    }

    private enum CodingKeys: String, CodingKey {
        case field, ratio, product
        case daysBetween = "days_between"
        case relativeDifference = "relative_difference"
        case textLength = "text_length"
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let key = c.allKeys.first, c.allKeys.count == 1 else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: c.codingPath,
                    debugDescription: "a numeric source has exactly one of: field, ratio, product, days_between, "
                        + "relative_difference, text_length"
                )
            )
        }
        func pair() throws -> (ContractField, ContractField) {
            let fields = try c.decode([ContractField].self, forKey: key)
            guard fields.count == 2 else {
                throw DecodingError.dataCorruptedError(
                    forKey: key,
                    in: c,
                    debugDescription: "\(key.stringValue) takes two field names, got \(fields.count)"
                )
            }
            return (fields[0], fields[1])
        }
        switch key {
        case .field: self = .field(try c.decode(ContractField.self, forKey: key))
        case .textLength: self = .textLength(try c.decode(ContractField.self, forKey: key))
        case .ratio: self = .ratio(try pair().0, try pair().1)
        case .product: self = .product(try pair().0, try pair().1)
        case .daysBetween: self = .daysBetween(try pair().0, try pair().1)
        case .relativeDifference: self = .relativeDifference(try pair().0, try pair().1)
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .field(let a): try c.encode(a, forKey: .field)
        case .textLength(let a): try c.encode(a, forKey: .textLength)
        case .ratio(let a, let b): try c.encode([a, b], forKey: .ratio)
        case .product(let a, let b): try c.encode([a, b], forKey: .product)
        case .daysBetween(let a, let b): try c.encode([a, b], forKey: .daysBetween)
        case .relativeDifference(let a, let b): try c.encode([a, b], forKey: .relativeDifference)
        }
    }
}

/// The period of a cyclic date feature.
package enum CyclicPeriod: String, Sendable, Codable, Equatable {
    /// Day of the year (365.25 days).
    case year
    /// Day of the week.
    case week
}

/// Named signals of fraud and abuse, computed from the inspection fields.
package enum FraudSignal: String, Sendable, Codable, Equatable, CaseIterable {
    /// 1 when the scanned serial does not match the shipped one (`serial_matches` false), else 0.
    case serialMismatch = "serial_mismatch"
    /// `|measured / declared − 1|`; missing until the item is weighed.
    case weightDeviation = "weight_deviation"
    /// 1 when accessories are known to be incomplete (`accessories_complete` false), else 0.
    case accessoriesMissing = "accessories_missing"

    /// The contract fields it reads.
    package var fields: [ContractField] {
        switch self {
        case .serialMismatch: [.hasSerial, .serialMatches]
        case .weightDeviation: [.weightKgMeasured, .weightKgDeclared]
        case .accessoriesMissing: [.accessoriesComplete]
        }
    }
}
