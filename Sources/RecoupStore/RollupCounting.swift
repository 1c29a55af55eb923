package import RecoupCore
package import RecoupInsights

// What every store adds to the insights' running totals (insight rollup, cycle-time rollup) as it ingests, claims and
// inspects: computed here once, so that two stores count the same way; each store only upserts the sums.

/// The counters of one cycle-time bucket.
package struct CycleCounts: Sendable {
    package init() {}
    package var count = 0
    /// How many of them were past the lane's service level.
    package var late = 0
}

/// A queue entry's lane and times (seconds since 1970), as the cycle times read them.
package struct StoredQueueTimes: Sendable {
    package var lane: String
    package var warehouseID: String
    package var serviceLevelHours: Double
    package var enqueuedAt: Double
    package var firstClaimedAt: Double?

    package init(lane: String, warehouseID: String, serviceLevelHours: Double, enqueuedAt: Double, firstClaimedAt: Double? = nil) {
        self.lane = lane
        self.warehouseID = warehouseID
        self.serviceLevelHours = serviceLevelHours
        self.enqueuedAt = enqueuedAt
        self.firstClaimedAt = firstClaimedAt
    }
}

extension Dictionary where Key == CycleRollupKey, Value == CycleCounts {
    /// A return's arrival in the queue of its first lane: the days from its request to its receipt (the record's
    /// dates; the day it reached the queue when the record has no receipt yet).
    package mutating func addArrival(of fact: ReturnFacts, queue: StoredQueueTimes, day: Day) {
        let received = fact.received ?? Day(containingSecondsSinceEpoch: queue.enqueuedAt)
        add(
            .requestedToReceived,
            seconds: Double(Swift.max(0, received - fact.requested)) * 86_400,
            warehouseID: queue.warehouseID,
            lane: queue.lane,
            day: day
        )
    }

    /// An inspection completed at `completedAt`: from the first claim and from the arrival, late when the arrival
    /// was longer ago than the lane's service level.
    package mutating func addInspection(queue: StoredQueueTimes, completedAt: Double, day: Day) {
        if let claimed = queue.firstClaimedAt {
            add(.claimedToInspected, seconds: completedAt - claimed, warehouseID: queue.warehouseID, lane: queue.lane, day: day)
        }
        let waited = completedAt - queue.enqueuedAt
        add(
            .receivedToInspected,
            seconds: waited,
            warehouseID: queue.warehouseID,
            lane: queue.lane,
            day: day,
            late: waited > queue.serviceLevelHours * 3600
        )
    }

    /// Counts one duration of a stage of a return stored on `day`.
    package mutating func add(
        _ stage: CycleStage,
        seconds: Double,
        warehouseID: String,
        lane: String,
        day: Day,
        late: Bool = false
    ) {
        let key = CycleRollupKey(warehouseID: warehouseID, lane: lane, stage: stage, day: day, bucket: DurationHistogram.bucket(seconds: seconds))
        self[key, default: CycleCounts()].count += 1
        if late { self[key]!.late += 1 }
    }
}

/// The cycle-time rows of the insights, put together from what a store reads: the rollup's histograms per warehouse,
/// lane and stage, and the open items waiting past their service level.
package struct CycleTimeTally {
    private struct Group: Hashable {
        var warehouseID: String
        var lane: String
    }
    private var histograms: [Group: [CycleStage: DurationHistogram]] = [:]
    private var late: [Group: Int] = [:]
    private var waiting: [Group: Int] = [:]

    package init() {}

    /// A rollup row: `count` durations of a stage in a histogram bucket, `late` of them past the service level.
    package mutating func add(warehouseID: String, lane: String, stage: CycleStage, bucket: Int, count: Int, late: Int) {
        let group = Group(warehouseID: warehouseID, lane: lane)
        histograms[group, default: [:]][stage, default: DurationHistogram()].add(bucket: bucket, count: count)
        self.late[group, default: 0] += late
    }

    /// Open items of a warehouse and lane waiting past their service level.
    package mutating func addWaiting(warehouseID: String, lane: String, count: Int) {
        waiting[Group(warehouseID: warehouseID, lane: lane), default: 0] += count
    }

    /// One row per warehouse and lane, in the insights' order.
    package var rows: [CycleTimeRow] {
        Set(histograms.keys).union(waiting.keys).map { group in
            CycleTimeRow(
                warehouseID: group.warehouseID,
                lane: group.lane,
                histograms: histograms[group] ?? [:],
                inspectedPastServiceLevel: late[group] ?? 0,
                waitingPastServiceLevel: waiting[group] ?? 0
            )
        }
        .sorted(by: CycleTimeRow.order)
    }
}
