import Foundation
import Testing

@testable import RecoupCore

@Suite("Round trips through CSV and JSON")
struct RoundTripTests {
    let samples = SampleRecords.make(300, seed: 7)

    @Test("CSV with labels: write, read back, identical records and labels")
    func csvWithLabels() throws {
        let bytes = ReturnRecord.csv(samples.map(\.record), labels: samples.map(\.labels))
        let batch = try ReturnCSVReader.read(bytes, labels: .require)
        #expect(batch.errors.isEmpty, "\(batch.errors.prefix(3))")
        #expect(batch.warnings.isEmpty)
        #expect(batch.labelled == samples)
    }

    @Test("CSV without labels reads as scoring input")
    func csvWithoutLabels() throws {
        let bytes = ReturnRecord.csv(samples.map(\.record))
        let batch = try ReturnCSVReader.read(bytes, labels: .ignore)
        #expect(batch.errors.isEmpty)
        #expect(batch.records == samples.map(\.record))
        #expect(batch.returns.allSatisfy { $0.labels == nil })
    }

    @Test("CSV parsed in parallel chunks equals one sequential pass, positions included")
    func parallelEqualsSequential() throws {
        let many = SampleRecords.make(6000, seed: 11)
        let bytes = ReturnRecord.csv(many.map(\.record), labels: many.map(\.labels))
        #expect(bytes.count > 1_000_000)
        let parallel = try ReturnCSVReader.read(bytes, labels: .require, parallel: true)
        let sequential = try ReturnCSVReader.read(bytes, labels: .require, parallel: false)
        #expect(parallel.returns == sequential.returns)
        #expect(parallel.labelled == many)
        try bytes.withUnsafeBufferPointer { buffer in
            let reader = try ReturnCSVReader(header: buffer, labels: .require)
            #expect(reader.chunks(of: buffer, parallel: true).count > 1)
        }
    }

    @Test("JSON document: write, read back, identical")
    func jsonDocument() throws {
        let bytes = ReturnRecord.jsonDocument(samples.map(\.record), labels: samples.map(\.labels))
        let batch = try ReturnJSONReader.read(bytes, labels: .require)
        #expect(batch.errors.isEmpty, "\(batch.errors.prefix(3))")
        #expect(batch.labelled == samples)
        #expect(batch.returns.map(\.position) == samples.indices.map { .index($0) })
    }

    @Test("JSON: one object is one record; labels ignored for scoring")
    func jsonSingleObject() throws {
        let sample = samples[3]
        let batch = try ReturnJSONReader.read(sample.record.json(labels: sample.labels), labels: .ignore)
        #expect(batch.records == [sample.record])
        #expect(batch.returns.first?.position == .single)
        #expect(batch.returns.first?.labels == nil)
    }

    @Test("a stored copy reads back through the one JSON path, and a bad one names the field")
    func storedCopy() throws {
        let records = samples.prefix(20).map(\.record)
        for record in records { #expect(try ReturnJSONReader.record(record.json()) == record) }
        let text = String(decoding: samples[0].record.json(), as: UTF8.self)
        #expect(text.contains("\"return_requested_date\":"))
        var object = try #require(try JSONSerialization.jsonObject(with: Data(samples[0].record.json())) as? [String: Any])
        object["unit_price"] = -3
        let bad = Array(try JSONSerialization.data(withJSONObject: object))
        #expect {
            try ReturnJSONReader.record(bad)
        } throws: { error in
            (error as? RecordErrors)?.errors.first.map { $0.kind == .outOfRange && $0.field == "unit_price" } ?? false
        }
    }

    @Test("named string fields decode like a CSV row")
    func namedFields() throws {
        let sample = samples[5]
        var fields: [String: String] = [:]
        for (field, text) in zip(ReturnRecord.csvColumns(includeLabels: true), sample.record.csvFields(labels: sample.labels)) {
            if let text { fields[field.name] = text }
        }
        let (record, labels) = try ReturnRecord.decode(fields: fields, labels: .require).get()
        #expect(record == sample.record)
        #expect(labels == sample.labels)
    }

    @Test("the CSV writer quotes only what needs quoting")
    func writerQuoting() {
        let line = CSVWriter.line(["plain", "with,comma", "say \"hi\"", "two\nlines", nil, ""])
        #expect(line == "plain,\"with,comma\",\"say \"\"hi\"\"\",\"two\nlines\",,\n")
    }

    @Test("ByteFile reads plain and gzip files, and names the file it cannot read")
    func files() throws {
        let bytes = ReturnRecord.csv(samples.prefix(50).map(\.record))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("recoup-\(UUID().uuidString).csv").path
        defer {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: path + ".gz")
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(try ByteFile.read(path) == bytes)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-k", path]
        try gzip.run()
        gzip.waitUntilExit()
        #expect(try ByteFile.read(path + ".gz") == bytes)
        #expect(throws: ReturnInputError.self) { try ByteFile.read(path + ".missing") }
        #expect(throws: ReturnInputError.self) { try ByteFile.read(path + ".missing.gz") }
    }
}
