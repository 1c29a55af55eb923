// RecoupCore: the data contract (shared/contract/return-record.md) and nothing else; no dependencies.
//
// Owns the return record and its labels, the contract's vocabularies (dispositions, reason codes, grades, lane
// names), field-level validation with errors that name the record and the field, the streaming CSV reader and
// writer, the JSON reader (one tape pass over the bytes) and writer, and the POSIX file helpers the tools use.

/// One returned order line, exactly as `shared/contract/return-record.md` defines it.
///
/// Field names are the contract's in camelCase; the wire names (CSV header, JSON keys) are the contract's
/// snake_case names, listed in ``ContractField``. Optional fields are `nil` when missing. Category-like
/// strings are stored trimmed as given; features compare them after lower-casing (``ReturnRecord/normalized(_:)``).
/// Labels travel separately, in ``ReturnLabels``.
package struct ReturnRecord: Sendable, Hashable {
    // Identity and context
    package var returnID: String
    package var orderID: String
    package var customerID: String
    package var sku: String
    package var category: String
    package var brandTier: String
    package var channel: String
    package var warehouseID: String
    package var paymentMethod: String
    package var unitPrice: Double
    package var quantity: Int
    package var orderDate: Day
    package var returnRequestedDate: Day
    package var receivedDate: Day?
    package var reasonCode: ReasonCode
    package var customerComment: String?
    package var isGift: Bool
    package var promoFlag: Bool

    // Customer history (missing for guests and new customers)
    package var customerTenureDays: Int?
    package var customerOrders12m: Int?
    package var customerReturns12m: Int?
    package var customerReturnValue12m: Double?

    // Item and inspection signals
    package var hasSerial: Bool?
    package var serialMatches: Bool?
    package var packageCondition: String?
    package var itemConditionGrade: String?
    package var accessoriesComplete: Bool?
    package var weightKgDeclared: Double?
    package var weightKgMeasured: Double?

    // Demand and inventory context
    package var skuReturnRate90d: Double?
    package var skuSellThrough30d: Double?
    package var daysInSeasonRemaining: Int?
    package var inventoryOnHand: Int?
    package var shippingCostBack: Double?

    package init(
        returnID: String,
        orderID: String,
        customerID: String,
        sku: String,
        category: String,
        brandTier: String,
        channel: String,
        warehouseID: String,
        paymentMethod: String,
        unitPrice: Double,
        quantity: Int,
        orderDate: Day,
        returnRequestedDate: Day,
        receivedDate: Day? = nil,
        reasonCode: ReasonCode,
        customerComment: String? = nil,
        isGift: Bool = false,
        promoFlag: Bool = false,
        customerTenureDays: Int? = nil,
        customerOrders12m: Int? = nil,
        customerReturns12m: Int? = nil,
        customerReturnValue12m: Double? = nil,
        hasSerial: Bool? = nil,
        serialMatches: Bool? = nil,
        packageCondition: String? = nil,
        itemConditionGrade: String? = nil,
        accessoriesComplete: Bool? = nil,
        weightKgDeclared: Double? = nil,
        weightKgMeasured: Double? = nil,
        skuReturnRate90d: Double? = nil,
        skuSellThrough30d: Double? = nil,
        daysInSeasonRemaining: Int? = nil,
        inventoryOnHand: Int? = nil,
        shippingCostBack: Double? = nil
    ) {
        self.returnID = returnID
        self.orderID = orderID
        self.customerID = customerID
        self.sku = sku
        self.category = category
        self.brandTier = brandTier
        self.channel = channel
        self.warehouseID = warehouseID
        self.paymentMethod = paymentMethod
        self.unitPrice = unitPrice
        self.quantity = quantity
        self.orderDate = orderDate
        self.returnRequestedDate = returnRequestedDate
        self.receivedDate = receivedDate
        self.reasonCode = reasonCode
        self.customerComment = customerComment
        self.isGift = isGift
        self.promoFlag = promoFlag
        self.customerTenureDays = customerTenureDays
        self.customerOrders12m = customerOrders12m
        self.customerReturns12m = customerReturns12m
        self.customerReturnValue12m = customerReturnValue12m
        self.hasSerial = hasSerial
        self.serialMatches = serialMatches
        self.packageCondition = packageCondition
        self.itemConditionGrade = itemConditionGrade
        self.accessoriesComplete = accessoriesComplete
        self.weightKgDeclared = weightKgDeclared
        self.weightKgMeasured = weightKgMeasured
        self.skuReturnRate90d = skuReturnRate90d
        self.skuSellThrough30d = skuSellThrough30d
        self.daysInSeasonRemaining = daysInSeasonRemaining
        self.inventoryOnHand = inventoryOnHand
        self.shippingCostBack = shippingCostBack
    }

    /// The refund at stake: `unit_price × quantity`.
    package var refundAmount: Double { unitPrice * Double(quantity) }

    /// A category-like string as features compare it: trimmed and lower-cased.
    ///
    /// ASCII strings that are already normalized (the common case) are returned as they are, without allocating.
    package static func normalized(_ value: String) -> String {
        var value = value
        if let ascii = value.withUTF8({ normalizedASCII($0) }) { return ascii ?? value }
        return value.trimmingWhitespace().lowercased()
    }

    /// For ASCII bytes: `.some(nil)` when already normalized, `.some(normalized)` otherwise; `nil` for non-ASCII.
    private static func normalizedASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> String?? {
        var lo = 0
        var hi = bytes.count
        while lo < hi, ScalarParsing.isSpace(bytes[lo]) { lo += 1 }
        while hi > lo, ScalarParsing.isSpace(bytes[hi - 1]) { hi -= 1 }
        var upper = false
        for b in bytes {
            if b >= 0x80 { return nil }
            if b >= 65 && b <= 90 { upper = true }
        }
        if !upper && lo == 0 && hi == bytes.count { return .some(nil) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(hi - lo, 1)) { buffer in
            for i in lo..<hi {
                let b = bytes[i]
                buffer[i - lo] = b >= 65 && b <= 90 ? b | 0x20 : b
            }
            return .some(String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<(hi - lo)]), as: UTF8.self))
        }
    }

}

/// The three training labels of a return (training data and inspection outcomes only).
package struct ReturnLabels: Sendable, Hashable {
    /// Where the item went.
    package var disposition: Disposition
    /// Confirmed fraud or abuse.
    package var fraudFlag: Bool
    /// Money actually recovered from the item, `>= 0`.
    package var recoveryValue: Double

    package init(disposition: Disposition, fraudFlag: Bool, recoveryValue: Double) {
        self.disposition = disposition
        self.fraudFlag = fraudFlag
        self.recoveryValue = recoveryValue
    }
}

/// A record with its labels: one row of a training file.
package struct LabelledReturn: Sendable, Hashable {
    package var record: ReturnRecord
    package var labels: ReturnLabels

    package init(record: ReturnRecord, labels: ReturnLabels) {
        self.record = record
        self.labels = labels
    }
}

extension StringProtocol {
    /// The string without leading and trailing ASCII whitespace (tab, LF, VT, FF, CR, space: the contract's, as
    /// ``ScalarParsing/isSpace(_:)`` reads it from bytes). No Foundation needed.
    package func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0.isASCII && $0.isWhitespace }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = lastIndex(where: { !isSpace($0) })!
        return String(self[first...last])
    }
}
