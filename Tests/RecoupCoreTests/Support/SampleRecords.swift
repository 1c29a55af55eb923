import RecoupCore

/// Small seeded records for round trips: every field used, optional ones sometimes missing, awkward text included.
enum SampleRecords {
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
        mutating func chance(_ p: Double) -> Bool { Double(next() % 10_000) < p * 10_000 }
        mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
    }

    static let comments: [String?] = [
        nil, "too small", "arrived broken, box crushed", "he said \"wrong colour\"", "line one\nline two", "ünïcödé ✓",
        "  padded  ", "crlf\r\ninside",
    ]

    static func make(_ count: Int, seed: UInt64 = 1) -> [LabelledReturn] {
        var g = Generator(state: seed)
        return (0..<count).map { i in
            let order = Day(daysSinceEpoch: 19_700 + g.int(0...700))
            let requested = order + g.int(0...40)
            let received = g.chance(0.7) ? requested + g.int(0...15) : nil
            let guest = g.chance(0.2)
            let record = ReturnRecord(
                returnID: "R-\(seed)-\(i)",
                orderID: "O\(g.int(0...99_999))",
                customerID: "C\(g.int(0...999))",
                sku: "SKU-\(g.int(0...500))",
                category: g.pick(ReferenceCategory.allCases).rawValue,
                brandTier: g.pick(["value", "mid", "premium"]),
                channel: g.pick(["web", "app", "marketplace", "store"]),
                warehouseID: g.pick(["WH1", "WH2", "WH3"]),
                paymentMethod: g.pick(["credit_card", "paypal", "bnpl"]),
                unitPrice: Double(g.int(0...100_000)) / 100,
                quantity: g.int(1...4),
                orderDate: order,
                returnRequestedDate: requested,
                receivedDate: received,
                reasonCode: g.pick(ReasonCode.known),
                customerComment: g.pick(comments),
                isGift: g.chance(0.1),
                promoFlag: g.chance(0.3),
                customerTenureDays: guest ? nil : g.int(0...3000),
                customerOrders12m: guest ? nil : g.int(1...40),
                customerReturns12m: guest ? nil : g.int(0...10),
                customerReturnValue12m: guest ? nil : Double(g.int(0...500_000)) / 100,
                hasSerial: g.chance(0.9) ? g.chance(0.3) : nil,
                serialMatches: received == nil ? nil : g.chance(0.95),
                packageCondition: received == nil ? nil : g.pick(["sealed", "opened_intact", "opened_damaged"]),
                itemConditionGrade: received == nil ? nil : g.pick(["A", "B", "C", "D"]),
                accessoriesComplete: received == nil ? nil : g.chance(0.9),
                weightKgDeclared: Double(g.int(1...20_000)) / 1000,
                weightKgMeasured: received == nil ? nil : Double(g.int(1...20_000)) / 1000,
                skuReturnRate90d: g.chance(0.9) ? Double(g.int(0...10_000)) / 10_000 : nil,
                skuSellThrough30d: Double(g.int(0...1000)) / 1000,
                daysInSeasonRemaining: g.int(-60...200),
                inventoryOnHand: g.int(0...5000),
                shippingCostBack: Double(g.int(300...2500)) / 100
            )
            let labels = ReturnLabels(
                disposition: g.pick(Disposition.allCases),
                fraudFlag: g.chance(0.05),
                recoveryValue: Double(g.int(0...50_000)) / 100
            )
            return LabelledReturn(record: record, labels: labels)
        }
    }
}
