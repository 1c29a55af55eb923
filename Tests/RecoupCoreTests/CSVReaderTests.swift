import Foundation
import Testing

@testable import RecoupCore

@Suite("CSV reading: RFC 4180 and the header rules")
struct CSVReaderTests {
    static let header = ReturnRecord.csvHeader(includeLabels: false)
    static let record = {
        var record = SampleRecords.make(1, seed: 3)[0].record
        record.customerComment = "ok"
        return record
    }()

    /// A CSV document of rows given as field-name → text maps (missing names are empty).
    static func document(columns: [String] = header, rows: [[String: String]], lineEnd: String = "\n") -> [UInt8] {
        var text = columns.joined(separator: ",") + lineEnd
        for row in rows { text += columns.map { row[$0] ?? "" }.joined(separator: ",") + lineEnd }
        return Array(text.utf8)
    }

    /// The fields of the sample record as CSV texts.
    static var fields: [String: String] {
        var fields: [String: String] = [:]
        for (name, value) in zip(header, record.csvFields()) { fields[name] = value.map { CSVWriter.line([$0]).dropLast().description } }
        return fields
    }

    func fixture(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"))
        return Array(try Data(contentsOf: url))
    }

    @Test("fixture: BOM, CRLF, reordered and extra columns, quoted commas, quotes and newlines, blank lines")
    func edgeCaseFixture() throws {
        let batch = try ReturnCSVReader.read(fixture("edge-cases.csv"), labels: .ignore)
        #expect(batch.errors.isEmpty, "\(batch.errors)")
        #expect(batch.warnings == [.extraColumns(["internal_note", "score_hint"])])
        let comments = batch.records.map(\.customerComment)
        #expect(comments == ["fits, but \"runs small\"", "line one\r\nline two", nil, "plain"])
        #expect(batch.records.map(\.returnID) == ["E1", "E2", "E3", "E4"])
        #expect(batch.returns.map(\.position) == [.line(2), .line(3), .line(6), .line(8)])
        #expect(batch.records[1].category == "Electronics")
        #expect(batch.records[1].reasonCode == .defective)
        #expect(batch.records[2].receivedDate == nil)
        #expect(batch.records[3].orderDate.description == "2024-05-01")
    }

    @Test("a missing required column is an error that names it")
    func missingColumn() {
        let columns = Self.header.filter { $0 != "sku" && $0 != "quantity" }
        #expect(throws: ReturnInputError.missingColumns(["sku", "quantity"])) {
            try ReturnCSVReader.read(Self.document(columns: columns, rows: [Self.fields]), labels: .ignore)
        }
        #expect(ReturnInputError.missingColumns(["sku"]).description.contains("\"sku\""))
    }

    @Test("training input needs the label columns; scoring input does not")
    func labelColumns() throws {
        let bytes = Self.document(rows: [Self.fields])
        #expect(throws: ReturnInputError.missingColumns(["disposition", "fraud_flag", "recovery_value"])) {
            try ReturnCSVReader.read(bytes, labels: .require)
        }
        #expect(try ReturnCSVReader.read(bytes, labels: .ignore).records.count == 1)
    }

    @Test("optional columns may be absent: their values are missing")
    func optionalColumnsAbsent() throws {
        let columns = Self.header.filter { !["customer_comment", "received_date", "weight_kg_measured"].contains($0) }
        let batch = try ReturnCSVReader.read(Self.document(columns: columns, rows: [Self.fields]), labels: .ignore)
        #expect(batch.errors.isEmpty)
        #expect(batch.records.first?.receivedDate == nil && batch.records.first?.weightKgMeasured == nil)
    }

    @Test("a duplicate column and an empty input are input errors")
    func inputErrors() {
        #expect(throws: ReturnInputError.duplicateColumn("sku")) {
            try ReturnCSVReader.read(Self.document(columns: Self.header + ["sku"], rows: []), labels: .ignore)
        }
        #expect(throws: ReturnInputError.noHeader) { try ReturnCSVReader.read(Array("\n\r\n".utf8), labels: .ignore) }
    }

    @Test("syntax errors are specific, name the line and column, and the following records go on")
    func syntaxErrors() throws {
        let good = Self.header.map { Self.fields[$0] ?? "" }.joined(separator: ",")
        let goodID = Self.fields["return_id"]!
        func row(_ replace: String, with text: String) -> String {
            Self.header.map { $0 == replace ? text : (Self.fields[$0] ?? "") }.joined(separator: ",")
        }
        let lines = [
            Self.header.joined(separator: ","),
            good,
            row("customer_comment", with: "\"closed\"then text"),
            row("customer_comment", with: "12\" monitor"),
            good + ",surplus",
            good,
            row("customer_comment", with: "\"never closed"),
            "more text",
        ]
        let batch = try ReturnCSVReader.read(Array(lines.joined(separator: "\n").utf8), labels: .ignore)
        #expect(batch.returns.map(\.position) == [.line(2), .line(6)])
        let kinds = batch.errors.map(\.kind)
        #expect(
            kinds == [
                .textAfterClosingQuote, .quoteInUnquotedField, .fieldCount(expected: Self.header.count, found: Self.header.count + 1),
                .unterminatedQuote,
            ]
        )
        #expect(batch.errors.map(\.position) == [.line(3), .line(4), .line(5), .line(7)])
        #expect(batch.errors[0].field == "customer_comment")
        #expect(batch.errors[0].returnID == goodID)
        #expect(batch.errors[1].description.contains("line 4"))
    }

    @Test("broken quoting makes chunk boundaries disagree; the reader falls back and still matches one pass")
    func brokenQuotingFallback() throws {
        var samples = SampleRecords.make(4000, seed: 5).map(\.record)
        for i in stride(from: 0, to: samples.count, by: 7) { samples[i].customerComment = "a \"quoted\" word" }
        var text = String(decoding: ReturnRecord.csv(samples), as: UTF8.self)
        // Unquote the comments so that their quotes are stray (quote-in-unquoted-field errors).
        text = text.replacing("\"a \"\"quoted\"\" word\"", with: "a \"quoted word")
        let bytes = Array(text.utf8)
        let parallel = try ReturnCSVReader.read(bytes, labels: .ignore, parallel: true)
        let sequential = try ReturnCSVReader.read(bytes, labels: .ignore, parallel: false)
        #expect(parallel.returns == sequential.returns)
        #expect(parallel.errors == sequential.errors)
        #expect(!parallel.errors.isEmpty && parallel.errors.allSatisfy { $0.kind == .quoteInUnquotedField })
        #expect(parallel.errors.count + parallel.returns.count == samples.count)
    }

    @Test("tokenizer: empty fields, CRLF, lone CR, quoted CRLF, no final newline")
    func tokenizer() {
        let text = "a,,\"b\"\r\n\"x\r\ny\",\"\",c\rd\n,\n\"q\"\"\"\"\",z"
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { buffer in
            var tokenizer = CSVTokenizer(bytes: buffer)
            var fields: [CSVFieldSpan] = []
            var records: [[String]] = []
            var lines: [Int] = []
            while let record = tokenizer.next(fields: &fields) {
                #expect(record.syntaxError == nil)
                records.append(fields.map { CSVTokenizer.string(buffer, $0) })
                lines.append(record.line)
            }
            #expect(records == [["a", "", "b"], ["x\r\ny", "", "c\rd"], ["", ""], ["q\"\"", "z"]])
            #expect(lines == [1, 2, 4, 5])
        }
    }
}
