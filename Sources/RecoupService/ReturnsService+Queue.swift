internal import CoreMetrics
package import Foundation
package import RecoupCore
internal import RecoupScoring
package import RecoupStore

/// One lane as the floor sees it: the policy's service level and the queue's state.
package struct LaneView: Sendable, Equatable {
    package var lane: LaneName
    /// The lane's service level in hours (0 for a lane an earlier policy defined that still holds items).
    package var serviceLevelHours: Double
    package var depth: Int
    package var leased: Int
    package var oldestAgeHours: Double
    package var valueAtStake: Double
    package var pastServiceLevel: Int
}

/// An item handed to a station, with its priority now.
package struct ClaimedItemView: Sendable, Equatable {
    package var returnID: String
    package var priority: Double
    package var recoveryValue: Double
    package var enqueuedAt: Date
}

/// A claim as the station sees it.
package struct ClaimView: Sendable, Equatable {
    package var token: String
    package var lane: LaneName
    package var warehouseID: String
    package var stationID: String
    package var expiresAt: Date
    /// Highest priority first.
    package var items: [ClaimedItemView]
}

/// What an inspector reports, as received (checked by ``ReturnsService/complete(returnID:report:)``).
package struct InspectionReport: Sendable {
    package var claimToken: String
    package var grade: String?
    package var disposition: String
    package var recoveryValue: Double
    package var fraudConfirmed: Bool
    package var notes: String?

    package init(claimToken: String, grade: String?, disposition: String, recoveryValue: Double, fraudConfirmed: Bool, notes: String?) {
        self.claimToken = claimToken
        self.grade = grade
        self.disposition = disposition
        self.recoveryValue = recoveryValue
        self.fraudConfirmed = fraudConfirmed
        self.notes = notes
    }
}

extension ReturnsService {
    /// Every lane of the policy with its depth, leased items, oldest age, value at stake and items past their service
    /// level; then the lanes of an earlier policy that still hold items.
    package func lanes(warehouseID: String?) async throws -> [LaneView] {
        let stats = try await storeCall { try await store.laneStats(warehouseID: warehouseID, now: clock()) }
        let policy = policy
        let byLane = Dictionary(stats.map { ($0.lane, $0) }, uniquingKeysWith: { a, _ in a })
        func view(_ lane: LaneName, _ serviceLevelHours: Double, _ s: LaneStats?) -> LaneView {
            LaneView(
                lane: lane,
                serviceLevelHours: serviceLevelHours,
                depth: s?.depth ?? 0,
                leased: s?.leased ?? 0,
                oldestAgeHours: s?.oldestAgeHours ?? 0,
                valueAtStake: s?.valueAtStake ?? 0,
                pastServiceLevel: s?.pastServiceLevel ?? 0
            )
        }
        return policy.lanes.map { view($0.name, $0.serviceLevelHours, byLane[$0.name]) }
            + stats.filter { policy.lane(named: $0.lane) == nil }.map { view($0.lane, 0, $0) }
    }

    /// The lane a request names.
    /// - Throws: ``ServiceError/Code/unknownLane`` naming the lanes there are.
    package func lane(named name: String) throws(ServiceError) -> LaneName {
        let policy = policy
        guard let lane = LaneName(rawValue: name), policy.lane(named: lane) != nil else {
            throw ServiceError(
                .unknownLane,
                "no lane \"\(name)\"; lanes: \(policy.lanes.map(\.name.rawValue).joined(separator: ", "))",
                field: "lane"
            )
        }
        return lane
    }

