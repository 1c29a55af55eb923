#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Every field of the data contract (`shared/contract/return-record.md`): the record's fields in the contract's
/// order, then the three labels.
///
/// The raw value is the field's ordinal, so per-field tables are plain arrays indexed by `rawValue`; ``name`` is the
/// exact snake_case wire name (CSV header, JSON key).
package enum ContractField: Int, CaseIterable, Sendable, Hashable, Comparable, CustomStringConvertible {
    // Identity and context
    case returnID, orderID, customerID, sku, category, brandTier, channel, warehouseID, paymentMethod
    case unitPrice, quantity, orderDate, returnRequestedDate, receivedDate, reasonCode, customerComment
    case isGift, promoFlag
    // Customer history
    case customerTenureDays, customerOrders12m, customerReturns12m, customerReturnValue12m
    // Item and inspection signals
    case hasSerial, serialMatches, packageCondition, itemConditionGrade, accessoriesComplete
    case weightKgDeclared, weightKgMeasured
    // Demand and inventory context
    case skuReturnRate90d, skuSellThrough30d, daysInSeasonRemaining, inventoryOnHand, shippingCostBack
    // Labels
    case disposition, fraudFlag, recoveryValue

    /// How a field's text is read.
    package enum ValueType: Sendable, Hashable {
        /// An identifier or free text, kept as given.
        case text
        /// A category-like string, compared after trimming and lower-casing.
        case category
        /// A decimal number.
        case number
        /// An integer (a number with a zero fraction, such as `3.0`, is accepted).
        case integer
        /// A date: `YYYY-MM-DD` or an ISO 8601 timestamp.
        case date
        /// `true`/`false`, `1`/`0`, `yes`/`no`, any case.
        case boolean
    }

    /// The number of fields: the size of per-field tables.
    package static let count = allCases.count

    /// The fields of a ``ReturnRecord``, in contract order.
    package static let recordFields: [ContractField] = allCases.filter { !$0.isLabel }

    /// The three labels.
    package static let labelFields: [ContractField] = [.disposition, .fraudFlag, .recoveryValue]

    /// The record's string fields (identifiers, categories, free text), in contract order.
    package static let textFields: [ContractField] = recordFields.filter { $0.valueType == .text || $0.valueType == .category }

    /// The exact wire name.
    package var name: String { Self.names[rawValue] }

    package var description: String { name }

    /// The field with a wire name (exact, case-sensitive), or `nil`.
    package init?(name: some StringProtocol) {
        guard let field = Self.byName[String(name)] else { return nil }
        self = field
    }

    /// The field whose wire name is these UTF-8 bytes (exact, case-sensitive), or `nil`; no `String` is made.
    /// `expected`, when given, is compared first (readers pass the field after the previous key).
    package init?(utf8 name: UnsafeBufferPointer<UInt8>, expected: ContractField? = nil) {
        func equal(_ bytes: [UInt8]) -> Bool {
            bytes.count == name.count
                && (name.isEmpty || bytes.withUnsafeBufferPointer { memcmp($0.baseAddress!, name.baseAddress!, name.count) == 0 })
        }
        if let expected, equal(Self.utf8Names[expected.rawValue]) {
            self = expected
            return
        }
        guard name.count < Self.byLength.count else { return nil }
        for (field, bytes) in Self.byLength[name.count] where equal(bytes) {
            self = field
            return
        }
        return nil
    }

    /// Whether this is one of the three labels.
    @inline(__always)
    package var isLabel: Bool { rawValue >= ContractField.disposition.rawValue }

    /// Whether a record (or, for labels, a training row) must carry a value.
    package var isRequired: Bool {
        switch self {
        case .returnID, .orderID, .customerID, .sku, .category, .brandTier, .channel, .warehouseID, .paymentMethod,
            .unitPrice, .quantity, .orderDate, .returnRequestedDate, .reasonCode, .isGift, .promoFlag,
            .disposition, .fraudFlag, .recoveryValue:
            true
        default:
            false
        }
    }

    /// How the field's text is read.
    @inline(__always)
    package var valueType: ValueType {
        switch self {
        case .returnID, .orderID, .customerID, .sku, .customerComment: .text
        case .category, .brandTier, .channel, .warehouseID, .paymentMethod, .reasonCode, .packageCondition,
            .itemConditionGrade, .disposition:
            .category
        case .unitPrice, .customerReturnValue12m, .weightKgDeclared, .weightKgMeasured, .skuReturnRate90d,
            .skuSellThrough30d, .shippingCostBack, .recoveryValue:
            .number
        case .quantity, .customerTenureDays, .customerOrders12m, .customerReturns12m, .daysInSeasonRemaining,
            .inventoryOnHand:
            .integer
        case .orderDate, .returnRequestedDate, .receivedDate: .date
        case .isGift, .promoFlag, .hasSerial, .serialMatches, .accessoriesComplete, .fraudFlag: .boolean
        }
    }

    /// What a valid value looks like, for error messages.
    package var expectation: String {
        switch self {
        case .returnID: "a string of 1 to 128 characters"
        case .unitPrice, .customerReturnValue12m, .shippingCostBack, .recoveryValue: "a number >= 0"
        case .weightKgDeclared, .weightKgMeasured: "a number > 0"
        case .skuReturnRate90d, .skuSellThrough30d: "a number in [0, 1]"
        case .quantity: "an integer >= 1"
        case .customerTenureDays, .customerOrders12m, .customerReturns12m, .inventoryOnHand: "an integer >= 0"
        case .daysInSeasonRemaining: "an integer"
        case .orderDate, .returnRequestedDate, .receivedDate: "a date YYYY-MM-DD or an ISO 8601 timestamp"
        case .isGift, .promoFlag, .hasSerial, .serialMatches, .accessoriesComplete:
            "a boolean (true/false, 1/0, yes/no)"
        case .fraudFlag: "0/1 or a boolean"
        case .disposition: "one of " + Disposition.allCases.map(\.rawValue).joined(separator: ", ")
        default: "a non-empty string"
        }
    }

    package static func < (lhs: ContractField, rhs: ContractField) -> Bool { lhs.rawValue < rhs.rawValue }

    private static let names: [String] = [
        "return_id", "order_id", "customer_id", "sku", "category", "brand_tier", "channel", "warehouse_id",
        "payment_method", "unit_price", "quantity", "order_date", "return_requested_date", "received_date",
        "reason_code", "customer_comment", "is_gift", "promo_flag",
        "customer_tenure_days", "customer_orders_12m", "customer_returns_12m", "customer_return_value_12m",
        "has_serial", "serial_matches", "package_condition", "item_condition_grade", "accessories_complete",
        "weight_kg_declared", "weight_kg_measured",
        "sku_return_rate_90d", "sku_sell_through_30d", "days_in_season_remaining", "inventory_on_hand",
        "shipping_cost_back",
        "disposition", "fraud_flag", "recovery_value",
    ]

    /// Wire names by field, as bytes.
    private static let utf8Names: [[UInt8]] = names.map { Array($0.utf8) }

    /// Wire names by length, as bytes.
    private static let byLength: [[(ContractField, [UInt8])]] = {
        var table = [[(ContractField, [UInt8])]](repeating: [], count: (utf8Names.map(\.count).max() ?? 0) + 1)
        for field in allCases { table[utf8Names[field.rawValue].count].append((field, utf8Names[field.rawValue])) }
        return table
    }()

    private static let byName: [String: ContractField] = Dictionary(
        uniqueKeysWithValues: allCases.map { ($0.name, $0) }
    )
}

extension ContractField: Codable {
    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let field = ContractField(name: name) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "unknown contract field \"\(name)\""
            )
        }
        self = field
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}
