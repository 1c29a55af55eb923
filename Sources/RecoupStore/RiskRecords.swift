package import Foundation
package import RecoupCore

/// Where a flag for the risk team stands.
package enum AnomalyStatus: String, Sendable, Codable, CaseIterable {
    /// Waiting for a review.
    case open
    /// Reviewed once and kept open for a second look.
    case escalated
    /// Closed: the return was fraud or abuse (a label for the next training run).
    case confirmedFraud = "confirmed_fraud"
    /// Closed: the return was fine.
    case dismissed

    /// Whether a review may still change it.
    package var isOpenForReview: Bool { self == .open || self == .escalated }
}

/// The risk team's decision on a flag, named by the status it leaves the flag in (`confirmed_fraud`, `dismissed`,
/// `escalated`).
package enum ReviewDecision: RawRepresentable, Sendable, Codable, CaseIterable {
    case confirmedFraud
    case dismissed
    case escalated

    /// The flag's status after this decision.
    package var status: AnomalyStatus {
        switch self {
        case .confirmedFraud: .confirmedFraud
        case .dismissed: .dismissed
        case .escalated: .escalated
        }
    }

    package var rawValue: String { status.rawValue }

    package init?(rawValue: String) {
        guard let decision = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = decision
    }
}

/// A flagged return as the risk team sees it.
package struct AnomalyItem: Sendable, Codable, Equatable {
    package var returnID: String
    package var status: AnomalyStatus
    package var risk: Double
    package var exposure: Double
    package var reasons: [String]
    /// What tripped each flag.
    package var kinds: [AnomalyFlag.Kind]
    package var warehouseID: String
    package var flaggedAt: Date
    package var reviewedAt: Date?
    package var reviewNote: String?
    package var reviewer: String?

    package init(
        returnID: String,
        status: AnomalyStatus,
        risk: Double,
        exposure: Double,
        reasons: [String],
        kinds: [AnomalyFlag.Kind],
        warehouseID: String,
        flaggedAt: Date,
        reviewedAt: Date? = nil,
        reviewNote: String? = nil,
        reviewer: String? = nil
    ) {
        self.returnID = returnID
        self.status = status
        self.risk = risk
        self.exposure = exposure
        self.reasons = reasons
        self.kinds = kinds
        self.warehouseID = warehouseID
        self.flaggedAt = flaggedAt
        self.reviewedAt = reviewedAt
        self.reviewNote = reviewNote
        self.reviewer = reviewer
    }
}

/// Which flags to list: by status, minimum risk, warehouse and kind (each optional), highest exposure first.
package struct AnomalyQuery: Sendable, Equatable {
    package var status: AnomalyStatus?
    package var minRisk: Double?
    package var warehouseID: String?
    /// Only flags that this kind tripped.
    package var kind: AnomalyFlag.Kind?
    /// Only the flag of this return.
    package var returnID: String?
    package var limit: Int

    package init(
        status: AnomalyStatus? = nil,
        minRisk: Double? = nil,
        warehouseID: String? = nil,
        kind: AnomalyFlag.Kind? = nil,
        returnID: String? = nil,
        limit: Int = 100
    ) {
        self.status = status
        self.minRisk = minRisk
        self.warehouseID = warehouseID
        self.kind = kind
        self.returnID = returnID
        self.limit = limit
    }
}
