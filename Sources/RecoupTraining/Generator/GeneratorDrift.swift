/// The documented shift of `recoup generate --drift` (`training-data/README.md`, "Drift"): a sample whose process
/// has moved, for drift detection and population stability checks per contract field.
///
/// Each shift moves its field's distribution clearly (a population stability index of 0.1 or more against a
/// sample without drift); everything else in the process is as without drift, apart from what follows from the
/// shifted draws (an electronics return still weighs and is reasoned about like one).
package struct GeneratorDrift: Sendable, Hashable {
    /// Factors on the category sampling weights of every customer type, by category name; a category not named
    /// keeps its weight.
    package let categoryFactors: [String: Double]
    /// Factors on the channel sampling weights, by channel name; a channel not named keeps its weight.
    package let channelFactors: [String: Double]
    /// Factor on every unit price (a price rise, or a premium catalogue).
    package let priceFactor: Double
    /// Share of returns that are for new SKUs: SKUs with new ids and no 90-day return rate (`sku_return_rate_90d`
    /// missing), drawn like the catalogue's other SKUs.
    package let newSKUShare: Double
    /// The warehouse where a swap-fraud ring operates.
    package let fraudWarehouse: String
    /// Share of the fraud warehouse's other returns (neither already a swap nor a worn item) that are swaps: a
    /// different, cheaper item returned, with the usual swap signals (serial mismatch, light weight, missing
    /// accessories) and confirmed as fraud 90% of the time, as every swap.
    package let fraudWarehouseSwapShare: Double

    /// The shift `SyntheticReturns.generate(rows:seed:drift: true)` applies: electronics and furniture three times as
    /// likely and apparel half as likely, the marketplace channel three times as likely, prices × 1.35, 30% of
    /// returns for new SKUs, and a swap-fraud ring at WH4 making a fifth of its returns that are not already swaps or
    /// worn items swaps.
    package static let standard = GeneratorDrift(
        categoryFactors: ["electronics": 3, "furniture": 3, "apparel": 0.5],
        channelFactors: ["marketplace": 3],
        priceFactor: 1.35,
        newSKUShare: 0.30,
        fraudWarehouse: "WH4",
        fraudWarehouseSwapShare: 0.20
    )

    /// One line naming the shifts, for standard error.
    package var summary: String {
        func factors(_ factors: [String: Double]) -> String {
            factors.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) × \(Self.number($0.value))" }
                .joined(separator: ", ")
        }
        return "category weights \(factors(categoryFactors)); channel weights \(factors(channelFactors)); unit prices × "
            + "\(Self.number(priceFactor)); \(Self.number(newSKUShare * 100))% of returns for new SKUs (no sku_return_rate_90d); "
            + "swap-fraud ring at warehouse \(fraudWarehouse) (\(Self.number(fraudWarehouseSwapShare * 100))% of its returns not already swaps or worn "
            + "become swaps, 90% confirmed as fraud)"
    }

    /// A factor or percentage as written: `3`, `0.5`, `1.35`, `30` (to six decimals, so that 0.3 × 100 is 30).
    private static func number(_ value: Double) -> String {
        let rounded = (value * 1e6).rounded() / 1e6
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
