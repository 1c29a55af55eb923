import Foundation
import RecoupCore
import RecoupScoring
import Testing

@testable import RecoupTraining

@Suite("Synthetic returns with drift")
struct GeneratorDriftTests {
    static let rows = 3_000
    static let seed: UInt64 = 7

    /// SHA-256 of the CSV of `generate(rows: 3000, seed: 7)` (and with `plantProblems`), taken on Linux before the
    /// drift option existed.
    static let plainSHA256 = "b4f67bad8a2d8dc7604a1fe4fc635edeca521b07e599f1da6f49fd3f3b24d928"
    static let plantedSHA256 = "494ddbaab80be0e6784d4c487e58e366769434d4f0044622991f4d947f7b4861"

    static func csv(_ returns: [LabelledReturn]) -> [UInt8] {
        ReturnRecord.csv(returns.map(\.record), labels: returns.map(\.labels))
    }

    @Test("without drift, the file is byte for byte what it was before the option existed")
    func unchangedWithoutDrift() {
        let plain = SyntheticReturns.generate(rows: Self.rows, seed: Self.seed, drift: false)
        #expect(ModelBundle.sha256(Self.csv(plain)) == Self.plainSHA256)
        let planted = SyntheticReturns.generate(rows: Self.rows, seed: Self.seed, plantProblems: true)
        #expect(ModelBundle.sha256(Self.csv(planted)) == Self.plantedSHA256)
    }

    @Test("with drift: deterministic, follows the contract, new SKUs have new ids and no 90-day return rate")
    func driftedFile() throws {
        let drifted = SyntheticReturns.generate(rows: 600, seed: 3, drift: true)
        #expect(drifted == SyntheticReturns.generate(rows: 600, seed: 3, drift: true))
        let batch = try ReturnCSVReader.read(Self.csv(drifted), labels: .require)
        #expect(batch.errors.isEmpty, "\(batch.errors.prefix(3))")
        #expect(batch.returns.map(\.record) == drifted.map(\.record))
        let plainSKUs = Set(SyntheticReturns.generate(rows: 600, seed: 3).map(\.record.sku))
        let newSKURows = drifted.filter { $0.record.sku.contains("-N") }
        #expect(newSKURows.allSatisfy { $0.record.skuReturnRate90d == nil && !plainSKUs.contains($0.record.sku) })
        let share = Double(newSKURows.count) / Double(drifted.count)
        #expect((0.24...0.36).contains(share), "new-SKU share \(share)")
    }

    @Test("each documented shift moves its field the documented way, by a clear margin, with a PSI of at least 0.1")
    func shifts() {
        let plain = SyntheticReturns.generate(rows: Self.rows, seed: Self.seed).map(\.record)
        let drifted = SyntheticReturns.generate(rows: Self.rows, seed: Self.seed, drift: true)
        let records = drifted.map(\.record)
        let drift = GeneratorDrift.standard

        func share(_ records: [ReturnRecord], _ test: (ReturnRecord) -> Bool) -> Double {
            Double(records.filter(test).count) / Double(records.count)
        }
        // 1. Category mix: electronics and furniture up, apparel down.
        let electronics = (share(plain) { $0.category == "electronics" }, share(records) { $0.category == "electronics" })
        #expect(electronics.1 >= electronics.0 + 0.12, "electronics \(electronics)")
        let furniture = (share(plain) { $0.category == "furniture" }, share(records) { $0.category == "furniture" })
        #expect(furniture.1 >= furniture.0 * 1.8, "furniture \(furniture)")
        let apparel = (share(plain) { $0.category == "apparel" }, share(records) { $0.category == "apparel" })
        #expect(apparel.1 <= apparel.0 * 0.65, "apparel \(apparel)")
        #expect(Self.psi(plain.map(\.category), records.map(\.category)) >= 0.1)
        // 2. Channel mix: marketplace up.
        let marketplace = (share(plain) { $0.channel == "marketplace" }, share(records) { $0.channel == "marketplace" })
        #expect(marketplace.1 >= marketplace.0 + 0.12, "marketplace \(marketplace)")
        #expect(Self.psi(plain.map(\.channel), records.map(\.channel)) >= 0.1)
        // 3. Prices: the median unit price up by at least the price factor (the category mix adds to it).
        let medians = (Self.median(plain.map(\.unitPrice)), Self.median(records.map(\.unitPrice)))
        #expect(medians.1 >= medians.0 * drift.priceFactor, "median unit price \(medians)")
        #expect(Self.psi(plain.map(\.unitPrice), records.map(\.unitPrice)) >= 0.1)
        // The same SKU at full price (a 3% jitter either way) costs the price factor more.
        func fullPrices(_ records: [ReturnRecord]) -> [String: Double] {
            Dictionary(records.filter { !$0.promoFlag }.map { ($0.sku, $0.unitPrice) }, uniquingKeysWith: max)
        }
        let before = fullPrices(plain)
        let ratios = fullPrices(records).compactMap { sku, price in before[sku].map { price / $0 } }
        #expect(ratios.count > 100)
        #expect(ratios.allSatisfy { (1.24...1.47).contains($0) }, "\(ratios.filter { !(1.24...1.47).contains($0) })")
        #expect(abs(Self.median(ratios) - drift.priceFactor) < 0.03, "median ratio \(Self.median(ratios))")
        // 4. New SKUs: many more returns without a 90-day return rate.
        let missing = (share(plain) { $0.skuReturnRate90d == nil }, share(records) { $0.skuReturnRate90d == nil })
        #expect(missing.1 >= missing.0 + 0.2, "sku_return_rate_90d missing \(missing)")
        #expect(Self.psi(plain.map(\.skuReturnRate90d), records.map(\.skuReturnRate90d)) >= 0.1)
        // 5. Fraud at the named warehouse: several times as likely, with its swap signals.
        let plainLabelled = SyntheticReturns.generate(rows: Self.rows, seed: Self.seed)
        let atWarehouse = (
            plainLabelled.filter { $0.record.warehouseID == drift.fraudWarehouse },
            drifted.filter { $0.record.warehouseID == drift.fraudWarehouse }
        )
        func fraudRate(_ returns: [LabelledReturn]) -> Double { Double(returns.filter(\.labels.fraudFlag).count) / Double(returns.count) }
        let fraud = (fraudRate(atWarehouse.0), fraudRate(atWarehouse.1))
        #expect(fraud.1 >= 3 * fraud.0 && fraud.1 >= 0.15, "fraud rate at \(drift.fraudWarehouse) \(fraud)")
        #expect(Self.psi(atWarehouse.0.map { "\($0.labels.fraudFlag)" }, atWarehouse.1.map { "\($0.labels.fraudFlag)" }) >= 0.1)
        let mismatch = (
            share(atWarehouse.0.map(\.record)) { $0.serialMatches == false }, share(atWarehouse.1.map(\.record)) { $0.serialMatches == false }
        )
        #expect(mismatch.1 >= 3 * mismatch.0, "serial mismatches at \(drift.fraudWarehouse) \(mismatch)")
        // Elsewhere, fraud is as without drift.
        let elsewhere = (
            fraudRate(plainLabelled.filter { $0.record.warehouseID != drift.fraudWarehouse }),
            fraudRate(drifted.filter { $0.record.warehouseID != drift.fraudWarehouse })
        )
        #expect(abs(elsewhere.1 - elsewhere.0) < 0.02, "fraud rate elsewhere \(elsewhere)")
    }

