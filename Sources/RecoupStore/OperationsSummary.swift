package import RecoupCore

/// What operations leads read: why items come back, where they go, how much is recovered, how long it takes.
package struct OperationsSummary: Sendable, Codable, Equatable {
    package struct Count: Sendable, Codable, Equatable {
        package var key: String
        package var count: Int

        package init(key: String, count: Int) {
            self.key = key
            self.count = count
        }
    }
    /// Cycle time (received to inspected) of one warehouse and lane.
    package struct CycleTime: Sendable, Codable, Equatable {
        package var warehouseID: String
        package var lane: LaneName
        package var inspected: Int
        package var meanHours: Double
        package var p50Hours: Double
        package var p90Hours: Double
        /// Recovered value over refund amount of the inspected items.
        package var recoveryRate: Double

        package init(
            warehouseID: String,
            lane: LaneName,
            inspected: Int,
            meanHours: Double,
            p50Hours: Double,
            p90Hours: Double,
            recoveryRate: Double
        ) {
            self.warehouseID = warehouseID
            self.lane = lane
            self.inspected = inspected
            self.meanHours = meanHours
            self.p50Hours = p50Hours
            self.p90Hours = p90Hours
            self.recoveryRate = recoveryRate
        }
    }
    package var returns: Int
    package var inspected: Int
    package var reasons: [Count]
    /// Predicted dispositions of every return (latest assessment).
    package var predictedDispositions: [Count]
    /// Dispositions decided at inspection.
    package var inspectedDispositions: [Count]
    /// Recovered value over refund amount of every inspected item.
    package var recoveryRate: Double
    package var cycleTimes: [CycleTime]

    package init(
        returns: Int,
        inspected: Int,
        reasons: [Count],
        predictedDispositions: [Count],
        inspectedDispositions: [Count],
        recoveryRate: Double,
        cycleTimes: [CycleTime]
    ) {
        self.returns = returns
        self.inspected = inspected
        self.reasons = reasons
        self.predictedDispositions = predictedDispositions
        self.inspectedDispositions = inspectedDispositions
        self.recoveryRate = recoveryRate
        self.cycleTimes = cycleTimes
    }
}

extension OperationsSummary {
    /// The summary's cycle times, put together from the inspected items a store reads (any order).
    package struct CycleTimeTally {
        private var groups: [String: (warehouse: String, lane: LaneName, hours: [Double], recovered: Double, refunded: Double)] = [:]

        package init() {}

        /// An inspected item: the hours from its arrival to its inspection, its recovered value and its refund.
        package mutating func add(warehouseID: String, lane: LaneName, hours: Double, recovered: Double, refunded: Double) {
            let key = warehouseID + "\u{1}" + lane.rawValue
            var group = groups[key] ?? (warehouseID, lane, [], 0, 0)
            group.hours.append(hours)
            group.recovered += recovered
            group.refunded += refunded
            groups[key] = group
        }

        /// One row per warehouse and lane, by warehouse then lane; quantiles by nearest rank.
        package var cycleTimes: [CycleTime] {
            groups.values.sorted { ($0.warehouse, $0.lane.rawValue) < ($1.warehouse, $1.lane.rawValue) }.map { group in
                let hours = group.hours.sorted()
                return CycleTime(
                    warehouseID: group.warehouse,
                    lane: group.lane,
                    inspected: hours.count,
                    meanHours: hours.reduce(0, +) / Double(hours.count),
                    p50Hours: Self.quantile(hours, 0.5),
                    p90Hours: Self.quantile(hours, 0.9),
                    recoveryRate: group.refunded > 0 ? group.recovered / group.refunded : 0
                )
            }
        }

        /// The `q` quantile of sorted values (nearest rank).
        static func quantile(_ sorted: [Double], _ q: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
            return sorted[min(sorted.count - 1, max(0, rank))]
        }
    }
}
