import Testing

@testable import RecoupScoring

@Suite("RecoupScoring links")
struct RecoupScoringLinkTests {
    @Test("the module builds and links") func links() { #expect(Bool(true)) }
}