    @Test("what drift does not shift stays put: warehouses, quantities, gifts, promotions, guests (PSI under 0.02)")
    func rest() {
        let plain = SyntheticReturns.generate(rows: Self.rows, seed: Self.seed).map(\.record)
        let drifted = SyntheticReturns.generate(rows: Self.rows, seed: Self.seed, drift: true).map(\.record)
        let fields: [(String, (ReturnRecord) -> String)] = [
            ("warehouse_id", \.warehouseID),
            ("quantity", { "\($0.quantity)" }),
            ("is_gift", { "\($0.isGift)" }),
            ("promo_flag", { "\($0.promoFlag)" }),
            ("guest", { "\($0.customerTenureDays == nil)" }),
        ]
        for (name, value) in fields {
            let psi = Self.psi(plain.map(value), drifted.map(value))
            #expect(psi < 0.02, "\(name): PSI \(psi)")
        }
    }

    @Test("the shifts' summary names every shift and the warehouse")
    func summary() {
        let summary = GeneratorDrift.standard.summary
        for part in [
            "electronics × 3", "furniture × 3", "apparel × 0.5", "marketplace × 3", "unit prices × 1.35", "30% of returns for new SKUs", "WH4",
        ] {
            #expect(summary.contains(part), "\(summary)")
        }
    }

    // MARK: - Population stability index

    /// PSI over levels: Σ (a − e) ln(a / e) over the levels' shares (each share floored at 1e-4).
    static func psi(_ expected: [String], _ actual: [String]) -> Double {
        let levels = Set(expected).union(actual)
        return levels.reduce(0) { sum, level in
            let e = max(1e-4, Double(expected.count { $0 == level }) / Double(expected.count))
            let a = max(1e-4, Double(actual.count { $0 == level }) / Double(actual.count))
            return sum + (a - e) * log(a / e)
        }
    }

    /// PSI over 10 quantile bins of the expected values, plus a bin for missing values.
    static func psi(_ expected: [Double?], _ actual: [Double?]) -> Double {
        let sorted = expected.compactMap { $0 }.sorted()
        let edges = (1..<10).map { sorted[$0 * sorted.count / 10] }
        func bin(_ value: Double?) -> String {
            guard let value else { return "missing" }
            return "\(edges.count { $0 <= value })"
        }
        return psi(expected.map(bin), actual.map(bin))
    }

    static func psi(_ expected: [Double], _ actual: [Double]) -> Double {
        psi(expected.map { Optional($0) }, actual.map { Optional($0) })
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
}
