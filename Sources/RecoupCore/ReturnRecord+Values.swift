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

    /// A numeric (or integer) field as a `Double`, `nil` when missing or not numeric.
    @inline(__always)
    package func number(_ field: ContractField) -> Double? {
        switch field {
        case .unitPrice: unitPrice
        case .quantity: Double(quantity)
        case .customerTenureDays: customerTenureDays.map(Double.init)
        case .customerOrders12m: customerOrders12m.map(Double.init)
        case .customerReturns12m: customerReturns12m.map(Double.init)
        case .customerReturnValue12m: customerReturnValue12m
        case .weightKgDeclared: weightKgDeclared
        case .weightKgMeasured: weightKgMeasured
        case .skuReturnRate90d: skuReturnRate90d
        case .skuSellThrough30d: skuSellThrough30d
        case .daysInSeasonRemaining: daysInSeasonRemaining.map(Double.init)
        case .inventoryOnHand: inventoryOnHand.map(Double.init)
        case .shippingCostBack: shippingCostBack
        default: nil
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

    /// A boolean field, `nil` when missing or not boolean.
    @inline(__always)
    package func flag(_ field: ContractField) -> Bool? {
        switch field {
        case .isGift: isGift
        case .promoFlag: promoFlag
        case .hasSerial: hasSerial
        case .serialMatches: serialMatches
        case .accessoriesComplete: accessoriesComplete
        default: nil
        }
    }

    /// A date field, `nil` when missing or not a date.
    @inline(__always)
    package func day(_ field: ContractField) -> Day? {
        switch field {
        case .orderDate: orderDate
        case .returnRequestedDate: returnRequestedDate
        case .receivedDate: receivedDate
        default: nil
        }
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
