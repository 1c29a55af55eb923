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
        @Flag(
            help: ArgumentHelp(
                "Plant problems for `recoup insights` to find (printed to standard error).",
                discussion:
                    "Four SKUs with an excess of defective returns, four with an excess of size_fit, and a channel with three times the transit damage."
            )
        )
        var plantProblems = false
        @Flag(
            help: ArgumentHelp(
                "Shift the process, for drift detection (the shifts are printed to standard error).",
                discussion: "Shifts: \(GeneratorDrift.standard.summary). Without the flag the file is the same as before the option existed."
            )
        )
        var drift = false

        func validate() throws {
            guard rows >= 1 else { throw ValidationError("--rows must be at least 1, got \(rows)") }
            guard rows <= 50_000_000 else { throw ValidationError("--rows must be at most 50,000,000, got \(rows)") }
        }

        func run() throws {
            let returns = SyntheticReturns.generate(rows: rows, seed: seed, plantProblems: plantProblems, drift: drift)
            if plantProblems {
                let planted = SyntheticReturns.plantedProblems(rows: rows, seed: seed)
                FileHandle.standardError.write(
                    Data(
                        ("planted: defective excess at \(planted.defectiveSKUs.joined(separator: ", ")); size_fit excess at "
                            + "\(planted.sizeFitSKUs.joined(separator: ", ")); damaged_in_transit × 3 on channel \(planted.damageChannel)\n").utf8
                    )
                )
            }
            if drift { FileHandle.standardError.write(Data("drift: \(GeneratorDrift.standard.summary)\n".utf8)) }
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
