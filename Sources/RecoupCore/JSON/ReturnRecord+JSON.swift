/// A JSON document of return records, checked and laid out but not yet decoded: one object with the contract's keys
/// (a single record), `{"returns": [...]}` or a bare array. `null` or an absent key means missing.
///
/// The one path from JSON bytes to records: the HTTP API, the store's copies and the tests all read JSON through it.
/// Each record's field bytes are read in place from the document (``JSONTape``) and validated by the same code as CSV
/// (``ReturnRecord/decode(from:position:labels:)``); no intermediate value tree or `String` is made.
package struct ReturnJSONDocument: Sendable {
    /// The document's bytes.
    package let bytes: [UInt8]
    let tape: JSONTape
    /// Whether the document is one record (an object without `returns`), rather than a batch.
    package let isSingle: Bool
    /// The tape node of each element of the batch (or of the lone record).
    let elements: [Int]

    /// Checks the document and finds its records.
    /// - Throws: ``ReturnInputError/malformedJSON(offset:expected:)``, ``ReturnInputError/returnsNotAnArray(found:)`` or
    ///   ``ReturnInputError/unexpectedJSONShape(_:)``.
    package init(_ bytes: [UInt8]) throws(ReturnInputError) {
        self.bytes = bytes
        let tape = try bytes.withUnsafeBufferPointer { (buffer) throws(ReturnInputError) in try JSONTape(buffer) }
        self.tape = tape
        switch tape.root.kind {
        case .object:
            if let returns = bytes.withUnsafeBufferPointer({ tape.member("returns", of: 0, in: $0) }) {
                guard tape.nodes[returns].kind == .array else { throw .returnsNotAnArray(found: tape.nodes[returns].kind.name) }
                isSingle = false
                elements = Array(tape.children(of: returns))
            } else {
                isSingle = true
                elements = [0]
            }
        case .array:
            isSingle = false
            elements = Array(tape.children(of: 0))
        default:
            throw .unexpectedJSONShape(tape.root.kind.name)
        }
    }

    /// Records in the document (good and bad).
    package var count: Int { elements.count }

    /// Decodes every record: the good ones, an error for every bad one, and the keys not in the contract (once).
    package func read(labels: LabelPolicy) -> ReturnBatch {
        read(labels: labels, range: 0..<count)
    }

    /// Decodes the records at positions `range` (batches are read in parts on several threads).
    package func read(labels policy: LabelPolicy, range: Range<Int>) -> ReturnBatch {
        var batch = ReturnBatch()
        batch.returns.reserveCapacity(range.count)
        var unknown: [String] = []
        var scratch: [UInt8] = []
        var texts = [JSONRecordSource.Text](repeating: .init(), count: ContractField.count)
        bytes.withUnsafeBufferPointer { bytes in
            for index in range {
                let position: RecordPosition = isSingle ? .single : .index(index)
                let node = tape.nodes[elements[index]]
                guard node.kind == .object else {
                    batch.errors.append(RecordError(position: position, field: nil, value: nil, kind: .notAnObject(found: node.kind.name)))
                    continue
                }
                JSONRecordSource.read(
                    object: elements[index],
                    of: tape,
                    in: bytes,
                    texts: &texts,
                    scratch: &scratch,
                    unknownKeys: &unknown
                ) { source in
                    ReturnRecord.decode(from: source, position: position, labels: policy) { record, labels in
                        batch.returns.append(ParsedReturn(position: position, record: record, labels: labels))
                    } onErrors: { errors in
                        batch.errors.append(contentsOf: errors)
                    }
                }
            }
        }
        if !unknown.isEmpty { batch.warnings.append(.unknownKeys(unknown)) }
        return batch
    }
}

/// Reads return records from JSON (see ``ReturnJSONDocument``).
package enum ReturnJSONReader {
    /// Reads a JSON document: every good record, an error for every bad one. The document itself must be
    /// well-formed JSON of one of the accepted shapes.
    package static func read(_ bytes: [UInt8], labels: LabelPolicy) throws(ReturnInputError) -> ReturnBatch {
        try ReturnJSONDocument(bytes).read(labels: labels)
    }

    /// Reads the one record of a JSON object (what the store keeps).
    /// - Throws: ``ReturnInputError`` for a document that is not one object, ``RecordErrors`` for a bad record.
    package static func record(_ bytes: [UInt8]) throws -> ReturnRecord {
        let batch = try read(bytes, labels: .ignore)
        guard batch.returns.count == 1, let parsed = batch.returns.first else { throw RecordErrors(batch.errors) }
        return parsed.record
    }
}

/// The fields of one JSON object, read in place: strings without escapes and number literals point into the
/// document, escaped strings into a scratch buffer, booleans at `true`/`false`.
struct JSONRecordSource: RecordFieldSource {
    /// Where a field's text is.
    struct Text {
        enum Place: UInt8 {
            case missing, document, scratch, literalTrue, literalFalse, nonScalarArray, nonScalarObject
        }
        var place: Place = .missing
        var start: Int32 = 0
        var end: Int32 = 0
    }

