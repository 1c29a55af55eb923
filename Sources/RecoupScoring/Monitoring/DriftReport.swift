internal import Foundation
package import RecoupCore

/// How far a distribution has moved, by its population stability index.
package enum DriftSeverity: String, Sendable, Codable, Comparable {
    case none, moderate, major

    package static func < (a: DriftSeverity, b: DriftSeverity) -> Bool {
        [.none, .moderate, .major].firstIndex(of: a)! < [.none, .moderate, .major].firstIndex(of: b)!
    }
}

/// The PSI levels at which drift is `moderate` and `major` (the common 0.1 and 0.25 by default).
package struct DriftThresholds: Sendable, Equatable {
    package var moderate: Double
    package var major: Double

    package init(moderate: Double = 0.1, major: Double = 0.25) {
        self.moderate = moderate
        self.major = major
    }

    package static let standard = DriftThresholds()

    /// Checks `0 < moderate < major`.
    package func validate() throws(DriftError) {
        guard moderate.isFinite, major.isFinite, moderate > 0, major > moderate else {
            throw .invalidThresholds("the drift thresholds must satisfy 0 < moderate < major, got moderate \(moderate), major \(major)")
        }
    }

    package func severity(_ psi: Double) -> DriftSeverity {
        psi >= major ? .major : psi >= moderate ? .moderate : .none
    }
}

/// A drift computation that cannot run.
package enum DriftError: Error, Equatable, CustomStringConvertible {
    case invalidThresholds(String)
    case noProfile(version: String)

    package var description: String {
        switch self {
        case .invalidThresholds(let message): message
        case .noProfile(let version):
            "model \(version) has no reference profile (it was trained before profiles were written); train it again to monitor drift"
        }
    }
}

/// One distribution's drift: its PSI over the value buckets (missing values apart) and the missing share on its own.
package struct DriftRow: Sendable, Equatable {
    /// The contract field's or head's name.
    package var name: String
    /// A head's prediction rather than a field.
    package var isPrediction: Bool
    /// Population stability index between the reference and the live value buckets; `nil` with too few live rows.
    package var psi: Double?
    package var severity: DriftSeverity?
    /// Share of live rows where the value was missing, and the same in the reference.
    package var missingShare: Double?
    package var referenceMissingShare: Double
    /// Per bucket: its label, the reference share and the live share (of the non-missing values).
    package var buckets: [(label: String, reference: Double, live: Double)]

    package static func == (a: DriftRow, b: DriftRow) -> Bool {
        a.name == b.name && a.psi == b.psi && a.severity == b.severity && a.missingShare == b.missingShare
            && a.referenceMissingShare == b.referenceMissingShare
    }
}

/// Live returns against a bundle's reference profile: PSI per field and per prediction, largest first.
///
/// `PSI = Σ (live − reference) · ln(live / reference)` over the value buckets, each share smoothed by half a count per
/// bucket (`(count + 0.5) / (total + 0.5·buckets)`) so that an empty bucket keeps PSI finite. The missing share
/// is compared apart: a field that goes missing more often shows there, not as a shifted distribution.
package struct DriftReport: Sendable {
    /// Live rows needed before PSI is computed, unless told otherwise.
    package static let defaultMinRows = 500

    package var modelVersion: String
    /// Live returns counted.
    package var rows: Int
    package var minRows: Int
    package var thresholds: DriftThresholds
    /// Fields, largest PSI first.
    package var fields: [DriftRow]
    /// Predictions, largest PSI first.
    package var predictions: [DriftRow]
    /// The predictions per warehouse, the warehouse with the largest PSI first (empty for a profile without segments).
    package var segments: [DriftSegment]

    /// Whether there are enough live rows to compute PSI.
    package var enoughData: Bool { rows >= minRows }

    /// Whether PSI could be computed.
    package enum Status: String, Sendable, Encodable {
        case ok
        case notEnoughData = "not_enough_data"
    }

    package var status: Status { enoughData ? .ok : .notEnoughData }

    package init(
        modelVersion: String,
        reference: ReferenceProfile,
        live: ProfileCounts,
        minRows: Int = DriftReport.defaultMinRows,
        thresholds: DriftThresholds = .standard
    ) {
        self.modelVersion = modelVersion
        rows = live.rows
        self.minRows = minRows
        self.thresholds = thresholds
        let counter = ProfileCounter(reference)
        func counts(_ distribution: ProfileDistribution, block: Int) -> [Int64] {
            let offset = counter.offsets[block]
            return (0...distribution.bucketCount).map { offset + $0 < live.values.count ? live.values[offset + $0] : 0 }
        }
        func drift(_ distributions: [ProfileDistribution], first: Int, predictions: Bool, enough: Bool) -> [DriftRow] {
            distributions.enumerated().map { d, distribution in
                Self.row(distribution, live: counts(distribution, block: first + d), enough: enough, thresholds: thresholds, prediction: predictions)
            }
            .sorted { ($0.psi ?? -1, $1.name) > ($1.psi ?? -1, $0.name) }
        }
        fields = drift(reference.fields, first: 0, predictions: false, enough: live.rows >= minRows)
        predictions = drift(reference.predictions, first: reference.fields.count, predictions: true, enough: live.rows >= minRows)
        var block = reference.fields.count + reference.predictions.count
        var segments: [DriftSegment] = []
        for segment in reference.segments ?? [] {
            // Each return counts once in its segment: any one prediction's counts add up to the segment's rows. A
            // segment training never saw (a new warehouse) has nothing to compare with: no PSI (its returns show in
            // the `warehouse_id` field's `<unseen>` share).
            let rows = Int(segment.predictions.first.map { counts($0, block: block).reduce(0, +) } ?? 0)
            let trained = segment.predictions.first.map { $0.counts.reduce(0, +) + $0.missing } ?? 0
            segments.append(
                DriftSegment(
                    field: segment.field,
                    value: segment.value,
                    rows: rows,
                    predictions: drift(segment.predictions, first: block, predictions: true, enough: rows >= minRows && trained > 0)
                )
            )
            block += segment.predictions.count
        }
        self.segments = segments.sorted { ($0.largestPSI ?? -1, $1.value) > ($1.largestPSI ?? -1, $0.value) }
    }

    /// The largest PSI over the fields (`nil` without enough data).
    package var largestFieldPSI: Double? { fields.compactMap(\.psi).max() }

    static func row(_ d: ProfileDistribution, live: [Int64], enough: Bool, thresholds: DriftThresholds, prediction: Bool) -> DriftRow {
        let k = d.bucketCount
        let reference = d.counts.map(Double.init)
        let current = live.prefix(k).map(Double.init)
        let referenceTotal = reference.reduce(0, +)
        let liveTotal = current.reduce(0, +)
        let liveRows = liveTotal + Double(live[k])
        func shares(_ counts: [Double], _ total: Double) -> [Double] {
            counts.map { ($0 + 0.5) / (total + 0.5 * Double(k)) }
        }
        let e = shares(reference, referenceTotal)
        let a = shares(current, liveTotal)
        let psi = zip(a, e).reduce(0.0) { $0 + ($1.0 - $1.1) * log($1.0 / $1.1) }
        let referenceRows = referenceTotal + Double(d.missing)
        return DriftRow(
            name: d.name,
            isPrediction: prediction,
            psi: enough ? psi : nil,
            severity: enough ? thresholds.severity(psi) : nil,
            missingShare: liveRows > 0 ? Double(live[k]) / liveRows : nil,
            referenceMissingShare: referenceRows > 0 ? Double(d.missing) / referenceRows : 0,
            buckets: (0..<k).map {
                (d.bucketLabel($0), referenceTotal > 0 ? reference[$0] / referenceTotal : 0, liveTotal > 0 ? current[$0] / liveTotal : 0)
            }
        )
    }
}

