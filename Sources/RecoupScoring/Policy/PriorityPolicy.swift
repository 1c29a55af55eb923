package import Foundation
package import RecoupCore

/// The rank of an item within its lane, in money: what waiting one more day is expected to cost, per minute of
/// inspection work (Smith's rule, the cμ rule of queueing: a station's time goes first where it saves the most).
///
///     key = (V × r  +  p × R / T  [until the refund]  +  V × λ  [past the service level]) / m
///
/// - `V × r`: the expected recovery value (the recovery head) times its daily loss rate `r`: `baseDailyDecay`, plus
///   `seasonDailyDecay × (W − d) / W` when the SKU's season ends within `W = seasonWindowDays` days (`d` days left,
///   `0 ≤ d < W`), plus `demandDailyDecay × sell_through` (a fast-selling SKU loses sales each day it sits in a bin).
/// - `p × R / T`: the fraud risk (the fraud head) times the refund `R`: what an inspection stops while the refund has
///   not been issued. The refund goes out `T = refundDays` after arrival; spread over those days (as if it could go
///   out on any of them), waiting one more day risks `p × R / T`. After the refund the term is 0: a fraud found
///   then is no longer stopped by the inspection.
/// - `V × λ`: past its lane's service level, an item costs `λ = lateDailyShare` of its value more per day. A bounded
///   boost, not an ever-growing age term: under a backlog the queue still orders by money, and a late item moves
///   up by what its lateness costs.
/// - `m`: the lane's expected inspection minutes for the category.
///
/// The key changes only when the refund is issued and when the service level passes: ``rank(_:lane:enqueuedAt:)``
/// returns the key at entry and those later keys, so that a store orders claims by an indexed key and moves an
/// item to its next key when its time comes. The key is non-decreasing in `V`, `r`, `p` and `R`, non-increasing in
/// `m`, and in time it only drops when the refund is issued and only rises when the service level passes.
package struct PriorityPolicy: Sendable, Codable, Equatable {
    package var baseDailyDecay: Double
    package var seasonWindowDays: Double
    package var seasonDailyDecay: Double
    package var demandDailyDecay: Double
    /// Days after arrival when the refund is issued.
    package var refundDays: Double
    /// The share of its value an item costs per day once past its lane's service level.
    package var lateDailyShare: Double

    package init(
        baseDailyDecay: Double,
        seasonWindowDays: Double,
        seasonDailyDecay: Double,
        demandDailyDecay: Double,
        refundDays: Double,
        lateDailyShare: Double
    ) {
        self.baseDailyDecay = baseDailyDecay
        self.seasonWindowDays = seasonWindowDays
        self.seasonDailyDecay = seasonDailyDecay
        self.demandDailyDecay = demandDailyDecay
        self.refundDays = refundDays
        self.lateDailyShare = lateDailyShare
    }

    func validate() throws(LanePolicyError) {
        let named: [(String, Double)] = [
            ("baseDailyDecay", baseDailyDecay), ("seasonWindowDays", seasonWindowDays), ("seasonDailyDecay", seasonDailyDecay),
            ("demandDailyDecay", demandDailyDecay), ("refundDays", refundDays), ("lateDailyShare", lateDailyShare),
        ]
        for (name, value) in named where !(value.isFinite && value >= 0) {
            throw .invalidSetting("priority.\(name) must be a finite number >= 0, got \(value)")
        }
        guard seasonWindowDays > 0 else { throw .invalidSetting("priority.seasonWindowDays must be > 0, got \(seasonWindowDays)") }
    }

    /// Daily loss rate `r` of an item's value.
    package func dailyDecay(daysInSeasonRemaining: Int?, sellThrough: Double?) -> Double {
        var r = baseDailyDecay
        if let d = daysInSeasonRemaining, d >= 0, Double(d) < seasonWindowDays {
            r += seasonDailyDecay * (seasonWindowDays - Double(d)) / seasonWindowDays
        }
        if let s = sellThrough { r += demandDailyDecay * min(1, max(0, s)) }
        return r
    }

    /// What an item of `lane` costs per day of waiting, from its scores and record, entering the queue at `enqueuedAt`.
    package func terms(
        recoveryValue: Double,
        fraudRisk: Double,
        refundAmount: Double,
        daysInSeasonRemaining: Int?,
        sellThrough: Double?,
        lane: LanePolicy.Lane,
        category: String,
        enqueuedAt: Date
    ) -> RankTerms {
        let value = max(0, recoveryValue.isFinite ? recoveryValue : 0)
        let risk = min(1, max(0, fraudRisk.isFinite ? fraudRisk : 0))
        let refund = max(0, refundAmount.isFinite ? refundAmount : 0)
        return RankTerms(
            valueLossPerDay: value * dailyDecay(daysInSeasonRemaining: daysInSeasonRemaining, sellThrough: sellThrough),
            fraudLossPerDay: refundDays > 0 ? risk * refund / refundDays : 0,
            lateLossPerDay: value * lateDailyShare,
            inspectionMinutes: max(lane.minutes(forCategory: category), 0.1),
            refundAt: enqueuedAt.addingTimeInterval(refundDays * 86_400),
            dueAt: enqueuedAt.addingTimeInterval(lane.serviceLevelHours * 3600)
        )
    }

    /// The one priority formula: the rank key at `time` (money lost per day of waiting, per inspection minute).
    package static func key(_ terms: RankTerms, at time: Date) -> Double {
        let t = terms.inForce(at: time)
        let key = (t.valueLossPerDay + t.fraudLossPerDay + t.lateLossPerDay) / t.inspectionMinutes
        return key.isFinite ? key : 0
    }

    /// The rank of an item entering its lane at `enqueuedAt`: the key then, and the keys from the refund and from
    /// the service level on (the only times it changes).
    package func rank(_ terms: RankTerms, lane: LanePolicy.Lane, enqueuedAt: Date) -> QueueRank {
        let times = [terms.refundAt, terms.dueAt].filter { $0 > enqueuedAt }.sorted()
        var changes: [QueueRank.Change] = []
        for at in times where changes.last?.at != at {
            changes.append(QueueRank.Change(at: at, key: Self.key(terms, at: at)))
        }
        return QueueRank(key: Self.key(terms, at: enqueuedAt), changes: changes, terms: terms, serviceLevelHours: lane.serviceLevelHours)
    }
}

