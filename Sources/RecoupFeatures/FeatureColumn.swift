package import RecoupCore

/// One column of the feature matrices: its name, where it comes from (for explanations), and the statistics that
/// turn its value into the standardized linear view.
///
/// Every column has a *value* in natural units (a price, a fraction, a day count, 0/1; `NaN` when missing): the
/// trees bin that value. The linear view is `(clip(log1p?(value)) − mean) / scale`, and `0` (the mean) when missing.
package struct FeatureColumn: Sendable, Codable, Equatable {
    /// Unique column name: `unit_price`, `unit_price.missing`, `category=electronics`, `category=<unknown>`, `sku#17`.
    package var name: String
    /// The feature (definition) it belongs to.
    package var feature: String
    /// What the column holds within its feature.
    package var role: ColumnRole
    /// The one-hot level (``ColumnRole/level``).
    package var level: String?
    /// The hash bucket (``ColumnRole/bucket``).
    package var bucket: Int?
    /// The contract fields it is computed from.
    package var sources: [ContractField]
    /// Human wording of the feature ("unit price", "serial number").
    package var label: String
    /// Reason template of the feature, when the spec gives one.
    package var reasonTemplate: String?
    /// Whether the trees see this column (it is then a column of the binned matrix).
    package var inTree: Bool
    /// Linear view: `sign(x)·log(1+|x|)` first.
    package var log1p: Bool
    /// Linear view: clip bounds (after log1p), fitted at the spec's quantiles; `nil` = no clipping.
    package var clipLow: Float?
    package var clipHigh: Float?
    /// Linear view: mean and scale of the (log1p'ed, clipped) training values.
    package var mean: Float
    package var scale: Float

    package init(
        name: String,
        feature: String,
        role: ColumnRole,
        level: String? = nil,
        bucket: Int? = nil,
        sources: [ContractField],
        label: String,
        reasonTemplate: String? = nil,
        inTree: Bool,
        log1p: Bool = false
    ) {
        self.name = name
        self.feature = feature
        self.role = role
        self.level = level
        self.bucket = bucket
        self.sources = sources
        self.label = label
        self.reasonTemplate = reasonTemplate
        self.inTree = inTree
        self.log1p = log1p
        self.mean = 0
        self.scale = 1
    }

    enum CodingKeys: String, CodingKey {
        case name, feature, role, level, bucket, sources, label, log1p, mean, scale
        case reasonTemplate = "reason_template"
        case inTree = "in_tree"
        case clipLow = "clip_low"
        case clipHigh = "clip_high"
    }
}

/// What a column holds within its feature.
package enum ColumnRole: String, Sendable, Codable, Equatable {
    /// The feature's value (numeric, boolean 0/1, signal).
    case value
    /// 1 when the feature's value is missing.
    case missing
    /// 1 when a one-hot field has this column's ``FeatureColumn/level``.
    case level
    /// 1 when a one-hot field has a level not kept at fit time (rare or never seen).
    case unknownLevel = "unknown_level"
    /// 1 when a one-hot field is missing.
    case missingLevel = "missing_level"
    /// Hashed: 1 (or the token count) in this column's ``FeatureColumn/bucket``.
    case bucket
    /// Cyclic: sine of the date's phase.
    case sine
    /// Cyclic: cosine of the date's phase.
    case cosine
}
