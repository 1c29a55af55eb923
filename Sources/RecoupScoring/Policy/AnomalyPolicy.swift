internal import Foundation
package import RecoupCore
internal import RecoupFeatures

/// When a return is flagged for the risk team, and the sentence that says why.
///
/// A flag is raised by the fraud head (calibrated risk at or above ``fraudRiskThreshold``) or by a rule on a hard
/// signal: a serial number that does not match, a measured weight far from the declared one, a customer who returns
/// most of what they order. `recoup train` fits all of it to the review team's capacity (``FlagCalibration``): the
/// rule thresholds from the training split, the rules switched on only when they are more precise than the model at
/// the same flag rate, and the risk threshold so that the flags together reach the review rate. A lane policy may
/// override any of it (``AnomalyOverrides``).
package struct AnomalyPolicy: Sendable, Codable, Equatable {
    /// Calibrated fraud risk at or above which a return is flagged.
    package var fraudRiskThreshold: Double
    /// Flag a scanned serial number that does not match the shipped one.
    package var serialMismatch: Bool
    /// Flag `|measured / declared − 1|` at or above this; `nil`: the rule is off.
    package var weightDeviation: Double?
    /// Flag customers with at least ``customerMinOrders`` orders in 12 months and a return rate at or above this;
    /// `nil`: the rule is off.
    package var customerReturnRate: Double?
    package var customerMinOrders: Int

    package init(
        fraudRiskThreshold: Double,
        serialMismatch: Bool,
        weightDeviation: Double?,
        customerReturnRate: Double?,
        customerMinOrders: Int
    ) {
        self.fraudRiskThreshold = fraudRiskThreshold
        self.serialMismatch = serialMismatch
        self.weightDeviation = weightDeviation
        self.customerReturnRate = customerReturnRate
        self.customerMinOrders = customerMinOrders
    }

    enum CodingKeys: String, CodingKey {
        case fraudRiskThreshold = "fraud_risk_threshold"
        case serialMismatch = "serial_mismatch"
        case weightDeviation = "weight_deviation"
        case customerReturnRate = "customer_return_rate"
        case customerMinOrders = "customer_min_orders"
    }

    /// For a bundle trained before flags were fitted: a return more likely fraud than not, and a serial number that
    /// does not match (a fact, not a threshold); no threshold rule, since nothing was measured to set one.
    package static let neutral = AnomalyPolicy(
        fraudRiskThreshold: 0.5,
        serialMismatch: true,
        weightDeviation: nil,
        customerReturnRate: nil,
        customerMinOrders: 5
    )

    /// This policy's rules without the fraud head: what the rules alone flag.
    package var rulesOnly: AnomalyPolicy {
        var policy = self
        policy.fraudRiskThreshold = .infinity
        return policy
    }

    /// One kind of flag alone, at this policy's threshold for it (the others off).
    package func only(_ kind: AnomalyFlag.Kind) -> AnomalyPolicy {
        AnomalyPolicy(
            fraudRiskThreshold: kind == .fraudRisk ? fraudRiskThreshold : .infinity,
            serialMismatch: kind == .serialMismatch,
            weightDeviation: kind == .weightDeviation ? weightDeviation : nil,
            customerReturnRate: kind == .customerReturnRate ? customerReturnRate : nil,
            customerMinOrders: customerMinOrders
        )
    }

    /// The flags a return raises, in a fixed order.
    package func flags(record: ReturnRecord, fraudRisk: Double) -> [AnomalyFlag] {
        var flags: [AnomalyFlag] = []
        if fraudRisk >= fraudRiskThreshold {
            flags.append(
                .init(
                    kind: .fraudRisk,
                    reason: "fraud risk \(percent(fraudRisk)) is at or above the \(percent(fraudRiskThreshold)) threshold"
                )
            )
        }
        return flags + signals(record: record)
    }

    private func signals(record: ReturnRecord) -> [AnomalyFlag] {
        var flags: [AnomalyFlag] = []
        if serialMismatch, record.serialMatches == false {
            flags.append(.init(kind: .serialMismatch, reason: "serial number does not match the one shipped"))
        }
        if let threshold = weightDeviation, let deviation = Self.weightDeviation(record), abs(deviation) >= threshold,
            let declared = record.weightKgDeclared, let measured = record.weightKgMeasured
        {
            flags.append(
                .init(
                    kind: .weightDeviation,
                    reason: "weighs \(percent(abs(deviation))) \(deviation < 0 ? "less" : "more") than declared "
                        + "(\(format(measured)) kg against \(format(declared)) kg)"
                )
            )
        }
        if let threshold = customerReturnRate, let rate = customerReturnRate(record), rate >= threshold,
            let orders = record.customerOrders12m, let returns = record.customerReturns12m
        {
            flags.append(
                .init(kind: .customerReturnRate, reason: "customer returned \(returns) of \(orders) orders in 12 months (\(percent(rate)))")
            )
        }
        return flags
    }

    /// `measured / declared − 1`, when both weights are known.
    package static func weightDeviation(_ record: ReturnRecord) -> Double? {
        guard let declared = record.weightKgDeclared, let measured = record.weightKgMeasured, declared > 0 else { return nil }
        let deviation = measured / declared - 1
        return deviation.isFinite ? deviation : nil
    }

    /// The customer's 12-month return rate, when they have at least ``customerMinOrders`` orders.
    package func customerReturnRate(_ record: ReturnRecord) -> Double? {
        guard let orders = record.customerOrders12m, let returns = record.customerReturns12m, orders >= max(1, customerMinOrders) else {
            return nil
        }
        return Double(returns) / Double(orders)
    }
}

