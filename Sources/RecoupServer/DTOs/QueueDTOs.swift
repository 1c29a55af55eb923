internal import Foundation
internal import Hummingbird
internal import RecoupCore
internal import RecoupStore

/// `POST /v1/lanes/{lane}/claims` body.
struct ClaimRequest: Decodable {
    var warehouseID: String
    var stationID: String
    var count: Int
    var leaseSeconds: Double?

    enum CodingKeys: String, CodingKey {
        case warehouseID = "warehouse_id"
        case stationID = "station_id"
        case count
        case leaseSeconds = "lease_seconds"
    }
}

/// `POST /v1/claims/{token}/extend` body.
struct ExtendRequest: Decodable {
    var leaseSeconds: Double
    enum CodingKeys: String, CodingKey { case leaseSeconds = "lease_seconds" }
}

/// `POST /v1/returns/{id}/inspection` body.
struct InspectionRequest: Decodable {
    var claimToken: String
    var grade: String?
    var disposition: String
    var recoveryValue: Double
    var fraudConfirmed: Bool
    var notes: String?

    enum CodingKeys: String, CodingKey {
        case claimToken = "claim_token"
        case grade, disposition
        case recoveryValue = "recovery_value"
        case fraudConfirmed = "fraud_confirmed"
        case notes
    }
}

/// `POST /v1/anomalies/{id}/review` body.
struct ReviewRequest: Decodable {
    var decision: String
    var note: String?
}

struct ClaimResponse: ResponseEncodable {
    var token: String
    var lane: String
    var warehouseId: String
    var stationId: String
    var expiresAt: Date
    var items: [ClaimedItem]
}

struct ExtendResponse: ResponseEncodable {
    var token: String
    var expiresAt: Date
    var returnIds: [String]
}

struct ReleaseResponse: ResponseEncodable {
    var token: String
    var released: [String]
}

struct LanesResponse: ResponseEncodable {
    struct Lane: Encodable {
        var lane: String
        var serviceLevelHours: Double
        var depth: Int
        var leased: Int
        var oldestAgeHours: Double
        var valueAtStake: Double
        var pastServiceLevel: Int
    }
    var warehouse: String?
    var lanes: [Lane]
}

struct InspectionResponse: ResponseEncodable {
    var returnId: String
    var state: String
    var inspection: InspectionOutcome
}

struct AnomaliesResponse: ResponseEncodable {
    var anomalies: [AnomalyItem]
}

extension OperationsSummary: ResponseEncodable {}
extension AnomalyItem: ResponseEncodable {}
