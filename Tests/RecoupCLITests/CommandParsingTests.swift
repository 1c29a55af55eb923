import ArgumentParser
import RecoupServer
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
    }

    @Test("serve takes --host, --port and --db")
    func serveOptions() throws {
        let command = try #require(
            try Recoup.parseAsRoot(["serve", "--host", "0.0.0.0", "--port", "9000", "--db", "/tmp/x.sqlite"]) as? Recoup.Serve)
        #expect(command.serverConfiguration.port == 9000)
        #expect(command.serverConfiguration.host == "0.0.0.0")
        #expect(command.serverConfiguration.databasePath == "/tmp/x.sqlite")
    }

    @Test("an out-of-range port is refused before anything starts")
    func badPort() {
        #expect(throws: (any Error).self) { try Recoup.parseAsRoot(["serve", "--port", "70000"]) }
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
