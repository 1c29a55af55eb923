internal import ArgumentParser
internal import RecoupCore
internal import RecoupTraining

extension Recoup {
    /// `recoup replay`: replay labelled returns day by day and compare queue policies.
    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay labelled returns arriving day by day with limited inspection capacity; compare FIFO, Recoup and an oracle.",
            discussion: ReplaySimulator.decayModel
        )

        @Option(help: "Labelled returns (contract CSV with labels; .gz accepted).") var data: String
        @Option(help: "Inspections per day per warehouse.") var capacity: Int
        @Option(help: "The model bundle folder (default: the one models/ACTIVE names).") var model: String?
        @Option(help: "Days after arrival when the refund is issued (fraud caught before counts).") var refundDays: Int = 3
        @Option(help: "A lane policy JSON file replacing the shipped default.") var lanePolicy: String?
        @Flag(help: "Print JSON instead of a table.") var json = false

        func validate() throws {
            guard capacity >= 1 else { throw ValidationError("--capacity must be at least 1, got \(capacity)") }
            guard refundDays >= 0 else { throw ValidationError("--refund-days must be >= 0, got \(refundDays)") }
        }

        func run() throws {
            let batch: ReturnBatch
            do { batch = try ReturnCSVReader.read(InputFiles.read(data), labels: .require) } catch let e as ReturnInputError {
                throw CommandError("\(data): \(e.description)")
            }
            guard !batch.labelled.isEmpty else { throw CommandError("\(data) has no valid labelled rows") }
            let scorer = try CommandSupport.scorer(model: model, lanePolicy: lanePolicy)
            let simulator = ReplaySimulator(scorer: scorer, capacityPerDay: capacity, refundDays: refundDays)
            let results = simulator.run(batch.labelled)
            print(json ? try ReplaySimulator.json(results) : ReplaySimulator.table(results))
        }
    }
}
