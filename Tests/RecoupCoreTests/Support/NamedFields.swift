@testable import RecoupCore

/// Named string fields as a record source: the shared validation path (`ReturnRecord.decode(from:)`) over texts given
/// by name, as a CSV row would give them (empty = missing; unknown names ignored).
struct NamedFieldSource: RecordFieldSource {
    let arena: UnsafeBufferPointer<UInt8>
    let spans: [ContractField: Range<Int>]

    func text(_ field: ContractField) -> UnsafeBufferPointer<UInt8>? {
        guard let span = spans[field], !span.isEmpty else { return nil }
        return UnsafeBufferPointer(rebasing: arena[span])
    }
}

extension ReturnRecord {
    /// Decodes a record from named string fields through the shared validation.
    static func decode(
        fields: [String: String],
        position: RecordPosition = .single,
        labels: LabelPolicy = .ignore
    ) -> Result<(ReturnRecord, ReturnLabels?), RecordErrors> {
        var arena: [UInt8] = []
        var spans: [ContractField: Range<Int>] = [:]
        for (name, text) in fields {
            guard let field = ContractField(name: name) else { continue }
            spans[field] = arena.count..<(arena.count + text.utf8.count)
            arena += text.utf8
        }
        return arena.withUnsafeBufferPointer { arena in
            ReturnRecord.decode(from: NamedFieldSource(arena: arena, spans: spans), position: position, labels: labels)
        }
    }
}
