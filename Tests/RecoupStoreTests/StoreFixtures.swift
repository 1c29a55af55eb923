import Foundation
import RecoupCore

@testable import RecoupStore

let t0 = Date(timeIntervalSince1970: 1_790_000_000)

func record(_ id: String, warehouse: String = "WH1", price: Double = 40) -> ReturnRecord {
    ReturnRecord(
        returnID: id, orderID: "O-\(id)", customerID: "C1", sku: "SKU-1", category: "apparel", brandTier: "mid",
        channel: "web", warehouseID: warehouse, paymentMethod: "credit_card", unitPrice: price, quantity: 1,
        orderDate: Day(year: 2025, month: 3, day: 1)!, returnRequestedDate: Day(year: 2025, month: 3, day: 5)!,
        reasonCode: .sizeFit)
}

func assessment(lane: String = "standard", urgency: Double = 1, value: Double = 30, risk: Double = 0.01,
                anomalies: [String] = [], version: String = "m1") -> StoredAssessment {
    StoredAssessment(
        modelVersion: version, disposition: "restock_new", fraudRisk: risk, recoveryValue: value, lane: lane,
        urgency: urgency, agingWeight: 2, serviceLevelHours: 72, anomalyReasons: anomalies, exposure: risk * 40,
        payload: Data(#"{"lane":"\#(lane)","model":"\#(version)"}"#.utf8))
}

func newReturn(_ id: String, lane: String = "standard", urgency: Double = 1, hash: String = "h", warehouse: String = "WH1",
               anomalies: [String] = [], risk: Double = 0.01) -> NewReturn {
    NewReturn(record: record(id, warehouse: warehouse), payloadHash: hash,
              assessment: assessment(lane: lane, urgency: urgency, risk: risk, anomalies: anomalies))
}

func temporaryDatabasePath() -> (path: String, cleanup: () -> Void) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("recoup-\(UUID().uuidString)")
    return (folder.appendingPathComponent("db.sqlite").path, { try? FileManager.default.removeItem(at: folder) })
}
