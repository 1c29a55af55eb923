internal import ArgumentParser

/// `recoup-bench`: the Swift side of the benchmarks in `benchmarks/` (run by `benchmarks/run.sh`, release build).
/// Each benchmark is a subcommand in its own file that prints one JSON object of measurements on stdout.
@main
struct RecoupBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recoup-bench",
        abstract: "Benchmarks of Recoup's pipeline; results are JSON on stdout.",
        subcommands: [
            BLASBench.self,
            ScoringBench.self,
            FeaturesBench.self,
            ExportMatrices.self,
            LearnersBench.self,
        ]
    )
}
