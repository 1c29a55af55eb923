internal import Dispatch
package import Foundation
package import RecoupCore
package import RecoupFeatures
internal import RecoupLearning
package import RecoupScoring

/// Something the pipeline reports while it works (the CLI draws progress bars from these).
package enum TrainingEvent: Sendable {
    /// A stage began (`read`, `split`, `features`, `disposition`, `fraud`, `recovery`, `bundle`).
    case stage(String)
    /// A learner made progress: head, learner, iteration, of at most.
    case iteration(head: String, learner: String, iteration: Int, of: Int)
    /// A stage finished after some seconds.
    case finished(String, seconds: Double)
}

/// What a training run produced.
package struct TrainingOutcome: Sendable {
    package var bundle: ModelBundle
    /// Rows skipped as invalid, and the first few errors.
    package var skippedRows: Int
    package var firstErrors: [RecordError]
    package var warnings: [InputWarning]
    /// Seconds per stage, in order.
    package var timings: [(stage: String, seconds: Double)]
}

/// Trains the three heads on labelled returns and assembles a ``ModelBundle``.
///
/// 1. Read the CSV (labels required; invalid rows are skipped and reported, a missing column stops at once).
/// 2. Split by time: the latest `validationFraction` of orders (by `order_date`) are the validation split.
/// 3. Fit the feature spec on the training split; extract both splits.
/// 4. Disposition and fraud: fit logistic regression and boosted trees (early stopping on validation), score blends,
///    keep the best on the validation metric (log-loss; PR-AUC for fraud) and record why; calibrate fraud with Platt
///    scaling when it lowers log-loss on held-out halves.
/// 5. Recovery: boosted trees with squared error and with a Tweedie log link; keep the lower validation RMSE;
///    an 80% interval from validation residuals per band of prediction.
package struct TrainingPipeline: Sendable {
    package var configuration: TrainingConfiguration
    /// The feature spec to fit; `nil` = the shipped default.
    package var spec: FeatureSpec?
    package var events: (@Sendable (TrainingEvent) -> Void)?

    package init(configuration: TrainingConfiguration = .init(), spec: FeatureSpec? = nil, events: (@Sendable (TrainingEvent) -> Void)? = nil) {
        self.configuration = configuration
        self.spec = spec
        self.events = events
    }

    /// Checks everything that can be checked before reading data: settings and the feature spec.
    package func validate() throws(TrainingError) {
        try configuration.validate()
        _ = try resolvedSpec()
    }

    func resolvedSpec() throws(TrainingError) -> FeatureSpec {
        do {
            let spec = try spec ?? FeatureSpec.default
            try spec.validate()
            return spec
        } catch {
            throw .featureSpec("\(error)")
        }
    }

    /// Trains on a labelled CSV document.
    /// - Parameters:
    ///   - version: the bundle's name; by default the creation time and the data fingerprint.
    package func run(csv: [UInt8], source: String, version: String? = nil, now: Date = Date()) throws(TrainingError) -> TrainingOutcome {
        try configuration.validate()
        let spec = try resolvedSpec()
        var timings: [(String, Double)] = []
        func stage<T>(_ name: String, _ body: () throws(TrainingError) -> T) throws(TrainingError) -> T {
            events?(.stage(name))
            let start = DispatchTime.now().uptimeNanoseconds
            let result = try body()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            timings.append((name, seconds))
            events?(.finished(name, seconds: seconds))
            return result
        }

        let batch = try stage("read") { () throws(TrainingError) -> ReturnBatch in
            guard csv.contains(where: { $0 == UInt8(ascii: "\n") }) || !csv.isEmpty else { throw .emptyInput(source: source) }
            do {
                return try ReturnCSVReader.read(csv, labels: .require)
            } catch {
                throw .unreadableInput("\(source): \("\(error)")")
            }
        }
        guard !batch.returns.isEmpty else {
            if let first = batch.errors.first { throw .noValidRows(source: source, errors: batch.errors.count, first: first.description) }
            throw .emptyInput(source: source)
        }
        let rows = batch.returns.map { LabelledReturn(record: $0.record, labels: $0.labels!) }
        try Self.checkClasses(rows)

        let split = try stage("split") { () throws(TrainingError) -> TimeSplit in
            try TimeSplit(rows, validationFraction: configuration.validationFraction)
        }
        let data = try stage("features") { () throws(TrainingError) -> SplitData in
            let fitted: FittedFeatureSpec
            let records: [ReturnRecord] = split.train.map { $0.record }
            do { fitted = try spec.fit(records) } catch { throw .featureSpec("\(error)") }
            return SplitData(fitted: fitted, train: split.train, validation: split.validation)
        }
        let trainer = HeadTrainer(configuration: configuration, data: data, events: events)
        let disposition = try stage("disposition") { () throws(TrainingError) in try trainer.disposition() }
        let fraud = try stage("fraud") { () throws(TrainingError) in try trainer.fraud() }
        let recovery = try stage("recovery") { () throws(TrainingError) in try trainer.recovery() }

        let fingerprint = ModelBundle.sha256(csv)
        let bundle = ModelBundle(
            version: version ?? Self.versionName(now: now, fingerprint: fingerprint),
            createdAt: now,
            featureSpec: data.fitted,
            trainingData: TrainingDataInfo(
                fingerprint: fingerprint,
                source: source,
                rows: rows.count,
                trainRows: split.train.count,
                validationRows: split.validation.count,
                validationFrom: split.validationFrom.description,
                seed: configuration.seed
            ),
            disposition: disposition,
            fraud: fraud,
            recovery: recovery
        )
        return TrainingOutcome(
            bundle: bundle,
            skippedRows: batch.errors.count,
            firstErrors: Array(batch.errors.prefix(5)),
            warnings: batch.warnings,
            timings: timings
        )
    }

    /// `YYYYMMDD-HHMMSS-<first 8 of the data fingerprint>` (UTC).
    static func versionName(now: Date, fingerprint: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return "\(formatter.string(from: now))-\(fingerprint.prefix(8))"
    }

    /// A head with one class has nothing to learn: say so before training.
    static func checkClasses(_ rows: [LabelledReturn]) throws(TrainingError) {
        let first = rows[0].labels
        if rows.allSatisfy({ $0.labels.disposition == first.disposition }) {
            throw .singleClass(head: "disposition", value: first.disposition.rawValue)
        }
        if rows.allSatisfy({ $0.labels.fraudFlag == first.fraudFlag }) {
            throw .singleClass(head: "fraud", value: first.fraudFlag ? "fraud" : "not fraud")
        }
    }
}

