internal import ArgumentParser
internal import Foundation
internal import RecoupCore
internal import RecoupTraining

extension Recoup {
    /// `recoup generate`: synthetic labelled returns from the documented process of `training-data/README.md`.
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write synthetic labelled returns (contract CSV with labels); deterministic for a seed."
        )

        @Option(help: "Number of returns.") var rows: Int
        @Option(help: "Random seed: the same rows and seed give the same file.") var seed: UInt64 = 1
        @Option(help: "Output CSV file (- for standard output).") var out: String

        func validate() throws {
            guard rows >= 1 else { throw ValidationError("--rows must be at least 1, got \(rows)") }
            guard rows <= 50_000_000 else { throw ValidationError("--rows must be at most 50,000,000, got \(rows)") }
        }

        func run() throws {
            let returns = SyntheticReturns.generate(rows: rows, seed: seed)
            let bytes = ReturnRecord.csv(returns.map(\.record), labels: returns.map(\.labels))
            if out == "-" {
                FileHandle.standardOutput.write(Data(bytes))
            } else {
                try Data(bytes).write(to: URL(fileURLWithPath: out), options: .atomic)
                FileHandle.standardError.write(Data("wrote \(rows) returns to \(out)\n".utf8))
            }
        }
    }
}
