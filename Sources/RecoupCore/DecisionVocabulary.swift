// The vocabulary of the decisions taken on a return request before the item ships, shared by scoring (which decides)
// and the stores (which persist): the stage a record is scored at, the decision and the refund's timing.

/// What a record is scored with: the request-stage heads (trained with the fields known only at receipt masked) or the
/// receipt-stage heads (everything the warehouse has seen).
package enum ScoringStage: String, Sendable, Codable, CaseIterable, Hashable {
    /// Before the item ships back: the fields known only at receipt are not used.
    case request
    /// At the warehouse: every field is used.
    case receipt
}

/// What happens to a return request.
package enum ReturnDecision: String, Sendable, Codable, CaseIterable, Hashable {
    /// Ship it back; the refund follows ``RefundTiming``.
    case approveReturn = "approve_return"
    /// Refund and let the customer keep the item: bringing it back costs more than it recovers.
    case keepIt = "keep_it"
    /// A person approves it first (a refund or a fraud risk above the approval thresholds).
    case manualReview = "manual_review"
    /// Outside the return window.
    case deny
}

/// When an approved return's refund is paid.
package enum RefundTiming: String, Sendable, Codable, CaseIterable, Hashable {
    /// At the carrier's first scan of the parcel.
    case atFirstScan = "at_first_scan"
    /// Once the warehouse has inspected the item (a fraud found there is not refunded).
    case afterInspection = "after_inspection"
}