/// One warehouse's predictions against its own training predictions.
package struct DriftSegment: Sendable, Encodable {
    /// `warehouse_id`, and the warehouse (or `<unseen>`: those not seen in training).
    package var field: String
    package var value: String
    /// Live returns of the segment; below the report's `min_rows`, no PSI.
    package var rows: Int
    /// Largest PSI first.
    package var predictions: [DriftRow]

    package var largestPSI: Double? { predictions.compactMap(\.psi).max() }
}

extension DriftReport: Encodable {
    enum CodingKeys: String, CodingKey {
        case modelVersion = "model_version"
        case rows
        case minRows = "min_rows"
        case status, thresholds, fields, predictions, segments
    }

    /// `{"model_version", "rows", "min_rows", "status": "ok" | "not_enough_data", "thresholds", "fields": [...],
    /// "predictions": [...], "segments": [{"field", "value", "rows", "predictions"}]}`: what `recoup drift --json` prints
    /// and the monitor route answers.
    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(modelVersion, forKey: .modelVersion)
        try c.encode(rows, forKey: .rows)
        try c.encode(minRows, forKey: .minRows)
        try c.encode(status, forKey: .status)
        try c.encode(["moderate": thresholds.moderate, "major": thresholds.major], forKey: .thresholds)
        try c.encode(fields, forKey: .fields)
        try c.encode(predictions, forKey: .predictions)
        try c.encode(segments, forKey: .segments)
    }
}

extension DriftRow: Encodable {
    enum CodingKeys: String, CodingKey {
        case field, head, psi, severity
        case missingShare = "missing_share"
        case referenceMissingShare = "reference_missing_share"
    }

    /// `{"field" (or "head" for a prediction), "psi", "severity", "missing_share", "reference_missing_share"}`; `psi`
    /// and `severity` are `null` without enough data.
    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: isPrediction ? .head : .field)
        try c.encode(psi, forKey: .psi)
        try c.encode(severity, forKey: .severity)
        if !isPrediction {
            try c.encode(missingShare, forKey: .missingShare)
            try c.encode(referenceMissingShare, forKey: .referenceMissingShare)
        }
    }
}

extension Scorer {
    /// Scores `records` and counts them into the bundle's reference profile's buckets: what `recoup drift` compares.
    /// - Throws: ``DriftError/noProfile(version:)`` for a bundle trained without a profile.
    package func drift(
        _ records: [ReturnRecord],
        minRows: Int = DriftReport.defaultMinRows,
        thresholds: DriftThresholds = .standard
    ) throws(DriftError) -> DriftReport {
        guard let profile = bundle.profile, let counter = profileCounter else { throw .noProfile(version: version) }
        let counts = counter.count(records, assess(records, explain: false).map(ScoredValues.init))
        return DriftReport(modelVersion: version, reference: profile, live: counts, minRows: minRows, thresholds: thresholds)
    }
}
