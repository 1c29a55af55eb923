import ArgumentParser
import RecoupScoring
import RecoupServer
import RecoupService
import RecoupTraining
import Testing

@testable import recoup

@Suite("Command-line parsing")
struct CommandParsingTests {
    @Test("serve has the documented defaults")
    func serveDefaults() throws {
        let command = try #require(try Recoup.parseAsRoot(["serve"]) as? Recoup.Serve)
        #expect(command.host == "127.0.0.1")
        #expect(command.port == 8080)
        #expect(command.db == "var/recoup.sqlite")
        #expect(command.models == "models")
    }

    @Test("serve takes --host, --port, --db, --models, --lane-policy and limits")
    func serveOptions() throws {
        let command = try #require(
            try Recoup.parseAsRoot([
                "serve", "--host", "0.0.0.0", "--port", "9000", "--db", "/tmp/x.sqlite", "--models", "m", "--lane-policy", "p.json",
                "--max-batch", "50", "--max-concurrent-requests", "8",
            ]) as? Recoup.Serve
        )
        let configuration = command.serverConfiguration
        #expect(configuration.port == 9000)
        #expect(configuration.host == "0.0.0.0")
        #expect(command.db == "/tmp/x.sqlite")
        #expect(command.models == "m")
        #expect(command.lanePolicy == "p.json")
        #expect(configuration.service.maxBatchRecords == 50)
        #expect(configuration.limits.maxConcurrentRequests == 8)
    }

    @Test(
        "serve refuses bad values before anything starts",
        arguments: [
            ["serve", "--port", "70000"], ["serve", "--max-batch", "0"], ["serve", "--log-level", "loud"], ["serve", "--port", "eighty"],
        ]
    )
    func serveRefuses(arguments: [String]) {
        #expect(throws: (any Error).self) { try Recoup.parseAsRoot(arguments) }
    }

    @Test("train parses its options; --data is required and --name must be a plain folder name")
    func train() throws {
        let command = try #require(
            try Recoup.parseAsRoot([
                "train", "--data", "d.csv", "--spec", "s.json", "--config", "c.json", "--out", "o", "--seed", "7", "--promote", "--json",
            ]) as? Recoup.Train
        )
        #expect(command.data == "d.csv")
        #expect(command.spec == "s.json")
        #expect(command.config == "c.json")
        #expect(command.out == "o")
        #expect(command.seed == 7)
        #expect(command.promote && command.json)
        #expect(throws: (any Error).self) { try Recoup.parseAsRoot(["train"]) }
        #expect(throws: (any Error).self) { try Recoup.parseAsRoot(["train", "--data", "d.csv", "--name", "../evil"]) }
        #expect(throws: (any Error).self) { try Recoup.parseAsRoot(["train", "--data", "d.csv", "--seed", "-1"]) }
        let rated = try #require(try Recoup.parseAsRoot(["train", "--data", "d.csv", "--review-rate", "0.05"]) as? Recoup.Train)
        #expect(rated.reviewRate == 0.05)
        for bad in ["0", "0.6", "-0.01", "nan"] {
            #expect {
                try Recoup.parseAsRoot(["train", "--data", "d.csv", "--review-rate=\(bad)"])
            } throws: { error in
                Recoup.message(for: error).contains("--review-rate must be in (0, 0.5], got")
            }
        }
    }

    @Test("train --budget takes seconds, minutes or hours; the default is the configuration's")
    func trainBudget() throws {
        for (text, seconds) in [("90s", 90.0), ("5m", 300), ("1.5h", 5400), ("0", 0), ("120", 120), ("2M", 120)] {
            let command = try #require(try Recoup.parseAsRoot(["train", "--data", "d.csv", "--budget", text]) as? Recoup.Train)
            #expect(command.budget?.seconds == seconds, "\(text)")
        }
        let plain = try #require(try Recoup.parseAsRoot(["train", "--data", "d.csv"]) as? Recoup.Train)
        #expect(plain.budget == nil)
        #expect(try plain.pipeline(reporter: nil).configuration.budgetSeconds == TrainingConfiguration.defaultBudgetSeconds)
        let none = try #require(try Recoup.parseAsRoot(["train", "--data", "d.csv", "--budget", "0s"]) as? Recoup.Train)
        #expect(try none.pipeline(reporter: nil).configuration.budgetSeconds == 0)
        for bad in ["-1s", "5 minutes", "m", "inf", "nan"] {
            #expect(throws: (any Error).self, "\(bad)") { try Recoup.parseAsRoot(["train", "--data", "d.csv", "--budget", bad]) }
        }
    }

    @Test("evaluate, promote, score, replay, generate and export-labels parse their options")
    func otherCommands() throws {
        let evaluate = try #require(
            try Recoup.parseAsRoot(["evaluate", "--model", "m/v1", "--data", "d.csv", "--compare", "m/v0", "--report", "r.html"]) as? Recoup.Evaluate
        )
        #expect(evaluate.compare == "m/v0" && evaluate.report == "r.html")
        let promote = try #require(try Recoup.parseAsRoot(["promote", "m/v1", "--data", "d.csv", "--tolerance", "0.02"]) as? Recoup.Promote)
        #expect(promote.bundle == "m/v1" && promote.tolerance == 0.02 && !promote.force)
        #expect(throws: (any Error).self) { try Recoup.parseAsRoot(["promote", "m/v1"]) }  // needs --data or --force
        #expect(throws: (any Error).self) { try Recoup.parseAsRoot(["promote", "m/v1", "--force", "--tolerance", "2"]) }
        _ = try #require(try Recoup.parseAsRoot(["promote", "m/v1", "--force"]) as? Recoup.Promote)
        let score = try #require(try Recoup.parseAsRoot(["score", "--model", "m/v1", "--data", "in.csv", "--out", "out.csv"]) as? Recoup.Score)
        #expect(score.out == "out.csv")
        let replay = try #require(try Recoup.parseAsRoot(["replay", "--data", "d.csv", "--capacity", "40", "--json"]) as? Recoup.Replay)
        #expect(replay.capacity == 40 && replay.json && replay.world == ReplaySimulator.World())
        let world = try #require(
            try Recoup.parseAsRoot(["replay", "--data", "d.csv", "--capacity", "9", "--refund-days", "7", "--season-decay", "0.05"]) as? Recoup.Replay
        ).world
        #expect(
            world.refundDays == 7 && world.decay.seasonDailyDecay == 0.05
                && world.decay.baseDailyDecay == ReplaySimulator.World().decay.baseDailyDecay
        )
        #expect(throws: (any Error).self) { try Recoup.parseAsRoot(["replay", "--data", "d.csv", "--capacity", "0"]) }
        let generate = try #require(try Recoup.parseAsRoot(["generate", "--rows", "10", "--seed", "3", "--out", "g.csv"]) as? Recoup.Generate)
        #expect(generate.rows == 10 && generate.seed == 3 && !generate.drift && !generate.plantProblems)
        let drifted = try #require(try Recoup.parseAsRoot(["generate", "--rows", "10", "--drift", "--out", "g.csv"]) as? Recoup.Generate)
        #expect(drifted.drift)
        #expect(throws: (any Error).self) { try Recoup.parseAsRoot(["generate", "--rows", "0", "--out", "g.csv"]) }
        let export = try #require(try Recoup.parseAsRoot(["export-labels", "--db", "x.sqlite", "--out", "l.csv"]) as? Recoup.ExportLabels)
        #expect(export.db == "x.sqlite")
    }
}

@Suite("keys command parsing")
struct KeysParsingTests {
    @Test("keys create needs a known role")
    func createRole() throws {
        let command = try #require(try Recoup.parseAsRoot(["keys", "create", "--role", "risk", "--db", "x.sqlite"]) as? Recoup.Keys.Create)
        #expect(command.role == "risk")
        #expect(throws: (any Error).self) { try Recoup.parseAsRoot(["keys", "create", "--role", "boss"]) }
    }

    @Test("keys revoke takes a numeric id")
    func revoke() throws {
        let command = try #require(try Recoup.parseAsRoot(["keys", "revoke", "7"]) as? Recoup.Keys.Revoke)
        #expect(command.id == 7)
        #expect(throws: (any Error).self) { try Recoup.parseAsRoot(["keys", "revoke", "seven"]) }
    }
}
