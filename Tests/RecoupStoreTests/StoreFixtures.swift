import Foundation
import RecoupCore

@testable import RecoupSQLite
@testable import RecoupStore

let t0 = Date(timeIntervalSince1970: 1_790_000_000)

func record(_ id: String, warehouse: String = "WH1", price: Double = 40) -> ReturnRecord {
    ReturnRecord(
        returnID: id,
        orderID: "O-\(id)",
        customerID: "C1",
        sku: "SKU-1",
        category: "apparel",
        brandTier: "mid",
        channel: "web",
        warehouseID: warehouse,
        paymentMethod: "credit_card",
        unitPrice: price,
        quantity: 1,
        orderDate: Day(year: 2025, month: 3, day: 1)!,
        returnRequestedDate: Day(year: 2025, month: 3, day: 5)!,
        reasonCode: .sizeFit
    )
}

/// A lane name the tests know to be valid.
func lane(_ name: String) -> LaneName { LaneName(rawValue: name)! }

/// An assessment whose rank key is `key` (the store orders by the key it is given).
func assessment(
    lane name: String = "standard",
    key: Double = 1,
    value: Double = 30,
    risk: Double = 0.01,
    anomalies: [AnomalyFlag] = [],
    version: String = "m1",
    rank: QueueRank? = nil
) -> StoredAssessment {
    StoredAssessment(
        modelVersion: version,
        disposition: .restockNew,
        fraudRisk: risk,
        recoveryValue: value,
        lane: lane(name),
        rank: rank ?? .unexplained(key: key, serviceLevelHours: 72, enqueuedAt: t0),
        anomalies: anomalies,
        exposure: risk * 40,
        payload: Data(#"{"lane":"\#(name)","model":"\#(version)"}"#.utf8),
        predictions: .certain(.restockNew, fraudRisk: risk, recoveryValue: value)
    )
}

func newReturn(
    _ id: String,
    lane: String = "standard",
    key: Double = 1,
    hash: String = "h",
    warehouse: String = "WH1",
    anomalies: [AnomalyFlag] = [],
    risk: Double = 0.01,
    rank: QueueRank? = nil
) -> NewReturn {
    let record = record(id, warehouse: warehouse)
    return NewReturn(
        record: record,
        recordJSON: record.json(),
        payloadHash: hash,
        assessment: assessment(lane: lane, key: key, risk: risk, anomalies: anomalies, rank: rank)
    )
}

extension ReturnsStore {
    /// A claim with a fresh token.
    func claim(lane name: String, warehouseID: String, stationID: String, count: Int, leaseSeconds: Double, now: Date) async throws -> Claim {
        try await claim(
            ClaimRequest(lane: lane(name), warehouseID: warehouseID, stationID: stationID, count: count, leaseSeconds: leaseSeconds),
            token: UUID().uuidString.lowercased(),
            now: now
        )
    }
}

func temporaryDatabasePath() -> (path: String, cleanup: () -> Void) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("recoup-\(UUID().uuidString)")
    return (folder.appendingPathComponent("db.sqlite").path, { try? FileManager.default.removeItem(at: folder) })
}
