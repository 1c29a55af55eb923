internal import ArgumentParser
internal import Foundation
internal import RecoupCore
internal import RecoupFeatures
internal import RecoupScoring
internal import RecoupTraining

extension Recoup {
    /// `recoup train`: fit the three heads on labelled returns and write a new model bundle.
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train the disposition, fraud and recovery heads on labelled returns; write a model bundle.",
            discussion: """
                Splits by time (latest orders for validation), fits the feature spec, trains every learner each head \
                allows, keeps the best on the validation metric and records why. The bundle is written atomically to \
                <out>/<version>/ and its path is the last line of the output (with --json, a JSON object).
                """
        )

        @Option(help: "Labelled training data: contract CSV with disposition, fraud_flag and recovery_value (.gz accepted).")
        var data: String
        @Option(help: "A feature spec JSON file (default: the shipped spec).") var spec: String?
        @Option(help: "A training configuration JSON file (any subset of the settings).") var config: String?
        @Option(help: "Folder to write the bundle into.") var out: String = "models"
        @Option(help: "Random seed (overrides the configuration's).") var seed: UInt64?
        @Option(
            help: ArgumentHelp(
                "Time for the trees' hyper-parameter search, shared between the heads: 90s, 5m, 1h (default 90s; 0 fits the configured trees as they are).",
                valueName: "duration"
            )
        )
        var budget: SearchBudget?
        @Option(help: "Share of returns the risk team can review, in (0, 0.5] (default 0.02; overrides the configuration's).")
        var reviewRate: Double?
        @Option(help: "Bundle name (default: creation time and data fingerprint).") var name: String?
        @Flag(help: "Make the new bundle the active one (models/ACTIVE) when it passes the promotion gate.") var promote = false
        @Flag(help: "Print a JSON object with the bundle path and the metrics instead of text.") var json = false
        @Flag(help: "No progress output.") var quiet = false

        func validate() throws {
            if let reviewRate, !(reviewRate > 0 && reviewRate <= 0.5) {
                throw ValidationError("--review-rate must be in (0, 0.5], got \(reviewRate)")
            }
            if let name, name.isEmpty || name.contains("/") || name.hasPrefix(".") {
                throw ValidationError("--name must be a plain folder name, got \"\(name)\"")
            }
        }

        /// Builds the pipeline from the options, checking settings and the spec before any data is read.
        func pipeline(reporter: ProgressReporter?) throws -> TrainingPipeline {
            var configuration = TrainingConfiguration()
            if let config {
                configuration = try TrainingConfiguration.load(json: InputFiles.read(config), source: config)
            }
            if let seed { configuration.seed = seed }
            if let budget { configuration.budgetSeconds = budget.seconds }
            if let reviewRate { configuration.reviewRate = reviewRate }
            var featureSpec: FeatureSpec?
            if let spec {
                do { featureSpec = try FeatureSpec.decode(json: InputFiles.read(spec)) } catch let e as FeatureSpecError {
                    throw CommandError("\(spec): \(e.description)")
                }
            }
            var events: (@Sendable (TrainingEvent) -> Void)?
            if let reporter {
                events = { @Sendable event in reporter.handle(event) }
            }
            let pipeline = TrainingPipeline(configuration: configuration, spec: featureSpec, events: events)
            try pipeline.validate()
            return pipeline
        }

        func run() throws {
            let reporter = ProgressReporter(quiet: quiet || json)
            let pipeline = try pipeline(reporter: reporter)
            let bytes = try InputFiles.read(data)
            let outcome = try pipeline.run(csv: bytes, source: data, version: name)
            if outcome.skippedRows > 0 {
                reporter.note(
                    "skipped \(outcome.skippedRows) invalid rows; first: \(outcome.firstErrors.map(\.description).joined(separator: " | "))"
                )
            }
            for warning in outcome.warnings { reporter.note("warning: \(warning)") }
            let folder = try outcome.bundle.write(into: URL(fileURLWithPath: out))
            var promoted = false
            if promote {
                let gate = try PromotionCommand.gate(candidate: outcome.bundle, models: URL(fileURLWithPath: out), data: bytes, tolerance: 0.01)
                if gate.passed {
                    try ModelBundle.setActive(outcome.bundle.version, in: URL(fileURLWithPath: out))
                    promoted = true
                } else {
                    reporter.note("not promoted: \(gate.failures.joined(separator: "; "))")
                }
            }
            if json {
                print(try TrainingSummary(bundle: outcome.bundle, path: folder.path, promoted: promoted, timings: outcome.timings).json())
            } else {
                if !quiet { FileHandle.standardError.write(Data(TrainingSummary.text(outcome.bundle).utf8)) }
                if promoted, !quiet { FileHandle.standardError.write(Data("promoted: models/ACTIVE -> \(outcome.bundle.version)\n".utf8)) }
                print(folder.path)
            }
        }
    }
}

/// `--budget`: a duration in seconds, minutes or hours (`90s`, `5m`, `1.5h`; `120` is seconds).
struct SearchBudget: ExpressibleByArgument, Equatable {
    var seconds: Double

    init?(argument: String) {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
        var text = Substring(argument.lowercased())
        var unit = 1.0
        if let last = text.last, let scale = units[last] {
            unit = scale
            text = text.dropLast()
        }
        guard let value = Double(text), value >= 0, value.isFinite else { return nil }
        seconds = value * unit
    }
}
