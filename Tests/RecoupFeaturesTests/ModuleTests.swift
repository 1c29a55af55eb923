import Testing

@testable import RecoupFeatures

@Suite("RecoupFeatures links")
struct RecoupFeaturesLinkTests {
    @Test("the module builds and links") func links() { #expect(Bool(true)) }
}
