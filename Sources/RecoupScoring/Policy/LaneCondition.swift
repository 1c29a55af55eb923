/// A test over ``RoutingFacts`` in a lane rule, written in JSON:
///
/// ```json
/// {"field": "fraud_risk", "gte": 0.4}
/// {"field": "category", "in": ["electronics", "jewelry"]}
/// {"field": "serial_matches", "eq": false}
/// {"field": "item_condition_grade", "missing": true}
/// {"all": [ ... ]}   {"any": [ ... ]}   {"not": { ... }}
/// ```
/// Comparisons against a missing value are false (so `{"not": ...}` of one is true); `missing` tests for it.
package indirect enum LaneCondition: Sendable, Equatable {
    case compare(field: String, op: Operator, value: Double)
    case equals(field: String, value: RoutingFacts.Value)
    case oneOf(field: String, values: [String])
    case isMissing(field: String, Bool)
    case all([LaneCondition])
    case any([LaneCondition])
    case not(LaneCondition)

    package enum Operator: String, Sendable, CaseIterable {
        case gt, gte, lt, lte
    }

    /// Whether the facts satisfy the condition. Field names were checked when the policy loaded.
    package func matches(_ facts: RoutingFacts) -> Bool {
        switch self {
        case .compare(let field, let op, let threshold):
            guard case .number(let v) = facts.value(of: field) else { return false }
            switch op {
            case .gt: return v > threshold
            case .gte: return v >= threshold
            case .lt: return v < threshold
            case .lte: return v <= threshold
            }
        case .equals(let field, let expected):
            return facts.value(of: field) == expected
        case .oneOf(let field, let values):
            guard case .text(let v) = facts.value(of: field) else { return false }
            return values.contains(v)
        case .isMissing(let field, let wanted):
            return (facts.value(of: field) == .missing) == wanted
        case .all(let conditions):
            return conditions.allSatisfy { $0.matches(facts) }
        case .any(let conditions):
            return conditions.contains { $0.matches(facts) }
        case .not(let condition):
            return !condition.matches(facts)
        }
    }

    /// Every field the condition names (for validation).
    package var fieldNames: [String] {
        switch self {
        case .compare(let f, _, _), .equals(let f, _), .oneOf(let f, _), .isMissing(let f, _): [f]
        case .all(let cs), .any(let cs): cs.flatMap(\.fieldNames)
        case .not(let c): c.fieldNames
        }
    }
}

extension LaneCondition: Codable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let keys = Set(c.allKeys.map(\.stringValue))
        if keys == ["all"] {
            self = .all(try c.decode([LaneCondition].self, forKey: Key(stringValue: "all")))
        } else if keys == ["any"] {
            self = .any(try c.decode([LaneCondition].self, forKey: Key(stringValue: "any")))
        } else if keys == ["not"] {
            self = .not(try c.decode(LaneCondition.self, forKey: Key(stringValue: "not")))
        } else if keys.count == 2, keys.contains("field") {
            let field = try c.decode(String.self, forKey: Key(stringValue: "field"))
            let opKey = keys.subtracting(["field"]).first!
            let k = Key(stringValue: opKey)
            if let op = Operator(rawValue: opKey) {
                self = .compare(field: field, op: op, value: try c.decode(Double.self, forKey: k))
            } else if opKey == "in" {
                self = .oneOf(field: field, values: try c.decode([String].self, forKey: k).map { $0.lowercased() })
            } else if opKey == "missing" {
                self = .isMissing(field: field, try c.decode(Bool.self, forKey: k))
            } else if opKey == "eq" {
                if let b = try? c.decode(Bool.self, forKey: k) {
                    self = .equals(field: field, value: .flag(b))
                } else if let d = try? c.decode(Double.self, forKey: k) {
                    self = .equals(field: field, value: .number(d))
                } else {
                    self = .equals(field: field, value: .text(try c.decode(String.self, forKey: k).lowercased()))
                }
            } else {
                throw DecodingError.dataCorruptedError(
                    forKey: k,
                    in: c,
                    debugDescription: "unknown operator \"\(opKey)\"; expected one of eq, in, missing, gt, gte, lt, lte"
                )
            }
        } else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription:
                        "a condition is {\"field\": ..., <op>: ...}, {\"all\": [...]}, {\"any\": [...]} or {\"not\": {...}}; got keys \(keys.sorted())"
                )
            )
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        switch self {
        case .compare(let field, let op, let value):
            try c.encode(field, forKey: Key(stringValue: "field"))
            try c.encode(value, forKey: Key(stringValue: op.rawValue))
        case .equals(let field, let value):
            try c.encode(field, forKey: Key(stringValue: "field"))
            let k = Key(stringValue: "eq")
            switch value {
            case .flag(let b): try c.encode(b, forKey: k)
            case .number(let d): try c.encode(d, forKey: k)
            case .text(let s): try c.encode(s, forKey: k)
            case .missing: try c.encodeNil(forKey: k)
            }
        case .oneOf(let field, let values):
            try c.encode(field, forKey: Key(stringValue: "field"))
            try c.encode(values, forKey: Key(stringValue: "in"))
        case .isMissing(let field, let wanted):
            try c.encode(field, forKey: Key(stringValue: "field"))
            try c.encode(wanted, forKey: Key(stringValue: "missing"))
        case .all(let cs): try c.encode(cs, forKey: Key(stringValue: "all"))
        case .any(let cs): try c.encode(cs, forKey: Key(stringValue: "any"))
        case .not(let inner): try c.encode(inner, forKey: Key(stringValue: "not"))
        }
    }
}
