import Logging
import Testing

@testable import RecoupServer

@Suite("The log line")
struct LineLogHandlerTests {
    struct Refused: Error, CustomStringConvertible {
        var description: String { "database is down" }
    }

    @Test("metadata set on the handler, from the event and from the error, sorted by key, in StreamLogHandler's format")
    func line() {
        var handler = LineLogHandler(label: "recoup", metadataProvider: nil)
        handler[metadataKey: "hb.request.id"] = "42"
        handler[metadataKey: "api.key"] = "0123abcd4567"
        handler[metadataKey: "api.key"] = "89ef"  // the last value set is the one written
        let event = LogEvent(
            level: .warning,
            message: "store unavailable",
            error: Refused(),
            metadata: ["db": "postgresql://db/recoup", "api.key": "event"],
            source: "RecoupServer",
            file: #fileID,
            function: #function,
            line: #line
        )
        #expect(
            handler.line(event, at: "2026-12-04T14:05:00+0000")
                == "2026-12-04T14:05:00+0000 warning recoup: api.key=event db=postgresql://db/recoup "
                + "error.message=database is down error.type=RecoupServerTests.LineLogHandlerTests.Refused hb.request.id=42 "
                + "[RecoupServer] store unavailable\n"
        )
    }

    @Test("a line without metadata")
    func bare() {
        let handler = LineLogHandler(label: "recoup", metadataProvider: nil)
        let event = LogEvent(level: .info, message: "listening", metadata: nil, source: "recoup", file: "", function: "", line: 0)
        #expect(handler.line(event, at: "T") == "T info recoup: [recoup] listening\n")
    }
}
