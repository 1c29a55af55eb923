import Foundation
import RecoupCore
import Testing

@testable import RecoupScoring

@Suite("Priority (money lost per day of waiting, per inspection minute)")
struct PriorityPolicyTests {
    let policy = LanePolicy.default.priority
    let standard = LanePolicy.default.lane(named: "standard")!
    let start = Date(timeIntervalSince1970: 1_790_000_000)

    func terms(
        value: Double = 100,
        risk: Double = 0,
        refund: Double = 100,
        season: Int? = nil,
        sellThrough: Double? = nil,
        category: String = "apparel",
        lane: LanePolicy.Lane? = nil,
        policy: PriorityPolicy? = nil
    ) -> RankTerms {
        (policy ?? self.policy).terms(
            recoveryValue: value,
            fraudRisk: risk,
            refundAmount: refund,
            daysInSeasonRemaining: season,
            sellThrough: sellThrough,
            lane: lane ?? standard,
            category: category,
            enqueuedAt: start
        )
    }

    func key(_ t: RankTerms, hours: Double = 0) -> Double { PriorityPolicy.key(t, at: start + hours * 3600) }

    @Test("the key grows with value, decay, risk and refund, and falls with inspection minutes")
    func monotonic() {
        let values: [Double] = [0, 5, 20, 80, 300, 1000, 50_000]
        for (a, b) in zip(values, values.dropFirst()) {
            #expect(key(terms(value: a)) <= key(terms(value: b)))
        }
        let sellThrough: [Double] = [0, 0.1, 0.5, 1]
        for (a, b) in zip(sellThrough, sellThrough.dropFirst()) {
            #expect(key(terms(sellThrough: a)) <= key(terms(sellThrough: b)))
        }
        let risks: [Double] = [0, 0.01, 0.2, 0.9, 1]
        for (a, b) in zip(risks, risks.dropFirst()) {
            #expect(key(terms(risk: a)) <= key(terms(risk: b)))
            #expect(key(terms(risk: b, refund: 50)) <= key(terms(risk: b, refund: 500)))
        }
        // Standard: apparel takes 8 minutes, furniture 20.
        #expect(key(terms(category: "apparel")) > key(terms(category: "furniture")))
        #expect(key(terms(value: .nan, risk: .infinity)) == 0)
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

    @Test("the key is money: value times its loss rate plus risk times refund over the refund days, per minute")
    func formula() {
        let t = terms(value: 200, risk: 0.3, refund: 150, season: 10, sellThrough: 0.4)
        let r = policy.baseDailyDecay + policy.seasonDailyDecay * 20 / 30 + policy.demandDailyDecay * 0.4
        #expect(abs(t.valueLossPerDay - 200 * r) < 1e-9)
        #expect(abs(t.fraudLossPerDay - 0.3 * 150 / policy.refundDays) < 1e-9)
        #expect(abs(key(t) - (200 * r + 0.3 * 150 / policy.refundDays) / 8) < 1e-9)
    }

    @Test("the fraud term stops when the refund is issued; lateness adds a bounded boost that does not grow with age")
    func timeline() {
        var policy = policy
        policy.refundDays = 2  // the refund before the standard lane's 72-hour service level
        let t = terms(value: 100, risk: 0.5, refund: 100, policy: policy)
        let refundHours = policy.refundDays * 24
        #expect(key(t, hours: refundHours - 1) == key(t))
        #expect(key(t, hours: refundHours) < key(t))
        #expect(abs(key(t, hours: refundHours) - t.valueLossPerDay / 8) < 1e-12)
        let due = standard.serviceLevelHours
        #expect(key(t, hours: due) > key(t, hours: due - 1))
        #expect(abs(key(t, hours: due) - key(t, hours: due - 1) - 100 * policy.lateDailyShare / 8) < 1e-12)
        #expect(key(t, hours: due + 24 * 365) == key(t, hours: due))
    }

    @Test("the stored schedule gives the formula's key at every moment, and changes only at the refund and the due time")
    func schedule() {
        for lane in LanePolicy.default.lanes {
            let t = terms(value: 80, risk: 0.2, refund: 120, lane: lane)
            let rank = policy.rank(t, lane: lane, enqueuedAt: start)
            #expect(rank.key == key(t))
            #expect(rank.changes.map(\.at) == Set([t.refundAt, t.dueAt]).sorted())
            for hours in stride(from: 0.0, through: 400, by: 0.5) {
                let now = start + hours * 3600
                #expect(rank.key(at: now) == PriorityPolicy.key(t, at: now))
            }
            #expect(rank.nextChange(after: start) == min(t.refundAt, t.dueAt))
            #expect(rank.nextChange(after: max(t.refundAt, t.dueAt)) == nil)
        }
    }

    @Test("under a backlog a valuable new item outranks a cheap old one still within its service level")
    func valueBeforeAge() {
        let cheapOld = policy.rank(terms(value: 8), lane: standard, enqueuedAt: start)
        let valuableNew = policy.rank(terms(value: 400), lane: standard, enqueuedAt: start + 60 * 3600)
        let now = start + 71 * 3600  // the cheap item has waited 71 of its 72 hours
        #expect(valuableNew.key(at: now) > cheapOld.key(at: now))
        // Past its service level the cheap item moves up by what its lateness costs, not above the valuable one.
        #expect(valuableNew.key(at: now + 2 * 3600) > cheapOld.key(at: now + 2 * 3600))
        #expect(cheapOld.key(at: now + 2 * 3600) > cheapOld.key(at: now))
    }

    @Test("the explanation names each term in force")
    func explanation() {
        let rank = policy.rank(terms(value: 100, risk: 0.5, refund: 90), lane: standard, enqueuedAt: start)
        let fresh = RankExplanation(rank, at: start)
        #expect(fresh.key == rank.key)
        #expect(fresh.fraudLossPerDay == 15)
        #expect(fresh.lateLossPerDay == 0)
        #expect(fresh.summary.contains("15.00 a day of fraud risk"))
        #expect(fresh.summary.hasSuffix("8 minutes to inspect"))
        let late = RankExplanation(rank, at: start + 100 * 3600)
        #expect(late.fraudLossPerDay == 0)
        #expect(late.lateLossPerDay == 100 * policy.lateDailyShare)
        #expect(late.nextChangeAt == nil)
        #expect(late.summary.contains("a day past its service level"))
    }
}
