// The contract's rules, field by field: types, ranges and the one cross-field rule (request not before order).
// Validation fills a `FieldTable` (no `String` is made); `ReturnRecord(table:)` materializes it.

extension FieldReader {
    /// The longest `return_id` the contract allows.
    static var maxReturnIDLength: Int { 128 }

    /// Checks every record field, recording an error per bad one; `row` receives the good values (its previous
    /// content is discarded).
    mutating func validate(into row: inout FieldTable) {
        row.present = 0
        row.flags = 0
        for field in ContractField.textFields {
            if field.isRequired { requiredText(field, into: &row) } else { text(field, into: &row) }
        }
        if row.has(.returnID), let raw = source.text(.returnID), raw.count > Self.maxReturnIDLength {
            let id = String(decoding: raw, as: UTF8.self)
            if id.unicodeScalars.count > Self.maxReturnIDLength {  // code points, as JSON Schema's maxLength counts
                fail(.returnID, raw, .lengthOutOfRange(max: Self.maxReturnIDLength))
                row.clear(.returnID)
            }
        }
        let nonNegative: (Double) -> Bool = { $0 >= 0 }
        let unit: (Double) -> Bool = { $0 >= 0 && $0 <= 1 }
        let countable: (Int) -> Bool = { $0 >= 0 }
        number(.unitPrice, nonNegative, required: true, into: &row)
        integer(.quantity, { $0 >= 1 }, required: true, into: &row)
        date(.orderDate, required: true, into: &row)
        date(.returnRequestedDate, required: true, into: &row)
        if row.has(.orderDate), row.has(.returnRequestedDate), let raw = source.text(.returnRequestedDate),
            row.integer(.returnRequestedDate) < row.integer(.orderDate)
        {
            fail(.returnRequestedDate, raw, .requestedBeforeOrder(orderDate: Day(daysSinceEpoch: row.integer(.orderDate))))
            row.clear(.returnRequestedDate)
        }
        date(.receivedDate, required: false, into: &row)
        flag(.isGift, required: true, into: &row)
        flag(.promoFlag, required: true, into: &row)
        flag(.hasSerial, required: false, into: &row)
        flag(.serialMatches, required: false, into: &row)
        flag(.accessoriesComplete, required: false, into: &row)
        integer(.customerTenureDays, countable, required: false, into: &row)
        integer(.customerOrders12m, countable, required: false, into: &row)
        integer(.customerReturns12m, countable, required: false, into: &row)
        number(.customerReturnValue12m, nonNegative, required: false, into: &row)
        number(.weightKgDeclared, { $0 > 0 }, required: false, into: &row)
        number(.weightKgMeasured, { $0 > 0 }, required: false, into: &row)
        number(.skuReturnRate90d, unit, required: false, into: &row)
        number(.skuSellThrough30d, unit, required: false, into: &row)
        integer(.daysInSeasonRemaining, { _ in true }, required: false, into: &row)
        integer(.inventoryOnHand, countable, required: false, into: &row)
        number(.shippingCostBack, nonNegative, required: false, into: &row)
    }

    /// A text field: present when non-empty (after trimming, for categories), valid UTF-8 and without U+0000.
    @inline(__always)
    mutating func text(_ field: ContractField, into row: inout FieldTable) {
        guard let raw = bytes(field) else { return }
        let text = field.valueType == .category ? ScalarParsing.trimmed(raw) : raw
        guard !text.isEmpty else { return }
        guard Self.isValidUTF8(text) else {
            errors.append(RecordError(position: position, field: field, value: nil, kind: .invalidUTF8))
            return
        }
        guard !text.contains(0) else {
            errors.append(RecordError(position: position, field: field, value: nil, kind: .nulCharacter))
            return
        }
        row.textBases[field.rawValue] = text.baseAddress
        row.textCounts[field.rawValue] = text.count
        row.set(field)
    }

    mutating func requiredText(_ field: ContractField, into row: inout FieldTable) {
        text(field, into: &row)
        if !row.has(field) { missing(field) }
    }

    /// Records a missing required value, unless the field was already reported as malformed.
    @inline(__always)
    mutating func missing(_ field: ContractField) {
        if errors.last?.field != field.name {
            errors.append(RecordError(position: position, field: field, value: nil, kind: .missingValue))
        }
    }

    /// Parses a field and stores its value with `store`, or reports it missing when required.
    @inline(__always)
    mutating func value<T: Sendable & Equatable>(
        _ field: ContractField,
        _ parser: (UnsafeBufferPointer<UInt8>) -> Parsed<T>,
        valid: (T) -> Bool = { _ in true },
        required: Bool,
        into row: inout FieldTable,
        _ store: (inout FieldTable, T) -> Void
    ) {
        if let value = parse(field, parser, valid: valid) {
            store(&row, value)
            row.set(field)
        } else if required {
            missing(field)
        }
    }

    @inline(__always)
    mutating func number(_ field: ContractField, _ valid: (Double) -> Bool, required: Bool, into row: inout FieldTable) {
        value(field, ScalarParsing.double, valid: valid, required: required, into: &row) { $0.numbers[field.rawValue] = $1 }
    }

    @inline(__always)
    mutating func integer(_ field: ContractField, _ valid: (Int) -> Bool, required: Bool, into row: inout FieldTable) {
        value(field, ScalarParsing.integer, valid: valid, required: required, into: &row) { row, value in
            row.integers[field.slot] = value
            row.numbers[field.rawValue] = Double(value)
        }
    }

    @inline(__always)
    mutating func date(_ field: ContractField, required: Bool, into row: inout FieldTable) {
        value(field, ScalarParsing.day, required: required, into: &row) { row, day in
            row.integers[field.slot] = day.daysSinceEpoch
            row.numbers[field.rawValue] = Double(day.daysSinceEpoch)
        }
    }

    @inline(__always)
    mutating func flag(_ field: ContractField, required: Bool, into row: inout FieldTable) {
        value(field, ScalarParsing.boolean, required: required, into: &row) { row, flag in
            if flag { row.flags |= field.bit }
        }
    }

    /// The three labels (placeholders where bad; the errors say which).
    mutating func labels() -> ReturnLabels {
        var disposition = Disposition.dispose
        if let raw = bytes(.disposition), case let text = ScalarParsing.trimmed(raw), !text.isEmpty {
            if let known = Disposition(rawValue: ReturnRecord.normalized(String(decoding: text, as: UTF8.self))) {
                disposition = known
            } else {
                fail(.disposition, text, .unknownDisposition)
            }
        } else {
            missing(.disposition)
        }
        var row = FieldTable()
        flag(.fraudFlag, required: true, into: &row)
        number(.recoveryValue, { $0 >= 0 }, required: true, into: &row)
        return ReturnLabels(
            disposition: disposition,
            fraudFlag: row.flags & ContractField.fraudFlag.bit != 0,
            recoveryValue: row.has(.recoveryValue) ? row.numbers[ContractField.recoveryValue.rawValue] : 0
        )
    }
}
