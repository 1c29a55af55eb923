// RecoupInsights: the questions no single return answers (ARCHITECTURE: README's module table). It owns the
// statistics of findings (Fisher's exact and binomial tests, Wilson bounds, Benjamini–Hochberg), root causes of returns against
// their parent's baseline, repeat returners, and margin leakage. It reads `ReturnFacts`, which a labelled CSV
// (`recoup insights`) or the store fills, so the offline and the online answers are the same computation.
package import RecoupCore

/// What the insights read of one return.
package struct ReturnFacts: Sendable, Hashable {
    package var sku: String
    package var category: String
    package var brandTier: String
    package var channel: String
    package var warehouseID: String
    package var paymentMethod: String
    package var reason: ReasonCode
    /// The refund: unit price × quantity.
    package var refund: Double
    /// The value recovered from the item, when it has been inspected.
    package var recovered: Double?
    package var disposition: Disposition?
    /// Value lost while the return waited for its inspection, by the priority policy's decay model (known in the
    /// store, which has the times; `nil` offline).
    package var lostToWaiting: Double?
    package var requested: Day
    /// When the warehouse scanned it in, if it has been.
    package var received: Day?
    package var customerID: String
    package var customerOrders12m: Int?
    package var customerReturns12m: Int?

    package init(record: ReturnRecord, labels: ReturnLabels?) {
        sku = record.sku
        category = ReturnRecord.normalized(record.category)
        brandTier = ReturnRecord.normalized(record.brandTier)
        channel = ReturnRecord.normalized(record.channel)
        warehouseID = record.warehouseID
        paymentMethod = ReturnRecord.normalized(record.paymentMethod)
        reason = record.reasonCode
        refund = record.refundAmount
        recovered = labels?.recoveryValue
        disposition = labels?.disposition
        requested = record.returnRequestedDate
        received = record.receivedDate
        customerID = record.customerID
        customerOrders12m = record.customerOrders12m
        customerReturns12m = record.customerReturns12m
    }

    /// The value of a dimension.
    package func value(_ dimension: InsightDimension) -> String {
        switch dimension {
        case .sku: sku
        case .category: category
        case .brandTier: brandTier
        case .channel: channel
        case .warehouseID: warehouseID
        case .paymentMethod: paymentMethod
        }
    }

    /// The group this return's group of a dimension is compared with: its category for a SKU, else
    /// ``InsightDimension/everyReturn``.
    package func parent(_ dimension: InsightDimension) -> String {
        dimension.parent.map { value($0) } ?? InsightDimension.everyReturn
    }
}

/// A dimension returns are grouped by, and the parent whose reason mix is its baseline.
package enum InsightDimension: String, CaseIterable, Sendable, Codable {
    case sku, category, channel
    case brandTier = "brand_tier"
    case warehouseID = "warehouse_id"
    case paymentMethod = "payment_method"

    /// A SKU is compared with its category; every other group with all returns.
    package var parent: InsightDimension? { self == .sku ? .category : nil }

    /// The parent of a group compared with all returns.
    package static let everyReturn = "all"
}

extension ReasonCode {
    /// Who can act on an excess of this reason.
    package var owner: String {
        switch self {
        case .sizeFit: "sizing and product content"
        case .notAsDescribed: "product content"
        case .damagedInTransit: "carrier and packaging"
        case .wrongItem: "fulfilment"
        case .defective: "supplier claim"
        case .lateDelivery: "carrier"
        case .betterPrice: "pricing"
        default: "merchandising"
        }
    }
}