/// A lane policy's `anomaly` section: overrides of the bundle's fitted flags, each optional (absent: the bundle's).
package struct AnomalyOverrides: Sendable, Codable, Equatable {
    package var fraudRiskThreshold: Double?
    package var serialMismatch: Bool?
    /// A number switches the rule on at that threshold; `false` switches it off.
    package var weightDeviation: RuleSetting?
    package var customerReturnRate: RuleSetting?
    package var customerMinOrders: Int?

    /// A threshold rule's override: on at a threshold, or off.
    package enum RuleSetting: Sendable, Codable, Equatable {
        case on(Double)
        case off

        package init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let flag = try? c.decode(Bool.self) {
                guard !flag else {
                    throw DecodingError.dataCorruptedError(in: c, debugDescription: "a rule is switched on with its threshold, not true")
                }
                self = .off
            } else {
                self = .on(try c.decode(Double.self))
            }
        }

        package func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .on(let threshold): try c.encode(threshold)
            case .off: try c.encode(false)
            }
        }

        var threshold: Double? {
            if case .on(let t) = self { t } else { nil }
        }
    }

    package init() {}

    /// The policy with these overrides applied.
    package func applied(to fitted: AnomalyPolicy) -> AnomalyPolicy {
        var policy = fitted
        if let fraudRiskThreshold { policy.fraudRiskThreshold = fraudRiskThreshold }
        if let serialMismatch { policy.serialMismatch = serialMismatch }
        if let weightDeviation { policy.weightDeviation = weightDeviation.threshold }
        if let customerReturnRate { policy.customerReturnRate = customerReturnRate.threshold }
        if let customerMinOrders { policy.customerMinOrders = customerMinOrders }
        return policy
    }

    func validate() throws(LanePolicyError) {
        if let t = fraudRiskThreshold, !(0...1).contains(t) {
            throw .invalidSetting("anomaly.fraudRiskThreshold must be in [0, 1], got \(t)")
        }
        if let t = weightDeviation?.threshold, !(t > 0 && t.isFinite) {
            throw .invalidSetting("anomaly.weightDeviation must be a number > 0 or false, got \(t)")
        }
        if let t = customerReturnRate?.threshold, !(t > 0 && t.isFinite) {
            throw .invalidSetting("anomaly.customerReturnRate must be a number > 0 or false, got \(t)")
        }
        if let n = customerMinOrders, n < 1 { throw .invalidSetting("anomaly.customerMinOrders must be >= 1, got \(n)") }
    }
}

func percent(_ x: Double) -> String { wholePercent(x) }
func format(_ x: Double) -> String { String(format: "%.2f", x) }
