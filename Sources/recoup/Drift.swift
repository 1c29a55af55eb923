internal import ArgumentParser
internal import Foundation
internal import RecoupCore
internal import RecoupScoring
internal import RecoupTraining

extension Recoup {
    /// `recoup drift`: a file of returns against a bundle's reference profile, the same table the monitor route serves.
    struct Drift: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare returns (contract CSV; labels not needed) with a bundle's training data: PSI per field and per prediction.",
            discussion: """
                Each field the features use is binned as in training (quantile bins for numbers, levels for categories), \
                each head's predictions in deciles of the training predictions. Severity: none < moderate ≤ PSI < major. \
                The missing share is reported on its own.
                """
        )

        @Option(help: "The model bundle folder.") var model: String
        @Option(help: "Returns to compare (contract CSV; .gz accepted).") var data: String
        @Flag(help: "Print one JSON object instead of the table.") var json = false
        @Option(help: "Write a self-contained HTML report here.") var report: String?
        @Option(help: "Rows needed before PSI is computed.") var minRows: Int = DriftReport.defaultMinRows
        @Option(help: "PSI from which drift is moderate.") var moderate: Double = DriftThresholds.standard.moderate
        @Option(help: "PSI from which drift is major.") var major: Double = DriftThresholds.standard.major

        func validate() throws {
            guard minRows >= 1 else { throw ValidationError("--min-rows must be at least 1, got \(minRows)") }
            do { try DriftThresholds(moderate: moderate, major: major).validate() } catch {
                throw ValidationError("--moderate and --major: \(error)")
            }
        }

        func run() throws {
            let batch: ReturnBatch
            do { batch = try ReturnCSVReader.read(InputFiles.read(data), labels: .ignore) } catch let e as ReturnInputError {
                throw CommandError("\(data): \(e.description)")
            }
            guard !batch.returns.isEmpty else { throw CommandError("\(data) has no valid rows (\(batch.errors.count) invalid)") }
            if !batch.errors.isEmpty {
                FileHandle.standardError.write(Data("skipped \(batch.errors.count) invalid rows; first: \(batch.errors[0])\n".utf8))
            }
            let scorer = try CommandSupport.scorer(model: model, lanePolicy: nil)
            let drift: DriftReport
            do {
                drift = try scorer.drift(batch.records, minRows: minRows, thresholds: DriftThresholds(moderate: moderate, major: major))
            } catch { throw CommandError(error.description) }
            print(json ? try Self.json(drift) : Self.table(drift))
            if let report {
                try InputFiles.write(Array(DriftHTML.html(drift, data: data).utf8), to: report)
                FileHandle.standardError.write(Data("report written to \(report)\n".utf8))
            }
        }

        /// What `--json` prints: one object (see ``DriftReport``'s encoding).
        static func json(_ d: DriftReport) throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: try encoder.encode(d), as: UTF8.self)
        }

        static func table(_ d: DriftReport) -> String {
            func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count + 1), withPad: " ", startingAt: 0) }
            func number(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "–" }
            var lines = ["model \(d.modelVersion), \(d.rows) returns" + (d.enoughData ? "" : ": not enough data (at least \(d.minRows) rows)")]
            let width = max(28, (d.fields + d.predictions).map(\.name.count).max() ?? 0) + 2
            lines.append(pad("field", width) + pad("psi", 9) + pad("severity", 10) + pad("missing", 9) + "reference missing")
            for row in d.fields {
                lines.append(
                    pad(row.name, width) + pad(number(row.psi), 9) + pad(row.severity?.rawValue ?? "–", 10) + pad(number(row.missingShare), 9)
                        + number(row.referenceMissingShare)
                )
            }
            lines.append(pad("prediction", width) + pad("psi", 9) + "severity")
            for row in d.predictions { lines.append(pad(row.name, width) + pad(number(row.psi), 9) + (row.severity?.rawValue ?? "–")) }
            if !d.segments.isEmpty {
                let heads = d.predictions.map(\.name).sorted()
                lines.append(pad("warehouse", width) + pad("returns", 9) + heads.map { pad("\($0) psi", 22) }.joined())
                for segment in d.segments {
                    let values = heads.map { head in
                        let row = segment.predictions.first { $0.name == head }
                        return pad(number(row?.psi) + (row?.severity.map { $0 == .none ? "" : " \($0.rawValue)" } ?? ""), 22)
                    }
                    lines.append(pad(segment.value, width) + pad("\(segment.rows)", 9) + values.joined())
                }
            }
            return lines.map { String($0.reversed().drop { $0 == " " }.reversed()) }.joined(separator: "\n")
        }
    }
}
