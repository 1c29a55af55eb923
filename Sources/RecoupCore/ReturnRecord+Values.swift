/// A typed field value, as the writers (CSV, JSON) and generic consumers (features, explanations) see it.
package enum FieldValue: Sendable, Hashable {
    case text(String)
    case number(Double)
    case integer(Int)
    case boolean(Bool)
    case date(Day)

    /// The value in the contract's text encoding: numbers in their shortest round-trip form, `true`/`false`,
    /// `YYYY-MM-DD`.
    package var encoded: String {
        switch self {
        case .text(let text): text
        case .number(let value): value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .integer(let value): String(value)
        case .boolean(let value): value ? "true" : "false"
        case .date(let day): day.description
        }
    }
}

extension ReturnRecord {
    /// The value of a record field, `nil` when missing. Label fields are always `nil` here (see ``ReturnLabels``).
    package func value(of field: ContractField) -> FieldValue? {
        switch field {
        case .returnID: .text(returnID)
        case .orderID: .text(orderID)
        case .customerID: .text(customerID)
        case .sku: .text(sku)
        case .category: .text(category)
        case .brandTier: .text(brandTier)
        case .channel: .text(channel)
        case .warehouseID: .text(warehouseID)
        case .paymentMethod: .text(paymentMethod)
        case .unitPrice: .number(unitPrice)
        case .quantity: .integer(quantity)
        case .orderDate: .date(orderDate)
        case .returnRequestedDate: .date(returnRequestedDate)
        case .receivedDate: receivedDate.map(FieldValue.date)
        case .reasonCode: .text(reasonCode.rawValue)
        case .customerComment: customerComment.map(FieldValue.text)
        case .isGift: .boolean(isGift)
        case .promoFlag: .boolean(promoFlag)
        case .customerTenureDays: customerTenureDays.map(FieldValue.integer)
        case .customerOrders12m: customerOrders12m.map(FieldValue.integer)
        case .customerReturns12m: customerReturns12m.map(FieldValue.integer)
        case .customerReturnValue12m: customerReturnValue12m.map(FieldValue.number)
        case .hasSerial: hasSerial.map(FieldValue.boolean)
        case .serialMatches: serialMatches.map(FieldValue.boolean)
        case .packageCondition: packageCondition.map(FieldValue.text)
        case .itemConditionGrade: itemConditionGrade.map(FieldValue.text)
        case .accessoriesComplete: accessoriesComplete.map(FieldValue.boolean)
        case .weightKgDeclared: weightKgDeclared.map(FieldValue.number)
        case .weightKgMeasured: weightKgMeasured.map(FieldValue.number)
        case .skuReturnRate90d: skuReturnRate90d.map(FieldValue.number)
        case .skuSellThrough30d: skuSellThrough30d.map(FieldValue.number)
        case .daysInSeasonRemaining: daysInSeasonRemaining.map(FieldValue.integer)
        case .inventoryOnHand: inventoryOnHand.map(FieldValue.integer)
        case .shippingCostBack: shippingCostBack.map(FieldValue.number)
        case .disposition, .fraudFlag, .recoveryValue: nil
        }
    }

    /// A string-valued field (text or category), `nil` when missing or not a string.
    @inline(__always)
    package func string(_ field: ContractField) -> String? {
        switch field {
        case .returnID: returnID
        case .orderID: orderID
        case .customerID: customerID
        case .sku: sku
        case .category: category
        case .brandTier: brandTier
        case .channel: channel
        case .warehouseID: warehouseID
        case .paymentMethod: paymentMethod
        case .reasonCode: reasonCode.rawValue
        case .customerComment: customerComment
        case .packageCondition: packageCondition
        case .itemConditionGrade: itemConditionGrade
        default: nil
        }
    }
}

extension ReturnRecord {
    /// Whether any of these fields has a value.
    package func carriesAny(of fields: [ContractField]) -> Bool {
        fields.contains { value(of: $0) != nil }
    }

    /// The record with these optional fields missing (what a return request looks like before the item arrives).
    /// Required fields and labels cannot be missing: a feature spec refuses them as receipt fields.
    package func removing(_ fields: [ContractField]) -> ReturnRecord {
        var record = self
        for field in fields {
            switch field {
            case .receivedDate: record.receivedDate = nil
            case .customerComment: record.customerComment = nil
            case .customerTenureDays: record.customerTenureDays = nil
            case .customerOrders12m: record.customerOrders12m = nil
            case .customerReturns12m: record.customerReturns12m = nil
            case .customerReturnValue12m: record.customerReturnValue12m = nil
            case .hasSerial: record.hasSerial = nil
            case .serialMatches: record.serialMatches = nil
            case .packageCondition: record.packageCondition = nil
            case .itemConditionGrade: record.itemConditionGrade = nil
            case .accessoriesComplete: record.accessoriesComplete = nil
            case .weightKgDeclared: record.weightKgDeclared = nil
            case .weightKgMeasured: record.weightKgMeasured = nil
            case .skuReturnRate90d: record.skuReturnRate90d = nil
            case .skuSellThrough30d: record.skuSellThrough30d = nil
            case .daysInSeasonRemaining: record.daysInSeasonRemaining = nil
            case .inventoryOnHand: record.inventoryOnHand = nil
            case .shippingCostBack: record.shippingCostBack = nil
            default: preconditionFailure("\(field) is required and cannot be removed from a record")
            }
        }
        return record
    }
}

extension ReturnLabels {
    /// The value of a label field, `nil` for record fields.
    package func value(of field: ContractField) -> FieldValue? {
        switch field {
        case .disposition: .text(disposition.rawValue)
        case .fraudFlag: .integer(fraudFlag ? 1 : 0)
        case .recoveryValue: .number(recoveryValue)
        default: nil
        }
    }
}
