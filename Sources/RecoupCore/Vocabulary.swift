/// Where a returned item goes after inspection: the eight classes of the disposition head, in the contract's
/// order (the order of the `p_*` columns of the scored output).
package enum Disposition: String, CaseIterable, Sendable, Codable, Hashable {
    case restockNew = "restock_new"
    case openBox = "open_box"
    case refurbish
    case outlet
    case liquidate
    case returnToVendor = "return_to_vendor"
    case donate
    case dispose

    /// The class index used by the learners (position in ``allCases``).
    package var index: Int { Disposition.allCases.firstIndex(of: self)! }

    /// The disposition with a class index.
    package init?(index: Int) {
        guard Disposition.allCases.indices.contains(index) else { return nil }
        self = Disposition.allCases[index]
    }

    /// The most probable disposition of a row of class probabilities (in ``allCases`` order): what the scorer
    /// recommends, what monitoring profiles and compares.
    package static func mostProbable(_ probabilities: some RandomAccessCollection<Double>) -> Disposition {
        let p = Array(probabilities)
        let best = p.indices.max { p[$0] < p[$1] } ?? 0
        return Disposition(index: best) ?? .restockNew
    }
}

/// The customer's stated reason for the return.
///
/// An open set: the contract lists nine codes (``known``), but a retailer may send others; an unknown code is an
/// unknown level for the features, never an error. Values are stored trimmed and lower-cased.
package struct ReasonCode: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    package let rawValue: String

    package init(rawValue: String) {
        self.rawValue = ReturnRecord.normalized(rawValue)
    }

    package init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    package var description: String { rawValue }

    package static let sizeFit = ReasonCode(rawValue: "size_fit")
    package static let damagedInTransit = ReasonCode(rawValue: "damaged_in_transit")
    package static let defective = ReasonCode(rawValue: "defective")
    package static let notAsDescribed = ReasonCode(rawValue: "not_as_described")
    package static let changedMind = ReasonCode(rawValue: "changed_mind")
    package static let wrongItem = ReasonCode(rawValue: "wrong_item")
    package static let lateDelivery = ReasonCode(rawValue: "late_delivery")
    package static let betterPrice = ReasonCode(rawValue: "better_price")
    package static let noReason = ReasonCode(rawValue: "no_reason")

    /// The codes the contract names.
    package static let known: [ReasonCode] = [
        .sizeFit, .damagedInTransit, .defective, .notAsDescribed, .changedMind, .wrongItem, .lateDelivery,
        .betterPrice, .noReason,
    ]

    /// Whether the contract names this code.
    package var isKnown: Bool { ReasonCode.known.contains(self) }
}

/// The product categories of the contract's reference taxonomy. Records carry `category` as a string (other
/// retailers may use other categories); this list is what the shipped lane policy and the generator know.
package enum ReferenceCategory: String, CaseIterable, Sendable, Codable {
    case apparel, footwear, electronics
    case homeGoods = "home_goods"
    case beauty, toys
    case sportingGoods = "sporting_goods"
    case jewelry, furniture
    case booksMedia = "books_media"
}

/// The condition grade an inspector gives an item, `A` (as new) to `D` (heavily damaged): the contract's
/// `item_condition_grade` scale. Read case-insensitively; written upper-case.
package enum Grade: String, CaseIterable, Sendable, Codable, Hashable {
    case a = "A"
    case b = "B"
    case c = "C"
    case d = "D"

    /// The grade a text names (`"a"` and `" B "` included), or `nil`.
    package init?(text: String) {
        self.init(rawValue: text.trimmingWhitespace().uppercased())
    }
}
