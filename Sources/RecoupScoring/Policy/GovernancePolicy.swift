package import Foundation
package import RecoupCore

/// What is decided on a return request before the item ships back: the return windows, the costs of bringing an item
/// back, and the limits up to which a return is approved without a person, the customer may keep the item, and the
/// refund is paid at the carrier's first scan. JSON with snake_case keys; the default ships as
/// `Resources/default-governance-policy.json`. The decision itself is ``decide(_:fraudRisk:recoveryValue:)``.
package struct GovernancePolicy: Sendable, Codable, Equatable {
    /// A return window: how many days after the order a return may be requested, for a channel, a category, both or
    /// every return (neither). Channel and category are compared as the record's are (``ReturnRecord/normalized(_:)``).
    package struct ReturnWindow: Sendable, Codable, Equatable {
        package var channel: String?
        package var category: String?
        package var days: Int

        package init(channel: String? = nil, category: String? = nil, days: Int) {
            self.channel = channel
            self.category = category
            self.days = days
        }

        /// How specific the entry is: 2 for channel and category, 1 for one of them, 0 for the catch-all.
        var specificity: Int { (channel == nil ? 0 : 1) + (category == nil ? 0 : 1) }

        /// Whether the entry applies to a record of the (normalized) channel and category.
        func matches(channel: String, category: String) -> Bool {
            (self.channel.map { ReturnRecord.normalized($0) == channel } ?? true)
                && (self.category.map { ReturnRecord.normalized($0) == category } ?? true)
        }

        /// The returns the entry is for, in words: "marketplace electronics", "marketplace", "electronics" or `nil`
        /// for the catch-all.
        var scope: String? {
            switch (channel.map(ReturnRecord.normalized), category.map(ReturnRecord.normalized)) {
            case (let channel?, let category?): "\(channel) \(category)"
            case (let channel?, nil): channel
            case (nil, let category?): category
            case (nil, nil): nil
            }
        }
    }

    /// Handling cost of a returned item at the receiving warehouse: `default`, overridden per warehouse.
    package struct HandlingCost: Sendable, Codable, Equatable {
        package var `default`: Double
        package var warehouses: [String: Double]

        package init(default: Double, warehouses: [String: Double] = [:]) {
            self.default = `default`
            self.warehouses = warehouses
        }

        /// `warehouses` may be left out (no overrides).
        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                default: try c.decode(Double.self, forKey: .default),
                warehouses: try c.decodeIfPresent([String: Double].self, forKey: .warehouses) ?? [:]
            )
        }

        enum CodingKeys: String, CodingKey { case `default`, warehouses }

        /// The handling cost at a warehouse (its id compared as ``LanePolicy/Capabilities/of(warehouse:)`` does:
        /// trimmed, any case).
        package func of(warehouse: String) -> Double {
            if let exact = warehouses[warehouse] { return exact }
            let id = ReturnRecord.normalized(warehouse)
            return warehouses.first { ReturnRecord.normalized($0.key) == id }?.value ?? `default`
        }
    }

    /// Limits on the refund and the fraud risk (both inclusive).
    package struct Limits: Sendable, Codable, Equatable {
        package var maxRefund: Double
        package var maxFraudRisk: Double

        package init(maxRefund: Double, maxFraudRisk: Double) {
            self.maxRefund = maxRefund
            self.maxFraudRisk = maxFraudRisk
        }

        /// Whether a refund and a fraud risk are both within the limits.
        package func allow(refund: Double, fraudRisk: Double) -> Bool { refund <= maxRefund && fraudRisk <= maxFraudRisk }

        enum CodingKeys: String, CodingKey {
            case maxRefund = "max_refund"
            case maxFraudRisk = "max_fraud_risk"
        }
    }

    /// The format this code reads.
    package static let formatVersion = 1

    package var formatVersion: Int
    /// The return windows; the most specific entry matching a record applies, none = no limit.
    package var returnWindows: [ReturnWindow]
    /// Return shipping cost of a record that does not give its own (`shipping_cost_back`).
    package var shippingCostDefault: Double
    package var handlingCost: HandlingCost
    /// Up to these, a return is approved without a person (above either: manual review).
    package var approval: Limits
    /// Up to these, a return whose shipping back costs more than it recovers is refunded and the item left with the
    /// customer.
    package var keepIt: Limits
    /// Up to these, an approved return is refunded at the carrier's first scan rather than after inspection.
    package var refundAtFirstScan: Limits

    package init(
        returnWindows: [ReturnWindow],
        shippingCostDefault: Double,
        handlingCost: HandlingCost,
        approval: Limits,
        keepIt: Limits,
        refundAtFirstScan: Limits
    ) {
        self.formatVersion = Self.formatVersion
        self.returnWindows = returnWindows
        self.shippingCostDefault = shippingCostDefault
        self.handlingCost = handlingCost
        self.approval = approval
        self.keepIt = keepIt
        self.refundAtFirstScan = refundAtFirstScan
    }

    /// A file gives `format_version` and any of the sections; a section it leaves out is the shipped default's.
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        formatVersion = try c.decode(Int.self, forKey: .formatVersion)
        // `Self.default` is read only for a section a file leaves out (the shipped file has them all).
        func section<T: Decodable>(_ key: CodingKeys, _ fallback: (GovernancePolicy) -> T) throws -> T {
            try c.decodeIfPresent(T.self, forKey: key) ?? fallback(Self.default)
        }
        returnWindows = try section(.returnWindows, \.returnWindows)
        shippingCostDefault = try section(.shippingCostDefault, \.shippingCostDefault)
        handlingCost = try section(.handlingCost, \.handlingCost)
        approval = try section(.approval, \.approval)
        keepIt = try section(.keepIt, \.keepIt)
        refundAtFirstScan = try section(.refundAtFirstScan, \.refundAtFirstScan)
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case returnWindows = "return_windows"
        case shippingCostDefault = "shipping_cost_default"
        case handlingCost = "handling_cost"
        case approval
        case keepIt = "keep_it"
        case refundAtFirstScan = "refund_at_first_scan"
    }

    /// The window entry applying to a record, with its index: the most specific matching entry. In a valid policy it is
    /// the only matching entry that specific (``validate()`` refuses duplicates and ambiguous channel/category pairs);
    /// otherwise the first one is taken.
    func windowEntry(for record: ReturnRecord) -> (index: Int, window: ReturnWindow)? {
        let channel = ReturnRecord.normalized(record.channel)
        let category = ReturnRecord.normalized(record.category)
        var best: (index: Int, window: ReturnWindow)?
        for (i, window) in returnWindows.enumerated() where window.matches(channel: channel, category: category) {
            if best.map({ window.specificity > $0.window.specificity }) ?? true { best = (i, window) }
        }
        return best
    }

    /// The return window of a record in days, or `nil` when no entry applies (no limit).
    package func window(for record: ReturnRecord) -> Int? { windowEntry(for: record)?.window.days }

    /// The handling cost of an item received at `warehouse`.
    package func handlingCost(warehouse: String) -> Double { handlingCost.of(warehouse: warehouse) }

    /// Checks the policy: known format, costs and refunds >= 0, fraud risks in [0, 1], windows of at least a day, and
    /// windows that do not overlap (two entries for the same returns, or a channel entry and a category entry that both
    /// apply to a pair no entry names).
    package func validate() throws(GovernancePolicyError) {
        guard formatVersion == Self.formatVersion else { throw .unsupportedFormatVersion(formatVersion) }
        guard shippingCostDefault >= 0 else {
            throw .invalidSetting("shipping_cost_default must be >= 0, got \(shippingCostDefault)")
        }
        guard handlingCost.default >= 0 else {
            throw .invalidSetting("handling_cost.default must be >= 0, got \(handlingCost.default)")
        }
        let warehouses = handlingCost.warehouses.keys.sorted()
        for warehouse in warehouses where !(handlingCost.warehouses[warehouse]! >= 0) {
            throw .invalidSetting("handling_cost.warehouses.\(warehouse) must be >= 0, got \(handlingCost.warehouses[warehouse]!)")
        }
        var seen: [String: String] = [:]
        for warehouse in warehouses {
            if let other = seen.updateValue(warehouse, forKey: ReturnRecord.normalized(warehouse)) {
                throw .invalidSetting("handling_cost.warehouses has \(other) and \(warehouse), which are the same warehouse")
            }
        }
        for (key, limits) in [("approval", approval), ("keep_it", keepIt), ("refund_at_first_scan", refundAtFirstScan)] {
            guard limits.maxRefund >= 0 else { throw .invalidSetting("\(key).max_refund must be >= 0, got \(limits.maxRefund)") }
            guard (0...1).contains(limits.maxFraudRisk) else {
                throw .invalidSetting("\(key).max_fraud_risk must be in [0, 1], got \(limits.maxFraudRisk)")
            }
        }
        try validateWindows()
    }

    private func validateWindows() throws(GovernancePolicyError) {
        typealias Key = (channel: String?, category: String?)
        var keys: [Key] = []
        for (i, window) in returnWindows.enumerated() {
            guard window.days > 0 else { throw .invalidSetting("return_windows[\(i)].days must be > 0, got \(window.days)") }
            let key: Key = (window.channel.map(ReturnRecord.normalized), window.category.map(ReturnRecord.normalized))
            if key.channel?.isEmpty == true { throw .invalidSetting("return_windows[\(i)].channel must not be empty") }
            if key.category?.isEmpty == true { throw .invalidSetting("return_windows[\(i)].category must not be empty") }
            if let first = keys.firstIndex(where: { $0 == key }) {
                throw .duplicateWindows(first: first, second: i, channel: key.channel, category: key.category)
            }
            keys.append(key)
        }
        for (i, byChannel) in keys.enumerated() {
            guard let channel = byChannel.channel, byChannel.category == nil else { continue }
            for (j, byCategory) in keys.enumerated() {
                guard let category = byCategory.category, byCategory.channel == nil else { continue }
                if !keys.contains(where: { $0.channel == channel && $0.category == category }) {
                    throw .ambiguousWindows(channelEntry: i, categoryEntry: j, channel: channel, category: category)
                }
            }
        }
    }

    /// Decodes and validates a policy. A key the policy does not know (a typo, a setting of another format) is refused
    /// with its path, rather than silently ignored.
    package static func load(from data: Data, source: String) throws(GovernancePolicyError) -> GovernancePolicy {
        let policy: GovernancePolicy
        do {
            policy = try JSONDecoder().decode(GovernancePolicy.self, from: data)
        } catch {
            throw .unreadable(source: source, reason: "\(error)")
        }
        guard policy.formatVersion == Self.formatVersion else { throw .unsupportedFormatVersion(policy.formatVersion) }
        if let key = JSONKeys.firstUnknown(in: data, knowing: policy) { throw .unknownKey(source: source, path: key) }
        try policy.validate()
        return policy
    }

    /// The shipped default policy.
    package static let `default`: GovernancePolicy = {
        guard let url = Bundle.module.url(forResource: "default-governance-policy", withExtension: "json"),
            let data = try? Data(contentsOf: url)
        else { fatalError("RecoupScoring resource default-governance-policy.json is missing from the bundle") }
        do {
            return try load(from: data, source: "default-governance-policy.json")
        } catch {
            fatalError("the shipped governance policy is invalid: \(error)")
        }
    }()
}

