/// Writes RFC 4180 CSV into a byte buffer: fields are quoted only when they hold a comma, a quote, CR or LF (inner
/// quotes doubled); records end with LF.
package struct CSVWriter: Sendable {
    /// The CSV written so far (UTF-8).
    package private(set) var bytes: [UInt8] = []

    package init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// The CSV written so far, as a string.
    package var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends one record. `nil` fields are written empty (the contract's missing value).
    package mutating func appendRow(_ fields: some Sequence<String?>) {
        var first = true
        for field in fields {
            if !first { bytes.append(CSVTokenizer.comma) }
            first = false
            if let field { appendField(field) }
        }
        bytes.append(CSVTokenizer.lf)
    }

    /// Appends one field's text, quoted when needed.
    private mutating func appendField(_ field: String) {
        let utf8 = field.utf8
        guard utf8.contains(where: { !CSVTokenizer.isPlain($0) }) else {
            bytes.append(contentsOf: utf8)
            return
        }
        bytes.append(CSVTokenizer.quote)
        for b in utf8 {
            if b == CSVTokenizer.quote { bytes.append(CSVTokenizer.quote) }
            bytes.append(b)
        }
        bytes.append(CSVTokenizer.quote)
    }

    /// One record as a CSV line (with its LF), for callers that stream rows.
    package static func line(_ fields: some Sequence<String?>) -> String {
        var writer = CSVWriter()
        writer.appendRow(fields)
        return writer.text
    }
}

extension ReturnRecord {
    /// The contract's columns in contract order, optionally followed by the three labels.
    package static func csvColumns(includeLabels: Bool) -> [ContractField] {
        includeLabels ? ContractField.allCases : ContractField.recordFields
    }

    /// The header row's names (see ``csvColumns(includeLabels:)``).
    package static func csvHeader(includeLabels: Bool) -> [String] {
        csvColumns(includeLabels: includeLabels).map(\.name)
    }

    /// The record's fields in the order of `csvHeader(includeLabels: labels != nil)`, encoded as the contract says;
    /// `nil` for missing values.
    package func csvFields(labels: ReturnLabels? = nil) -> [String?] {
        Self.csvColumns(includeLabels: labels != nil).map { field in
            (field.isLabel ? labels?.value(of: field) : value(of: field))?.encoded
        }
    }

    /// A whole CSV document (header and one row per record); labels are written when every record has them.
    package static func csv(_ records: [ReturnRecord], labels: [ReturnLabels]? = nil) -> [UInt8] {
        precondition(labels == nil || labels!.count == records.count, "one label per record")
        var writer = CSVWriter(reservingCapacity: records.count * 320)
        writer.appendRow(csvHeader(includeLabels: labels != nil))
        for (i, record) in records.enumerated() {
            writer.appendRow(record.csvFields(labels: labels?[i]))
        }
        return writer.bytes
    }
}
