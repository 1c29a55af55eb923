/// Where the decoder finds the text of each contract field: a CSV record, a JSON object, named strings.
///
/// All inputs funnel through ``ReturnRecord/decode(from:position:)`` so that CSV and JSON check exactly the same
/// rules and give exactly the same errors.
package protocol RecordFieldSource {
    /// The UTF-8 text of `field`, or `nil` when it is missing (absent, empty or JSON `null`). The buffer is valid for
    /// as long as the source is.
    func text(_ field: ContractField) -> UnsafeBufferPointer<UInt8>?
    /// For a field that holds something other than text (a JSON object or array), what it holds.
    func nonScalar(_ field: ContractField) -> String?
}

extension RecordFieldSource {
    package func nonScalar(_ field: ContractField) -> String? { nil }
}

/// What decoding does with the three label fields.
package enum LabelPolicy: Sendable, Hashable {
    /// Scoring input: labels are ignored even when present.
    case ignore
    /// Training input: every record must carry all three.
    case require
    /// Read them when a record has any of them (then all three must be valid); otherwise no labels.
    case optional
}

/// A record read from a batch, with its position and (depending on the ``LabelPolicy``) its labels.
package struct ParsedReturn: Sendable, Hashable {
    package var position: RecordPosition
    package var record: ReturnRecord
    package var labels: ReturnLabels?

    package init(position: RecordPosition, record: ReturnRecord, labels: ReturnLabels? = nil) {
        self.position = position
        self.record = record
        self.labels = labels
    }
}

/// The outcome of reading a batch: the good records, an error for every bad one, and input-level warnings.
package struct ReturnBatch: Sendable {
    /// The records that follow the contract, in input order.
    package var returns: [ParsedReturn]
    /// Every problem of every bad record, in input order.
    package var errors: [RecordError]
    /// Things worth telling once (ignored columns or keys).
    package var warnings: [InputWarning]

    package init(returns: [ParsedReturn] = [], errors: [RecordError] = [], warnings: [InputWarning] = []) {
        self.returns = returns
        self.errors = errors
        self.warnings = warnings
    }

    /// The good records without positions.
    package var records: [ReturnRecord] { returns.map(\.record) }

    /// The good records with their labels (the ones that have labels).
    package var labelled: [LabelledReturn] {
        returns.compactMap { parsed in parsed.labels.map { LabelledReturn(record: parsed.record, labels: $0) } }
    }
}

extension ReturnRecord {
    /// Decodes and validates one record (and its labels, per `labels`). On failure, returns one error per bad field.
    package static func decode(
        from source: some RecordFieldSource, position: RecordPosition, labels policy: LabelPolicy = .ignore
    ) -> Result<(ReturnRecord, ReturnLabels?), RecordErrors> {
        var reader = FieldReader(source: source, position: position)
        let record = reader.record()
        let labels: ReturnLabels? =
            switch policy {
            case .ignore: nil
            case .require: reader.labels()
            case .optional: ContractField.labelFields.contains { source.text($0) != nil } ? reader.labels() : nil
            }
        if reader.errors.isEmpty { return .success((record, labels)) }
        let returnID = source.text(.returnID).map { String(decoding: $0, as: UTF8.self) }
        return .failure(RecordErrors(reader.errors.map { error in
            var error = error
            error.returnID = returnID
            return error
        }))
    }
}

/// Reads typed field values from a source, collecting an error per bad field and substituting placeholders so
/// that one pass finds every problem of the record.
struct FieldReader<Source: RecordFieldSource> {
    let source: Source
    let position: RecordPosition
    var errors: [RecordError] = []

    init(source: Source, position: RecordPosition) {
        self.source = source
        self.position = position
    }

    mutating func fail(_ field: ContractField, _ bytes: UnsafeBufferPointer<UInt8>?, _ kind: RecordError.Kind) {
        let value = bytes.map { String(decoding: $0, as: UTF8.self) }
        errors.append(RecordError(position: position, field: field, value: value, kind: kind))
    }

    /// The field's bytes, or `nil` after recording a non-scalar JSON value as an error.
    @inline(__always)
    mutating func bytes(_ field: ContractField) -> UnsafeBufferPointer<UInt8>? {
        if let bytes = source.text(field) { return bytes }
        if let found = source.nonScalar(field) {
            errors.append(RecordError(position: position, field: field, value: nil, kind: .wrongJSONType(found: found)))
        }
        return nil
    }

    @inline(__always)
    mutating func parse<T: Sendable & Equatable>(
        _ field: ContractField, _ parser: (UnsafeBufferPointer<UInt8>) -> Parsed<T>,
        valid: (T) -> Bool = { _ in true }
    ) -> T? {
        guard let raw = bytes(field) else { return nil }
        switch parser(raw) {
        case .success(let value):
            if valid(value) { return value }
            fail(field, raw, .outOfRange)
        case .failure(let kind):
            fail(field, raw, kind)
        }
        return nil
    }

    @inline(__always)
    mutating func required<T>(_ field: ContractField, _ value: T?, placeholder: T) -> T {
        if let value { return value }
        if errors.last?.field != field.name {  // not already reported as malformed
            errors.append(RecordError(position: position, field: field, value: nil, kind: .missingValue))
        }
        return placeholder
    }

    mutating func string(_ field: ContractField) -> String? {
        guard let raw = bytes(field) else { return nil }
        let text = field.valueType == .category ? ScalarParsing.trimmed(raw) : raw
        guard !text.isEmpty else { return nil }
        guard let string = Self.utf8String(text) else {
            errors.append(RecordError(position: position, field: field, value: nil, kind: .invalidUTF8))
            return nil
        }
        return string
    }

    /// A `String` from UTF-8 bytes, or `nil` when they are not valid UTF-8.
    @inline(__always)
    static func utf8String(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        String(validating: bytes, as: UTF8.self)
    }

    mutating func number(_ field: ContractField, _ valid: (Double) -> Bool) -> Double? {
        parse(field, ScalarParsing.double, valid: valid)
    }

    mutating func integer(_ field: ContractField, _ valid: (Int) -> Bool) -> Int? {
        parse(field, ScalarParsing.integer, valid: valid)
    }

    mutating func flag(_ field: ContractField) -> Bool? { parse(field, ScalarParsing.boolean) }

    mutating func day(_ field: ContractField) -> Day? { parse(field, ScalarParsing.day) }
}
