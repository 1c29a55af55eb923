import RecoupCore
import Testing

@testable import RecoupFeatures

@Suite("CSV bytes straight to matrices")
struct CSVExtractionTests {
    let extractor = Fixtures.extractor

    /// The fixture repeated (enough bytes for parallel chunks), with a few broken records.
    static let input: [UInt8] = {
        let text = String(decoding: Fixtures.csv, as: UTF8.self)
        let header = String(text.prefix { $0 != "\n" })
        let body = String(text.dropFirst(header.count + 1))
        var lines = [header]
        for copy in 0..<6 { lines.append(copy == 3 ? body.replacing(",store,", with: ",store,,") : body) }
        return Array(lines.joined(separator: "\n").replacing("\n\n", with: "\n").utf8)
    }()

    @Test("the fused CSV path gives exactly the record path's rows, ids, lines, labels and errors")
    func fusedEqualsRecordPath() throws {
        #expect(Self.input.count > 512 * 1024)
        let batch = try ReturnCSVReader.read(Self.input, labels: .require)
        #expect(!batch.errors.isEmpty)
        let expected = extractor.extract(batch.records)
        for parallel in [true, false] {
            let fused = try extractor.extract(csv: Self.input, labels: .require, parallel: parallel)
            #expect(fused.matrices == expected)
            #expect(fused.returnIDs == batch.records.map(\.returnID))
            #expect(fused.lines.map { RecordPosition.line($0) } == batch.returns.map(\.position))
            #expect(fused.labels == batch.returns.compactMap(\.labels))
            #expect(fused.errors == batch.errors)
            #expect(fused.warnings == batch.warnings)
        }
    }

    @Test("scoring input without label columns, and a header-only input")
    func scoringInput() throws {
        let csv = ReturnRecord.csv(Array(Fixtures.records.prefix(20)))
        let fused = try extractor.extract(csv: csv)
        #expect(fused.matrices == extractor.extract(Array(Fixtures.records.prefix(20))))
        #expect(fused.labels.isEmpty)
        let empty = try extractor.extract(csv: Array(ReturnRecord.csvHeader(includeLabels: false).joined(separator: ",").utf8))
        #expect(empty.matrices.rows == 0 && empty.errors.isEmpty)
        #expect(throws: ReturnInputError.missingColumns(["disposition", "fraud_flag", "recovery_value"])) {
            try extractor.extract(csv: csv, labels: .require)
        }
    }
}
