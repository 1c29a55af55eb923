internal import ArgumentParser
internal import RecoupCore
internal import RecoupScoring
internal import RecoupTraining

extension Recoup {
    /// `recoup replay`: replay labelled returns day by day and compare queue policies.
    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Replay labelled returns arriving day by day with limited inspection work; compare queue policies in money.",
            discussion: ReplaySimulator.decayModel
        )

        @Option(help: "Labelled returns (contract CSV with labels; .gz accepted).") var data: String
        @Option(help: "Inspections per warehouse per day, on average (the work is counted in inspection minutes).") var capacity: Int?
        @Flag(
            help: """
                Replay the rows as return requests instead: Recoup's decisions before the item ships (keep it, refund timing, \
                approval) against always shipping back, in money.
                """
        )
        var decisions = false
        @Option(help: "With --decisions: a governance policy JSON file replacing the shipped default.") var governancePolicy: String?
        @Option(help: "The model bundle folder (default: the one models/ACTIVE names).") var model: String?
        @Option(help: "Days after arrival when the refund is issued (a fraud caught by then saves its refund).") var refundDays: Int?
        @Option(help: "Daily share of value lost by every waiting item.") var baseDecay: Double?
        @Option(help: "Extra daily share lost at the very end of a selling season (falling to 0 at --season-window days).")
        var seasonDecay: Double?
        @Option(help: "Days before a season's end when the extra loss starts.") var seasonWindow: Double?
        @Option(help: "Extra daily share lost per unit of sku_sell_through_30d (demand).") var demandDecay: Double?
        @Option(help: "A lane policy JSON file replacing the shipped default.") var lanePolicy: String?
        @Flag(help: "Print JSON (a list of objects, one per policy) instead of a table.") var json = false

        func validate() throws {
            if decisions {
                guard capacity == nil else { throw ValidationError("--capacity is for the queue replay, not --decisions") }
            } else {
                guard let capacity else { throw ValidationError("--capacity is required (or --decisions)") }
                guard capacity >= 1 else { throw ValidationError("--capacity must be at least 1, got \(capacity)") }
                guard governancePolicy == nil else { throw ValidationError("--governance-policy needs --decisions") }
            }
            if let refundDays, refundDays < 0 { throw ValidationError("--refund-days must be >= 0, got \(refundDays)") }
            for (name, value) in [("--base-decay", baseDecay), ("--season-decay", seasonDecay), ("--demand-decay", demandDecay)] {
                if let value, !(value >= 0 && value < 1) { throw ValidationError("\(name) must be in [0, 1), got \(value)") }
            }
            if let seasonWindow, !(seasonWindow > 0) { throw ValidationError("--season-window must be > 0, got \(seasonWindow)") }
        }

        /// The world of the replay: the defaults, with the options given.
        var world: ReplaySimulator.World {
            var world = ReplaySimulator.World()
            if let refundDays { world.refundDays = refundDays }
            if let baseDecay { world.decay.baseDailyDecay = baseDecay }
            if let seasonDecay { world.decay.seasonDailyDecay = seasonDecay }
            if let seasonWindow { world.decay.seasonWindowDays = seasonWindow }
            if let demandDecay { world.decay.demandDailyDecay = demandDecay }
            return world
        }

        func run() throws {
            let batch: ReturnBatch
            do { batch = try ReturnCSVReader.read(InputFiles.read(data), labels: .require) } catch let e as ReturnInputError {
                throw CommandError("\(data): \(e.description)")
            }
            guard !batch.labelled.isEmpty else { throw CommandError("\(data) has no valid labelled rows") }
            let scorer = try CommandSupport.scorer(model: model, lanePolicy: lanePolicy)
            if decisions {
                guard scorer.requestStage != nil else {
                    throw CommandError("model \(scorer.version) has no request stage (it was trained before stages); retrain it with recoup train")
                }
                let replay = DecisionReplay(scorer: scorer, policy: try CommandSupport.governancePolicy(governancePolicy))
                let report = replay.run(batch.labelled)
                print(json ? try DecisionReplay.json(report) : DecisionReplay.table(report))
                return
            }
            let results = ReplaySimulator(scorer: scorer, capacityPerDay: capacity!, world: world).run(batch.labelled)
            print(json ? try ReplaySimulator.json(results) : ReplaySimulator.table(results))
        }
    }
}
