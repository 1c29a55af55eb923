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
            #expect(Array(fused.returnIDs) == batch.records.map(\.returnID))
            #expect(fused.lines.map { RecordPosition.line($0) } == batch.returns.map(\.position))
            #expect(fused.labels == batch.returns.compactMap(\.labels))
            #expect(fused.errors == batch.errors)
            #expect(fused.warnings == batch.warnings)
            #expect(fused.records.isEmpty)
            // With records (what `recoup score` reads): the same records as the reader's, row for row.
            let withRecords = try extractor.extract(csv: Self.input, labels: .require, records: true, parallel: parallel)
            #expect(withRecords.records == batch.records)
            #expect(withRecords.matrices == expected)
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

    @Test("odd inputs: un-normalized and non-ASCII reason codes, escaped quotes, CRLF, unknown levels; text features on them")
    func oddInputs() throws {
        var records = Array(Fixtures.records.prefix(40))
        for i in records.indices {
            records[i].reasonCode = ReasonCode(rawValue: ["DÉFECTUEUX", "Size_Fit", " changed_mind ", "größe"][i % 4])
            records[i].customerComment = ["say \"hi\", OK", "line\r\nbreak", "Ünïcode Wörds", nil][i % 4]
            records[i].category = ["Garden", " ELECTRONICS ", "apparel", "Électro"][i % 4]
        }
        var text = String(decoding: ReturnRecord.csv(records), as: UTF8.self)
        // Re-introduce case and padding in reason_code (records hold it normalized), and use CRLF line ends.
        text = text.replacing(",défectueux,", with: ",  DÉFECTUEUX ,").replacing(",size_fit,", with: ",Size_Fit,")
        text = text.replacing("\n", with: "\r\n")
        var spec = Fixtures.spec
        var length = FeatureDefinition(name: "reason_length", kind: .numeric)
        length.source = .textLength(.reasonCode)
        var tokens = FeatureDefinition(name: "reason_tokens", kind: .hashedTokens)
        tokens.field = .reasonCode
        tokens.buckets = 8
        var reasonHash = FeatureDefinition(name: "reason_hash", kind: .hashed)
        reasonHash.field = .reasonCode
        reasonHash.buckets = 8
        spec.features += [length, tokens, reasonHash]
        let extractor = FeatureExtractor(try spec.fit(Fixtures.records))
        let batch = try ReturnCSVReader.read(Array(text.utf8), labels: .ignore)
        #expect(batch.errors.isEmpty)
        let fused = try extractor.extract(csv: Array(text.utf8))
        #expect(fused.matrices == extractor.extract(batch.records))
        #expect(fused.matrices.rows == 40)
    }

    @Test("broken quoting: chunk boundaries disagree with the records, the fused path falls back and still matches")
    func brokenQuoting() throws {
        var records = Array(repeating: Fixtures.records, count: 5).flatMap { $0 }
        for i in stride(from: 0, to: records.count, by: 7) { records[i].customerComment = "a \"quoted\" word" }
        let text = String(decoding: ReturnRecord.csv(records), as: UTF8.self)
            .replacing("\"a \"\"quoted\"\" word\"", with: "a \"quoted word")
        let bytes = Array(text.utf8)
        #expect(bytes.count > 512 * 1024)
        let batch = try ReturnCSVReader.read(bytes, labels: .ignore)
        #expect(!batch.errors.isEmpty)
        let fused = try extractor.extract(csv: bytes)
        #expect(fused.matrices == extractor.extract(batch.records))
        #expect(fused.errors == batch.errors)
    }
}
