internal import Foundation
package import RecoupCore

/// A step of a return's way through the warehouse, timed from one event to the next.
package enum CycleStage: String, CaseIterable, Sendable, Codable {
    /// The customer's request to the warehouse's scan (the record's dates: whole days).
    case requestedToReceived = "requested_to_received"
    /// Arrival in the queue to the first claim by a station.
    case receivedToClaimed = "received_to_claimed"
    /// The first claim to the completed inspection.
    case claimedToInspected = "claimed_to_inspected"
    /// Arrival in the queue to the completed inspection: what the lane's service level bounds.
    case receivedToInspected = "received_to_inspected"
}

/// Durations counted in log-spaced buckets, 16 per doubling (each 4.4% wider than the last), so that the quantiles of
/// any number of durations come from a few hundred counters, to within 2.2%. Bucket 0 holds durations up to a second.
package struct DurationHistogram: Sendable, Hashable {
    package static let bucketsPerDoubling = 16.0
    package private(set) var buckets: [Int: Int] = [:]
    package private(set) var count = 0

    package init() {}

    /// The bucket of a duration: 0 up to a second, else `b` for `2^((b−1)/16) < seconds ≤ 2^(b/16)`.
    package static func bucket(seconds: Double) -> Int {
        guard seconds > 1 else { return 0 }  // NaN included
        return Int(min(log2(seconds) * bucketsPerDoubling, 4096).rounded(.up))
    }

    /// The duration a bucket stands for: 0 for bucket 0, else the geometric centre of its bounds.
    package static func seconds(bucket: Int) -> Double {
        bucket <= 0 ? 0 : exp2((Double(bucket) - 0.5) / bucketsPerDoubling)
    }

    package mutating func add(seconds: Double) { add(bucket: Self.bucket(seconds: seconds), count: 1) }

    package mutating func add(bucket: Int, count: Int) {
        guard count != 0 else { return }
        buckets[bucket, default: 0] += count
        self.count += count
    }

    /// The `p`-quantile in seconds: the bucket of the duration at rank ⌈p·n⌉ (`nil` when empty).
    package func quantile(_ p: Double) -> Double? {
        guard count > 0 else { return nil }
        let rank = max(1, Int((p * Double(count)).rounded(.up)))
        var seen = 0
        for bucket in buckets.keys.sorted() {
            seen += buckets[bucket]!
            if seen >= rank { return Self.seconds(bucket: bucket) }
        }
        return Self.seconds(bucket: buckets.keys.max()!)
    }
}

/// A stage's durations in one warehouse and lane.
package struct CycleStageTimes: Sendable, Hashable, Codable {
    package var stage: CycleStage
    package var count: Int
    package var medianHours: Double?
    package var p90Hours: Double?

    enum CodingKeys: String, CodingKey {
        case stage, count
        case medianHours = "median_hours"
        case p90Hours = "p90_hours"
    }

    package init(stage: CycleStage, _ histogram: DurationHistogram) {
        self.stage = stage
        count = histogram.count
        medianHours = histogram.quantile(0.5).map { $0 / 3600 }
        p90Hours = histogram.quantile(0.9).map { $0 / 3600 }
    }
}

/// Cycle times and service levels of one warehouse and lane.
package struct CycleTimeRow: Sendable, Hashable, Codable {
    package var warehouseID: String
    /// The inspection lane (`nil` offline, where a file has no lanes).
    package var lane: String?
    package var stages: [CycleStageTimes]
    /// Inspected later than the lane's service level after arrival, and still waiting past it (`nil` offline, where
    /// a file has neither).
    package var inspectedPastServiceLevel: Int?
    package var waitingPastServiceLevel: Int?

    enum CodingKeys: String, CodingKey {
        case warehouseID = "warehouse_id"
        case lane, stages
        case inspectedPastServiceLevel = "inspected_past_service_level"
        case waitingPastServiceLevel = "waiting_past_service_level"
    }

    package init(
        warehouseID: String,
        lane: String?,
        histograms: [CycleStage: DurationHistogram],
        inspectedPastServiceLevel: Int?,
        waitingPastServiceLevel: Int?
    ) {
        self.warehouseID = warehouseID
        self.lane = lane
        stages = CycleStage.allCases.compactMap { stage in histograms[stage].map { CycleStageTimes(stage: stage, $0) } }
        self.inspectedPastServiceLevel = inspectedPastServiceLevel
        self.waitingPastServiceLevel = waitingPastServiceLevel
    }

    /// Warehouses first, then lanes.
    package static func order(_ a: CycleTimeRow, _ b: CycleTimeRow) -> Bool {
        (a.warehouseID, a.lane ?? "") < (b.warehouseID, b.lane ?? "")
    }
}

/// One counter of the store's cycle-time rollup: returns stored on `day` of a warehouse and lane whose `stage` took a
/// duration in `bucket`, and how many of them were past the lane's service level.
package struct CycleRollupKey: Sendable, Hashable {
    package var warehouseID: String
    package var lane: String
    package var stage: CycleStage
    package var day: Day
    package var bucket: Int

    package init(warehouseID: String, lane: String, stage: CycleStage, day: Day, bucket: Int) {
        self.warehouseID = warehouseID
        self.lane = lane
        self.stage = stage
        self.day = day
        self.bucket = bucket
    }
}

package enum CycleTimes {
    /// Offline, from a file: the days from request to receipt per warehouse (the only stage a record's dates time).
    package static func offline(_ facts: [ReturnFacts]) -> [CycleTimeRow] {
        var histograms: [String: DurationHistogram] = [:]
        for fact in facts {
            guard let received = fact.received else { continue }
            histograms[fact.warehouseID, default: DurationHistogram()].add(seconds: Double(max(0, received - fact.requested)) * 86_400)
        }
        return histograms.map {
            CycleTimeRow(
                warehouseID: $0.key,
                lane: nil,
                histograms: [.requestedToReceived: $0.value],
                inspectedPastServiceLevel: nil,
                waitingPastServiceLevel: nil
            )
        }
        .sorted(by: CycleTimeRow.order)
    }
}
