package import Foundation
package import RecoupFeatures
package import RecoupLearning

/// Everything Recoup scores with, as one versioned artifact: the fitted feature spec and the three heads, with
/// where they came from (training-data fingerprint, hyper-parameters, validation metrics, why each learner won).
///
/// On disk: `models/<version>/bundle.json` (``formatVersion`` first) and `models/<version>/bundle.sha256`
/// (`sha256sum` format). `models/ACTIVE` names the version to serve. See ``ModelBundle/load(from:)``.
package struct ModelBundle: Sendable, Equatable {
    /// The format this code writes and reads.
    package static let currentFormatVersion = 1

    package var formatVersion: Int
    /// The bundle's name, also its folder's.
    package var version: String
    package var createdAt: Date
    /// The feature spec fitted on the training split, and its fingerprint at training time.
    package var featureSpec: FittedFeatureSpec
    package var featureSpecFingerprint: String
    package var trainingData: TrainingDataInfo
    package var disposition: DispositionHead
    package var fraud: FraudHead
    package var recovery: RecoveryHead
    /// The flags, fitted to the review team's capacity; `nil` for a bundle trained before they were.
    package var flagging: FlagCalibration?
    /// The training split's distributions, for drift monitoring; `nil` for a bundle trained before profiles were.
    package var profile: ReferenceProfile?
    /// The request-stage heads: trained with the feature spec's receipt fields missing, for a return requested but not
    /// yet received; `nil` for a bundle trained before stages were.
    package var requestStage: StageHeads?

    /// The receipt-stage heads: the bundle's own.
    package var receiptStage: StageHeads {
        get { StageHeads(disposition: disposition, fraud: fraud, recovery: recovery) }
        set { (disposition, fraud, recovery) = (newValue.disposition, newValue.fraud, newValue.recovery) }
    }

    package init(
        version: String,
        createdAt: Date,
        featureSpec: FittedFeatureSpec,
        trainingData: TrainingDataInfo,
        disposition: DispositionHead,
        fraud: FraudHead,
        recovery: RecoveryHead,
        flagging: FlagCalibration? = nil,
        profile: ReferenceProfile? = nil
    ) {
        self.formatVersion = Self.currentFormatVersion
        self.version = version
        self.createdAt = createdAt
        self.featureSpec = featureSpec
        self.featureSpecFingerprint = featureSpec.fingerprint
        self.trainingData = trainingData
        self.disposition = disposition
        self.fraud = fraud
        self.recovery = recovery
        self.flagging = flagging
        self.profile = profile
    }
}

/// Where the training data came from and how it was split.
package struct TrainingDataInfo: Sendable, Codable, Equatable {
    enum CodingKeys: String, CodingKey {
        case fingerprint, source, rows
        case trainRows = "train_rows"
        case validationRows = "validation_rows"
        case validationFrom = "validation_from"
        case testRows = "test_rows"
        case testFrom = "test_from"
        case seed
    }

    /// SHA-256 of the training file's bytes.
    package var fingerprint: String
    package var source: String
    package var rows: Int
    package var trainRows: Int
    package var validationRows: Int
    /// Orders on or after this date (and before ``testFrom``) are the validation split.
    package var validationFrom: String
    /// Rows held out as the test split; `nil` for a bundle trained without one.
    package var testRows: Int?
    /// Orders on or after this date are the test split.
    package var testFrom: String?
    package var seed: UInt64

    package init(
        fingerprint: String,
        source: String,
        rows: Int,
        trainRows: Int,
        validationRows: Int,
        validationFrom: String,
        testRows: Int? = nil,
        testFrom: String? = nil,
        seed: UInt64
    ) {
        self.fingerprint = fingerprint
        self.source = source
        self.rows = rows
        self.trainRows = trainRows
        self.validationRows = validationRows
        self.validationFrom = validationFrom
        self.testRows = testRows
        self.testFrom = testFrom
        self.seed = seed
    }
}

