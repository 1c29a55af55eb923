/// Reads return records from CSV bytes (RFC 4180, UTF-8, an optional BOM, a header row naming the contract's
/// columns in any order).
///
/// Construct it from the input (this reads the header: missing required columns are an error naming them, extra
/// columns a warning), then read everything with ``read(_:labels:parallel:)`` or walk chunks with
/// ``chunks(of:parallel:)`` and ``forEachRecord(in:chunk:_:)`` to consume records without keeping them (the
/// feature matrix path).
package struct ReturnCSVReader: Sendable {
    /// What to do with label columns.
    package let labels: LabelPolicy
    /// The header's column names, in file order.
    package let columnNames: [String]
    /// For each contract field (by `rawValue`), its column index, or -1 when the column is absent or ignored.
    let columnOf: [Int]
    /// Where the first data record starts, and its physical line.
    package let dataStart: Int
    package let dataLine: Int
    /// Input-level warnings (extra columns), to report once.
    package let warnings: [InputWarning]

    /// Reads the header of `bytes`.
    package init(header bytes: UnsafeBufferPointer<UInt8>, labels: LabelPolicy) throws(ReturnInputError) {
        self.labels = labels
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let start = bytes.count >= 3 && bytes.prefix(3).elementsEqual(bom) ? 3 : 0
        var tokenizer = CSVTokenizer(bytes: bytes, start: start)
        var spans: [CSVFieldSpan] = []
        guard tokenizer.next(fields: &spans) != nil else { throw .noHeader }
        columnNames = spans.map { CSVTokenizer.string(bytes, $0).trimmingWhitespace() }
        dataStart = tokenizer.position
        dataLine = tokenizer.line
        var columnOf = [Int](repeating: -1, count: ContractField.count)
        var extra: [String] = []
        for (index, name) in columnNames.enumerated() {
            guard let field = ContractField(name: name) else {
                extra.append(name)
                continue
            }
            guard columnOf[field.rawValue] < 0 else { throw .duplicateColumn(name) }
            if !field.isLabel || labels != .ignore { columnOf[field.rawValue] = index }
        }
        let missing = ContractField.allCases.filter { field in
            field.isRequired && columnOf[field.rawValue] < 0 && (!field.isLabel || labels == .require)
        }
        guard missing.isEmpty else { throw .missingColumns(missing.map(\.name)) }
        self.columnOf = columnOf
        warnings = extra.isEmpty ? [] : [.extraColumns(extra)]
    }

    /// Reads a whole CSV input: every good record, an error for every bad one. Chunks are parsed on all cores
    /// when `parallel` is set; the result is the same either way.
    package static func read(
        _ bytes: [UInt8],
        labels: LabelPolicy,
        parallel: Bool = true
    ) throws(ReturnInputError)
        -> ReturnBatch
    {
        try bytes.withUnsafeBufferPointer { (buffer) throws(ReturnInputError) -> ReturnBatch in
            let reader = try ReturnCSVReader(header: buffer, labels: labels)
            let input = UnsafeTransfer(buffer)
            func parse(_ chunks: [CSVChunk]) -> [(batch: ReturnBatch, aligned: Bool)] {
                Parallel.map(chunks.count) { i in
                    var batch = ReturnBatch()
                    let aligned = reader.forEachRecord(in: input.value, chunk: chunks[i]) { position, record, labels in
                        batch.returns.append(ParsedReturn(position: position, record: record, labels: labels))
                    } onErrors: { errors in
                        batch.errors.append(contentsOf: errors)
                    }
                    return (batch, aligned)
                }
            }
            var parts = parse(reader.chunks(of: buffer, parallel: parallel))
            if !parts.allSatisfy(\.aligned) { parts = parse(reader.chunks(of: buffer, parallel: false)) }
            var result = ReturnBatch(warnings: reader.warnings)
            result.returns.reserveCapacity(parts.reduce(0) { $0 + $1.batch.returns.count })
            for part in parts {
                result.returns.append(contentsOf: part.batch.returns)
                result.errors.append(contentsOf: part.batch.errors)
            }
            return result
        }
    }

    /// The data records of `bytes` in chunks of whole records (one chunk unless `parallel`).
    package func chunks(of bytes: UnsafeBufferPointer<UInt8>, parallel: Bool) -> [CSVChunk] {
        let count = parallel ? CSVChunking.suggestedCount(byteCount: bytes.count - dataStart) : 1
        return CSVChunking.chunks(of: bytes, from: dataStart, line: dataLine, count: count)
    }

    /// Decodes every record of `chunk`, in order, calling `onRecord` with a good record's position, the record and
    /// its labels (per ``labels``), or `onErrors` with every error of a bad one. Returns whether the chunk's records
    /// ended exactly at its end; when not (only possible with broken quoting), the caller must discard the results of
    /// all chunks and read the input as one chunk.
    @discardableResult
    package func forEachRecord(
        in bytes: UnsafeBufferPointer<UInt8>,
        chunk: CSVChunk,
        onRecord: (RecordPosition, ReturnRecord, ReturnLabels?) -> Void,
        onErrors: ([RecordError]) -> Void
    ) -> Bool {
        forEachRow(in: bytes, chunk: chunk) { position, table, labels in
            onRecord(position, ReturnRecord(table: table), labels)
        } onErrors: { errors in
            onErrors(errors)
        }
    }

    /// ``forEachRecord(in:chunk:onRecord:onErrors:)`` without building records: `onRow` gets each good record's
    /// validated ``FieldTable``, whose texts point into the input (valid during the call). The streaming feature path.
    @discardableResult
    package func forEachRow(
        in bytes: UnsafeBufferPointer<UInt8>,
        chunk: CSVChunk,
        onRow: (RecordPosition, UnsafePointer<FieldTable>, ReturnLabels?) -> Void,
        onErrors: ([RecordError]) -> Void
    ) -> Bool {
        let table = UnsafeMutablePointer<FieldTable>.allocate(capacity: 1)
        table.initialize(to: FieldTable())
        defer { table.deallocate() }
        var tokenizer = CSVTokenizer(bytes: bytes, start: chunk.start, line: chunk.line)
        let storage = UnsafeMutableBufferPointer<CSVFieldSpan>.allocate(capacity: columnNames.count + 1)
        defer { storage.deallocate() }
        var fields = CSVFields(storage)
        var scratch = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 0)
        defer { scratch.deallocate() }
        columnOf.withUnsafeBufferPointer { columns in
            while true {
                tokenizer.skipBlankLines(before: chunk.end)
                guard tokenizer.position < chunk.end, let span = tokenizer.next(into: &fields) else { break }
                let position = RecordPosition.line(span.line)
                if let failure = recordLevelError(bytes, span, fields) {
                    onErrors([failure])
                    continue
                }
                let spans = fields.stored
                if spans.contains(where: \.hasEscapedQuotes) {
                    if scratch.count < span.end - span.start {
                        scratch.deallocate()
                        scratch = .allocate(capacity: span.end - span.start)
                    }
                    var offset = 0
                    for i in spans.indices where spans[i].hasEscapedQuotes {
                        let content = CSVTokenizer.unescaped(bytes, spans[i])
                        _ = UnsafeMutableBufferPointer(rebasing: scratch[offset...]).initialize(from: content)
                        spans[i] = CSVFieldSpan(start: offset, end: offset + content.count, hasEscapedQuotes: true)
                        offset += content.count
                    }
                }
                let source = CSVRecordSource(
                    bytes: bytes,
                    unescaped: UnsafeBufferPointer(scratch),
                    fields: UnsafeBufferPointer(spans),
                    columnOf: columns
                )
                ReturnRecord.validate(source, position: position, labels: labels, into: table) { labels in
                    onRow(position, UnsafePointer(table), labels)
                } onErrors: { errors in
                    onErrors(errors)
                }
            }
        }
        return tokenizer.position == chunk.end
    }

    /// A syntax error or a wrong field count, as the record's one error.
    private func recordLevelError(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ span: CSVRecordSpan,
        _ all: CSVFields
    )
        -> RecordError?
    {
        let fields = all.stored
        let idColumn = columnOf[ContractField.returnID.rawValue]
        let returnID = idColumn < fields.count && idColumn >= 0 ? CSVTokenizer.string(bytes, fields[idColumn]) : nil
        if let (kind, index) = span.syntaxError {
            let name = index < columnNames.count ? columnNames[index] : "column \(index + 1)"
            let value = index < fields.count ? CSVTokenizer.string(bytes, fields[index]) : nil
            return RecordError(position: .line(span.line), returnID: returnID, field: name, value: value, kind: kind)
        }
        if all.count != columnNames.count {
            return RecordError(
                position: .line(span.line),
                returnID: returnID,
                field: nil,
                value: nil,
                kind: .fieldCount(expected: columnNames.count, found: all.count)
            )
        }
        return nil
    }
}

/// The fields of one tokenized CSV record, by contract field.
package struct CSVRecordSource: RecordFieldSource {
    let bytes: UnsafeBufferPointer<UInt8>
    /// Where fields with doubled quotes were unescaped (their spans point here).
    let unescaped: UnsafeBufferPointer<UInt8>
    let fields: UnsafeBufferPointer<CSVFieldSpan>
    let columnOf: UnsafeBufferPointer<Int>

    @inline(__always)
    package func text(_ field: ContractField) -> UnsafeBufferPointer<UInt8>? {
        let column = columnOf[field.rawValue]
        guard column >= 0 else { return nil }
        let span = fields[column]
        guard span.end > span.start else { return nil }
        let base = span.hasEscapedQuotes ? unescaped : bytes
        return UnsafeBufferPointer(rebasing: base[span.start..<span.end])
    }
}
