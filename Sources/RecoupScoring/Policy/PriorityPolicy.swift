package import Foundation
package import RecoupCore

/// The rank of an item within its lane: the value that waiting destroys per minute of inspection work (Smith's
/// rule, the cμ rule of queueing), plus an aging term so that nothing waits past its service level.
///
/// For a lane ordered by value decay:
///
///     urgency  = V × r / m                                   (currency lost per day, per inspection minute)
///     priority = min(urgency, valueCap) + valueCap × age / SLA
///
/// - `V`: expected recovery value (the recovery head).
/// - `r`: daily decay rate of that value: `baseDailyDecay`, plus `seasonDailyDecay × (W − d) / W` when the SKU's
///   season ends within `W = seasonWindowDays` days (`d` days left, `0 ≤ d < W`: the last weeks of a season are
///   when a day matters most), plus `demandDailyDecay × sell_through` (a fast-selling SKU loses sales each day it
///   sits in a bin). Past its season (`d < 0`) the value has already dropped and decays at the base rate.
/// - `m`: the lane's expected inspection minutes for the category.
/// - `age`: hours since the item entered the queue; `SLA`: the lane's service level in hours.
///
/// For the risk lane (ordered by exposure): `priority = min(risk × refund, exposureCap) + exposureCap × age / SLA`.
///
/// Aging bound: the urgency part never exceeds its cap, and the aging part reaches the cap at the service level,
/// so an item that has waited its full service level outranks every item that has just arrived, however valuable.
/// Priority is monotonic: non-decreasing in `V`, in `r` and in age, non-increasing in `m`.
package struct PriorityPolicy: Sendable, Codable, Equatable {
    package var baseDailyDecay: Double
    package var seasonWindowDays: Double
    package var seasonDailyDecay: Double
    package var demandDailyDecay: Double
    package var valueCap: Double
    package var exposureCap: Double

    func validate() throws(LanePolicyError) {
        let all = [baseDailyDecay, seasonWindowDays, seasonDailyDecay, demandDailyDecay, valueCap, exposureCap]
        guard all.allSatisfy({ $0.isFinite && $0 >= 0 }), seasonWindowDays > 0, valueCap > 0, exposureCap > 0 else {
            throw .invalidSetting("priority constants must be finite and non-negative, and the window and caps > 0")
        }
    }

    /// Daily decay rate `r` of an item's value.
    package func dailyDecay(daysInSeasonRemaining: Int?, sellThrough: Double?) -> Double {
        var r = baseDailyDecay
        if let d = daysInSeasonRemaining, d >= 0, Double(d) < seasonWindowDays {
            r += seasonDailyDecay * (seasonWindowDays - Double(d)) / seasonWindowDays
        }
        if let s = sellThrough { r += demandDailyDecay * min(1, max(0, s)) }
        return r
    }

    /// The age-free part of the priority, already capped.
    package func urgency(
        ordering: LanePolicy.Lane.Ordering,
        recoveryValue: Double,
        dailyDecay: Double,
        inspectionMinutes: Double,
        fraudRisk: Double,
        refundAmount: Double
    ) -> Double {
        switch ordering {
        case .valueDecay:
            let u = max(0, recoveryValue) * dailyDecay / max(inspectionMinutes, 0.1)
            return min(u.isFinite ? u : valueCap, valueCap)
        case .exposure:
            let u = max(0, fraudRisk) * max(0, refundAmount)
            return min(u.isFinite ? u : exposureCap, exposureCap)
        }
    }

    /// The aging term's weight per service level: the cap of the lane's ordering.
    package func agingWeight(_ ordering: LanePolicy.Lane.Ordering) -> Double {
        ordering == .valueDecay ? valueCap : exposureCap
    }

    /// The rank of an item of `lane` with `urgency` that entered the queue at `enqueuedAt`: what the store persists.
    ///
    /// The rank key is the priority with the aging term counted from 1970 instead of from the item's arrival:
    /// `key = urgency − weight × enqueuedAt[h] / SLA`. Every item of a lane ages at the same rate, so ordering by the
    /// key is ordering by ``priority(of:ageHours:)`` at any moment, and the key never changes while the item waits:
    /// a claim is an index scan.
    package func rank(urgency: Double, lane: LanePolicy.Lane, enqueuedAt: Date) -> QueueRank {
        let weight = agingWeight(lane.ordering)
        let hours = enqueuedAt.timeIntervalSince1970 / 3600
        return QueueRank(
            key: urgency - weight * hours / lane.serviceLevelHours,
            urgency: urgency,
            agingWeight: weight,
            serviceLevelHours: lane.serviceLevelHours
        )
    }

    /// The priority of a ranked item after `ageHours` in the queue: the one priority formula,
    /// `urgency + weight × age / SLA`.
    package static func priority(of rank: QueueRank, ageHours: Double) -> Double {
        rank.urgency + rank.agingWeight * max(0, ageHours) / rank.serviceLevelHours
    }

    /// The priority at `now` of a ranked item that entered the queue at `enqueuedAt`.
    package static func priority(of rank: QueueRank, enqueuedAt: Date, now: Date) -> Double {
        priority(of: rank, ageHours: now.timeIntervalSince(enqueuedAt) / 3600)
    }
}
