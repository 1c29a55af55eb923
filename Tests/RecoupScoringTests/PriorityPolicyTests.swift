import Foundation
import RecoupCore
import Testing

@testable import RecoupScoring

@Suite("Priority (cμ rule with aging)")
struct PriorityPolicyTests {
    let policy = LanePolicy.default.priority
    let standard = LanePolicy.default.lane(named: "standard")!
    let risk = LanePolicy.default.lane(named: "risk_review")!

    func urgency(value: Double, decay: Double, minutes: Double = 8) -> Double {
        policy.urgency(ordering: .valueDecay, recoveryValue: value, dailyDecay: decay, inspectionMinutes: minutes, fraudRisk: 0, refundAmount: 0)
    }

    @Test("monotonic in value and in decay, inverse in inspection minutes")
    func monotonic() {
        let values: [Double] = [0, 5, 20, 80, 300, 1000, 50_000]
        for (a, b) in zip(values, values.dropFirst()) {
            #expect(urgency(value: a, decay: 0.01) <= urgency(value: b, decay: 0.01))
        }
        let decays: [Double] = [0, 0.001, 0.01, 0.05, 1]
        for (a, b) in zip(decays, decays.dropFirst()) {
            #expect(urgency(value: 100, decay: a) <= urgency(value: 100, decay: b))
        }
        #expect(urgency(value: 100, decay: 0.01, minutes: 4) > urgency(value: 100, decay: 0.01, minutes: 20))
    }

    @Test("decay grows as the season's end nears and with demand")
    func decay() {
        let far = policy.dailyDecay(daysInSeasonRemaining: 90, sellThrough: 0.5)
        let near = policy.dailyDecay(daysInSeasonRemaining: 5, sellThrough: 0.5)
        let past = policy.dailyDecay(daysInSeasonRemaining: -3, sellThrough: 0.5)
        #expect(near > far)
        #expect(past == far)
        #expect(policy.dailyDecay(daysInSeasonRemaining: nil, sellThrough: 0.9) > policy.dailyDecay(daysInSeasonRemaining: nil, sellThrough: 0.1))
        #expect(policy.dailyDecay(daysInSeasonRemaining: nil, sellThrough: nil) == policy.baseDailyDecay)
    }

    @Test("aging bound: an item at its service level outranks any fresh item, in every lane, by its stored rank key too")
    func agingBound() {
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        for lane in [standard, risk] {
            let richest = policy.urgency(
                ordering: lane.ordering,
                recoveryValue: 1e9,
                dailyDecay: 1,
                inspectionMinutes: 0.1,
                fraudRisk: 1,
                refundAmount: 1e9
            )
            let old = policy.rank(urgency: 0, lane: lane, enqueuedAt: start)
            let fresh = policy.rank(urgency: richest, lane: lane, enqueuedAt: start + lane.serviceLevelHours * 3600)
            #expect(old.key >= fresh.key)
            #expect(PriorityPolicy.priority(of: old, ageHours: lane.serviceLevelHours) >= PriorityPolicy.priority(of: fresh, ageHours: 0))
            let one = policy.rank(urgency: 1, lane: lane, enqueuedAt: start)
            #expect(PriorityPolicy.priority(of: one, ageHours: 10) > PriorityPolicy.priority(of: one, ageHours: 5))
        }
    }

    @Test("the rank key orders like the priority at any moment")
    func rankKeyOrdersLikePriority() {
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        let arrivals: [Date] = (0..<50).map { start + Double($0 * 3600) }
        let items: [(rank: QueueRank, at: Date)] = arrivals.enumerated().map { i, at in
            (policy.rank(urgency: Double(i % 7) / 3.5, lane: standard, enqueuedAt: at), at)
        }
        for hours in [50.0, 100, 400] {
            let now = start + hours * 3600
            let byKey = items.indices.sorted { items[$0].rank.key > items[$1].rank.key }
            let byPriority = items.indices.sorted {
                PriorityPolicy.priority(of: items[$0].rank, enqueuedAt: items[$0].at, now: now)
                    > PriorityPolicy.priority(of: items[$1].rank, enqueuedAt: items[$1].at, now: now)
            }
            #expect(byKey == byPriority)
        }
    }

    @Test("the risk lane orders by exposure: risk times refund")
    func exposure() {
        let a = policy.urgency(ordering: .exposure, recoveryValue: 0, dailyDecay: 0, inspectionMinutes: 15, fraudRisk: 0.9, refundAmount: 300)
        let b = policy.urgency(ordering: .exposure, recoveryValue: 0, dailyDecay: 0, inspectionMinutes: 15, fraudRisk: 0.5, refundAmount: 300)
        #expect(a == 270)
        #expect(a > b)
    }
}
