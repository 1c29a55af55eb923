// The queue's vocabulary shared by scoring (which routes and ranks) and the stores (which persist and order).

package import Foundation

/// The name of an inspection lane, as a lane policy defines it (`risk_review`, `fast_restock`…): 1 to 64 characters
/// of lower-case ASCII letters, digits and `_`, so that it is safe in a URL path, a metric label and a file.
package struct LaneName: RawRepresentable, Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    package let rawValue: String

    /// The name, or `nil` when `rawValue` is not a valid lane name.
    package init?(rawValue: String) {
        guard Self.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let name = LaneName(rawValue: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(text)\" is not a lane name: \(Self.rule)")
        }
        self = name
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    package var description: String { rawValue }

    package static func < (lhs: LaneName, rhs: LaneName) -> Bool { lhs.rawValue < rhs.rawValue }

    /// What a lane name may hold, for error messages.
    package static let rule = "1 to 64 characters of a-z, 0-9 and _"

    private static func isValid(_ text: String) -> Bool {
        let utf8 = text.utf8
        return (1...64).contains(utf8.count)
            && utf8.allSatisfy {
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || $0 == UInt8(ascii: "_")
            }
    }
}

/// What an item's rank is made of, in money: what it loses per day of waiting, and the minutes its inspection takes.
/// The priority policy computes these from the scores and the lane; the "why first" of an item shows them.
package struct RankTerms: Sendable, Codable, Equatable {
    /// Expected recovery value times its daily loss rate (season end, demand).
    package var valueLossPerDay: Double
    /// Fraud risk times the refund, over the days until the refund is issued: what waiting risks while the refund
    /// can still be stopped (0 after ``refundAt``).
    package var fraudLossPerDay: Double
    /// The cost of each day past the lane's service level (0 before ``dueAt``).
    package var lateLossPerDay: Double
    /// Expected inspection minutes in the item's lane.
    package var inspectionMinutes: Double
    /// When the refund is issued (a fraud found later is not stopped).
    package var refundAt: Date
    /// When the item passes its lane's service level.
    package var dueAt: Date

    package init(
        valueLossPerDay: Double,
        fraudLossPerDay: Double,
        lateLossPerDay: Double,
        inspectionMinutes: Double,
        refundAt: Date,
        dueAt: Date
    ) {
        self.valueLossPerDay = valueLossPerDay
        self.fraudLossPerDay = fraudLossPerDay
        self.lateLossPerDay = lateLossPerDay
        self.inspectionMinutes = inspectionMinutes
        self.refundAt = refundAt
        self.dueAt = dueAt
    }

    /// The terms in force at `time`: the fraud term until the refund is issued, the late term from the service level on.
    package func inForce(at time: Date) -> RankTerms {
        var terms = self
        if time >= refundAt { terms.fraudLossPerDay = 0 }
        if time < dueAt { terms.lateLossPerDay = 0 }
        return terms
    }

    /// The value an item lost waiting from `start` (its arrival) to `end` (its inspection), by the same decay model as
    /// its rank: the value term every day, and the late term each day past the service level. (The fraud term is a
    /// risk, not a loss of value, and is not counted.)
    package func valueLost(from start: Date, to end: Date) -> Double {
        let days = max(0, end.timeIntervalSince(start)) / 86_400
        let lateDays = max(0, end.timeIntervalSince(max(start, dueAt))) / 86_400
        let lost = valueLossPerDay * days + lateLossPerDay * lateDays
        return lost.isFinite ? lost : 0
    }

    enum CodingKeys: String, CodingKey {
        case valueLossPerDay = "value_loss_per_day"
        case fraudLossPerDay = "fraud_loss_per_day"
        case lateLossPerDay = "late_loss_per_day"
        case inspectionMinutes = "inspection_minutes"
        case refundAt = "refund_at"
        case dueAt = "due_at"
    }
}

/// Where an item ranks in its lane, as the scoring layer's priority policy computed it: its rank key now and the
/// keys it will have later (when its refund is issued, when it passes its service level), with the terms behind
/// them. A store persists these numbers, orders claims by the current key and moves to the next key when its time
/// comes; it never computes a priority itself.
package struct QueueRank: Sendable, Codable, Equatable {
    /// A later rank key and when it takes over.
    package struct Change: Sendable, Codable, Equatable {
        package var at: Date
        package var key: Double

        package init(at: Date, key: Double) {
            self.at = at
            self.key = key
        }
    }

    /// The rank key from the item's entry (higher first).
    package var key: Double
    /// Later keys, in time order.
    package var changes: [Change]
    package var terms: RankTerms
    /// The lane's service level, in hours: an item waiting longer is past it.
    package var serviceLevelHours: Double

    package init(key: Double, changes: [Change], terms: RankTerms, serviceLevelHours: Double) {
        self.key = key
        self.changes = changes
        self.terms = terms
        self.serviceLevelHours = serviceLevelHours
    }

    /// The key in force at `time`: the last change at or before it, else the entry key.
    package func key(at time: Date) -> Double {
        changes.last { $0.at <= time }?.key ?? key
    }

    /// The time of the first change after `time`, if any: when a store must move the item to its next key.
    package func nextChange(after time: Date) -> Date? {
        changes.first { $0.at > time }?.at
    }

    enum CodingKeys: String, CodingKey {
        case key, changes, terms
        case serviceLevelHours = "service_level_hours"
    }
}

/// Why a return was flagged for the risk team.
package struct AnomalyFlag: Sendable, Codable, Equatable, Hashable {
    /// What tripped the flag.
    package enum Kind: String, Sendable, Codable, CaseIterable {
        case fraudRisk = "fraud_risk"
        case serialMismatch = "serial_mismatch"
        case weightDeviation = "weight_deviation"
        case customerReturnRate = "customer_return_rate"
    }

    package var kind: Kind
    /// A sentence naming the value ("fraud risk 0.71 is above the 0.40 threshold").
    package var reason: String

    package init(kind: Kind, reason: String) {
        self.kind = kind
        self.reason = reason
    }
}

extension AnomalyFlag.Kind {
    /// The kinds as a bit set (one bit per kind, in `allCases` order): how a store keeps a flag's kinds in one column.
    package static func mask(_ kinds: some Sequence<Self>) -> Int {
        kinds.reduce(0) { $0 | $1.bit }
    }

    /// This kind's bit in ``mask(_:)``.
    package var bit: Int { 1 << Self.allCases.firstIndex(of: self)! }

    /// The kinds a bit set holds, in `allCases` order.
    package static func kinds(inMask mask: Int) -> [Self] {
        allCases.filter { mask & $0.bit != 0 }
    }
}
