package import RecoupCore

/// The flags of a bundle, sized to the review team: `recoup train --review-rate R` fits them so that about `R` of the
/// returns are flagged, all kinds counted, and records how precise they were where nothing had been fitted.
package struct FlagCalibration: Sendable, Codable, Equatable {
    /// The share of returns the review team can look at (what the flags were fitted to).
    package var reviewRate: Double
    /// The fitted flags: the risk threshold, the rules' thresholds and which rules are on.
    package var policy: AnomalyPolicy
    /// Each rule as measured on the validation split, and whether it is on.
    package var rules: [RuleMeasure]
    /// The flags as fitted, on the validation split (where the threshold was chosen).
    package var validation: FlagQuality
    /// The same flags on the held-out test split; `nil` for a bundle trained without one.
    package var test: FlagQuality?

    package init(reviewRate: Double, policy: AnomalyPolicy, rules: [RuleMeasure], validation: FlagQuality, test: FlagQuality?) {
        self.reviewRate = reviewRate
        self.policy = policy
        self.rules = rules
        self.validation = validation
        self.test = test
    }

    enum CodingKeys: String, CodingKey {
        case reviewRate = "review_rate"
        case policy, rules, validation, test
    }

    /// The fitted policy with every rule on at its fitted threshold, on or off by default.
    package var everyRule: AnomalyPolicy {
        var policy = policy
        for rule in rules {
            switch rule.kind {
            case .serialMismatch: policy.serialMismatch = true
            case .weightDeviation: policy.weightDeviation = rule.threshold
            case .customerReturnRate: policy.customerReturnRate = rule.threshold
            case .fraudRisk: break
            }
        }
        return policy
    }
}

/// How one rule did on the validation split, next to the model at the same flag rate.
package struct RuleMeasure: Sendable, Codable, Equatable {
    package var kind: AnomalyFlag.Kind
    /// Its threshold (`nil` for the serial number rule, which has none).
    package var threshold: Double?
    /// Share of returns it flags, and the share of those that are fraud.
    package var rate: Double
    package var precision: Double
    /// The fraud head's precision when it flags the same number of returns.
    package var modelPrecisionAtSameRate: Double
    /// On by default: at least as precise as the model at the same rate.
    package var enabled: Bool

    package init(kind: AnomalyFlag.Kind, threshold: Double?, rate: Double, precision: Double, modelPrecisionAtSameRate: Double, enabled: Bool) {
        self.kind = kind
        self.threshold = threshold
        self.rate = rate
        self.precision = precision
        self.modelPrecisionAtSameRate = modelPrecisionAtSameRate
        self.enabled = enabled
    }

    enum CodingKeys: String, CodingKey {
        case kind, threshold, rate, precision
        case modelPrecisionAtSameRate = "model_precision_at_same_rate"
        case enabled
    }
}

/// Flags measured on labelled returns: how many, how precise, how much fraud they catch, and per kind.
package struct FlagQuality: Sendable, Codable, Equatable {
    package var returns: Int
    /// Share of returns flagged (any kind).
    package var flagRate: Double
    /// Share of flagged returns that are fraud.
    package var precision: Double
    /// Share of frauds that are flagged.
    package var recall: Double
    /// Per kind: how many returns it flags and how many of them are fraud.
    package var byKind: [KindCount]

    package struct KindCount: Sendable, Codable, Equatable {
        package var kind: AnomalyFlag.Kind
        package var flagged: Int
        package var fraud: Int

        package init(kind: AnomalyFlag.Kind, flagged: Int, fraud: Int) {
            self.kind = kind
            self.flagged = flagged
            self.fraud = fraud
        }

        /// Share of the returns this kind flags that are fraud (0 when it flags none).
        package var precision: Double { flagged > 0 ? Double(fraud) / Double(flagged) : 0 }
    }

    /// Measures `flags` (one list per return) against the fraud labels.
    package init(flags: [[AnomalyFlag]], fraud: [Bool]) {
        precondition(flags.count == fraud.count, "one list of flags per return")
        returns = flags.count
        let flagged = zip(flags, fraud).filter { !$0.0.isEmpty }
        let caught = flagged.filter(\.1).count
        let frauds = fraud.filter { $0 }.count
        flagRate = Double(flagged.count) / Double(max(1, returns))
        precision = flagged.isEmpty ? 0 : Double(caught) / Double(flagged.count)
        recall = frauds > 0 ? Double(caught) / Double(frauds) : 0
        byKind = AnomalyFlag.Kind.allCases.map { kind in
            let mine = zip(flags, fraud).filter { pair in pair.0.contains { $0.kind == kind } }
            return KindCount(kind: kind, flagged: mine.count, fraud: mine.filter(\.1).count)
        }
    }

    enum CodingKeys: String, CodingKey {
        case returns
        case flagRate = "flag_rate"
        case precision, recall
        case byKind = "by_kind"
    }
}
