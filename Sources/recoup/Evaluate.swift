internal import ArgumentParser
internal import Foundation
internal import RecoupCore
internal import RecoupScoring
internal import RecoupTraining

extension Recoup {
    /// `recoup evaluate`: every head's metrics on labelled data, in the terminal and as an HTML report.
    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure a bundle (and optionally a second one) on labelled returns; write an HTML report with plots."
        )

        @Option(help: "The model bundle folder.") var model: String
        @Option(help: "Labelled returns (contract CSV with labels; .gz accepted).") var data: String
        @Option(help: "A second bundle to compare side by side.") var compare: String?
        @Option(help: "Write a self-contained HTML report here.") var report: String?
        @Option(help: "A lane policy JSON file replacing the shipped default.") var lanePolicy: String?

        func run() throws {
            let batch: ReturnBatch
            do { batch = try ReturnCSVReader.read(InputFiles.read(data), labels: .require) } catch let e as ReturnInputError {
                throw CommandError("\(data): \(e.description)")
            }
            let rows = batch.labelled
            guard !rows.isEmpty else { throw CommandError("\(data) has no valid labelled rows (\(batch.errors.count) invalid)") }
            if !batch.errors.isEmpty {
                FileHandle.standardError.write(Data("skipped \(batch.errors.count) invalid rows; first: \(batch.errors[0])\n".utf8))
            }
            let bundles = [model] + (compare.map { [$0] } ?? [])
            let evaluations = try bundles.map { Evaluation(scorer: try CommandSupport.scorer(model: $0, lanePolicy: lanePolicy), rows: rows) }
            print(Self.table(evaluations))
            if let report {
                try InputFiles.write(Array(EvaluationReport.html(evaluations, data: data).utf8), to: report)
                FileHandle.standardError.write(Data("report written to \(report)\n".utf8))
            }
        }

        static func table(_ evaluations: [Evaluation]) -> String {
            var lines = ["head         metric               " + evaluations.map { $0.version.padding(toLength: 24, withPad: " ", startingAt: 0) }.joined()]
            for (i, m) in evaluations[0].headline.enumerated() {
                let name = m.head.padding(toLength: 13, withPad: " ", startingAt: 0) + (m.metric + (m.lowerIsBetter ? " (↓)" : " (↑)")).padding(toLength: 21, withPad: " ", startingAt: 0)
                lines.append(name + evaluations.map { String(format: "%.4f", $0.headline[i].value).padding(toLength: 24, withPad: " ", startingAt: 0) }.joined())
            }
            lines.append("lanes        " + evaluations[0].laneMix.map { "\($0.lane) \($0.count)" }.joined(separator: ", "))
            return lines.joined(separator: "\n")
        }
    }
}
