internal import ArgumentParser
internal import Foundation
internal import RecoupCore
internal import RecoupScoring
internal import RecoupTraining

extension Recoup {
    /// `recoup promote`: make a bundle the active one, if it is no worse than the active one.
    struct Promote: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a bundle active (models/ACTIVE), gated: no head worse than the active bundle's beyond the tolerance."
        )

        @Argument(help: "The bundle folder (models/<version>).") var bundle: String
        @Option(help: "Labelled data to compare the two bundles on.") var data: String?
        @Option(help: "Relative tolerance: how much worse a head may be (0.01 = 1%).") var tolerance: Double = 0.01
        @Flag(help: "Promote even if the gate fails (or without --data).") var force = false

        func validate() throws {
            guard tolerance >= 0, tolerance < 1 else { throw ValidationError("--tolerance must be in [0, 1), got \(tolerance)") }
            guard force || data != nil else { throw ValidationError("--data is needed for the gate (or pass --force)") }
        }

        func run() throws {
            let folder = URL(fileURLWithPath: bundle).standardizedFileURL
            let candidate = try ModelBundle.load(from: folder)
            let models = folder.deletingLastPathComponent()
            guard folder.lastPathComponent == candidate.version else {
                throw CommandError("\(bundle) holds bundle \(candidate.version); its folder must be named after it")
            }
            if let data, !force {
                let gate = try PromotionCommand.gate(candidate: candidate, models: models, data: InputFiles.read(data), tolerance: tolerance)
                for c in gate.comparisons {
                    print("\(c.head) \(c.metric): candidate \(String(format: "%.4f", c.candidate)), active \(String(format: "%.4f", c.active))")
                }
                guard gate.passed else {
                    throw CommandError("not promoted: " + gate.failures.joined(separator: "; ") + " (use --force to override)")
                }
            }
            try ModelBundle.setActive(candidate.version, in: models)
            print("models/ACTIVE -> \(candidate.version)")
        }
    }
}

/// The gate shared by `recoup promote` and `recoup train --promote`.
enum PromotionCommand {
    /// Compares a candidate with the active bundle of `models` on labelled data (for a freshly trained candidate,
    /// only its validation split, which it has not trained on). Passes when nothing is active yet.
    static func gate(candidate: ModelBundle, models: URL, data: [UInt8], tolerance: Double) throws -> PromotionGate {
        guard let active = try? ModelBundle.loadActive(from: models), active.version != candidate.version else {
            return PromotionGate(
                candidate: Evaluation(scorer: Scorer(bundle: candidate, policy: .default), rows: []),
                active: nil,
                tolerance: tolerance
            )
        }
        let batch = try ReturnCSVReader.read(data, labels: .require)
        var rows = batch.returns.map { LabelledReturn(record: $0.record, labels: $0.labels!) }
        if let from = Day(parsing: candidate.trainingData.validationFrom) {
            let held = rows.filter { $0.record.orderDate >= from }
            if held.count >= 20 { rows = held }
        }
        guard !rows.isEmpty else { throw CommandError("the gate's data has no valid labelled rows") }
        return PromotionGate(
            candidate: Evaluation(scorer: Scorer(bundle: candidate, policy: .default), rows: rows),
            active: Evaluation(scorer: Scorer(bundle: active, policy: .default), rows: rows),
            tolerance: tolerance
        )
    }
}
