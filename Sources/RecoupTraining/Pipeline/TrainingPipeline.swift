// RecoupTraining: what `recoup train`, `evaluate`, `replay` and `generate` do, as library code.
//
// Owns the training pipeline (time split with a held-out test split, candidates, selection, calibration, intervals),
// evaluation and the HTML report, the replay simulator and the synthetic data generator.

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
    /// A tree search fitted its `trial`-th trial of about `of`: the best validation metric so far and the estimated
    /// seconds left of the head's budget.
    case search(head: String, trial: Int, of: Int, metric: String, best: Double, secondsLeft: Double)
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
/// 2. Split by time (by `order_date`): the latest `testFraction` of orders are held out as the test split, the
///    `validationFraction` before them validate, the rest train.
/// 3. Fit the feature spec on the training split; extract every row through the fused CSV path.
/// 4. Disposition and fraud: fit logistic regression and boosted trees (early stopping on validation), score blends,
///    keep the best on the validation metric (log-loss; PR-AUC for fraud) and record why; calibrate fraud with Platt
///    scaling when it lowers log-loss on held-out halves.
/// 5. Recovery: boosted trees with squared error and with a Tweedie log link; keep the lower validation RMSE;
///    an 80% interval from validation residuals per band of prediction.
/// 6. Measure every head as chosen on the test split, which no choice above has seen.
/// 7. The request stage: the same candidates, selection and measures for the three heads on the same rows and splits
///    with the feature spec's receipt fields removed, for returns requested but not yet received.
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
        var stage = Stages(events: events)

        let (batch, rows, split, data) = try prepare(csv: csv, source: source, spec: spec, stage: &stage)
        let trainer = HeadTrainer(
            configuration: configuration,
            data: data,
            events: events,
            budgets: Self.searchBudgets(configuration, data: data)
        )
        var disposition = try stage("disposition") { () throws(TrainingError) in try trainer.disposition() }
        var fraud = try stage("fraud") { () throws(TrainingError) in try trainer.fraud() }
        var recovery = try stage("recovery") { () throws(TrainingError) in try trainer.recovery() }
        if let test = data.test {
            try stage("test") { () throws(TrainingError) in
                trainer.measureHeldOut(test, labels: data.testLabels, disposition: &disposition, fraud: &fraud, recovery: &recovery)
            }
        }
        let requestStage =
            try configuration.requestStage
            ? stage("request stage") { () throws(TrainingError) -> StageHeads in
                try Self.requestStage(
                    rows: rows,
                    data: data,
                    split: split,
                    configuration: configuration,
                    tuned: [
                        "disposition": disposition.selection.search, "fraud": fraud.selection.search, "recovery": recovery.selection.search,
                    ].compactMapValues { $0?.best.hyperParameters },
                    events: events
                )
            } : nil
        let flagging = try stage("flags") { () throws(TrainingError) -> FlagCalibration in
            func scored(_ indices: [Int], _ features: FeatureMatrices) -> FlagFitter.Split {
                let raw = fraud.learner.probabilities(dense: features.dense, binned: features.binned)
                return FlagFitter.Split(rows: indices.map { rows[$0] }, risk: (0..<raw.rows).map { fraud.calibration(raw[$0, 1]) })
            }
            return FlagFitter(reviewRate: configuration.reviewRate).fit(
                train: split.train.map { rows[$0] },
                validation: scored(split.validation, data.validation),
                test: data.test.map { scored(split.test, $0) }
            )
        }

        let fingerprint = ModelBundle.sha256(csv)
        var bundle = ModelBundle(
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
                testRows: split.test.isEmpty ? nil : split.test.count,
                testFrom: split.test.isEmpty ? nil : split.testFrom.description,
                seed: configuration.seed
            ),
            disposition: disposition,
            fraud: fraud,
            recovery: recovery,
            flagging: flagging
        )
        bundle.requestStage = requestStage
        bundle.profile = try stage("profile") { () throws(TrainingError) -> ReferenceProfile in
            // The training split as the scorer predicts it (from the rows already extracted): the reference live
            // returns are compared with.
            let heads = Scorer(bundle: bundle, policy: .default).predict(data.train)
            return ReferenceProfile.fit(spec: data.fitted, records: split.train.map { rows[$0].record }, heads: heads)
        }
        return TrainingOutcome(
            bundle: bundle,
            skippedRows: batch.errors.count,
            firstErrors: Array(batch.errors.prefix(5)),
            warnings: batch.warnings,
            timings: stage.timings
        )
    }

    /// Reads the CSV, splits it by time, fits the feature spec on the training split and extracts every row: the data
    /// every head is trained, validated and tested on.
    private func prepare(
        csv: [UInt8],
        source: String,
        spec: FeatureSpec,
        stage: inout Stages
    ) throws(TrainingError) -> (ReturnBatch, [LabelledReturn], TimeSplit, SplitData) {
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
            try TimeSplit(
                rows.map(\.record.orderDate),
                validationFraction: configuration.validationFraction,
                testFraction: configuration.testFraction
            )
        }
        let data = try stage("features") { () throws(TrainingError) -> SplitData in
            let fitted: FittedFeatureSpec
            do { fitted = try spec.fit(split.train.map { rows[$0].record }) } catch { throw .featureSpec("\(error)") }
            // Every row's features through the fused CSV path (the one `make bench` measures); its rows are the
            // records read above, in the same order, because both run the same validation.
            let extraction: CSVFeatureExtraction
            do { extraction = try FeatureExtractor(fitted).extract(csv: csv, labels: .require) } catch {
                throw .unreadableInput("\(source): \(error)")
            }
            precondition(extraction.matrices.rows == rows.count, "the fused path read \(extraction.matrices.rows) rows, the reader \(rows.count)")
            return SplitData(fitted: fitted, features: extraction.matrices, labels: rows.map(\.labels), split: split)
        }
        return (batch, rows, split, data)
    }

    /// The training, validation and test splits of a labelled CSV as `run` prepares them (the time split, the feature
    /// spec fitted on the training split, every row's matrices and labels), for the benchmarks that give other
    /// libraries exactly the data Recoup trains on (`recoup-bench export-matrices --training-splits`).
    package func splits(
        csv: [UInt8],
        source: String
    ) throws(TrainingError) -> (
        fitted: FittedFeatureSpec, splits: [(name: String, matrices: FeatureMatrices, labels: [ReturnLabels])]
    ) {
        try configuration.validate()
        var stage = Stages(events: events)
        let (_, _, _, data) = try prepare(csv: csv, source: source, spec: try resolvedSpec(), stage: &stage)
        var splits = [("train", data.train, data.trainLabels), ("validation", data.validation, data.validationLabels)]
        if let test = data.test { splits.append(("test", test, data.testLabels)) }
        return (data.fitted, splits)
    }

    /// Each head's share of the search budget (none when the budget is 0), in proportion to the estimated cost of its
    /// trees.
    static func searchBudgets(_ configuration: TrainingConfiguration, data: SplitData) -> [String: Double] {
        guard configuration.budgetSeconds > 0, configuration.useTrees else { return [:] }
        func trees(_ objective: Objective) -> GradientBoostedTrees.Configuration {
            var c = configuration.trees
            c.objective = objective
            return c
        }
        return TreeSearch.shares(
            configuration.budgetSeconds,
            heads: [
                ("disposition", trees(.multiclassSoftmax(classes: Disposition.allCases.count))),
                ("fraud", trees(.binaryLogLoss)),
                ("recovery", trees(.squaredError)),
            ],
            shape: .init(trainRows: data.train.binned.rows, validationRows: data.validation.binned.rows, features: data.train.binned.columns)
        )
    }

    /// The three heads trained and measured as the receipt stage's are, on the same rows and splits without the
    /// receipt fields (extracted again from the records, since the fused path reads every field). Heads whose trees
    /// the receipt stage searched fit the winning configuration (`tuned`) without a search of their own.
    static func requestStage(
        rows: [LabelledReturn],
        data: SplitData,
        split: TimeSplit,
        configuration: TrainingConfiguration,
        tuned: [String: GradientBoostedTrees.Configuration] = [:],
        events: (@Sendable (TrainingEvent) -> Void)?
    ) throws(TrainingError) -> StageHeads {
        let receiptFields = data.fitted.spec.receiptOnlyFields
        let features = FeatureExtractor(data.fitted).extract(rows.map { $0.record.removing(receiptFields) })
        let requestData = SplitData(fitted: data.fitted, features: features, labels: rows.map(\.labels), split: split)
        let trainer = HeadTrainer(
            configuration: configuration,
            data: requestData,
            events: events.map { events in
                { @Sendable event in
                    guard case .iteration(let head, let learner, let i, let n) = event else { return events(event) }
                    events(.iteration(head: "request \(head)", learner: learner, iteration: i, of: n))
                }
            },
            tuned: tuned
        )
        var heads = StageHeads(disposition: try trainer.disposition(), fraud: try trainer.fraud(), recovery: try trainer.recovery())
        if let test = requestData.test {
            trainer.measureHeldOut(
                test,
                labels: requestData.testLabels,
                disposition: &heads.disposition,
                fraud: &heads.fraud,
                recovery: &heads.recovery
            )
        }
        return heads
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

/// Runs the pipeline's steps one after the other, reporting and timing each.
struct Stages {
    let events: (@Sendable (TrainingEvent) -> Void)?
    private(set) var timings: [(stage: String, seconds: Double)] = []

    init(events: (@Sendable (TrainingEvent) -> Void)?) {
        self.events = events
    }

    mutating func callAsFunction<T>(_ name: String, _ body: () throws(TrainingError) -> T) throws(TrainingError) -> T {
        events?(.stage(name))
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try body()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        timings.append((name, seconds))
        events?(.finished(name, seconds: seconds))
        return result
    }
}

/// Rows split by order date: the earliest train, the next validate (early stopping, learner choice, blending,
/// calibration, intervals), the latest are held out as the test split that none of those has seen.
struct TimeSplit {
    var train: [Int] = []
    var validation: [Int] = []
    var test: [Int] = []
    var validationFrom: Day
    var testFrom: Day

    /// The latest `testFraction` of orders are the test split and the `validationFraction` before them validate; all
    /// orders of a boundary day go to the same side.
    init(_ orderDates: [Day], validationFraction: Double, testFraction: Double) throws(TrainingError) {
        let dates = orderDates.sorted()
        func boundary(_ share: Double) -> Day { dates[min(dates.count - 1, Int(Double(dates.count) * (1 - share)))] }
        testFrom = testFraction > 0 ? boundary(testFraction) : dates[dates.count - 1] + 1
        validationFrom = min(boundary(testFraction + validationFraction), testFrom)
        for (i, date) in orderDates.enumerated() {
            if date >= testFrom {
                test.append(i)
            } else if date >= validationFrom {
                validation.append(i)
            } else {
                train.append(i)
            }
        }
        guard train.count >= 20 else { throw .tooFewRows(split: "training", rows: train.count) }
        guard validation.count >= 20 else { throw .tooFewRows(split: "validation", rows: validation.count) }
        guard testFraction == 0 || test.count >= 20 else { throw .tooFewRows(split: "test", rows: test.count) }
    }
}

/// The fitted spec and the splits as matrices and label arrays.
struct SplitData: Sendable {
    let fitted: FittedFeatureSpec
    let train: FeatureMatrices
    let validation: FeatureMatrices
    /// `nil` when no test split is held out.
    let test: FeatureMatrices?
    let trainLabels: [ReturnLabels]
    let validationLabels: [ReturnLabels]
    let testLabels: [ReturnLabels]

    init(fitted: FittedFeatureSpec, features: FeatureMatrices, labels: [ReturnLabels], split: TimeSplit) {
        self.fitted = fitted
        train = features.rows(split.train)
        validation = features.rows(split.validation)
        test = split.test.isEmpty ? nil : features.rows(split.test)
        trainLabels = split.train.map { labels[$0] }
        validationLabels = split.validation.map { labels[$0] }
        testLabels = split.test.map { labels[$0] }
    }
}
