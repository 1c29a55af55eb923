/// One record's validated field values as plain memory: what validation writes and what feature extraction and
/// ``ReturnRecord/init(table:)`` read. No `String` is made to fill it (texts stay in the input bytes), and the feature
/// kernel reads it without calls (Swift does not inline `package` members across modules).
///
/// Indexed by ``ContractField/rawValue``; a value is meaningful only when its ``present`` bit is set. Numbers,
/// integers and dates (days since 1970-01-01) are all in ``numbers`` as `Double`; integers and dates are also kept
/// exactly in ``integers`` (by ``ContractField/slot``). Texts are the UTF-8 of the input: categories trimmed.
/// ``ReturnRecord/withFieldTable(_:)`` fills the same table from a record, whose `reason_code` is normalized
/// (trimmed, lower-cased): readers that need identical bytes normalize a validated table's `reason_code` first.
package struct FieldTable {
    /// Bit ``ContractField/bit``: the field has a valid value.
    package var present: UInt64 = 0
    /// Bit ``ContractField/bit``: the boolean field is true.
    package var flags: UInt64 = 0
    /// Numbers, integers and dates (days), by ``ContractField/rawValue``.
    package var numbers = InlineArray<37, Double>(repeating: 0)
    /// Integers and dates exactly, by ``ContractField/slot``.
    package var integers = InlineArray<9, Int>(repeating: 0)
    /// Texts: where their UTF-8 starts and how long it is, by ``ContractField/rawValue``.
    package var textBases = InlineArray<37, UnsafePointer<UInt8>?>(repeating: nil)
    /// Texts: their UTF-8 length, by ``ContractField/rawValue``.
    package var textCounts = InlineArray<37, Int>(repeating: 0)

    /// An empty table (no field present).
    package init() {}

    /// Whether the field has a valid value.
    @inline(__always)
    package func has(_ field: ContractField) -> Bool { present & field.bit != 0 }

    /// Marks the field present.
    @inline(__always)
    package mutating func set(_ field: ContractField) { present |= field.bit }

    /// Marks the field missing.
    @inline(__always)
    package mutating func clear(_ field: ContractField) { present &= ~field.bit }

    /// An integer or date field's exact value (meaningful when present).
    @inline(__always)
    package func integer(_ field: ContractField) -> Int { integers[field.slot] }

    /// A present text field's UTF-8.
    @inline(__always)
    package func text(_ field: ContractField) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: textBases[field.rawValue], count: textCounts[field.rawValue])
    }

    /// A present text field as a `String`.
    package func string(_ field: ContractField) -> String { String(decoding: text(field), as: UTF8.self) }

    /// A text field as a `String`, `nil` when missing.
    package func optionalString(_ field: ContractField) -> String? { has(field) ? string(field) : nil }

    /// A boolean field, `nil` when missing.
    package func flag(_ field: ContractField) -> Bool? { has(field) ? flags & field.bit != 0 : nil }
}

extension ContractField {
    /// The field's bit in ``FieldTable`` masks.
    @inline(__always)
    package var bit: UInt64 { 1 << UInt64(rawValue) }

    /// The field's slot in ``FieldTable/integers`` (integer and date fields); 0 for others.
    @inline(__always)
    package var slot: Int {
        switch self {
        case .quantity: 0
        case .customerTenureDays: 1
        case .customerOrders12m: 2
        case .customerReturns12m: 3
        case .daysInSeasonRemaining: 4
        case .inventoryOnHand: 5
        case .orderDate: 6
        case .returnRequestedDate: 7
        case .receivedDate: 8
        default: 0
        }
    }
}

extension ReturnRecord {
    /// The record of a validated table whose required fields are all present.
    package init(table: UnsafePointer<FieldTable>) {
        let t = table.pointee
        func int(_ field: ContractField) -> Int? { t.has(field) ? t.integer(field) : nil }
        func number(_ field: ContractField) -> Double? { t.has(field) ? t.numbers[field.rawValue] : nil }
        func day(_ field: ContractField) -> Day? { int(field).map(Day.init(daysSinceEpoch:)) }
        self.init(
            returnID: t.string(.returnID),
            orderID: t.string(.orderID),
            customerID: t.string(.customerID),
            sku: t.string(.sku),
            category: t.string(.category),
            brandTier: t.string(.brandTier),
            channel: t.string(.channel),
            warehouseID: t.string(.warehouseID),
            paymentMethod: t.string(.paymentMethod),
            unitPrice: number(.unitPrice)!,
            quantity: int(.quantity)!,
            orderDate: day(.orderDate)!,
            returnRequestedDate: day(.returnRequestedDate)!,
            receivedDate: day(.receivedDate),
            reasonCode: ReasonCode(rawValue: t.string(.reasonCode)),
            customerComment: t.optionalString(.customerComment),
            isGift: t.flag(.isGift)!,
            promoFlag: t.flag(.promoFlag)!,
            customerTenureDays: int(.customerTenureDays),
            customerOrders12m: int(.customerOrders12m),
            customerReturns12m: int(.customerReturns12m),
            customerReturnValue12m: number(.customerReturnValue12m),
            hasSerial: t.flag(.hasSerial),
            serialMatches: t.flag(.serialMatches),
            packageCondition: t.optionalString(.packageCondition),
            itemConditionGrade: t.optionalString(.itemConditionGrade),
            accessoriesComplete: t.flag(.accessoriesComplete),
            weightKgDeclared: number(.weightKgDeclared),
            weightKgMeasured: number(.weightKgMeasured),
            skuReturnRate90d: number(.skuReturnRate90d),
            skuSellThrough30d: number(.skuSellThrough30d),
            daysInSeasonRemaining: int(.daysInSeasonRemaining),
            inventoryOnHand: int(.inventoryOnHand),
            shippingCostBack: number(.shippingCostBack)
        )
    }

    /// Calls `body` with the record's field table (its strings copied into one stack buffer that lives for the call;
    /// no heap allocation for ordinary records).
    package func withFieldTable<R>(_ body: (UnsafePointer<FieldTable>) -> R) -> R {
        var table = FieldTable()
        var textBytes = 0
        for field in ContractField.recordFields {
            switch value(of: field) {
            case nil: continue
            case .number(let x): table.numbers[field.rawValue] = x
            case .integer(let n):
                table.numbers[field.rawValue] = Double(n)
                table.integers[field.slot] = n
            case .date(let day):
                table.numbers[field.rawValue] = Double(day.daysSinceEpoch)
                table.integers[field.slot] = day.daysSinceEpoch
            case .boolean(let flag): if flag { table.flags |= field.bit }
            case .text(let text): textBytes += text.utf8.count
            }
            table.present |= field.bit
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(textBytes, 1)) { buffer in
            var offset = 0
            for field in ContractField.recordFields {
                guard case .text(var text) = value(of: field) else { continue }
                let count = text.withUTF8 { utf8 in
                    _ = UnsafeMutableBufferPointer(rebasing: buffer[offset...]).initialize(from: utf8)
                    return utf8.count
                }
                table.textBases[field.rawValue] = UnsafePointer(buffer.baseAddress! + offset)
                table.textCounts[field.rawValue] = count
                offset += count
            }
            return withUnsafePointer(to: &table) { body($0) }
        }
    }
}