/// Training and validation rows split by order date.
struct TimeSplit {
    var train: [LabelledReturn]
    var validation: [LabelledReturn]
    var validationFrom: Day

    /// The latest `validationFraction` of orders go to validation; all orders of the boundary day go to the same side.
    init(_ rows: [LabelledReturn], validationFraction: Double) throws(TrainingError) {
        let dates = rows.map(\.record.orderDate).sorted()
        let boundary = dates[min(dates.count - 1, Int(Double(dates.count) * (1 - validationFraction)))]
        train = rows.filter { $0.record.orderDate < boundary }
        validation = rows.filter { $0.record.orderDate >= boundary }
        validationFrom = boundary
        guard train.count >= 20 else { throw .tooFewRows(split: "training", rows: train.count) }
        guard validation.count >= 20 else { throw .tooFewRows(split: "validation", rows: validation.count) }
    }
}

/// The fitted spec and both splits as matrices and label arrays.
struct SplitData: Sendable {
    let fitted: FittedFeatureSpec
    let train: FeatureMatrices
    let validation: FeatureMatrices
    let trainLabels: [ReturnLabels]
    let validationLabels: [ReturnLabels]

    init(fitted: FittedFeatureSpec, train: [LabelledReturn], validation: [LabelledReturn]) {
        let extractor = FeatureExtractor(fitted)
        self.fitted = fitted
        self.train = extractor.extract(train.map(\.record))
        self.validation = extractor.extract(validation.map(\.record))
        self.trainLabels = train.map(\.labels)
        self.validationLabels = validation.map(\.labels)
    }
}
