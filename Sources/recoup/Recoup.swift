// recoup: the executable. Parses the command line, wires the modules together (the SQLite store, the service, the
// HTTP server, the Prometheus backend of swift-metrics) and maps errors to exit codes. No domain logic lives here.

internal import ArgumentParser
internal import Logging
internal import NIOCore
internal import NIOPosix
internal import RecoupCore
internal import RecoupServer

/// `recoup`: the service and the tools around its models.
struct Recoup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recoup",
        abstract: "Score returned items, route them to inspection lanes and serve a ranked queue.",
        version: RecoupVersion.current,
        subcommands: [
            Serve.self, Train.self, Evaluate.self, Promote.self, Score.self, Replay.self, Generate.self, Insights.self, Drift.self, ExportLabels.self,
            Keys.self,
        ]
    )
}

@main
enum Entry {
    static func main() async {
        // Swift concurrency runs its jobs on NIO's event loops, the threads the HTTP server reads and writes on: a
        // request's handler then runs where its bytes arrived, without two hops through the dispatch pool. Must come
        // before any other concurrency work (what Vapor's template does). CPU-heavy work (training, batch scoring)
        // uses DispatchQueue.concurrentPerform and is not affected.
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        LoggingSystem.bootstrap { LineLogHandler(label: $0) }
        await Recoup.main()
    }
}
