package import Foundation
package import RecoupCore

/// Where a return goes: ordered, declarative rules over the record and the heads' outputs, with per-warehouse
/// capabilities, anomaly thresholds and the priority constants. JSON; the default ships as
/// `Resources/default-lane-policy.json` and a file can replace it (`recoup serve --lane-policy FILE`).
///
/// Routing takes the first rule whose condition holds *and* whose required capabilities the receiving warehouse
/// has; the last rule must be unconditional, so every return gets a lane.
package struct LanePolicy: Sendable, Codable, Equatable {
    /// A lane: how long an item may wait and how long inspecting it takes (its queue is ordered by ``PriorityPolicy``).
    package struct Lane: Sendable, Codable, Equatable {
        package var name: LaneName
        package var serviceLevelHours: Double
        /// Expected inspection minutes: `default`, overridden per category.
        package var inspectionMinutes: [String: Double]
        /// Capabilities a warehouse needs to run this lane: no rule routes there from a warehouse without them.
        package var requires: [String]?

        package func minutes(forCategory category: String) -> Double {
            inspectionMinutes[ReturnRecord.normalized(category)] ?? inspectionMinutes["default"] ?? 10
        }
    }

    /// One routing rule.
    package struct Rule: Sendable, Codable, Equatable {
        package var lane: LaneName
        /// Capabilities the receiving warehouse must have for this rule to apply.
        package var requires: [String]?
        /// The condition; absent = always.
        package var when: LaneCondition?
    }

    /// Warehouse capabilities. A warehouse that is not listed has `default`.
    package struct Capabilities: Sendable, Codable, Equatable {
        package var `default`: [String]
        package var warehouses: [String: [String]]

        /// The capabilities of a warehouse (its id compared as categories are: trimmed, any case).
        package func of(warehouse: String) -> [String] {
            if let exact = warehouses[warehouse] { return exact }
            let id = ReturnRecord.normalized(warehouse)
            return warehouses.first { ReturnRecord.normalized($0.key) == id }?.value ?? `default`
        }
    }

    /// The format this code reads.
    package static let formatVersion = 2

    package var formatVersion: Int
    /// Overrides of the bundle's fitted flags (each optional).
    package var anomaly: AnomalyOverrides
    package var priority: PriorityPolicy
    package var capabilities: Capabilities
    package var lanes: [Lane]
    package var rules: [Rule]

    /// The lane called `name`.
    package func lane(named name: LaneName) -> Lane? { lanes.first { $0.name == name } }

    /// The lane of a return: the first applicable rule's.
    package func route(_ facts: RoutingFacts) -> Lane {
        let capabilities = capabilities.of(warehouse: facts.record.warehouseID)
        for rule in rules {
            let lane = lane(named: rule.lane)!
            let able = (rule.requires ?? []).allSatisfy(capabilities.contains) && (lane.requires ?? []).allSatisfy(capabilities.contains)
            if able, rule.when?.matches(facts) ?? true { return lane }
        }
        return lane(named: rules.last!.lane)!  // validate() guarantees an unconditional last rule
    }

    /// What an item costs per day of waiting in `lane` (see ``PriorityPolicy``).
    package func rankTerms(record: ReturnRecord, fraudRisk: Double, recoveryValue: Double, lane: Lane, enqueuedAt: Date) -> RankTerms {
        priority.terms(
            recoveryValue: recoveryValue,
            fraudRisk: fraudRisk,
            refundAmount: record.refundAmount,
            daysInSeasonRemaining: record.daysInSeasonRemaining,
            sellThrough: record.skuSellThrough30d,
            lane: lane,
            category: record.category,
            enqueuedAt: enqueuedAt
        )
    }

    /// The rank of an assessment of `record` this policy routed, for an item entering the queue at `enqueuedAt`.
    package func rank(of assessment: Assessment, record: ReturnRecord, enqueuedAt: Date) -> QueueRank {
        guard let lane = lane(named: assessment.lane) else {
            preconditionFailure("lane \(assessment.lane) was not routed by this policy")
        }
        let terms = rankTerms(
            record: record,
            fraudRisk: assessment.fraudRisk,
            recoveryValue: assessment.recoveryValue,
            lane: lane,
            enqueuedAt: enqueuedAt
        )
        return priority.rank(terms, lane: lane, enqueuedAt: enqueuedAt)
    }

    /// Checks the policy: known format, lanes named once, every rule's lane and fields known, a catch-all last.
    package func validate() throws(LanePolicyError) {
        guard formatVersion == Self.formatVersion else { throw .unsupportedFormatVersion(formatVersion) }
        var names = Set<LaneName>()
        for lane in lanes {
            guard names.insert(lane.name).inserted else { throw .duplicateLane(lane.name) }
            guard lane.serviceLevelHours > 0 else {
                throw .invalidLane(lane.name, "serviceLevelHours must be > 0, got \(lane.serviceLevelHours)")
            }
            if let bad = lane.inspectionMinutes.first(where: { $0.value <= 0 }) {
                throw .invalidLane(lane.name, "inspectionMinutes[\"\(bad.key)\"] must be > 0, got \(bad.value)")
            }
        }
        guard let last = rules.last else { throw .noRules }
        for (i, rule) in rules.enumerated() {
            guard names.contains(rule.lane) else { throw .unknownLane(rule: i, lane: rule.lane) }
            for field in rule.when?.fieldNames ?? [] where RoutingFacts.fields[field] == nil {
                throw .unknownField(rule: i, field: field)
            }
        }
        guard last.when == nil, (last.requires ?? []).isEmpty, (lane(named: last.lane)?.requires ?? []).isEmpty else {
            throw .noCatchAll(lane: last.lane)
        }
        try anomaly.validate()
        try priority.validate()
    }

    /// Decodes and validates a policy. A key the policy does not know (a typo, a setting of an older format) is refused
    /// with its path, rather than silently ignored.
    package static func load(from data: Data, source: String) throws(LanePolicyError) -> LanePolicy {
        let policy: LanePolicy
        do {
            policy = try JSONDecoder().decode(LanePolicy.self, from: data)
        } catch {
            throw .unreadable(source: source, reason: "\(error)")
        }
        if let key = JSONKeys.firstUnknown(in: data, knowing: policy) { throw .unknownKey(source: source, path: key) }
        try policy.validate()
        return policy
    }

    /// The shipped default policy.
    package static let `default`: LanePolicy = {
        guard let url = Bundle.module.url(forResource: "default-lane-policy", withExtension: "json"),
            let data = try? Data(contentsOf: url)
        else { fatalError("RecoupScoring resource default-lane-policy.json is missing from the bundle") }
        do {
            return try load(from: data, source: "default-lane-policy.json")
        } catch {
            fatalError("the shipped lane policy is invalid: \(error)")
        }
    }()
}

