internal import ArgumentParser
internal import Foundation
internal import RecoupCore
internal import RecoupSQLite
internal import RecoupScoring

extension Recoup {
    /// `recoup score`: batch scoring of a CSV file through the same pipeline as the server.
    struct Score: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score a CSV of returns; write the contract's scored output (one row per input row, errors included)."
        )

        @Option(help: "The model bundle folder (default: the one models/ACTIVE names).") var model: String?
        @Option(help: "Returns to score, contract CSV (labels ignored; .gz accepted; - for stdin).") var data: String
        @Option(help: "Output CSV (- for stdout).") var out: String = "-"
        @Option(help: "A lane policy JSON file replacing the shipped default.") var lanePolicy: String?
        @Flag(help: "Skip the reasons (faster).") var noReasons = false

        func run() throws {
            let scorer = try CommandSupport.scorer(model: model, lanePolicy: lanePolicy)
            let batch: ReturnBatch
            do { batch = try ReturnCSVReader.read(InputFiles.read(data), labels: .ignore) } catch let e as ReturnInputError {
                throw CommandError("\(data): \(e.description)")
            }
            let assessments = scorer.assess(batch.records, explain: !noReasons)
            // Rows in input order: scored records and failures interleaved by line.
            var rows: [(line: Int, fields: [String?])] = zip(batch.returns, assessments).map { ($0.position.line, ScoredOutput.csvFields($1)) }
            var failed = Set<Int>()
            for error in batch.errors where failed.insert(error.position.line).inserted {
                let all = batch.errors.filter { $0.position == error.position }.map(\.description).joined(separator: "; ")
                rows.append((error.position.line, ScoredOutput.csvFailure(returnID: error.returnID, error: all)))
            }
            rows.sort { $0.line < $1.line }
            var writer = CSVWriter(reservingCapacity: rows.count * 400)
            writer.appendRow(ScoredOutput.csvHeader)
            for row in rows { writer.appendRow(row.fields) }
            try InputFiles.write(writer.bytes, to: out)
            FileHandle.standardError.write(
                Data("scored \(assessments.count) returns with \(scorer.version); \(failed.count) rows could not be scored\n".utf8)
            )
            for warning in batch.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        }
    }

    /// `recoup export-labels`: inspected returns with their labels, as a training CSV.
    struct ExportLabels: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export-labels",
            abstract: "Write every inspected return with its labels (contract CSV), ready for recoup train."
        )

        @Option(help: "The service's SQLite database.") var db: String = "var/recoup.sqlite"
        @Option(help: "Output CSV (- for stdout).") var out: String

        func run() async throws {
            let database = try StoreAccess.open(db)
            let rows = try await database.inspectedReturns()
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
