internal import Foundation
internal import RecoupCore
internal import RecoupLearning

/// One return, simulated: hidden truth first (customer type, true condition, fraud), then what the retailer
/// observes (noisy signals, missing values), then the labels (disposition, fraud flag, recovery value).
extension SyntheticWorld {
    /// The first order day of the simulated period (2024-01-01) and its length in days.
    static let periodStart = Day(year: 2024, month: 1, day: 1)!
    static let periodDays = 731

    static let comments: [String: [String]] = [
        "size_fit": ["too small", "too big", "runs small", "runs large", "did not fit", "wrong size", "tight on the shoulders"],
        "damaged_in_transit": ["box crushed", "arrived broken", "damaged on arrival", "packaging torn", "dented corner"],
        "defective": ["stopped working", "does not turn on", "broke after a week", "battery dies fast", "faulty", "makes a noise"],
        "not_as_described": ["color different", "not as pictured", "material feels cheap", "smaller than expected", "different model"],
        "changed_mind": ["no longer needed", "changed my mind", "found something else", "ordered two kept one"],
        "wrong_item": ["wrong item sent", "received different model", "not what i ordered", "wrong color sent"],
        "late_delivery": ["arrived too late", "missed the event", "took too long"],
        "better_price": ["found it cheaper", "price dropped", "cheaper elsewhere"],
        "no_reason": ["", "n/a", "return"],
    ]
    static let fraudPhrases = ["brand new never opened", "unused", "sealed", "still in box", "did not work at all"]
    static let wardrobePhrases = ["wore once to try", "not needed after the party", "tags attached", "only tried on"]

    // Disposition order: restock_new, open_box, refurbish, outlet, liquidate, return_to_vendor, donate, dispose.

