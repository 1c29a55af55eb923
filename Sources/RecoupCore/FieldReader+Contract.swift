// The contract's rules, field by field: types, ranges and the one cross-field rule (request not before order).

extension FieldReader {
    /// The longest `return_id` the contract allows.
    static var maxReturnIDLength: Int { 128 }

    mutating func requiredString(_ field: ContractField) -> String {
        required(field, string(field), placeholder: "")
    }

    mutating func record() -> ReturnRecord {
        let returnID = requiredString(.returnID)
        if returnID.utf8.count > Self.maxReturnIDLength, returnID.count > Self.maxReturnIDLength {
            errors.append(
                RecordError(position: position, field: .returnID, value: returnID,
                            kind: .lengthOutOfRange(max: Self.maxReturnIDLength)))
        }
        let nonNegative: (Double) -> Bool = { $0 >= 0 }
        let positive: (Double) -> Bool = { $0 > 0 }
        let unit: (Double) -> Bool = { $0 >= 0 && $0 <= 1 }
        let countable: (Int) -> Bool = { $0 >= 0 }
        let orderDate = required(.orderDate, day(.orderDate), placeholder: Day(daysSinceEpoch: 0))
        let requestedRaw = bytes(.returnRequestedDate)
        var requested = required(.returnRequestedDate, day(.returnRequestedDate), placeholder: orderDate)
        if let requestedRaw, requested < orderDate {
            fail(.returnRequestedDate, requestedRaw, .requestedBeforeOrder(orderDate: orderDate))
            requested = orderDate
        }
        return ReturnRecord(
            returnID: returnID,
            orderID: requiredString(.orderID),
            customerID: requiredString(.customerID),
            sku: requiredString(.sku),
            category: requiredString(.category),
            brandTier: requiredString(.brandTier),
            channel: requiredString(.channel),
            warehouseID: requiredString(.warehouseID),
            paymentMethod: requiredString(.paymentMethod),
            unitPrice: required(.unitPrice, number(.unitPrice, nonNegative), placeholder: 0),
            quantity: required(.quantity, integer(.quantity, { $0 >= 1 }), placeholder: 1),
            orderDate: orderDate,
            returnRequestedDate: requested,
            receivedDate: day(.receivedDate),
            reasonCode: ReasonCode(rawValue: requiredString(.reasonCode)),
            customerComment: string(.customerComment),
            isGift: required(.isGift, flag(.isGift), placeholder: false),
            promoFlag: required(.promoFlag, flag(.promoFlag), placeholder: false),
            customerTenureDays: integer(.customerTenureDays, countable),
            customerOrders12m: integer(.customerOrders12m, countable),
            customerReturns12m: integer(.customerReturns12m, countable),
            customerReturnValue12m: number(.customerReturnValue12m, nonNegative),
            hasSerial: flag(.hasSerial),
            serialMatches: flag(.serialMatches),
            packageCondition: string(.packageCondition),
            itemConditionGrade: string(.itemConditionGrade),
            accessoriesComplete: flag(.accessoriesComplete),
            weightKgDeclared: number(.weightKgDeclared, positive),
            weightKgMeasured: number(.weightKgMeasured, positive),
            skuReturnRate90d: number(.skuReturnRate90d, unit),
            skuSellThrough30d: number(.skuSellThrough30d, unit),
            daysInSeasonRemaining: integer(.daysInSeasonRemaining, { _ in true }),
            inventoryOnHand: integer(.inventoryOnHand, countable),
            shippingCostBack: number(.shippingCostBack, nonNegative)
        )
    }

    mutating func labels() -> ReturnLabels {
        var disposition = Disposition.dispose
        if let text = string(.disposition) {
            if let known = Disposition(rawValue: ReturnRecord.normalized(text)) {
                disposition = known
            } else {
                errors.append(RecordError(position: position, field: .disposition, value: text, kind: .unknownDisposition))
            }
        } else if errors.last?.field != ContractField.disposition.name {
            errors.append(RecordError(position: position, field: .disposition, value: nil, kind: .missingValue))
        }
        return ReturnLabels(
            disposition: disposition,
            fraudFlag: required(.fraudFlag, flag(.fraudFlag), placeholder: false),
            recoveryValue: required(.recoveryValue, number(.recoveryValue, { $0 >= 0 }), placeholder: 0)
        )
    }
}