    let document: UnsafeBufferPointer<UInt8>
    let scratch: UnsafeBufferPointer<UInt8>
    /// Where each field's text is, by ``ContractField/rawValue`` (the caller's buffer, reused from record to record).
    let texts: UnsafeBufferPointer<Text>

    func text(_ field: ContractField) -> UnsafeBufferPointer<UInt8>? {
        let text = texts[field.rawValue]
        switch text.place {
        case .missing, .nonScalarArray, .nonScalarObject: return nil
        case .document: return UnsafeBufferPointer(rebasing: document[Int(text.start)..<Int(text.end)])
        case .scratch: return UnsafeBufferPointer(rebasing: scratch[Int(text.start)..<Int(text.end)])
        case .literalTrue: return Self.trueBytes
        case .literalFalse: return Self.falseBytes
        }
    }

    func nonScalar(_ field: ContractField) -> String? {
        switch texts[field.rawValue].place {
        case .nonScalarArray: JSONTape.Kind.array.name
        case .nonScalarObject: JSONTape.Kind.object.name
        default: nil
        }
    }

    private static var trueBytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: ("true" as StaticString).utf8Start, count: 4) }
    private static var falseBytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: ("false" as StaticString).utf8Start, count: 5) }

    /// Locates the contract fields of the object at tape node `object` (a repeated key: the last one wins) and calls
    /// `body` with a source over them. Keys that are not contract fields are added to `unknownKeys` once. `texts`
    /// (one per contract field) and `scratch` are working space, reused from record to record.
    static func read<R>(
        object: Int,
        of tape: JSONTape,
        in document: UnsafeBufferPointer<UInt8>,
        texts: inout [Text],
        scratch: inout [UInt8],
        unknownKeys: inout [String],
        _ body: (JSONRecordSource) -> R
    ) -> R {
        scratch.removeAll(keepingCapacity: true)
        return texts.withUnsafeMutableBufferPointer { texts in
            texts.update(repeating: Text())
            // Producers usually write the contract's keys in its order: the field after the last one is tried first.
            var expected = 0
            var members = tape.children(of: object).makeIterator()
            while let k = members.next(), let v = members.next() {
                let key = tape.nodes[k]
                let name = UnsafeBufferPointer(rebasing: document[Int(key.start)..<Int(key.end)])
                let known = key.escaped ? nil : ContractField(utf8: name, expected: ContractField(rawValue: expected))
                guard let field = known ?? ContractField(name: JSONString.string(key, in: document)) else {
                    let name = JSONString.string(key, in: document)
                    if !unknownKeys.contains(name) { unknownKeys.append(name) }
                    continue
                }
                expected = field.rawValue + 1
                let node = tape.nodes[v]
                var text = Text()
                switch node.kind {
                case .null: break
                case .true: text.place = .literalTrue
                case .false: text.place = .literalFalse
                case .array: text.place = .nonScalarArray
                case .object: text.place = .nonScalarObject
                case .number, .string:
                    if node.escaped {
                        let start = scratch.count
                        _ = try? JSONString.unescape(
                            UnsafeBufferPointer(rebasing: document[Int(node.start)..<Int(node.end)]),
                            offset: Int(node.start),
                            into: &scratch
                        )
                        text = Text(place: .scratch, start: Int32(start), end: Int32(scratch.count))
                    } else {
                        text = Text(place: .document, start: node.start, end: node.end)
                    }
                }
                texts[field.rawValue] = text
            }
            return scratch.withUnsafeBufferPointer { scratch in
                body(JSONRecordSource(document: document, scratch: scratch, texts: UnsafeBufferPointer(texts)))
            }
        }
    }
}

extension ReturnRecord {
    /// Writes the record as a JSON object with the contract's keys in contract order (`null` for missing values),
    /// followed by the labels when given: the one JSON form of a record (answers, stored copies, payload hashes).
    package func writeJSON(into writer: inout JSONWriter, labels: ReturnLabels? = nil) {
        writer.raw("{")
        for (i, field) in Self.csvColumns(includeLabels: labels != nil).enumerated() {
            if i > 0 { writer.raw(",") }
            writer.string(field.name)
            writer.raw(":")
            writer.value(field.isLabel ? labels?.value(of: field) : value(of: field))
        }
        writer.raw("}")
    }

    /// The record's JSON object (see ``writeJSON(into:labels:)``) as bytes.
    package func json(labels: ReturnLabels? = nil) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 1024)
        writeJSON(into: &writer, labels: labels)
        return writer.bytes
    }

    /// `{"returns": [...]}` for a batch of records (with labels when given, one per record).
    package static func jsonDocument(_ records: [ReturnRecord], labels: [ReturnLabels]? = nil) -> [UInt8] {
        precondition(labels == nil || labels!.count == records.count, "one label per record")
        var writer = JSONWriter(reservingCapacity: records.count * 1024)
        writer.raw("{\"returns\":[")
        for (i, record) in records.enumerated() {
            if i > 0 { writer.raw(",") }
            record.writeJSON(into: &writer, labels: labels?[i])
        }
        writer.raw("]}")
        return writer.bytes
    }
}
