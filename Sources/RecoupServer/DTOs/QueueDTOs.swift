internal import Foundation
internal import Hummingbird
internal import RecoupCore
internal import RecoupScoring
internal import RecoupService
internal import RecoupStore

/// `POST /v1/lanes/{lane}/claims` body.
struct ClaimBody: Decodable {
    var warehouseID: String
    var stationID: String
    var count: Int
    var leaseSeconds: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case warehouseID = "warehouse_id"
        case stationID = "station_id"
        case count
        case leaseSeconds = "lease_seconds"
    }
}

/// `POST /v1/claims/{token}/extend` body.
struct ExtendRequest: Decodable {
    var leaseSeconds: Double
    enum CodingKeys: String, CodingKey, CaseIterable { case leaseSeconds = "lease_seconds" }
}

/// `POST /v1/returns/{id}/inspection` body.
struct InspectionBody: Decodable {
    var claimToken: String
    var grade: String?
    var disposition: String
    var recoveryValue: Double
    var fraudConfirmed: Bool
    var notes: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
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
    enum CodingKeys: String, CodingKey, CaseIterable { case decision, note }
}

struct ClaimResponse: ResponseEncodable {
    struct Item: Encodable {
        var returnId: String
        var priority: Double
        var recoveryValue: Double
        var enqueuedAt: Date
    }
    var token: String
    var lane: LaneName
    var warehouseId: String
    var stationId: String
    var expiresAt: Date
    var items: [Item]

    init(_ claim: ClaimView) {
        token = claim.token
        lane = claim.lane
        warehouseId = claim.warehouseID
        stationId = claim.stationID
        expiresAt = claim.expiresAt
        items = claim.items.map { Item(returnId: $0.returnID, priority: $0.priority, recoveryValue: $0.recoveryValue, enqueuedAt: $0.enqueuedAt) }
    }
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
        var lane: LaneName
        var serviceLevelHours: Double
        var depth: Int
        var leased: Int
        var oldestAgeHours: Double
        var valueAtStake: Double
        var pastServiceLevel: Int

        init(_ view: LaneView) {
            lane = view.lane
            serviceLevelHours = view.serviceLevelHours
            depth = view.depth
            leased = view.leased
            oldestAgeHours = view.oldestAgeHours
            valueAtStake = view.valueAtStake
            pastServiceLevel = view.pastServiceLevel
        }
    }
    var warehouse: String?
    var lanes: [Lane]
}

struct InspectionResponse: ResponseEncodable {
    var returnId: String
    var state: QueueState
    var inspection: InspectionOutcome
}

/// Where a return stands in the queue (`GET /v1/returns/{id}`).
struct QueueDTO: Encodable {
    var lane: LaneName
    var warehouseID: String
    var state: QueueState
    var priority: Double
    var enqueuedAt: Date
    var leaseExpiresAt: Date?
    var stationID: String?
    var completedAt: Date?
    var claimCount: Int
    var whyFirst: WhyFirst

    /// The rank key's terms now (see PriorityPolicy), with a sentence: one flat JSON object.
    struct WhyFirst: Encodable {
        var summary: String
        var terms: RankTerms
        var nextChangeAt: Date?

        init(_ e: RankExplanation) {
            summary = e.summary
            terms = e.terms
            nextChangeAt = e.nextChangeAt
        }

        enum CodingKeys: String, CodingKey { case summary, nextChangeAt }

        func encode(to encoder: any Encoder) throws {
            try terms.encode(to: encoder)  // the terms' keys, in the same object
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(summary, forKey: .summary)
            try container.encodeIfPresent(nextChangeAt, forKey: .nextChangeAt)
        }
    }

    init(_ view: QueueView) {
        let p = view.position
        lane = p.lane
        warehouseID = p.warehouseID
        state = p.state
        priority = view.priority
        enqueuedAt = p.enqueuedAt
        leaseExpiresAt = p.leaseExpiresAt
        stationID = p.stationID
        completedAt = p.completedAt
        claimCount = p.claimCount
        whyFirst = WhyFirst(view.whyFirst)
    }
}

struct AnomaliesResponse: ResponseEncodable {
    var anomalies: [AnomalyItem]
}

extension OperationsSummary: ResponseEncodable {}
extension AnomalyItem: ResponseEncodable {}