/// What is wrong with a lane policy.
package enum LanePolicyError: Error, CustomStringConvertible, Equatable {
    case unreadable(source: String, reason: String)
    case unsupportedFormatVersion(Int)
    case duplicateLane(LaneName)
    case invalidLane(LaneName, String)
    case noRules
    case unknownLane(rule: Int, lane: LaneName)
    case unknownField(rule: Int, field: String)
    case noCatchAll(lane: LaneName)
    case invalidSetting(String)
    case unknownKey(source: String, path: String)

    package var description: String {
        switch self {
        case .unreadable(let source, let reason): "lane policy \(source) cannot be read: \(reason)"
        case .unsupportedFormatVersion(let v):
            "lane policy formatVersion \(v) is not supported (expected \(LanePolicy.formatVersion): version 2 ranks every lane by "
                + "money and has no lanes[].ordering, priority.valueCap or priority.exposureCap)"
        case .duplicateLane(let name): "lane \"\(name)\" is defined twice"
        case .invalidLane(let name, let why): "lane \"\(name)\": \(why)"
        case .noRules: "the lane policy has no rules"
        case .unknownLane(let rule, let lane): "rule \(rule) routes to lane \"\(lane)\", which is not defined in lanes"
        case .unknownField(let rule, let field):
            "rule \(rule) tests field \"\(field)\", which is not one of: \(RoutingFacts.fields.keys.sorted().joined(separator: ", "))"
        case .noCatchAll(let lane):
            "the last rule (lane \"\(lane)\") must have no condition and no requirement, so every return gets a lane"
        case .invalidSetting(let why): "lane policy: \(why)"
        case .unknownKey(let source, let path): "lane policy \(source) has an unknown key \"\(path)\""
        }
    }
}