    /// Leases the top `count` items of a lane of a warehouse to a station.
    package func claim(
        lane: LaneName,
        warehouseID: String,
        stationID: String,
        count: Int,
        leaseSeconds: Double?
    ) async throws -> ClaimView {
        guard !warehouseID.trimmingWhitespace().isEmpty else { throw ServiceError.invalid("warehouse_id must not be empty", field: "warehouse_id") }
        guard !stationID.trimmingWhitespace().isEmpty else { throw ServiceError.invalid("station_id must not be empty", field: "station_id") }
        guard (1...limits.maxClaimCount).contains(count) else {
            throw ServiceError.invalid("count must be in 1...\(limits.maxClaimCount), got \(count)", field: "count")
        }
        let lease = try checkedLease(leaseSeconds ?? limits.defaultLeaseSeconds)
        let now = clock()
        let request = ClaimRequest(lane: lane, warehouseID: warehouseID, stationID: stationID, count: count, leaseSeconds: lease)
        let claim = try await storeCall { try await store.claim(request, token: UUID().uuidString.lowercased(), now: now) }
        return ClaimView(
            token: claim.token,
            lane: claim.lane,
            warehouseID: claim.warehouseID,
            stationID: claim.stationID,
            expiresAt: claim.expiresAt,
            items: claim.items.map { item in
                ClaimedItemView(
                    returnID: item.returnID,
                    priority: item.rank.key(at: now),
                    recoveryValue: item.recoveryValue,
                    enqueuedAt: item.enqueuedAt
                )
            }
        )
    }

    /// Extends the lease of the items a claim still holds.
    package func extend(token: String, leaseSeconds: Double) async throws -> (expiresAt: Date, returnIDs: [String]) {
        let lease = try checkedLease(leaseSeconds)
        return try await storeCall { try await store.extendClaim(token: token, leaseSeconds: lease, now: clock()) }
    }

    /// Puts a claim's items back in their lanes.
    package func release(token: String) async throws -> [String] {
        try await storeCall { try await store.releaseClaim(token: token, now: clock()) }
    }

    /// Stores an inspection's outcome (the labels of the next training run) and completes the item.
    package func complete(returnID: String, report: InspectionReport) async throws -> InspectionOutcome {
        guard let disposition = Disposition(rawValue: ReturnRecord.normalized(report.disposition)) else {
            throw ServiceError.invalid(
                "disposition must be one of \(Disposition.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(report.disposition)\"",
                field: "disposition",
                record: returnID
            )
        }
        guard report.recoveryValue.isFinite, report.recoveryValue >= 0 else {
            throw ServiceError.invalid(
                "recovery_value must be a finite number >= 0, got \(report.recoveryValue)",
                field: "recovery_value",
                record: returnID
            )
        }
        var grade: Grade?
        if let text = report.grade {
            guard let parsed = Grade(text: text) else {
                throw ServiceError.invalid(
                    "grade must be one of \(Grade.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(text)\"",
                    field: "grade",
                    record: returnID
                )
            }
            grade = parsed
        }
        let outcome = InspectionOutcome(
            grade: grade,
            disposition: disposition,
            recoveryValue: report.recoveryValue,
            fraudConfirmed: report.fraudConfirmed,
            notes: report.notes
        )
        try await storeCall { try await store.completeInspection(returnID: returnID, token: report.claimToken, outcome: outcome, now: clock()) }
        return outcome
    }

    /// Puts every expired lease back in its lane, moves items to the rank keys now in force and deletes expired web
    /// sessions (the queue upkeep service calls it).
    @discardableResult
    package func upkeep() async throws -> (expiredLeases: Int, reranked: Int) {
        let now = clock()
        let expired = try await store.expireLeases(now: now)
        metrics.leasesExpired.increment(by: Int64(expired))
        _ = try await store.deleteExpiredSessions(now: now)
        return (expired, try await store.applyRankChanges(now: now))
    }

    private func checkedLease(_ value: Double) throws(ServiceError) -> Double {
        guard value.isFinite, (limits.minLeaseSeconds...limits.maxLeaseSeconds).contains(value) else {
            throw .invalid(
                "lease_seconds must be in \(Int(limits.minLeaseSeconds))...\(Int(limits.maxLeaseSeconds)), got \(value)",
                field: "lease_seconds"
            )
        }
        return value
    }
}
