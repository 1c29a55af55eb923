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
        @Option(
            help: ArgumentHelp(
                "Only the returns ordered on or after this date (YYYY-MM-DD).",
                discussion: "E.g. a bundle's validation_from: the period its flags were fitted on, when the data spans a longer one."
            )
        )
        var since: String?
        @Flag(help: "Print a JSON list, one object per bundle (headline metrics and flags), instead of the table.") var json = false

        func validate() throws {
            if let since, Day(parsing: since) == nil { throw ValidationError("--since must be a date YYYY-MM-DD, got \"\(since)\"") }
        }

        func run() throws {
            let batch: ReturnBatch
            do { batch = try ReturnCSVReader.read(InputFiles.read(data), labels: .require) } catch let e as ReturnInputError {
                throw CommandError("\(data): \(e.description)")
            }
            let from = since.flatMap { Day(parsing: $0) }
            let rows = batch.labelled.filter { from == nil || $0.record.orderDate >= from! }
            guard !rows.isEmpty else {
                throw CommandError("\(data) has no valid labelled rows\(since.map { " ordered since \($0)" } ?? "") (\(batch.errors.count) invalid)")
            }
            if !batch.errors.isEmpty {
                FileHandle.standardError.write(Data("skipped \(batch.errors.count) invalid rows; first: \(batch.errors[0])\n".utf8))
            }
            let bundles = [model] + (compare.map { [$0] } ?? [])
            let evaluations = try bundles.map { Evaluation(scorer: try CommandSupport.scorer(model: $0, lanePolicy: lanePolicy), rows: rows) }
            print(json ? try Self.json(evaluations) : Self.table(evaluations))
            if let report {
                try InputFiles.write(Array(EvaluationReport.html(evaluations, data: data).utf8), to: report)
                FileHandle.standardError.write(Data("report written to \(report)\n".utf8))
            }
        }

        static func table(_ evaluations: [Evaluation]) -> String {
            func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count + 1), withPad: " ", startingAt: 0) }
            let metrics = evaluations[0].headline.map { $0.metric + ($0.lowerIsBetter ? " (↓)" : " (↑)") }
            let metricWidth = (metrics.map(\.count).max() ?? 0) + 2
            let columnWidth = max(12, (evaluations.map(\.version.count).max() ?? 0) + 2)
            var lines = [pad("head", 13) + pad("metric", metricWidth) + evaluations.map { pad($0.version, columnWidth) }.joined()]
            for (i, m) in evaluations[0].headline.enumerated() {
                lines.append(
                    pad(m.head, 13) + pad(metrics[i], metricWidth)
                        + evaluations.map { pad(String(format: "%.4f", $0.headline[i].value), columnWidth) }.joined()
                )
            }
            lines.append(pad("lanes", 13) + evaluations[0].laneMix.map { "\($0.lane) \($0.count)" }.joined(separator: ", "))
            for e in evaluations { lines.append(pad("flags", 13) + Self.flagLine(e)) }
            return lines.map { String($0.reversed().drop { $0 == " " }.reversed()) }.joined(separator: "\n")
        }

        /// One object per bundle: its version, rows, headline metrics by head and its flags.
        static func json(_ evaluations: [Evaluation]) throws -> String {
            struct Flags: Encodable {
                var reviewRate: Double?
                var quality: FlagQuality
                var modelPrecisionAtFlagRate: Double
            }
            struct Bundle: Encodable {
                var version: String
                var rows: Int
                var metrics: [String: [String: Double]]
                var flags: Flags
            }
            let bundles = evaluations.map { e in
                Bundle(
                    version: e.version,
                    rows: e.rows,
                    metrics: Dictionary(grouping: e.headline, by: \.head).mapValues {
                        Dictionary(uniqueKeysWithValues: $0.map { ($0.metric, $0.value) })
                    },
                    flags: Flags(reviewRate: e.reviewRate, quality: e.flags, modelPrecisionAtFlagRate: e.modelPrecisionAtFlagRate)
                )
            }
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: try encoder.encode(bundles), as: UTF8.self)
        }

        /// The flags of one bundle: rate against the review rate, precision against the fraud head's at that rate,
        /// then per kind.
        static func flagLine(_ e: Evaluation) -> String {
            func pct(_ x: Double) -> String { String(format: "%.1f%%", 100 * x) }
            let target = e.reviewRate.map { " (review rate \(pct($0)))" } ?? " (no review rate: bundle without fitted flags)"
            let kinds = e.flags.byKind.filter { $0.flagged > 0 }.map { "\($0.kind.rawValue) \($0.flagged) at \(pct($0.precision))" }
            return "\(e.version): \(pct(e.flags.flagRate)) flagged\(target), precision \(pct(e.flags.precision)) "
                + "(fraud head at that rate \(pct(e.modelPrecisionAtFlagRate))), recall \(pct(e.flags.recall))"
                + (kinds.isEmpty ? "" : "; by kind: " + kinds.joined(separator: ", "))
        }
    }
}
