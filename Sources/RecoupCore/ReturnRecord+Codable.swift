// `Codable` with the contract's snake_case keys, for callers that decode with `JSONDecoder` (an HTTP request body).
// Decoding goes through the same validation as CSV and ``ReturnJSONReader``; a record that breaks the contract
// throws `DecodingError.dataCorrupted` whose description lists every ``RecordError`` (the first is its underlying
// error). Batches should use ``ReturnJSONReader`` instead, which keeps the good records of a batch.

/// A coding key for any contract field name.
struct ContractKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
    init(_ field: ContractField) { stringValue = field.name }
}

extension ReturnRecord: Codable {
    package init(from decoder: any Decoder) throws {
        let (record, _) = try decodeContract(from: decoder, labels: .ignore)
        self = record
    }

    package func encode(to encoder: any Encoder) throws {
        try encodeContract(ContractField.recordFields, to: encoder) { value(of: $0) }
    }
}

extension ReturnLabels: Codable {
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: ContractKey.self)
        var values = [ArenaFieldSource.Value](repeating: .missing, count: ContractField.count)
        for field in ContractField.labelFields {
            values[field.rawValue] = try scalarText(container, field)
        }
        let (labels, errors) = ArenaFieldSource.with(values) { source in
            var reader = FieldReader(source: source, position: .single)
            return (reader.labels(), reader.errors)
        }
        if let first = errors.first {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: decoder.codingPath,
                    debugDescription: errors.map(\.description).joined(separator: "; "), underlyingError: first))
        }
        self = labels
    }

    package func encode(to encoder: any Encoder) throws {
        try encodeContract(ContractField.labelFields, to: encoder) { value(of: $0) }
    }
}

/// Decodes and validates the contract fields of a keyed container.
private func decodeContract(from decoder: any Decoder, labels: LabelPolicy) throws -> (ReturnRecord, ReturnLabels?) {
    let container = try decoder.container(keyedBy: ContractKey.self)
    var values = [ArenaFieldSource.Value](repeating: .missing, count: ContractField.count)
    for field in ContractField.allCases where !field.isLabel || labels != .ignore {
        values[field.rawValue] = try scalarText(container, field)
    }
    switch ArenaFieldSource.decode(values, position: .single, labels: labels) {
    case .success(let result):
        return result
    case .failure(let errors):
        throw DecodingError.dataCorrupted(
            DecodingError.Context(
                codingPath: decoder.codingPath, debugDescription: errors.description,
                underlyingError: errors.errors.first))
    }
}

/// A field of a keyed container as text (numbers in their shortest round-trip form, booleans as `true`/`false`).
private func scalarText(_ container: KeyedDecodingContainer<ContractKey>, _ field: ContractField) throws
    -> ArenaFieldSource.Value
{
    let key = ContractKey(field)
    guard container.contains(key), try !container.decodeNil(forKey: key) else { return .missing }
    if let text = try? container.decode(String.self, forKey: key) { return .text(text) }
    if let number = try? container.decode(Double.self, forKey: key) { return .text(FieldValue.number(number).encoded) }
    if let flag = try? container.decode(Bool.self, forKey: key) { return .text(flag ? "true" : "false") }
    return .nonScalar("object or array")
}

private func encodeContract(
    _ fields: [ContractField], to encoder: any Encoder, value: (ContractField) -> FieldValue?
) throws {
    var container = encoder.container(keyedBy: ContractKey.self)
    for field in fields {
        let key = ContractKey(field)
        switch value(field) {
        case nil: continue
        case .text(let text): try container.encode(text, forKey: key)
        case .number(let number): try container.encode(number, forKey: key)
        case .integer(let int): try container.encode(int, forKey: key)
        case .boolean(let flag): try container.encode(flag, forKey: key)
        case .date(let day): try container.encode(day.description, forKey: key)
        }
    }
}
