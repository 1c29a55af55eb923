internal import ArgumentParser
internal import RecoupCore

/// `recoup`: the service and the tools around its models.
@main
struct Recoup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recoup",
        abstract: "Score returned items, route them to inspection lanes and serve a ranked queue.",
        version: RecoupVersion.current,
        subcommands: [Serve.self, Train.self, Evaluate.self, Promote.self, Score.self, Replay.self, Generate.self, ExportLabels.self, Keys.self]
    )
}
