package import Foundation
package import RecoupCore

/// Where an item is in the inspection queue.
package enum QueueState: String, Sendable, Codable, CaseIterable {
    /// In its lane, waiting for a station (an expired lease reads as queued).
    case queued
    /// Held by a station under a claim token until the lease expires.
    case leased
    /// Inspected; the outcome is stored.
    case completed
}

/// Where a return stands in the queue.
package struct QueuePosition: Sendable, Equatable {
    package var lane: LaneName
    package var warehouseID: String
    /// A lease past its expiry reads as ``QueueState/queued``.
    package var state: QueueState
    package var rank: QueueRank
    package var enqueuedAt: Date
    package var leaseExpiresAt: Date?
    package var stationID: String?
    package var completedAt: Date?
    package var claimCount: Int

    package init(
        lane: LaneName,
        warehouseID: String,
        state: QueueState,
        rank: QueueRank,
        enqueuedAt: Date,
        leaseExpiresAt: Date?,
        stationID: String?,
        completedAt: Date?,
        claimCount: Int
    ) {
        self.lane = lane
        self.warehouseID = warehouseID
        self.state = state
        self.rank = rank
        self.enqueuedAt = enqueuedAt
        self.leaseExpiresAt = leaseExpiresAt
        self.stationID = stationID
        self.completedAt = completedAt
        self.claimCount = claimCount
    }
}

/// One item handed to a station by a claim.
package struct ClaimedItem: Sendable, Equatable {
    package var returnID: String
    package var rank: QueueRank
    package var recoveryValue: Double
    package var enqueuedAt: Date

    package init(returnID: String, rank: QueueRank, recoveryValue: Double, enqueuedAt: Date) {
        self.returnID = returnID
        self.rank = rank
        self.recoveryValue = recoveryValue
        self.enqueuedAt = enqueuedAt
    }
}

/// What a station asks for: the top items of a lane of a warehouse, leased for a while.
package struct ClaimRequest: Sendable, Equatable {
    package var lane: LaneName
    package var warehouseID: String
    package var stationID: String
    package var count: Int
    package var leaseSeconds: Double

    package init(lane: LaneName, warehouseID: String, stationID: String, count: Int, leaseSeconds: Double) {
        self.lane = lane
        self.warehouseID = warehouseID
        self.stationID = stationID
        self.count = count
        self.leaseSeconds = leaseSeconds
    }
}

/// A lease on some items of a lane.
package struct Claim: Sendable, Equatable {
    package var token: String
    package var lane: LaneName
    package var warehouseID: String
    package var stationID: String
    package var expiresAt: Date
    /// Highest rank first.
    package var items: [ClaimedItem]

    package init(token: String, lane: LaneName, warehouseID: String, stationID: String, expiresAt: Date, items: [ClaimedItem]) {
        self.token = token
        self.lane = lane
        self.warehouseID = warehouseID
        self.stationID = stationID
        self.expiresAt = expiresAt
        self.items = items
    }
}

/// The state of one lane of one warehouse (or of all warehouses).
package struct LaneStats: Sendable, Equatable {
    package var lane: LaneName
    /// Items waiting or leased.
    package var depth: Int
    package var leased: Int
    /// Age in hours of the oldest waiting or leased item.
    package var oldestAgeHours: Double
    /// Expected recovery value of the items waiting or leased.
    package var valueAtStake: Double
    /// Items that have waited longer than the lane's service level.
    package var pastServiceLevel: Int

    package init(lane: LaneName, depth: Int, leased: Int, oldestAgeHours: Double, valueAtStake: Double, pastServiceLevel: Int) {
        self.lane = lane
        self.depth = depth
        self.leased = leased
        self.oldestAgeHours = oldestAgeHours
        self.valueAtStake = valueAtStake
        self.pastServiceLevel = pastServiceLevel
    }
}

extension QueueRank {
    /// The rank as a store keeps it: a version byte (1), then little-endian doubles: the key, the service level in
    /// hours, the terms (value, fraud and late loss per day, inspection minutes, refund and due times in seconds since
    /// 1970), then each change's time and key. Compact and quick both ways (an ingest writes one per return inside its
    /// transaction, a claim reads one per item).
    package func storedBytes() -> Data {
        let t = terms
        var numbers = [
            key, serviceLevelHours, t.valueLossPerDay, t.fraudLossPerDay, t.lateLossPerDay, t.inspectionMinutes,
            t.refundAt.timeIntervalSince1970, t.dueAt.timeIntervalSince1970,
        ]
        for change in changes { numbers += [change.at.timeIntervalSince1970, change.key] }
        return StoredDoubles.bytes(format: Self.storedFormat, numbers)
    }

    /// A rank read back from ``storedBytes()``.
    package init(storedBytes bytes: Data, returnID: String) throws(StoreError) {
        guard let x = StoredDoubles.numbers(bytes, format: Self.storedFormat), x.count >= 8, (x.count - 8) % 2 == 0 else {
            throw .corrupt("the stored queue rank of return \(returnID) is not in format \(Self.storedFormat) (\(bytes.count) bytes)")
        }
        let count = x.count
        self.init(
            key: x[0],
            changes: stride(from: 8, to: count, by: 2).map { Change(at: Date(timeIntervalSince1970: x[$0]), key: x[$0 + 1]) },
            terms: RankTerms(
                valueLossPerDay: x[2],
                fraudLossPerDay: x[3],
                lateLossPerDay: x[4],
                inspectionMinutes: x[5],
                refundAt: Date(timeIntervalSince1970: x[6]),
                dueAt: Date(timeIntervalSince1970: x[7])
            ),
            serviceLevelHours: x[1]
        )
    }

    private static let storedFormat: UInt8 = 1

    /// The rank of an item queued before ranks kept their terms (re-scored at the next start): its key, no terms.
    package static func unexplained(key: Double, serviceLevelHours: Double, enqueuedAt: Date) -> QueueRank {
        let due = enqueuedAt.addingTimeInterval(serviceLevelHours * 3600)
        return QueueRank(
            key: key,
            changes: [],
            terms: RankTerms(
                valueLossPerDay: 0,
                fraudLossPerDay: 0,
                lateLossPerDay: 0,
                inspectionMinutes: 1,
                refundAt: enqueuedAt,
                dueAt: due
            ),
            serviceLevelHours: serviceLevelHours
        )
    }
}