/// One learner tried for a head, with its validation metrics: the record of why the head's learner was chosen.
package struct CandidateReport: Sendable, Codable, Equatable {
    enum CodingKeys: String, CodingKey {
        case learner
        case hyperParameters = "hyper_parameters"
        case metrics
        case fitSeconds = "fit_seconds"
    }

    package var learner: String
    /// The hyper-parameters, as JSON text.
    package var hyperParameters: String
    /// Validation metrics by name (lower or higher is better depending on the metric; see ``selectedBy``).
    package var metrics: [String: Double]
    package var fitSeconds: Double

    package init(learner: String, hyperParameters: String, metrics: [String: Double], fitSeconds: Double) {
        self.learner = learner
        self.hyperParameters = hyperParameters
        self.metrics = metrics
        self.fitSeconds = fitSeconds
    }
}

/// Which candidate a head kept and why.
package struct Selection: Sendable, Codable, Equatable {
    enum CodingKeys: String, CodingKey {
        case candidates
        case selectedBy = "selected_by"
        case chosen, reason, search
    }

    package var candidates: [CandidateReport]
    /// The metric compared, e.g. `log_loss` (lower is better) or `pr_auc` (higher is better).
    package var selectedBy: String
    package var chosen: String
    /// One sentence: "trees: validation log_loss 0.812 against logistic 0.861".
    package var reason: String
    /// How the trees candidate was tuned, when `recoup train` searched (`--budget` above 0).
    package var search: TreeSearchRecord?

    package init(candidates: [CandidateReport], selectedBy: String, chosen: String, reason: String, search: TreeSearchRecord? = nil) {
        self.candidates = candidates
        self.selectedBy = selectedBy
        self.chosen = chosen
        self.reason = reason
        self.search = search
    }
}

/// The three heads of one stage.
package struct StageHeads: Sendable, Equatable, Codable {
    package var disposition: DispositionHead
    package var fraud: FraudHead
    package var recovery: RecoveryHead

    package init(disposition: DispositionHead, fraud: FraudHead, recovery: RecoveryHead) {
        self.disposition = disposition
        self.fraud = fraud
        self.recovery = recovery
    }
}

/// The disposition head: 8 classes, in `Disposition.allCases` order.
package struct DispositionHead: Sendable, Equatable, Codable {
    package var learner: HeadLearner
    package var validation: ClassificationMetrics
    /// The metrics on the held-out test split (`nil` without one).
    package var test: ClassificationMetrics?
    package var selection: Selection

    package init(learner: HeadLearner, validation: ClassificationMetrics, selection: Selection) {
        self.learner = learner
        self.validation = validation
        self.selection = selection
    }
}

/// The fraud head: a binary classifier and the calibration of its probability.
package struct FraudHead: Sendable, Equatable, Codable {
    package var learner: HeadLearner
    package var calibration: Calibrator
    package var validation: BinaryMetrics
    /// The metrics of the calibrated risk on the held-out test split (`nil` without one).
    package var test: BinaryMetrics?
    package var selection: Selection

    package init(learner: HeadLearner, calibration: Calibrator, validation: BinaryMetrics, selection: Selection) {
        self.learner = learner
        self.calibration = calibration
        self.validation = validation
        self.selection = selection
    }
}

/// The recovery-value head: boosted trees and the residual bands of its 80% interval.
package struct RecoveryHead: Sendable, Equatable, Codable {
    enum CodingKeys: String, CodingKey {
        case model, interval, validation, test
        case intervalCoverage = "interval_coverage"
        case testIntervalCoverage = "test_interval_coverage"
        case selection
    }

    package var model: TreeEnsemble
    package var interval: ResidualBands
    package var validation: RegressionMetrics
    /// Share of validation targets inside their 80% interval.
    package var intervalCoverage: Double
    /// The metrics on the held-out test split, and the share of its targets inside their interval (`nil` without one).
    package var test: RegressionMetrics?
    package var testIntervalCoverage: Double?
    package var selection: Selection

    package init(model: TreeEnsemble, interval: ResidualBands, validation: RegressionMetrics, intervalCoverage: Double, selection: Selection) {
        self.model = model
        self.interval = interval
        self.validation = validation
        self.intervalCoverage = intervalCoverage
        self.selection = selection
    }
}
