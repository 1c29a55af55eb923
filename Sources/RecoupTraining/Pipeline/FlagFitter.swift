internal import Foundation
internal import RecoupCore
internal import RecoupScoring

/// Sizes the flags to the review team (``FlagCalibration``):
///
/// 1. Each threshold rule's threshold from the training split: the 99.5th percentile of its signal among the returns
///    that were not fraud (a weight deviation or a customer return rate that 1 honest return in 200 reaches).
/// 2. Each rule measured on the validation split, next to the fraud head flagging as many returns: a rule is on by
///    default only when it is at least as precise (and flags at least a handful), and, most precise first, only while
///    the rules on together stay within the review rate.
/// 3. The fraud-risk threshold on the validation split, so that the returns flagged by any kind (the rules that are
///    on, then the highest risks) are the review rate.
/// 4. The flags as fitted, measured on the validation split and on the held-out test split.
struct FlagFitter {
    let reviewRate: Double
    /// The share of honest returns a rule's threshold lets through.
    static let honestFalseAlarmRate = 0.005
    /// Fewest flags a rule needs on the validation split to be measured, hence switched on.
    static let minimumEvidence = 5

    struct Split {
        var rows: [LabelledReturn]
        /// Calibrated fraud risk of each row.
        var risk: [Double]
    }

    func fit(train: [LabelledReturn], validation: Split, test: Split?) -> FlagCalibration {
        var policy = AnomalyPolicy.neutral
        let honest = train.filter { !$0.labels.fraudFlag }.map(\.record)
        policy.weightDeviation = Self.quantile(honest.compactMap { AnomalyPolicy.weightDeviation($0).map(abs) }, 1 - Self.honestFalseAlarmRate)
        policy.customerReturnRate = Self.quantile(honest.compactMap(policy.customerReturnRate), 1 - Self.honestFalseAlarmRate)

        // Each rule alone on the validation split, against the model flagging as many returns.
        let rows = validation.rows.indices
        let fraud = validation.rows.map(\.labels.fraudFlag)
        let byRisk = rows.sorted { validation.risk[$0] > validation.risk[$1] }
        let target = Int((reviewRate * Double(rows.count)).rounded())
        var measures: [RuleMeasure] = []
        var flaggedBy: [AnomalyFlag.Kind: Set<Int>] = [:]
        let candidates: [(AnomalyFlag.Kind, Double?)] = [
            (.serialMismatch, nil), (.weightDeviation, policy.weightDeviation), (.customerReturnRate, policy.customerReturnRate),
        ]
        for (kind, threshold) in candidates where kind == .serialMismatch || threshold != nil {
            let alone = policy.only(kind)
            let flagged = rows.filter { !alone.flags(record: validation.rows[$0].record, fraudRisk: 0).isEmpty }
            flaggedBy[kind] = Set(flagged)
            let precision = Self.share(flagged.filter { fraud[$0] }.count, of: flagged.count)
            let model = Self.share(byRisk.prefix(flagged.count).filter { fraud[$0] }.count, of: flagged.count)
            measures.append(
                RuleMeasure(
                    kind: kind,
                    threshold: threshold,
                    rate: Self.share(flagged.count, of: rows.count),
                    precision: precision,
                    modelPrecisionAtSameRate: model,
                    enabled: flagged.count >= Self.minimumEvidence && precision >= model
                )
            )
        }
        // The rules that earned their place, most precise first, as long as together they leave room in the review rate.
        var byRules = Set<Int>()
        for i in measures.indices.sorted(by: { measures[$0].precision > measures[$1].precision }) where measures[i].enabled {
            let union = byRules.union(flaggedBy[measures[i].kind]!)
            if union.count > target { measures[i].enabled = false } else { byRules = union }
        }
        let on = Set(measures.filter(\.enabled).map(\.kind))
        policy.serialMismatch = on.contains(.serialMismatch)
        if !on.contains(.weightDeviation) { policy.weightDeviation = nil }
        if !on.contains(.customerReturnRate) { policy.customerReturnRate = nil }

        // The risk threshold: the highest risks among the returns no rule flags fill the review rate. It sits halfway
        // between the last risk in and the first one out, so that the same return scored again lands on the same side.
        let others = byRisk.filter { !byRules.contains($0) }
        let wanted = min(target - byRules.count, others.count)
        if wanted <= 0 {
            policy.fraudRiskThreshold = 1.0.nextUp
        } else if wanted == others.count {
            policy.fraudRiskThreshold = validation.risk[others[wanted - 1]]
        } else {
            policy.fraudRiskThreshold = (validation.risk[others[wanted - 1]] + validation.risk[others[wanted]]) / 2
        }

        return FlagCalibration(
            reviewRate: reviewRate,
            policy: policy,
            rules: measures,
            validation: Self.quality(policy, validation),
            test: test.map { Self.quality(policy, $0) }
        )
    }

    /// The flags of `policy` measured on a labelled split.
    static func quality(_ policy: AnomalyPolicy, _ split: Split) -> FlagQuality {
        FlagQuality(
            flags: zip(split.rows, split.risk).map { policy.flags(record: $0.0.record, fraudRisk: $0.1) },
            fraud: split.rows.map(\.labels.fraudFlag)
        )
    }

    /// The `q` quantile of values (nearest rank), or `nil` with fewer than 20 values to measure it on.
    static func quantile(_ values: [Double], _ q: Double) -> Double? {
        guard values.count >= 20 else { return nil }
        let sorted = values.sorted()
        let value = sorted[min(sorted.count - 1, Int((q * Double(sorted.count)).rounded(.up)) - 1)]
        return value > 0 ? value : nil
    }

    static func share(_ part: Int, of whole: Int) -> Double { whole > 0 ? Double(part) / Double(whole) : 0 }
}