/// What is wrong with a governance policy.
package enum GovernancePolicyError: Error, CustomStringConvertible, Equatable {
    case unreadable(source: String, reason: String)
    case unsupportedFormatVersion(Int)
    case unknownKey(source: String, path: String)
    /// A setting out of its range; the text names the key and the value.
    case invalidSetting(String)
    /// Two window entries for the same returns (after normalization).
    case duplicateWindows(first: Int, second: Int, channel: String?, category: String?)
    /// A channel-only entry and a category-only entry that both apply to a pair no entry names.
    case ambiguousWindows(channelEntry: Int, categoryEntry: Int, channel: String, category: String)

    package var description: String {
        switch self {
        case .unreadable(let source, let reason): "governance policy \(source) cannot be read: \(reason)"
        case .unsupportedFormatVersion(let v):
            "governance policy format_version \(v) is not supported (expected \(GovernancePolicy.formatVersion))"
        case .unknownKey(let source, let path): "governance policy \(source) has an unknown key \"\(path)\""
        case .invalidSetting(let why): "governance policy: \(why)"
        case .duplicateWindows(let first, let second, let channel, let category):
            "governance policy: return_windows[\(first)] and return_windows[\(second)] are both the window for "
                + Self.pair(channel: channel, category: category)
        case .ambiguousWindows(let byChannel, let byCategory, let channel, let category):
            "governance policy: return_windows[\(byChannel)] (channel \"\(channel)\") and return_windows[\(byCategory)] "
                + "(category \"\(category)\") both apply to channel \"\(channel)\" with category \"\(category)\", and no entry "
                + "names that pair: add one with both"
        }
    }

    private static func pair(channel: String?, category: String?) -> String {
        switch (channel, category) {
        case (let channel?, let category?): "channel \"\(channel)\" with category \"\(category)\""
        case (let channel?, nil): "channel \"\(channel)\" (any category)"
        case (nil, let category?): "category \"\(category)\" (any channel)"
        case (nil, nil): "every return (the catch-all)"
        }
    }
}
