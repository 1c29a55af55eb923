import Testing

@testable import RecoupTraining

@Suite("RecoupTraining links")
struct RecoupTrainingLinkTests {
    @Test("the module builds and links") func links() { #expect(Bool(true)) }
}
