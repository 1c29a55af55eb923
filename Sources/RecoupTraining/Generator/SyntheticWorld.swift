internal import Foundation
internal import RecoupCore
internal import RecoupLearning

/// The hidden world the synthetic returns come from: categories, SKUs, warehouses and customers.
/// `training-data/README.md` describes the process in words; the constants below are that description.
struct SyntheticWorld: Sendable {
    /// How a product category behaves.
    struct CategoryProfile: Sendable {
        var name: String
        var share: Double  // share of returns of a normal customer
        var medianPrice: Double
        var priceSigma: Double
        var weightKg: ClosedRange<Double>
        var serialShare: Double  // share of SKUs that are serial-tracked
        var seasonDays: Int?  // selling season length; nil = all-year
        var refurbishable: Bool
        var hygiene: Bool  // opened items cannot be resold
        var donatable: Bool
        var reasonWeights: [Double]  // over ReasonCode.known, for a normal customer
    }

    struct SKU: Sendable {
        var id: String
        var category: Int
        var brandTier: String
        var price: Double
        var weightKg: Double
        var serialTracked: Bool
        var seasonStart: Int  // day of year
        var seasonDays: Int?
        var defectRate: Double
        var returnRate90d: Double
        var isNew: Bool  // no 90-day return rate yet
        var demand: Double  // latent demand in 0...1
        var popularity: Double
    }

    struct Warehouse: Sendable {
        var id: String
        var share: Double
        var refurbishBench: Bool
        var electronicsTest: Bool
        var receiveLagMean: Double
    }

    enum CustomerType: Int, Sendable, CaseIterable {
        case normal, serialReturner, wardrober, swapFraudster
    }

    struct Customer: Sendable {
        var id: String
        var type: CustomerType
        var tenureDays: Int
        var orders12m: Int
        var returns12m: Int
        var returnValue12m: Double
    }

    static let reasonCodes = ReasonCode.known.map(\.rawValue)
    // Reason order: size_fit, damaged_in_transit, defective, not_as_described, changed_mind, wrong_item, late_delivery,
    // better_price, no_reason.
    static let categories: [CategoryProfile] = [
        .init(
            name: "apparel",
            share: 0.30,
            medianPrice: 45,
            priceSigma: 0.6,
            weightKg: 0.2...1.2,
            serialShare: 0,
            seasonDays: 120,
            refurbishable: false,
            hygiene: false,
            donatable: true,
            reasonWeights: [45, 3, 4, 14, 18, 4, 3, 5, 4]
        ),
        .init(
            name: "footwear",
            share: 0.12,
            medianPrice: 80,
            priceSigma: 0.5,
            weightKg: 0.6...1.8,
            serialShare: 0,
            seasonDays: 150,
            refurbishable: false,
            hygiene: false,
            donatable: true,
            reasonWeights: [50, 3, 6, 10, 15, 4, 3, 5, 4]
        ),
        .init(
            name: "electronics",
            share: 0.14,
            medianPrice: 180,
            priceSigma: 0.9,
            weightKg: 0.2...6,
            serialShare: 0.85,
            seasonDays: nil,
            refurbishable: true,
            hygiene: false,
            donatable: false,
            reasonWeights: [2, 8, 30, 15, 20, 6, 4, 10, 5]
        ),
        .init(
            name: "home_goods",
            share: 0.10,
            medianPrice: 60,
            priceSigma: 0.7,
            weightKg: 0.5...12,
            serialShare: 0.1,
            seasonDays: nil,
            refurbishable: true,
            hygiene: false,
            donatable: true,
            reasonWeights: [4, 15, 18, 20, 22, 6, 5, 6, 4]
        ),
        .init(
            name: "beauty",
            share: 0.06,
            medianPrice: 30,
            priceSigma: 0.5,
            weightKg: 0.1...0.8,
            serialShare: 0,
            seasonDays: nil,
            refurbishable: false,
            hygiene: true,
            donatable: false,
            reasonWeights: [2, 8, 10, 20, 35, 8, 5, 6, 6]
        ),
        .init(
            name: "toys",
            share: 0.06,
            medianPrice: 35,
            priceSigma: 0.6,
            weightKg: 0.2...4,
            serialShare: 0.05,
            seasonDays: 90,
            refurbishable: false,
            hygiene: false,
            donatable: true,
            reasonWeights: [2, 12, 18, 15, 28, 8, 8, 5, 4]
        ),
        .init(
            name: "sporting_goods",
            share: 0.07,
            medianPrice: 70,
            priceSigma: 0.7,
            weightKg: 0.3...15,
            serialShare: 0.15,
            seasonDays: 180,
            refurbishable: true,
            hygiene: false,
            donatable: true,
            reasonWeights: [20, 8, 14, 15, 25, 6, 4, 5, 3]
        ),
        .init(
            name: "jewelry",
            share: 0.04,
            medianPrice: 150,
            priceSigma: 1.0,
            weightKg: 0.02...0.3,
            serialShare: 0.5,
            seasonDays: nil,
            refurbishable: false,
            hygiene: false,
            donatable: false,
            reasonWeights: [15, 4, 8, 25, 30, 5, 5, 4, 4]
        ),
        .init(
            name: "furniture",
            share: 0.04,
            medianPrice: 300,
            priceSigma: 0.6,
            weightKg: 8...60,
            serialShare: 0.05,
            seasonDays: nil,
            refurbishable: true,
            hygiene: false,
            donatable: true,
            reasonWeights: [5, 30, 15, 22, 15, 5, 5, 2, 1]
        ),
        .init(
            name: "books_media",
            share: 0.07,
            medianPrice: 20,
            priceSigma: 0.5,
            weightKg: 0.2...2,
            serialShare: 0,
            seasonDays: nil,
            refurbishable: false,
            hygiene: false,
            donatable: true,
            reasonWeights: [1, 12, 8, 15, 40, 12, 6, 3, 3]
        ),
    ]

