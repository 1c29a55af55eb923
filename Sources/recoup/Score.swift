internal import ArgumentParser
internal import Foundation
internal import RecoupCore
internal import RecoupFeatures
internal import RecoupSQLite
internal import RecoupScoring
internal import RecoupStore

extension Recoup {
    /// `recoup score`: batch scoring of a CSV file through the same pipeline as the server.
    struct Score: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score a CSV of returns; write the contract's scored output (one row per input row, errors included)."
        )

        @Option(help: "The model bundle folder (default: the one models/ACTIVE names).") var model: String?
        @Option(help: "Returns to score, contract CSV (labels ignored; .gz accepted; - for stdin).") var data: String
        @Option(help: "Output file (- for stdout).") var out: String = "-"
        @Option(help: "Output format: csv (the contract's scored output) or json (the answer of POST /v1/score).")
        var format: OutputFormat = .csv
        @Option(help: "A lane policy JSON file replacing the shipped default.") var lanePolicy: String?
        @Flag(help: "Skip the reasons (faster).") var noReasons = false
        @Option(help: "Score every row at this stage: request or receipt (default: each row's from the fields it carries).")
        var stage: Stage?

        enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
            case csv, json
        }

        enum Stage: String, ExpressibleByArgument, CaseIterable {
            case request, receipt
            var scoring: ScoringStage { ScoringStage(rawValue: rawValue)! }
        }

        func run() throws {
            let scorer = try CommandSupport.scorer(model: model, lanePolicy: lanePolicy)
            if stage == .request, scorer.requestStage == nil {
                throw CommandError("model \(scorer.version) has no request stage (it was trained before stages); retrain it with recoup train")
            }
            // The fused path: each CSV row is parsed, validated, turned into feature rows and a record in one pass.
            let input: CSVFeatureExtraction
            do {
                input = try scorer.extractor.extract(csv: InputFiles.read(data), labels: .ignore, records: true)
            } catch let e as ReturnInputError {
                throw CommandError("\(data): \(e.description)")
            }
            let assessments = scorer.assess(input.records, features: input.matrices, explain: !noReasons, stage: stage?.scoring)
            // Rows in input order: scored records and failures interleaved by line.
            var rows: [(line: Int, result: Result<Assessment, RecordErrors>)] = zip(input.lines, assessments).map { ($0, .success($1)) }
            var failures: [Int: [RecordError]] = [:]
            for error in input.errors { failures[error.position.line, default: []].append(error) }
            rows += failures.map { ($0.key, .failure(RecordErrors($0.value))) }
            rows.sort { $0.line < $1.line }
            let bytes: [UInt8]
            switch format {
            case .csv:
                var writer = CSVWriter(reservingCapacity: rows.count * 400)
                writer.appendRow(ScoredOutput.csvHeader)
                for row in rows {
                    switch row.result {
                    case .success(let a): writer.appendRow(ScoredOutput.csvFields(a))
                    case .failure(let errors):
                        writer.appendRow(ScoredOutput.csvFailure(returnID: errors.errors[0].returnID, error: errors.description))
                    }
                }
                bytes = writer.bytes
            case .json:
                var writer = JSONWriter(reservingCapacity: rows.count * 1300)
                ScoredOutput.writeAnswer(modelVersion: scorer.version, scored: assessments.count, failed: failures.count, into: &writer) { w in
                    for (i, row) in rows.enumerated() {
                        if i > 0 { w.raw(",") }
                        switch row.result {
                        case .success(let a): ScoredOutput.write(a, into: &w)
                        case .failure(let errors): ScoredOutput.writeFailure(errors.errors, into: &w)
                        }
                    }
                }
                bytes = writer.bytes
            }
            try InputFiles.write(bytes, to: out)
            FileHandle.standardError.write(
                Data("scored \(assessments.count) returns with \(scorer.version); \(failures.count) rows could not be scored\n".utf8)
            )
            for warning in input.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        }
    }

    /// `recoup export-labels`: inspected returns with their labels, as a training CSV.
    struct ExportLabels: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export-labels",
            abstract: "Write every inspected return with its labels (contract CSV), ready for recoup train."
        )

        @Option(help: StoreAccess.help) var db: String = "var/recoup.sqlite"
        @Option(help: "Output CSV (- for stdout).") var out: String

        func run() async throws {
            let rows = try await StoreAccess.withStore(db) { database in try await database.inspectedReturns() }
            try InputFiles.write(ReturnRecord.csv(rows.map(\.record), labels: rows.map(\.labels)), to: out)
            FileHandle.standardError.write(Data("exported \(rows.count) inspected returns\n".utf8))
        }
    }
}

extension RecordPosition {
    /// The CSV line (0 for other positions).
    var line: Int {
        if case .line(let l) = self { return l }
        return 0
    }
}
