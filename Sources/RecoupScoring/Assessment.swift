package import RecoupCore

/// What Recoup concludes about one return: the three heads, the reasons, the lane and the priority.
///
/// Field names follow the contract's "Scored output" (`shared/contract/return-record.md`).
package struct Assessment: Sendable, Codable, Equatable {
    /// As given.
    package var returnID: String
    /// The recommended disposition: the most probable one.
    package var disposition: Disposition
    /// Probability of each disposition, in `Disposition.allCases` order; they sum to 1.
    package var dispositionProbabilities: [Double]
    /// Calibrated probability that the return is fraud or abuse.
    package var fraudRisk: Double
    /// Expected recovery value, in the currency of `unit_price`.
    package var recoveryValue: Double
    /// Lower end of the 80% interval around ``recoveryValue``.
    package var recoveryValueLow: Double
    /// Upper end of the 80% interval around ``recoveryValue``.
    package var recoveryValueHigh: Double
    /// Inspection lane.
    package var lane: LaneName
    /// Rank key within the lane on entering the queue, higher first: the money one more day of waiting is expected to
    /// cost, per inspection minute (see ``PriorityPolicy``).
    package var priority: Double
    /// Flags for the risk team, each with its reason; empty when the return looks normal.
    package var anomalies: [AnomalyFlag]
    /// The top reasons, most important first, across the three heads.
    package var reasons: [Reason]
    /// The model bundle that scored it.
    package var modelVersion: String
    /// Which of the bundle's stages scored it: `request` before the item is received, `receipt` once it is.
    package var stage: ScoringStage

    package init(
        returnID: String,
        disposition: Disposition,
        dispositionProbabilities: [Double],
        fraudRisk: Double,
        recoveryValue: Double,
        recoveryValueLow: Double,
        recoveryValueHigh: Double,
        lane: LaneName,
        priority: Double,
        anomalies: [AnomalyFlag],
        reasons: [Reason],
        modelVersion: String,
        stage: ScoringStage
    ) {
        self.returnID = returnID
        self.disposition = disposition
        self.dispositionProbabilities = dispositionProbabilities
        self.fraudRisk = fraudRisk
        self.recoveryValue = recoveryValue
        self.recoveryValueLow = recoveryValueLow
        self.recoveryValueHigh = recoveryValueHigh
        self.lane = lane
        self.priority = priority
        self.anomalies = anomalies
        self.reasons = reasons
        self.modelVersion = modelVersion
        self.stage = stage
    }

    /// `true` when the record is flagged for the risk team.
    package var anomaly: Bool { !anomalies.isEmpty }

    /// Probability of the chosen disposition.
    package var dispositionConfidence: Double { dispositionProbabilities[disposition.index] }
}

/// One human-readable reason behind a score.
package struct Reason: Sendable, Codable, Equatable {
    /// Which head the reason explains.
    package enum Head: String, Sendable, Codable, CaseIterable {
        case disposition, fraud, recovery
    }

    package var head: Head
    /// The source field or signal the reason is about (for example `serial_matches`).
    package var feature: String
    /// The sentence a person reads ("serial number does not match").
    package var text: String
    /// The signed contribution to the head's raw score (log-odds or log-value), for ordering and audit.
    package var contribution: Double

    package init(head: Head, feature: String, text: String, contribution: Double) {
        self.head = head
        self.feature = feature
        self.text = text
        self.contribution = contribution
    }
}
