// RecoupScoring: from a record to an assessment, and what a bundle is.
//
// Owns the model bundle (format, checksum, loading), the scorer (three heads, calibration, interval, reasons), the
// lane policy (routing), the flags (fitted in the bundle, overridden by the lane policy) and the priority policy: the
// one place where the rank key and its schedule are computed. Also the contract's scored output (CSV and JSON) and the API's error object.

internal import Foundation
package import RecoupCore
package import RecoupFeatures
package import RecoupLearning

/// Scores returns with a model bundle and a lane policy: records → ``Assessment``s.
///
/// A bundle with a request stage scores a record that carries none of the feature spec's receipt fields (a return
/// requested, not yet received) with its request-stage heads, and any other record with its receipt-stage heads;
/// a caller may ask for a stage (`stage:`). The request stage always scores the record with its receipt fields removed,
/// so that it cannot see them.
///
/// A batch runs the feature extractor once over all rows, the logistic heads through one gemm each and the trees
/// through the flat predictor, then finishes each row (calibration, interval, anomaly flags, lane, priority and,
/// when asked, reasons). A `Scorer` is immutable and shared by reference across tasks.
///
/// ```swift
/// let scorer = try Scorer(bundle: ModelBundle.loadActive(from: modelsURL), policy: .default)
/// let assessments = scorer.assess(records)
/// ```
package final class Scorer: Sendable {
    package let bundle: ModelBundle
    /// The stage this scorer's heads belong to.
    package let stage: ScoringStage
    /// The request stage's scorer: the bundle with its request-stage heads; `nil` for a bundle without them (and for the
    /// request stage itself).
    package let requestStage: Scorer?
    /// The fields the request stage does not see (the feature spec's receipt fields).
    package let receiptFields: [ContractField]
    package let policy: LanePolicy
    package let extractor: FeatureExtractor
    /// The flags in force: the bundle's fitted ones (or neutral ones for an older bundle) with the lane policy's
    /// overrides applied.
    package let anomaly: AnomalyPolicy
    let explainer: Explainer
    /// Reasons per head in ``Assessment/reasons``.
    package let reasonsPerHead = 3
    /// Puts scored returns in the bundle's reference profile's buckets; `nil` for a bundle without a profile.
    package let profileCounter: ProfileCounter?

    package convenience init(bundle: ModelBundle, policy: LanePolicy) {
        let request = bundle.requestStage.map { heads in
            var requestBundle = bundle
            requestBundle.receiptStage = heads
            requestBundle.requestStage = nil
            return Scorer(bundle: requestBundle, policy: policy, stage: .request, requestStage: nil)
        }
        self.init(bundle: bundle, policy: policy, stage: .receipt, requestStage: request)
    }

    private init(bundle: ModelBundle, policy: LanePolicy, stage: ScoringStage, requestStage: Scorer?) {
        self.bundle = bundle
        self.stage = stage
        self.requestStage = requestStage
        self.receiptFields = bundle.featureSpec.spec.receiptOnlyFields
        self.policy = policy
        self.extractor = FeatureExtractor(bundle.featureSpec)
        self.anomaly = policy.anomaly.applied(to: bundle.flagging?.policy ?? .neutral)
        self.explainer = Explainer(bundle.featureSpec)
        self.profileCounter = bundle.profile.map(ProfileCounter.init)
    }

    package var version: String { bundle.version }

    /// The three heads' outputs for a batch of feature rows.
    package struct HeadOutputs: Sendable {
        /// `rows × 8` disposition probabilities.
        package var disposition: Matrix<Double>
        package var fraudRisk: [Double]
        package var recovery: [Double]
    }

    /// Runs the three heads over feature matrices (`workers`: cores the trees may use; `nil`: all).
    package func predict(_ m: FeatureMatrices, workers: Int? = nil) -> HeadOutputs {
        let disposition = bundle.disposition.learner.probabilities(dense: m.dense, binned: m.binned, workers: workers)
        let fraud = bundle.fraud.learner.probabilities(dense: m.dense, binned: m.binned, workers: workers)
        let calibration = bundle.fraud.calibration
        let risk = (0..<m.rows).map { calibration(fraud[$0, 1]) }
        let recovery = bundle.recovery.model.predict(m.binned, workers: workers).values.map { max(0, $0) }
        return HeadOutputs(disposition: disposition, fraudRisk: risk, recovery: recovery)
    }

    /// The stage a record is scored at: `requested` when given, otherwise `request` when it carries none of the receipt
    /// fields. Always `receipt` for a bundle without a request stage.
    package func stage(of record: ReturnRecord, requested: ScoringStage? = nil) -> ScoringStage {
        guard requestStage != nil else { return .receipt }
        return requested ?? (record.carriesAny(of: receiptFields) ? .receipt : .request)
    }

    /// Assesses a batch. Rows are independent: the result for a record is the same in any batch.
    ///
    /// With `parallel`, a batch of 256 rows or more is split between the cores, each part running the whole pipeline
    /// (features, heads, finishing) on its own: one level of parallelism, no hand-offs between stages. Without it
    /// (the server, which runs parts on its own thread pool), everything runs on the calling thread.
    package func assess(_ records: [ReturnRecord], explain: Bool = true, parallel: Bool = true, stage: ScoringStage? = nil) -> [Assessment] {
        byStage(records, requested: stage, explain: explain, parallel: parallel) { rows in
            let records = rows.map { $0.map { records[$0] } } ?? records
            guard records.count > 1 else { return records.map { assessOne($0, explain: explain) } }
            return inParts(records.count, parallel: parallel) { range in
                assessSerially(records[range], features: extractor.extract(Array(records[range]), values: explain, parallel: false), explain: explain)
            }
        }
    }

    /// Assesses records whose feature rows are already extracted (row `i` of `features` is `records[i]`): what
    /// `recoup score` does after reading its CSV through the fused path, which makes both in one pass. (Records taken by
    /// the request stage are extracted again without their receipt fields.)
    package func assess(
        _ records: [ReturnRecord],
        features: FeatureMatrices,
        explain: Bool = true,
        parallel: Bool = true,
        stage: ScoringStage? = nil
    ) -> [Assessment] {
        precondition(features.rows == records.count, "\(features.rows) feature rows for \(records.count) records")
        return byStage(records, requested: stage, explain: explain, parallel: parallel) { rows in
            let (records, features) = rows.map { rows in (rows.map { records[$0] }, features.rows(rows)) } ?? (records, features)
            return inParts(records.count, parallel: parallel) { range in
                assessSerially(records[range], features: range.count == records.count ? features : features.rows(range), explain: explain)
            }
        }
    }

    /// Sends the records the request stage takes to it (without their receipt fields) and the others to `receipt` (given
    /// their rows, or `nil` for all), and puts the assessments back in input order.
    private func byStage(
        _ records: [ReturnRecord],
        requested: ScoringStage?,
        explain: Bool,
        parallel: Bool,
        receipt: ([Int]?) -> [Assessment]
    ) -> [Assessment] {
        // The common case (every record received) costs one look at each record's receipt fields.
        guard let requestStage, requested != .receipt,
            let first = records.firstIndex(where: { stage(of: $0, requested: requested) == .request })
        else { return receipt(nil) }
        var requestRows: [Int] = []
        var receiptRows = Array(0..<first)
        for i in first..<records.count {
            if stage(of: records[i], requested: requested) == .request { requestRows.append(i) } else { receiptRows.append(i) }
        }
        let requested = requestStage.assess(requestRows.map { records[$0].removing(receiptFields) }, explain: explain, parallel: parallel)
        if receiptRows.isEmpty { return requested }
        var merged = [Assessment?](repeating: nil, count: records.count)
        for (row, assessment) in zip(requestRows, requested) { merged[row] = assessment }
        for (row, assessment) in zip(receiptRows, receipt(receiptRows)) { merged[row] = assessment }
        return merged.map { $0! }
    }

    /// `body` over contiguous parts of `0..<count`, one per core when `parallel` and the batch is large enough.
    private func inParts(_ count: Int, parallel: Bool, _ body: @Sendable (Range<Int>) -> [Assessment]) -> [Assessment] {
        let parts = parallel && count >= 256 ? min(Parallel.processorCount, count / 128) : 1
        if parts <= 1 { return body(0..<count) }
        return Parallel.map(parts) { part in body((count * part / parts)..<(count * (part + 1) / parts)) }.flatMap { $0 }
    }

    /// The whole pipeline on one core.
    ///
    /// Explaining, the fraud and recovery trees are walked once per row for both the prediction and its attribution
    /// (a path attribution ends on the leaf a prediction adds), so they are not predicted for the batch first.
    func assessSerially(_ records: ArraySlice<ReturnRecord>, features m: FeatureMatrices, explain: Bool) -> [Assessment] {
        let heads = explain ? nil : predict(m, workers: 1)
        let disposition = heads?.disposition ?? bundle.disposition.learner.probabilities(dense: m.dense, binned: m.binned, workers: 1)
        var work = explain ? Attribution(groups: explainer.groups.count) : nil
        var assessments: [Assessment] = []
        assessments.reserveCapacity(records.count)
        for (i, record) in records.enumerated() {
            let dense = m.dense.row(i)
            let bins = m.binned.row(i)
            let risk: Double
            let recovery: Double
            if work != nil {
                (risk, recovery) = explainedRiskAndRecovery(dense: dense, bins: bins, into: &work!)
            } else {
                (risk, recovery) = (heads!.fraudRisk[i], heads!.recovery[i])
            }
            assessments.append(
                finish(
                    record,
                    probabilities: Array(disposition.row(i)),
                    fraudRisk: risk,
                    recovery: recovery,
                    dense: dense,
                    bins: bins,
                    values: m.values?.row(i),
                    attribution: &work
                )
            )
        }
        return assessments
    }

    /// Assesses one record (the low-latency path; identical to its result in a batch).
    package func assess(_ record: ReturnRecord, explain: Bool = true, stage: ScoringStage? = nil) -> Assessment {
        if let requestStage, self.stage(of: record, requested: stage) == .request {
            return requestStage.assessOne(record.removing(receiptFields), explain: explain)
        }
        return assessOne(record, explain: explain)
    }

    /// Assesses one record with this scorer's heads.
    private func assessOne(_ record: ReturnRecord, explain: Bool) -> Assessment {
        let row = extractor.extract(record, values: explain)
        let dense = row.dense[...]
        let bins = row.bins[...]
        let probabilities = bundle.disposition.learner.probabilities(dense: dense, bins: bins)
        var work = explain ? Attribution(groups: explainer.groups.count) : nil
        let risk: Double
        let recovery: Double
        if work != nil {
            (risk, recovery) = explainedRiskAndRecovery(dense: dense, bins: bins, into: &work!)
        } else {
            risk = bundle.fraud.calibration(bundle.fraud.learner.probabilities(dense: dense, bins: bins)[1])
            recovery = max(0, bundle.recovery.model.predict(row: bins)[0])
        }
        return finish(
            record,
            probabilities: probabilities,
            fraudRisk: risk,
            recovery: recovery,
            dense: dense,
            bins: bins,
            values: row.values?[...],
            attribution: &work
        )
    }

    /// Calibrated heads → interval, flags, lane, priority, reasons.
    func finish(
        _ record: ReturnRecord,
        probabilities: [Double],
        fraudRisk: Double,
        recovery: Double,
        dense: ArraySlice<Float>,
        bins: ArraySlice<UInt8>,
        values: ArraySlice<Float>?,
        attribution: inout Attribution?
    ) -> Assessment {
        let interval = bundle.recovery.interval.interval(recovery)
        let anomalies = anomaly.flags(record: record, fraudRisk: fraudRisk)
        let facts = RoutingFacts(
            record: record,
            dispositionProbabilities: probabilities,
            fraudRisk: fraudRisk,
            recoveryValue: recovery,
            anomalies: anomalies
        )
        let lane = policy.route(facts)
        // The key an item would have entering the queue now (only relative times matter at entry).
        let entry = Date(timeIntervalSinceReferenceDate: 0)
        let terms = policy.rankTerms(record: record, fraudRisk: fraudRisk, recoveryValue: recovery, lane: lane, enqueuedAt: entry)
        let priority = PriorityPolicy.key(terms, at: entry)
        let disposition = facts.disposition
        return Assessment(
            returnID: record.returnID,
            disposition: disposition,
            dispositionProbabilities: probabilities,
            fraudRisk: fraudRisk,
            recoveryValue: recovery,
            recoveryValueLow: min(interval.low, recovery),
            recoveryValueHigh: max(interval.high, recovery),
            lane: lane.name,
            priority: priority,
            anomalies: anomalies,
            reasons: attribution == nil
                ? []
                : reasons(
                    record,
                    disposition: disposition,
                    fraudRisk: fraudRisk,
                    dense: dense,
                    bins: bins,
                    values: values,
                    attribution: &attribution!
                ),
            modelVersion: bundle.version,
            stage: stage
        )
    }
}
