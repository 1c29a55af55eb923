import RecoupCore

/// A plain, honest-looking return to vary in tests.
func sampleRecord(
    id: String = "R1",
    category: String = "apparel",
    warehouse: String = "WH1",
    price: Double = 50
) -> ReturnRecord {
    ReturnRecord(
        returnID: id,
        orderID: "O1",
        customerID: "C1",
        sku: "SKU-1",
        category: category,
        brandTier: "mid",
        channel: "web",
        warehouseID: warehouse,
        paymentMethod: "credit_card",
        unitPrice: price,
        quantity: 1,
        orderDate: Day(year: 2025, month: 3, day: 1)!,
        returnRequestedDate: Day(year: 2025, month: 3, day: 10)!,
        receivedDate: Day(year: 2025, month: 3, day: 14)!,
        reasonCode: .sizeFit,
        customerTenureDays: 400,
        customerOrders12m: 8,
        customerReturns12m: 1,
        customerReturnValue12m: 40,
        hasSerial: false,
        weightKgDeclared: 1.0,
        weightKgMeasured: 1.01
    )
}

/// Disposition probabilities with `p` on one class and the rest spread evenly.
func probabilities(_ disposition: Disposition, _ p: Double = 0.9) -> [Double] {
    Disposition.allCases.map { $0 == disposition ? p : (1 - p) / 7 }
}

/// Lane names written as literals in tests (a bad literal traps: it is a mistake in the test).
extension LaneName: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self.init(rawValue: value)! }
}
