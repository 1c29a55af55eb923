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

    /// What became of one record read, at its place in the input.
    package enum Slot: Sendable {
        /// A good record: its index in ``returns``.
        case record(Int)
        /// A bad record: its errors.
        case failed([RecordError])
    }

    /// Every record read, good or bad, in input order (the good and the bad merged by position).
    package var slots: [Slot] {
        var slots: [Slot] = []
        slots.reserveCapacity(returns.count + errors.count)
        var good = 0
        var bad = errors[...]
        while good < returns.count || !bad.isEmpty {
            if let first = bad.first, good == returns.count || first.position < returns[good].position {
                let mine = bad.prefix { $0.position == first.position }
                bad = bad.dropFirst(mine.count)
                slots.append(.failed(Array(mine)))
            } else {
                slots.append(.record(good))
                good += 1
            }
        }
        return slots
    }
}

extension ReturnRecord {
    /// Decodes and validates one record (and its labels, per `labels`). On failure, returns one error per bad field.
    package static func decode(
        from source: some RecordFieldSource,
        position: RecordPosition,
        labels policy: LabelPolicy = .ignore
    ) -> Result<(ReturnRecord, ReturnLabels?), RecordErrors> {
        var result: Result<(ReturnRecord, ReturnLabels?), RecordErrors>!
        decode(from: source, position: position, labels: policy) { record, labels in
            result = .success((record, labels))
        } onErrors: { errors in
            result = .failure(RecordErrors(errors))
        }
        return result
    }

    /// Decodes and validates one record, then calls `onRecord` with it or `onErrors` with one error per bad field
    /// (the streaming form: no intermediate `Result`).
    @inline(__always)
    package static func decode<Source: RecordFieldSource>(
        from source: Source,
        position: RecordPosition,
        labels policy: LabelPolicy,
        onRecord: (ReturnRecord, ReturnLabels?) -> Void,
        onErrors: ([RecordError]) -> Void
    ) {
        var table = FieldTable()
        withUnsafeMutablePointer(to: &table) { table in
            validate(source, position: position, labels: policy, into: table) { labels in
                onRecord(ReturnRecord(table: table), labels)
            } onErrors: { errors in
                onErrors(errors)
            }
        }
    }

    /// Validates one record without making any `String`: fills `table` (see ``FieldTable``; its texts point into
    /// the source) and calls `onRow`, or calls `onErrors` with one error per bad field. Every decoding path runs this.
    @inline(__always)
    package static func validate<Source: RecordFieldSource>(
        _ source: Source,
        position: RecordPosition,
        labels policy: LabelPolicy,
        into table: UnsafeMutablePointer<FieldTable>,
        onRow: (ReturnLabels?) -> Void,
        onErrors: ([RecordError]) -> Void
    ) {
        var reader = FieldReader(source: source, position: position)
        reader.validate(into: &table.pointee)
        let labels: ReturnLabels? =
            switch policy {
            case .ignore: nil
            case .require: reader.labels()
            case .optional: ContractField.labelFields.contains { source.text($0) != nil } ? reader.labels() : nil
            }
        if reader.errors.isEmpty {
            onRow(labels)
            return
        }
        let returnID = source.text(.returnID).map { String(decoding: $0, as: UTF8.self) }
        onErrors(
            reader.errors.map { error in
                var error = error
                error.returnID = returnID
                return error
            }
        )
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

    /// The field's bytes, or `nil` when missing (absent, null, or empty: the empty CSV field and the JSON `""`
    /// alike) and after recording a non-scalar JSON value as an error.
    @inline(__always)
    mutating func bytes(_ field: ContractField) -> UnsafeBufferPointer<UInt8>? {
        if let bytes = source.text(field) { return bytes.isEmpty ? nil : bytes }
        if let found = source.nonScalar(field) {
            errors.append(RecordError(position: position, field: field, value: nil, kind: .wrongJSONType(found: found)))
        }
        return nil
    }

    @inline(__always)
    mutating func parse<T: Sendable & Equatable>(
        _ field: ContractField,
        _ parser: (UnsafeBufferPointer<UInt8>) -> Parsed<T>,
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

    /// Whether bytes are valid UTF-8: ASCII (the common case) is checked eight bytes at a time; otherwise decoding
    /// must reproduce the bytes exactly (it replaces invalid sequences with U+FFFD, which changes them).
    @inline(__always)
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        isASCII(bytes) || String(decoding: bytes, as: UTF8.self).utf8.elementsEqual(bytes)
    }

    @inline(__always)
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var i = 0
        var high: UInt64 = 0
        while i + 8 <= bytes.count {
            high |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < bytes.count {
            high |= UInt64(base[i])
            i += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }
}
