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