    /// Simulates return number `index` of the data set.
    func simulate(index: Int, seed: UInt64) -> LabelledReturn {
        var rng = SplitMix64(seed: derivedSeed(seed, stream: 2, index: index))

        // When: orders across two years, busier in November and December.
        var dayOffset = rng.integer(0...(Self.periodDays - 1))
        if rng.chance(0.18) { dayOffset = min(Self.periodDays - 1, 305 + rng.integer(0...60) + (rng.chance(0.5) ? 366 : 0)) }
        let orderDate = Self.periodStart + dayOffset
        let inSecondYear = dayOffset >= 366

        // Who: the customer type drifts: a swap-fraud ring grows in the second year.
        var typeWeights = Self.typeShares
        if inSecondYear { typeWeights[CustomerType.swapFraudster.rawValue] *= 1.5 }
        let isGuest = rng.chance(0.11)
        let type = CustomerType(rawValue: rng.pick(weights: typeWeights))!
        let customer = rng.pick(customersByType[type.rawValue].isEmpty ? customersByType[0] : customersByType[type.rawValue])

        // What: category by customer type, SKU by popularity.
        var categoryWeights = Self.categories.map(\.share)
        switch type {
        case .wardrober: categoryWeights = [55, 20, 2, 2, 4, 1, 4, 10, 1, 1]
        case .swapFraudster: categoryWeights = [4, 4, 60, 4, 2, 2, 3, 20, 1, 0]
        default: break
        }
        if let drift { categoryWeights = zip(categoryWeights, drift.categoryFactors).map { $0 * $1 } }
        let categoryIndex = rng.pick(weights: categoryWeights)
        let profile = Self.categories[categoryIndex]
        var skuIndex =
            if let drift, rng.chance(drift.newSKUShare) {
                pickSKU(among: drift.newSKUsByCategory[categoryIndex], &rng)
            } else {
                pickSKU(among: skusByCategory[categoryIndex], &rng)
            }
        if let planted, let bad = planted.skuIndices[categoryIndex], rng.chance(0.04) { skuIndex = rng.pick(bad) }  // they sell well
        let sku = skus[skuIndex]
        let warehouseIndex = rng.pick(weights: Self.warehouses.map(\.share))
        let warehouse = Self.warehouses[warehouseIndex]

        let promo = rng.chance(0.3)
        let priceFactor = drift?.priceFactor ?? 1  // × 1 is exact: without drift, the prices are as before drift existed
        let unitPrice = ((sku.price * (promo ? rng.uniform(0.6, 0.85) : 1) * rng.uniform(0.97, 1.03)) * priceFactor * 100).rounded() / 100
        let quantity = [1, 1, 1, 1, 1, 1, 1, 2, 2, 3][rng.integer(0...9)]
        var channelWeights = Self.channelWeights
        if let drift { channelWeights = zip(channelWeights, drift.channelFactors).map { $0 * $1 } }
        let channel = Self.channels[rng.pick(weights: channelWeights)]
        let paymentWeights: [Double] = type == .swapFraudster ? [20, 10, 10, 30, 30] : [45, 20, 18, 5, 12]
        let payment = ["credit_card", "debit_card", "paypal", "gift_card", "bnpl"][rng.pick(weights: paymentWeights)]

        // When it came back.
        let requestLag: Int =
            switch type {
            case .wardrober: 2 + Int(rng.exponential(mean: 5))
            case .swapFraudster: 4 + Int(rng.exponential(mean: 10))
            default: 1 + Int(rng.exponential(mean: 11))
            }
        let requested = orderDate + min(requestLag, 90)
        let received: Day? = rng.chance(0.035) ? nil : requested + 1 + Int(rng.exponential(mean: warehouse.receiveLagMean))

        // Hidden truth: a swap, a worn item, a defect, transit damage; with drift, a swap ring at one warehouse.
        let fraudsterSwap = type == .swapFraudster && rng.chance(0.8)
        let isWorn = type == .wardrober && rng.chance(0.7)
        let isDefective = rng.chance(sku.defectRate)
        let isTransitDamage = rng.chance(0.04 + (profile.name == "furniture" ? 0.08 : 0))
        let ringSwap =
            if let drift, warehouseIndex == drift.fraudWarehouse, !fraudsterSwap, !isWorn {
                rng.chance(drift.fraudWarehouseSwapShare)
            } else {
                false
            }
        let isSwap = fraudsterSwap || ringSwap

        // The stated reason follows the truth (with the usual noise of self-reported reasons).
        var reasonWeights = profile.reasonWeights
        if isDefective { reasonWeights[2] += 60 }
        if isTransitDamage { reasonWeights[1] += 80 }
        if isSwap { reasonWeights = [1, 6, 45, 25, 5, 12, 1, 2, 3] }
        if isWorn { reasonWeights = [45, 1, 3, 15, 30, 1, 3, 1, 1] }
        if let planted {
            if planted.defectiveSKUs.contains(sku.id) { reasonWeights[2] += 300 }
            if planted.sizeFitSKUs.contains(sku.id) { reasonWeights[0] += 400 }
            if channel == planted.damageChannel { reasonWeights[1] *= 3 }
        }
        let reason = Self.reasonCodes[rng.pick(weights: reasonWeights)]

        // True grade: 0 = A (as new) … 3 = D.
        var gradeScore = 0.4 + 0.08 * Double(requestLag) / 10 + 0.6 * rng.normal().magnitude
        if isDefective { gradeScore += 1.1 }
        if isTransitDamage { gradeScore += 1.6 }
        if isWorn { gradeScore += 1.2 }
        if isSwap { gradeScore += 2.6 }
        if reason == "size_fit" || reason == "changed_mind" || reason == "better_price" { gradeScore -= 0.2 }
        let trueGrade = min(3, max(0, Int(gradeScore)))

        // Observations, only once the item is received.
        var packageCondition: String?
        var observedGrade: String?
        var accessoriesComplete: Bool?
        var serialMatches: Bool?
        var weightMeasured: Double?
        if received != nil {
            let sealedChance = trueGrade == 0 ? (reason == "changed_mind" || reason == "better_price" ? 0.6 : 0.35) : 0.03
            packageCondition =
                rng.chance(0.05)
                ? nil
                : rng.chance(sealedChance)
                    ? "sealed"
                    : (isTransitDamage || trueGrade == 3) && rng.chance(0.6)
                        ? "opened_damaged"
                        : (isSwap && rng.chance(0.3)) || rng.chance(0.04)
                            ? "missing_packaging"
                            : "opened_intact"
            if rng.chance(0.85) {
                let noisy = min(3, max(0, trueGrade + (rng.chance(0.2) ? (rng.chance(0.5) ? 1 : -1) : 0)))
                observedGrade = Grade.allCases[noisy].rawValue
            }
            if rng.chance(0.8) {
                accessoriesComplete = !rng.chance(isSwap ? 0.55 : (isWorn ? 0.1 : 0.04))
            }
            if sku.serialTracked && rng.chance(0.9) {
                serialMatches = !rng.chance(isSwap ? 0.75 : 0.012)
            }
            if rng.chance(0.92) {
                var factor = 1 + 0.03 * rng.normal()
                if isSwap && rng.chance(0.7) { factor *= rng.uniform(0.4, 0.85) }
                if packageCondition == "missing_packaging" { factor *= 0.92 }
                weightMeasured = max(0.001, (sku.weightKg * Double(quantity) * factor * 1000).rounded() / 1000)
            }
        }

        // Demand and season at the time of the request.
        var seasonRemaining: Int?
        if let season = sku.seasonDays {
            let doy = requested.dayOfYear
            var end = sku.seasonStart + season
            while end < doy - 180 { end += 365 }
            seasonRemaining = end - doy
        }
        let seasonPhase = seasonRemaining.map { Double($0) / Double(sku.seasonDays ?? 365) } ?? 0.5
        let sellThrough = min(1, max(0, sku.demand * (0.6 + 0.6 * min(1, max(0, seasonPhase))) + 0.06 * rng.normal()))
        let inventory = max(0, Int(rng.logNormal(median: 120 * (1.2 - sku.demand), sigma: 0.8)))

        // Fraud (confirmed) and its label noise.
        var fraud: Bool
        if isSwap {
            fraud = rng.chance(0.9)
        } else {
            switch type {
            case .swapFraudster: fraud = rng.chance(0.1)
            case .wardrober: fraud = isWorn ? rng.chance(0.4) : rng.chance(0.03)
            case .serialReturner: fraud = rng.chance(0.04)
            case .normal: fraud = rng.chance(isGuest ? 0.012 : 0.005)
            }
        }
        if rng.chance(0.002) { fraud.toggle() }

        let disposition = chooseDisposition(
            trueGrade: trueGrade,
            packageSealed: packageCondition == "sealed",
            profile: profile,
            sku: sku,
            warehouse: warehouse,
            seasonRemaining: seasonRemaining,
            sellThrough: sellThrough,
            isSwap: isSwap,
            isDefective: isDefective,
            reason: reason,
            unitPrice: unitPrice,
            rng: &rng
        )
        let recovery = recoveryValue(
            disposition: disposition,
            unitPrice: unitPrice,
            quantity: quantity,
            sellThrough: sellThrough,
            seasonRemaining: seasonRemaining,
            isSwap: isSwap,
            rng: &rng
        )

        var comment: String?
        if rng.chance(0.6) {
            var words = rng.pick(Self.comments[reason] ?? [""])
            if isSwap && rng.chance(0.4) { words += (words.isEmpty ? "" : ", ") + rng.pick(Self.fraudPhrases) }
            if isWorn && rng.chance(0.3) { words += (words.isEmpty ? "" : ", ") + rng.pick(Self.wardrobePhrases) }
            if rng.chance(0.1) { words = words.uppercased() }
            comment = words.isEmpty ? nil : words
        }

        let record = ReturnRecord(
            returnID: "R\(seed)-\(String(format: "%07d", index))",
            orderID: "O\(seed)-\(String(format: "%08d", index * 7 + 3))",
            customerID: isGuest ? "G\(seed)-\(index)" : customer.id,
            sku: sku.id,
            category: profile.name,
            brandTier: sku.brandTier,
            channel: channel,
            warehouseID: warehouse.id,
            paymentMethod: payment,
            unitPrice: unitPrice,
            quantity: quantity,
            orderDate: orderDate,
            returnRequestedDate: requested,
            receivedDate: received,
            reasonCode: ReasonCode(rawValue: reason),
            customerComment: comment,
            isGift: rng.chance(0.08),
            promoFlag: promo,
            customerTenureDays: isGuest ? nil : customer.tenureDays,
            customerOrders12m: isGuest ? nil : customer.orders12m,
            customerReturns12m: isGuest ? nil : customer.returns12m,
            customerReturnValue12m: isGuest ? nil : customer.returnValue12m,
            hasSerial: sku.serialTracked,
            serialMatches: serialMatches,
            packageCondition: packageCondition,
            itemConditionGrade: observedGrade,
            accessoriesComplete: accessoriesComplete,
            weightKgDeclared: (sku.weightKg * Double(quantity) * 1000).rounded() / 1000,
            weightKgMeasured: weightMeasured,
            skuReturnRate90d: sku.isNew ? nil : (sku.returnRate90d * 1000).rounded() / 1000,
            skuSellThrough30d: rng.chance(0.04) ? nil : (sellThrough * 1000).rounded() / 1000,
            daysInSeasonRemaining: seasonRemaining,
            inventoryOnHand: rng.chance(0.03) ? nil : inventory,
            shippingCostBack: rng.chance(0.05) ? nil : ((4 + 0.8 * sku.weightKg * Double(quantity) + rng.uniform(0, 2)) * 100).rounded() / 100
        )
        return LabelledReturn(record: record, labels: ReturnLabels(disposition: disposition, fraudFlag: fraud, recoveryValue: recovery))
    }

    private func pickSKU(among candidates: [Int], _ rng: inout SplitMix64) -> Int {
        // Two draws, keep the more popular: a cheap skew towards best sellers.
        let a = rng.pick(candidates)
        let b = rng.pick(candidates)
        return skus[a].popularity >= skus[b].popularity ? a : b
    }
}
