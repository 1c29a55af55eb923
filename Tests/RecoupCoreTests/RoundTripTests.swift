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
        let text = ReturnRecord.jsonDocument(samples.map(\.record), labels: samples.map(\.labels))
        let batch = try ReturnJSONReader.read(Array(text.utf8), labels: .require)
        #expect(batch.errors.isEmpty, "\(batch.errors.prefix(3))")
        #expect(batch.labelled == samples)
        #expect(batch.returns.map(\.position) == samples.indices.map { .index($0) })
    }

    @Test("JSON: one object is one record; labels ignored for scoring")
    func jsonSingleObject() throws {
        let sample = samples[3]
        let batch = try ReturnJSONReader.read(Array(sample.record.jsonObject(labels: sample.labels).utf8), labels: .ignore)
        #expect(batch.records == [sample.record])
        #expect(batch.returns.first?.position == .single)
        #expect(batch.returns.first?.labels == nil)
    }

    @Test("Codable with JSONEncoder/JSONDecoder uses snake_case keys and round trips")
    func codable() throws {
        let records = samples.prefix(20).map(\.record)
        let data = try JSONEncoder().encode(records)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"return_requested_date\""))
        #expect(!text.contains("returnRequestedDate"))
        #expect(try JSONDecoder().decode([ReturnRecord].self, from: data) == records)
        let labels = samples.prefix(20).map(\.labels)
        #expect(try JSONDecoder().decode([ReturnLabels].self, from: JSONEncoder().encode(labels)) == labels)
    }

    @Test("Codable decoding validates like every other path")
    func codableValidates() throws {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(samples[0].record.jsonObject().utf8)) as? [String: Any])
        object["unit_price"] = -3
        let data = try JSONSerialization.data(withJSONObject: object)
        #expect {
            try JSONDecoder().decode(ReturnRecord.self, from: data)
        } throws: { error in
            guard case DecodingError.dataCorrupted(let context) = error else { return false }
            return (context.underlyingError as? RecordError)?.kind == .outOfRange && context.debugDescription.contains("unit_price")
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
        defer { try? FileManager.default.removeItem(atPath: path); try? FileManager.default.removeItem(atPath: path + ".gz") }
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
