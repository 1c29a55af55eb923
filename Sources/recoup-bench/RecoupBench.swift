// recoup-bench: the Swift side of `make bench`. Each subcommand measures a production code path (never a copy of
// one) and prints JSON; benchmarks/run.sh runs them next to scikit-learn, LightGBM, XGBoost and pandas.

internal import ArgumentParser
internal import Logging
internal import NIOCore
internal import NIOPosix
internal import RecoupServer

/// `recoup-bench`: the Swift side of the benchmarks in `benchmarks/` (run by `benchmarks/run.sh`, release build).
/// Each benchmark is a subcommand in its own file that prints one JSON object of measurements on stdout.
struct RecoupBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recoup-bench",
        abstract: "Benchmarks of Recoup's pipeline; results are JSON on stdout.",
        subcommands: [
            BLASBench.self,
            ScoringBench.self,
            FeaturesBench.self,
            ExportMatrices.self,
            LearnersBench.self,
            HTTPBaseline.self,
            InsightsStore.self,
        ]
    )
}

@main
enum Entry {
    static func main() async {
        // As in `recoup`: concurrency on NIO's event loops and the same log handler, so that `http-baseline` runs like
        // `recoup serve`.
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        LoggingSystem.bootstrap { LineLogHandler(label: $0) }
        await RecoupBench.main()
    }
}
