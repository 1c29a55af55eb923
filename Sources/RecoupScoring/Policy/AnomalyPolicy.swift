internal import Foundation
package import RecoupCore
internal import RecoupFeatures

/// When a return is flagged for the risk team, and the sentence that says why.
///
/// A flag is raised by the fraud head (risk at or above ``fraudRiskThreshold``) or by a hard signal that needs no
/// model: a serial number that does not match, a measured weight far from the declared one, or a customer whose
/// return rate is far above the norm.
package struct AnomalyPolicy: Sendable, Codable, Equatable {
    /// Fraud risk at or above which a return is flagged.
    package var fraudRiskThreshold: Double
    /// Flag a scanned serial number that does not match the shipped one.
    package var serialMismatch: Bool
    /// Flag `|measured / declared − 1|` at or above this.
    package var weightDeviation: Double
    /// Flag customers with at least `customerMinOrders` orders in 12 months and a return rate at or above this.
    package var customerReturnRate: Double
    package var customerMinOrders: Int

    func validate() throws(LanePolicyError) {
        guard (0...1).contains(fraudRiskThreshold) else {
            throw .invalidSetting("anomaly.fraudRiskThreshold must be in [0, 1], got \(fraudRiskThreshold)")
        }
        guard weightDeviation > 0 else { throw .invalidSetting("anomaly.weightDeviation must be > 0, got \(weightDeviation)") }
        guard customerReturnRate > 0 else {
            throw .invalidSetting("anomaly.customerReturnRate must be > 0, got \(customerReturnRate)")
        }
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
        if serialMismatch, record.serialMatches == false {
            flags.append(.init(kind: .serialMismatch, reason: "serial number does not match the one shipped"))
        }
        if let declared = record.weightKgDeclared, let measured = record.weightKgMeasured, declared > 0 {
            let deviation = measured / declared - 1
            if abs(deviation) >= weightDeviation {
                flags.append(
                    .init(
                        kind: .weightDeviation,
                        reason: "weighs \(percent(abs(deviation))) \(deviation < 0 ? "less" : "more") than declared "
                            + "(\(format(measured)) kg against \(format(declared)) kg)"
                    )
                )
            }
        }
        if let orders = record.customerOrders12m, let returns = record.customerReturns12m, orders >= customerMinOrders {
            let rate = Double(returns) / Double(orders)
            if rate >= customerReturnRate {
                flags.append(
                    .init(
                        kind: .customerReturnRate,
                        reason: "customer returned \(returns) of \(orders) orders in 12 months (\(percent(rate)))"
                    )
                )
            }
        }
        return flags
    }
}

func percent(_ x: Double) -> String { wholePercent(x) }
func format(_ x: Double) -> String { String(format: "%.2f", x) }
