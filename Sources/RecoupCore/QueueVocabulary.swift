// The queue's vocabulary shared by scoring (which routes and ranks) and the stores (which persist and order).

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

/// Where an item ranks in its lane, as the scoring layer's priority policy computes it and a store persists it. The
/// store orders claims by ``key`` and never computes a priority itself.
package struct QueueRank: Sendable, Equatable {
    /// The rank key claims order by, higher first: fixed while the item waits, so that an index can serve claims.
    package var key: Double
    /// The age-free part of the priority.
    package var urgency: Double
    /// Priority gained per service level waited.
    package var agingWeight: Double
    /// The lane's service level, in hours: an item waiting longer is past it.
    package var serviceLevelHours: Double

    package init(key: Double, urgency: Double, agingWeight: Double, serviceLevelHours: Double) {
        self.key = key
        self.urgency = urgency
        self.agingWeight = agingWeight
        self.serviceLevelHours = serviceLevelHours
    }
}