    static let warehouses: [Warehouse] = [
        .init(id: "WH1", share: 0.30, refurbishBench: true, electronicsTest: true, receiveLagMean: 4),
        .init(id: "WH2", share: 0.25, refurbishBench: true, electronicsTest: false, receiveLagMean: 5),
        .init(id: "WH3", share: 0.20, refurbishBench: false, electronicsTest: true, receiveLagMean: 6),
        .init(id: "WH4", share: 0.15, refurbishBench: false, electronicsTest: false, receiveLagMean: 7),
        .init(id: "WH5", share: 0.10, refurbishBench: false, electronicsTest: false, receiveLagMean: 9),
    ]

    /// Sales channels and their sampling weights.
    static let channels = ["web", "app", "marketplace", "store"]
    static let channelWeights: [Double] = [45, 30, 15, 10]

    /// Share of returns coming from each customer type (fraudsters and serial returners return far more often than
    /// their share of customers).
    static let typeShares: [Double] = [0.80, 0.11, 0.055, 0.035]

    var skus: [SKU]
    var skusByCategory: [[Int]]
    var customersByType: [[Customer]]
    /// Problems planted on purpose (`recoup generate --plant-problems`), for the insights to find; `nil` by default.
    var planted: PlantedProblems?
    /// The shifted process (`recoup generate --drift`); `nil` by default.
    var drift: DriftState?

    /// Builds the world for a seed: about `rows / 40` SKUs per category ceiling 600, and a customer pool of about
    /// `rows / 3` customers.
    init(seed: UInt64, rows: Int) {
        var rng = SplitMix64(seed: derivedSeed(seed, stream: 1, index: 0))
        let perCategory = max(20, min(600, rows / 40))
        var skus: [SKU] = []
        var byCategory: [[Int]] = Array(repeating: [], count: Self.categories.count)
        for (c, profile) in Self.categories.enumerated() {
            let prefix = String(profile.name.prefix(3)).uppercased()
            for k in 0..<perCategory {
                byCategory[c].append(skus.count)
                skus.append(Self.drawSKU(id: "SKU-\(prefix)-\(String(format: "%05d", k))", category: c, &rng))
            }
        }
        self.skus = skus
        self.skusByCategory = byCategory

        let poolSize = max(200, rows / 3)
        var customers: [[Customer]] = Array(repeating: [], count: CustomerType.allCases.count)
        let poolShares = [0.90, 0.06, 0.025, 0.015]
        for i in 0..<poolSize {
            let type = CustomerType(rawValue: rng.pick(weights: poolShares))!
            let (tenureMean, ordersMean, returnRate): (Double, Double, Double) =
                switch type {
                case .normal: (900, 6, 0.15)
                case .serialReturner: (700, 14, 0.55)
                case .wardrober: (500, 10, 0.5)
                case .swapFraudster: (110, 4, 0.6)
                }
            let orders = max(1, rng.poisson(mean: ordersMean))
            let returns = rng.binomial(orders, returnRate)
            customers[type.rawValue].append(
                Customer(
                    id: "C\(String(format: "%07d", i))",
                    type: type,
                    tenureDays: Int(rng.exponential(mean: tenureMean)),
                    orders12m: orders,
                    returns12m: returns,
                    returnValue12m: (Double(returns) * rng.logNormal(median: 70, sigma: 0.7) * 100).rounded() / 100
                )
            )
        }
        self.customersByType = customers
    }

