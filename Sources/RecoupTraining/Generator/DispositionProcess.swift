internal import Foundation
internal import RecoupCore
internal import RecoupLearning

extension SyntheticWorld {
    /// The hidden disposition process: a score per disposition from the true grade, the category, the warehouse's
    /// benches, the season and the demand, drawn through a softmax (so similar items do not always go the same way),
    /// then 4% label noise (a wrong button at the inspection station).
    func chooseDisposition(
        trueGrade: Int,
        packageSealed: Bool,
        profile: CategoryProfile,
        sku: SKU,
        warehouse: Warehouse,
        seasonRemaining: Int?,
        sellThrough: Double,
        isSwap: Bool,
        isDefective: Bool,
        reason: String,
        unitPrice: Double,
        rng: inout SplitMix64
    ) -> Disposition {
        // restock_new, open_box, refurbish, outlet, liquidate, return_to_vendor, donate, dispose
        var s = [Double](repeating: -4, count: 8)
        let pastSeason = (seasonRemaining ?? 100) < 0
        let lowValue = unitPrice < 25
        switch trueGrade {
        case 0:
            s[0] = packageSealed ? 3.0 : 1.2
            s[1] = packageSealed ? 0.5 : 2.0
            s[3] = 0.2
        case 1:
            s[1] = 1.8
            s[3] = 1.4
            s[2] = profile.refurbishable ? 1.6 : -2
        case 2:
            s[2] = profile.refurbishable ? 2.3 : -2
            s[3] = 0.6
            s[4] = 1.4
            s[6] = profile.donatable ? 0.9 : -3
        default:
            s[4] = 0.8
            s[6] = profile.donatable ? 0.3 : -3
            s[7] = 2.2
        }
        if pastSeason {
            s[0] -= 2.0
            s[1] -= 0.8
            s[3] += 1.5
        }
        s[0] += 1.2 * (sellThrough - 0.5)
        s[1] += 0.6 * (sellThrough - 0.5)
        if profile.hygiene && !packageSealed {
            s[0] -= 4
            s[1] -= 3
            s[7] += 2.5
        }
        if isDefective && sku.brandTier != "value" { s[5] += 3.4 }
        if reason == "wrong_item" || reason == "not_as_described" { s[5] += 1.2 }
        if profile.name == "electronics" && !warehouse.electronicsTest {
            s[0] -= 1.0
            s[5] += 1.0
        }
        if !warehouse.refurbishBench {
            // Without a bench nothing is refurbished here: those items go to the vendor, the outlet or liquidation.
            s[5] += s[2] > 0 ? 1.2 : 0
            s[3] += s[2] > 0 ? 0.6 : 0
            s[2] = -9
        }
        if lowValue {
            s[2] -= 1.5
            s[5] -= 1.0
            s[6] += 0.6
        }
        if isSwap {
            s = [-6, -5, -3, -3, 1.2, 0.4, -2, 2.4]
        }
        var chosen = softmaxDraw(s, &rng)
        if rng.chance(0.04) { chosen = rng.integer(0...7) }
        return Disposition(index: chosen)!
    }

    /// Money recovered: the refund value times the recovery rate of the disposition, the demand and the season,
    /// with multiplicative noise; a swapped item recovers next to nothing. Always `>= 0`, skewed like prices.
    func recoveryValue(
        disposition: Disposition,
        unitPrice: Double,
        quantity: Int,
        sellThrough: Double,
        seasonRemaining: Int?,
        isSwap: Bool,
        rng: inout SplitMix64
    ) -> Double {
        let rate: Double =
            switch disposition {
            case .restockNew: 0.96
            case .openBox: 0.76
            case .refurbish: 0.58
            case .outlet: 0.42
            case .liquidate: 0.14
            case .returnToVendor: 0.55
            case .donate: 0.03
            case .dispose: 0
            }
        var value = unitPrice * Double(quantity) * rate
        value *= 0.8 + 0.4 * sellThrough
        if let season = seasonRemaining, season < 0, disposition == .restockNew || disposition == .openBox { value *= 0.8 }
        if disposition == .refurbish { value -= 12 }
        if isSwap { value *= 0.08 }
        value *= exp(0.18 * rng.normal())
        return max(0, (value * 100).rounded() / 100)
    }

    private func softmaxDraw(_ scores: [Double], _ rng: inout SplitMix64) -> Int {
        let m = scores.max()!
        return rng.pick(weights: scores.map { exp($0 - m) })
    }
}