/// Why an item stands where it does in its lane at a given time: the rank key and each term of it then in force
/// (the "why first" of `GET /v1/returns/{id}` and of the item card). The terms read as its own members
/// (`explanation.fraudLossPerDay`: 0 once the refund is issued; `lateLossPerDay`: 0 until the service level).
@dynamicMemberLookup
package struct RankExplanation: Sendable, Equatable {
    /// The rank key (money per day of waiting per inspection minute).
    package var key: Double
    /// The terms in force.
    package var terms: RankTerms
    /// When the key changes next (the refund, the service level), if it still will.
    package var nextChangeAt: Date?

    /// The terms of `rank` in force at `time`.
    package init(_ rank: QueueRank, at time: Date) {
        key = rank.key(at: time)
        terms = rank.terms.inForce(at: time)
        nextChangeAt = rank.nextChange(after: time)
    }

    package subscript<Value>(dynamicMember path: KeyPath<RankTerms, Value>) -> Value { terms[keyPath: path] }

    /// One sentence: what a day of waiting costs, and in how many minutes an inspection saves it.
    package var summary: String {
        var parts = ["loses \(format(terms.valueLossPerDay)) a day in value"]
        if terms.fraudLossPerDay > 0 { parts.append("\(format(terms.fraudLossPerDay)) a day of fraud risk until the refund is issued") }
        if terms.lateLossPerDay > 0 { parts.append("\(format(terms.lateLossPerDay)) a day past its service level") }
        return parts.joined(separator: ", ") + "; " + String(format: "%g", terms.inspectionMinutes) + " minutes to inspect"
    }
}