    /// A SKU of category `category`: brand tier, price, defect rate, demand, weight, serial tracking, season start,
    /// 90-day return rate, whether it is new, popularity.
    private static func drawSKU(id: String, category c: Int, _ rng: inout SplitMix64) -> SKU {
        let profile = categories[c]
        let tier = ["value", "mid", "premium"][rng.pick(weights: [0.4, 0.4, 0.2])]
        let tierFactor = tier == "premium" ? 1.9 : (tier == "value" ? 0.65 : 1.0)
        let price = (rng.logNormal(median: profile.medianPrice, sigma: profile.priceSigma) * tierFactor * 100).rounded() / 100
        let quality = tier == "premium" ? 0.6 : (tier == "value" ? 1.5 : 1.0)
        let defect = min(0.6, rng.exponential(mean: 0.09) * quality)
        let demand = min(1, max(0.02, 0.5 + 0.22 * rng.normal()))
        return SKU(
            id: id,
            category: c,
            brandTier: tier,
            price: max(1, price),
            weightKg: rng.uniform(profile.weightKg.lowerBound, profile.weightKg.upperBound),
            serialTracked: rng.chance(profile.serialShare),
            seasonStart: rng.integer(1...365),
            seasonDays: profile.seasonDays,
            defectRate: defect,
            returnRate90d: min(0.95, max(0.005, 0.08 + defect * 0.8 + 0.05 * rng.normal().magnitude)),
            isNew: rng.chance(0.08),
            demand: demand,
            popularity: rng.exponential(mean: 1)
        )
    }
}

/// The world's side of a ``GeneratorDrift``: its factors by category and channel index, and the new SKUs.
struct DriftState: Sendable {
    var categoryFactors: [Double]
    var channelFactors: [Double]
    var priceFactor: Double
    var newSKUShare: Double
    /// Indices into the world's SKUs of each category's new SKUs.
    var newSKUsByCategory: [[Int]]
    var fraudWarehouse: Int
    var fraudWarehouseSwapShare: Double
}

extension SyntheticWorld {
    /// Shifts the process by `drift`: adds a quarter as many new SKUs per category as there are (at least 5), with
    /// ids `SKU-<CAT>-N<nnnnn>` and no 90-day return rate, from their own seeded stream (the catalogue is unchanged).
    mutating func shift(by drift: GeneratorDrift, seed: UInt64) {
        guard let fraudWarehouse = Self.warehouses.firstIndex(where: { $0.id == drift.fraudWarehouse }) else {
            preconditionFailure("no warehouse \(drift.fraudWarehouse)")
        }
        var rng = SplitMix64(seed: derivedSeed(seed, stream: 3, index: 0))
        var newSKUs: [[Int]] = Array(repeating: [], count: Self.categories.count)
        for (c, profile) in Self.categories.enumerated() {
            let prefix = String(profile.name.prefix(3)).uppercased()
            for k in 0..<max(5, skusByCategory[c].count / 4) {
                var sku = Self.drawSKU(id: "SKU-\(prefix)-N\(String(format: "%05d", k))", category: c, &rng)
                sku.isNew = true
                newSKUs[c].append(skus.count)
                skus.append(sku)
            }
        }
        self.drift = DriftState(
            categoryFactors: Self.categories.map { drift.categoryFactors[$0.name] ?? 1 },
            channelFactors: Self.channels.map { drift.channelFactors[$0] ?? 1 },
            priceFactor: drift.priceFactor,
            newSKUShare: drift.newSKUShare,
            newSKUsByCategory: newSKUs,
            fraudWarehouse: fraudWarehouse,
            fraudWarehouseSwapShare: drift.fraudWarehouseSwapShare
        )
    }
}

/// Problems planted into synthetic returns for `recoup insights` to find (`recoup generate --plant-problems`): the
/// two most popular SKUs of electronics and of home goods return as `defective` far more often than their category,
/// the two most popular of apparel and of footwear as `size_fit`, and one channel has three times the transit damage.
/// A plain file (no planting) is the same as before planting existed.
package struct PlantedProblems: Sendable, Hashable {
    package var defectiveSKUs: [String]
    package var sizeFitSKUs: [String]
    package var damageChannel: String
    /// The planted SKUs by category index: 4% of a category's returns go to them (best sellers, so that there are
    /// enough of their returns to tell a problem from noise).
    var skuIndices: [Int: [Int]] = [:]

    init(world: SyntheticWorld) {
        var indices: [Int: [Int]] = [:]
        func top(_ category: String, _ count: Int) -> [String] {
            let c = SyntheticWorld.categories.firstIndex { $0.name == category }!
            let chosen = world.skusByCategory[c].sorted { (world.skus[$0].popularity, $1) > (world.skus[$1].popularity, $0) }.prefix(count)
            indices[c] = Array(chosen)
            return chosen.map { world.skus[$0].id }
        }
        defectiveSKUs = top("electronics", 2) + top("home_goods", 2)
        sizeFitSKUs = top("apparel", 2) + top("footwear", 2)
        damageChannel = "marketplace"
        skuIndices = indices
    }
}
