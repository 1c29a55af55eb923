/// Reads return records from JSON: one object with the contract's keys, or `{"returns": [...]}` (a bare array is
/// accepted too). `null` or an absent key means missing.
package enum ReturnJSONReader {
    /// Reads a JSON document: every good record, an error for every bad one. The document itself must be
    /// well-formed JSON of one of the accepted shapes.
    package static func read(_ bytes: [UInt8], labels: LabelPolicy) throws(ReturnInputError) -> ReturnBatch {
        let document = try JSONValue.parse(bytes)
        switch document {
        case .object where document["returns"].map({ if case .array = $0 { true } else { false } }) ?? false:
            guard case .array(let elements) = document["returns"]! else { fatalError("checked above") }
            return read(elements: elements, labels: labels, single: false)
        case .object:
            return read(elements: [document], labels: labels, single: true)
        case .array(let elements):
            return read(elements: elements, labels: labels, single: false)
        default:
            throw .unexpectedJSONShape(document.kindName)
        }
    }

    /// Decodes parsed JSON objects into records.
    package static func read(elements: [JSONValue], labels: LabelPolicy, single: Bool = false) -> ReturnBatch {
        var batch = ReturnBatch()
        var unknown: [String] = []
        var seenUnknown = Set<String>()
        for (index, element) in elements.enumerated() {
            let position: RecordPosition = single ? .single : .index(index)
            guard case .object(let members) = element else {
                batch.errors.append(
                    RecordError(position: position, field: nil, value: nil, kind: .notAnObject(found: element.kindName)))
                continue
            }
            for member in members where ContractField(name: member.key) == nil && seenUnknown.insert(member.key).inserted {
                unknown.append(member.key)
            }
            switch decode(members: members, position: position, labels: labels) {
            case .success(let (record, labels)):
                batch.returns.append(ParsedReturn(position: position, record: record, labels: labels))
            case .failure(let errors):
                batch.errors.append(contentsOf: errors.errors)
            }
        }
        if !unknown.isEmpty { batch.warnings.append(.unknownKeys(unknown)) }
        return batch
    }

    /// Decodes one JSON object's members.
    package static func decode(members: [JSONMember], position: RecordPosition, labels: LabelPolicy)
        -> Result<(ReturnRecord, ReturnLabels?), RecordErrors>
    {
        var values = [ArenaFieldSource.Value](repeating: .missing, count: ContractField.count)
        for member in members {
            guard let field = ContractField(name: member.key) else { continue }
            switch member.value {
            case .null: values[field.rawValue] = .missing
            case .bool(let flag): values[field.rawValue] = .text(flag ? "true" : "false")
            case .number(let literal): values[field.rawValue] = .text(literal)
            case .string(let text): values[field.rawValue] = .text(text)
            case .array, .object: values[field.rawValue] = .nonScalar(member.value.kindName)
            }
        }
        return ArenaFieldSource.decode(values, position: position, labels: labels)
    }
}

/// Field texts held in one contiguous buffer: the source for JSON objects and named string fields.
struct ArenaFieldSource: RecordFieldSource {
    enum Value {
        case missing
        case text(String)
        case nonScalar(String)
    }

    let arena: UnsafeBufferPointer<UInt8>
    let spans: [Range<Int>?]
    let nonScalars: [String?]

    func text(_ field: ContractField) -> UnsafeBufferPointer<UInt8>? {
        guard let span = spans[field.rawValue], !span.isEmpty else { return nil }
        return UnsafeBufferPointer(rebasing: arena[span])
    }

    func nonScalar(_ field: ContractField) -> String? { nonScalars[field.rawValue] }

    /// Lays the values out in one buffer and decodes them.
    static func decode(_ values: [Value], position: RecordPosition, labels: LabelPolicy)
        -> Result<(ReturnRecord, ReturnLabels?), RecordErrors>
    {
        with(values) { ReturnRecord.decode(from: $0, position: position, labels: labels) }
    }

    /// Lays the values out in one buffer and calls `body` with a source over them.
    static func with<R>(_ values: [Value], _ body: (ArenaFieldSource) -> R) -> R {
        var bytes: [UInt8] = []
        var spans = [Range<Int>?](repeating: nil, count: values.count)
        var nonScalars = [String?](repeating: nil, count: values.count)
        for (i, value) in values.enumerated() {
            switch value {
            case .missing: break
            case .text(let text):
                spans[i] = bytes.count..<(bytes.count + text.utf8.count)
                bytes.append(contentsOf: text.utf8)
            case .nonScalar(let kind): nonScalars[i] = kind
            }
        }
        return bytes.withUnsafeBufferPointer { arena in
            body(ArenaFieldSource(arena: arena, spans: spans, nonScalars: nonScalars))
        }
    }
}

extension ReturnRecord {
    /// Decodes a record from named string fields (contract names; empty or absent = missing; unknown names ignored).
    package static func decode(fields: [String: String], position: RecordPosition = .single, labels: LabelPolicy = .ignore)
        -> Result<(ReturnRecord, ReturnLabels?), RecordErrors>
    {
        var values = [ArenaFieldSource.Value](repeating: .missing, count: ContractField.count)
        for (name, text) in fields {
            if let field = ContractField(name: name) { values[field.rawValue] = .text(text) }
        }
        return ArenaFieldSource.decode(values, position: position, labels: labels)
    }

    /// The record as a JSON object with the contract's keys in contract order (`null` for missing values), followed
    /// by the labels when given.
    package func jsonObject(labels: ReturnLabels? = nil) -> String {
        var out = "{"
        for (i, field) in Self.csvColumns(includeLabels: labels != nil).enumerated() {
            if i > 0 { out += "," }
            out += JSONText.string(field.name) + ":"
            out += JSONText.value(field.isLabel ? labels?.value(of: field) : value(of: field))
        }
        return out + "}"
    }

    /// `{"returns": [...]}` for a batch of records (with labels when given, one per record).
    package static func jsonDocument(_ records: [ReturnRecord], labels: [ReturnLabels]? = nil) -> String {
        precondition(labels == nil || labels!.count == records.count, "one label per record")
        let objects = records.indices.map { records[$0].jsonObject(labels: labels?[$0]) }
        return "{\"returns\":[" + objects.joined(separator: ",") + "]}"
    }
}

/// JSON text for scalars.
package enum JSONText {
    /// A JSON string literal, escaping quotes, backslashes and control characters.
    package static func string(_ text: String) -> String {
        // Most strings need no escaping: one scan of the bytes, one concatenation.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            return "\"" + text + "\""
        }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A field value as JSON (`null` when missing or not finite).
    package static func value(_ value: FieldValue?) -> String {
        switch value {
        case nil: "null"
        case .text(let text): string(text)
        case .date(let day): string(day.description)
        case .boolean(let flag): flag ? "true" : "false"
        case .integer(let int): String(int)
        case .number(let number): number.isFinite ? FieldValue.number(number).encoded : "null"
        }
    }
}
