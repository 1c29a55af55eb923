package import RecoupCore

/// The facts a lane rule can test: the record's fields and the heads' outputs, by their contract names.
package struct RoutingFacts: Sendable {
    package var record: ReturnRecord
    package var dispositionProbabilities: [Double]
    package var fraudRisk: Double
    package var recoveryValue: Double
    package var anomalies: [AnomalyFlag]

    package init(
        record: ReturnRecord,
        dispositionProbabilities: [Double],
        fraudRisk: Double,
        recoveryValue: Double,
        anomalies: [AnomalyFlag] = []
    ) {
        self.record = record
        self.dispositionProbabilities = dispositionProbabilities
        self.fraudRisk = fraudRisk
        self.recoveryValue = recoveryValue
        self.anomalies = anomalies
    }

    /// The most probable disposition.
    package var disposition: Disposition {
        Disposition.mostProbable(dispositionProbabilities)
    }

    /// A value a rule can compare.
    package enum Value: Sendable, Equatable {
        case number(Double)
        case text(String)
        case flag(Bool)
        case missing
    }

    /// The fields rules may name, with how to read each. Category-like strings are compared lower-cased.
    package static let fields: [String: @Sendable (RoutingFacts) -> Value] = {
        var f: [String: @Sendable (RoutingFacts) -> Value] = [
            "disposition": { .text($0.disposition.rawValue) },
            "disposition_confidence": { .number($0.dispositionProbabilities[$0.disposition.index]) },
            "fraud_risk": { .number($0.fraudRisk) },
            "recovery_value": { .number($0.recoveryValue) },
            "anomaly": { .flag(!$0.anomalies.isEmpty) },
            "category": { .text(ReturnRecord.normalized($0.record.category)) },
            "brand_tier": { .text(ReturnRecord.normalized($0.record.brandTier)) },
            "channel": { .text(ReturnRecord.normalized($0.record.channel)) },
            "warehouse_id": { .text(ReturnRecord.normalized($0.record.warehouseID)) },
            "payment_method": { .text(ReturnRecord.normalized($0.record.paymentMethod)) },
            "reason_code": { .text($0.record.reasonCode.rawValue) },
            "unit_price": { .number($0.record.unitPrice) },
            "quantity": { .number(Double($0.record.quantity)) },
            "refund_amount": { .number($0.record.refundAmount) },
            "is_gift": { .flag($0.record.isGift) },
            "promo_flag": { .flag($0.record.promoFlag) },
            "received": { .flag($0.record.receivedDate != nil) },
            "has_serial": { optional($0.record.hasSerial) },
            "serial_matches": { optional($0.record.serialMatches) },
            "accessories_complete": { optional($0.record.accessoriesComplete) },
            "package_condition": { optionalText($0.record.packageCondition) },
            "item_condition_grade": { optionalText($0.record.itemConditionGrade) },
            "days_in_season_remaining": { optional($0.record.daysInSeasonRemaining.map(Double.init)) },
            "sku_sell_through_30d": { optional($0.record.skuSellThrough30d) },
            "inventory_on_hand": { optional($0.record.inventoryOnHand.map(Double.init)) },
        ]
        for d in Disposition.allCases {
            f["p_\(d.rawValue)"] = { .number($0.dispositionProbabilities[d.index]) }
        }
        return f
    }()

    /// The value of a named field, or `nil` when no such field exists.
    package func value(of field: String) -> Value? {
        Self.fields[field].map { $0(self) }
    }
}

private func optional(_ v: Bool?) -> RoutingFacts.Value { v.map { .flag($0) } ?? .missing }
private func optional(_ v: Double?) -> RoutingFacts.Value { v.map { .number($0) } ?? .missing }
private func optionalText(_ v: String?) -> RoutingFacts.Value { v.map { .text(ReturnRecord.normalized($0)) } ?? .missing }
