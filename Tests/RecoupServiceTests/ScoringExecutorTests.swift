import RecoupService
import Testing

@Suite("Scoring executor")
struct ScoringExecutorTests {
    @Test("parts cover the input once, in order, whatever their number")
    func partsInOrder() async throws {
        let executor = ScoringExecutor()
        for count in [1, 127, 128, 1000, 4099] {
            let parts = try await executor.map(count) { range in Array(range) }
            #expect(parts.flatMap { $0 } == Array(0..<count))
            #expect(parts.count <= max(1, count / 128))
        }
    }
}
