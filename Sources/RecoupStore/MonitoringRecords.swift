package import Foundation
package import RecoupCore

/// A model's predictions for one return, exactly as computed (the stored JSON answer rounds them): what live accuracy
/// is measured on.
package struct PredictionValues: Sendable, Equatable {
    /// Probability of each disposition, in `Disposition.allCases` order.
    package var dispositionProbabilities: [Double]
    package var fraudRisk: Double
    package var recoveryValue: Double
    /// The 80% interval around ``recoveryValue``.
    package var recoveryValueLow: Double
    package var recoveryValueHigh: Double

    package init(dispositionProbabilities: [Double], fraudRisk: Double, recoveryValue: Double, recoveryValueLow: Double, recoveryValueHigh: Double) {
        self.dispositionProbabilities = dispositionProbabilities
        self.fraudRisk = fraudRisk
        self.recoveryValue = recoveryValue
        self.recoveryValueLow = recoveryValueLow
        self.recoveryValueHigh = recoveryValueHigh
    }

    /// A certain prediction: all the probability on `disposition`, a zero-width interval around `recoveryValue`.
    package static func certain(_ disposition: Disposition, fraudRisk: Double, recoveryValue: Double) -> PredictionValues {
        PredictionValues(
            dispositionProbabilities: Disposition.allCases.map { $0 == disposition ? 1 : 0 },
            fraudRisk: fraudRisk,
            recoveryValue: recoveryValue,
            recoveryValueLow: recoveryValue,
            recoveryValueHigh: recoveryValue
        )
    }

    private static let storedFormat: UInt8 = 1

    /// Little-endian doubles after a format byte: the probabilities, then risk, value, low and high.
    package func storedBytes() -> Data {
        StoredDoubles.bytes(format: Self.storedFormat, dispositionProbabilities + [fraudRisk, recoveryValue, recoveryValueLow, recoveryValueHigh])
    }

    /// Predictions read back from ``storedBytes()``.
    package init(storedBytes bytes: Data, returnID: String) throws(StoreError) {
        guard let x = StoredDoubles.numbers(bytes, format: Self.storedFormat), x.count == Disposition.allCases.count + 4 else {
            throw .corrupt("the stored predictions of return \(returnID) are not in format \(Self.storedFormat) (\(bytes.count) bytes)")
        }
        let k = Disposition.allCases.count
        self.init(
            dispositionProbabilities: Array(x[0..<k]),
            fraudRisk: x[k],
            recoveryValue: x[k + 1],
            recoveryValueLow: x[k + 2],
            recoveryValueHigh: x[k + 3]
        )
    }
}

/// Numbers as a store keeps them in a blob: a format byte, then little-endian doubles.
enum StoredDoubles {
    static func bytes(format: UInt8, _ numbers: [Double]) -> Data {
        var bytes = Data([format])
        bytes.reserveCapacity(1 + 8 * numbers.count)
        for x in numbers { withUnsafeBytes(of: x.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        return bytes
    }

    /// The numbers of ``bytes(format:_:)``; `nil` for another format or a length that is not 1 + 8k.
    static func numbers(_ bytes: Data, format: UInt8) -> [Double]? {
        guard bytes.first == format, (bytes.count - 1) % 8 == 0 else { return nil }
        return bytes.withUnsafeBytes { raw in
            (0..<((bytes.count - 1) / 8)).map {
                Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 1 + 8 * $0, as: UInt64.self)))
            }
        }
    }
}

/// Where one ingested return falls in a model's monitoring profile: one cell of the count vector per distribution.
package struct ProfileCells: Sendable, Equatable {
    package var modelVersion: String
    package var cells: [UInt16]

    package init(modelVersion: String, cells: [UInt16]) {
        self.modelVersion = modelVersion
        self.cells = cells
    }
}

/// The shadow challenger's assessment of an ingested return: stored beside the champion's, never served or queued.
package struct ShadowAssessment: Sendable, Equatable {
    package var modelVersion: String
    package var predictions: PredictionValues

    package init(modelVersion: String, predictions: PredictionValues) {
        self.modelVersion = modelVersion
        self.predictions = predictions
    }
}

/// A model's profile counts over some days (their layout is the model's).
package struct ProfileTotals: Sendable, Equatable {
    package var modelVersion: String
    package var counts: ProfileCounts

    package init(modelVersion: String, counts: ProfileCounts = ProfileCounts()) {
        self.modelVersion = modelVersion
        self.counts = counts
    }

    /// The counts as stored: little-endian 64-bit integers.
    package static func storedBytes(_ values: [Int64]) -> Data {
        var bytes = Data()
        bytes.reserveCapacity(8 * values.count)
        for v in values { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        return bytes
    }

    /// Counts read back from ``storedBytes(_:)``.
    package static func values(storedBytes bytes: Data, modelVersion: String) throws(StoreError) -> [Int64] {
        guard bytes.count % 8 == 0 else {
            throw .corrupt("the stored profile counts of model \(modelVersion) are \(bytes.count) bytes, not a multiple of 8")
        }
        return bytes.withUnsafeBytes { raw in
            (0..<(bytes.count / 8)).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
        }
    }
}

/// An inspected return as monitoring reads it: the predictions it was queued with, the graded truth and, when a
/// shadow challenger scored it too, the challenger's predictions.
package struct MonitoredOutcome: Sendable, Equatable {
    package var returnID: String
    package var modelVersion: String
    package var predictions: PredictionValues
    /// Disposition and recovery value from the inspection; fraud confirmed at the station or by the risk team.
    package var labels: ReturnLabels
    package var inspectedAt: Date
    package var shadow: ShadowAssessment?

    package init(
        returnID: String,
        modelVersion: String,
        predictions: PredictionValues,
        labels: ReturnLabels,
        inspectedAt: Date,
        shadow: ShadowAssessment?
    ) {
        self.returnID = returnID
        self.modelVersion = modelVersion
        self.predictions = predictions
        self.labels = labels
        self.inspectedAt = inspectedAt
        self.shadow = shadow
    }
}
