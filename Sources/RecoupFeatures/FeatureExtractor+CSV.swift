internal import Foundation
package import RecoupCore
internal import RecoupLearning

/// Room for a `reason_code` that must be normalized before a validated table matches the record's table (a record
/// holds it trimmed and lower-cased; the input may not). One per thread.
final class TextScratch {
    private var storage = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 64)
    private let reasonCode = ContractField.reasonCode.rawValue

    deinit { storage.deallocate() }

    /// Points the table's `reason_code` at its normalized form when it is not already ASCII lower case.
    @inline(__always)
    func normalizeReasonCode(_ table: UnsafeMutablePointer<FieldTable>) {
        guard UnsafePointer(table).has(reasonCode) else { return }
        let text = UnsafePointer(table).text(reasonCode)
        if !text.contains(where: { $0 >= 0x80 || ($0 >= 65 && $0 <= 90) }) { return }
        let normalized = Array(ReturnRecord.normalized(String(decoding: text, as: UTF8.self)).utf8)
        if normalized.count > storage.count {
            storage.deallocate()
            storage = .allocate(capacity: normalized.count)
        }
        _ = storage.initialize(from: normalized)
        table.pointee.textBases[reasonCode] = UnsafePointer(storage.baseAddress)
        table.pointee.textCounts[reasonCode] = normalized.count
    }
}

/// The `return_id`s of extracted rows, kept as one UTF-8 buffer (no `String` per row); `ids[i]` makes the string.
package struct ReturnIDs: RandomAccessCollection, Sendable, Equatable {
    private var utf8: [UInt8] = []
    private var ends: [Int] = []

    package init() {}

    package var startIndex: Int { 0 }
    package var endIndex: Int { ends.count }

    package subscript(position: Int) -> String {
        String(decoding: utf8[(position == 0 ? 0 : ends[position - 1])..<ends[position]], as: UTF8.self)
    }

    mutating func append(utf8 id: UnsafeBufferPointer<UInt8>) {
        utf8.append(contentsOf: id)
        ends.append(utf8.count)
    }

    mutating func append(contentsOf other: ReturnIDs) {
        let base = utf8.count
        utf8 += other.utf8
        ends += other.ends.map { $0 + base }
    }
}

/// The matrices of a CSV input, with what identifies each row and every bad record.
package struct CSVFeatureExtraction: Sendable {
    /// One row per good record, in input order.
    package var matrices: FeatureMatrices
    /// The `return_id` of each row.
    package var returnIDs: ReturnIDs
    /// The CSV line each row's record starts on.
    package var lines: [Int]
    /// The labels of each row when read with ``LabelPolicy/require`` (empty otherwise).
    package var labels: [ReturnLabels]
    /// The record of each row when asked for (`recoup score` finishes each row from its record), else empty.
    package var records: [ReturnRecord]
    /// Every problem of every bad record.
    package var errors: [RecordError]
    /// Input-level warnings (extra columns).
    package var warnings: [InputWarning]
}

extension FeatureExtractor {
    /// CSV bytes straight to matrices: each record is parsed, validated and extracted in place, on all cores, without
    /// building `ReturnRecord`s (the kernel reads the validated ``FieldTable``, whose texts point into the input). Rows
    /// are those of ``extract(_:parallel:)`` on the records ``ReturnCSVReader`` reads, because both run the same
    /// validation (a record is `ReturnRecord(table:)` of the same table) and the same per-row kernel.
    ///
    /// With `records`, each good row's ``ReturnRecord`` is made from the same validated table in the same pass.
    ///
    /// Memory: the input, the two matrices (sized by an upper bound on the record count: the line feeds), and a row
    /// of scratch per core.
    package func extract(
        csv bytes: [UInt8],
        labels policy: LabelPolicy = .ignore,
        records: Bool = false,
        parallel: Bool = true
    )
        throws(ReturnInputError) -> CSVFeatureExtraction
    {
        try bytes.withUnsafeBufferPointer { (buffer) throws(ReturnInputError) -> CSVFeatureExtraction in
            let reader = try ReturnCSVReader(header: buffer, labels: policy)
            var chunks = reader.chunks(of: buffer, parallel: parallel)
            let capacity = chunks.reduce(0) { $0 + $1.recordCapacity }
            var parts: [ChunkOutput] = []
            var binsArray: [UInt8] = []
            var rows = 0
            let dense = [Float](unsafeUninitializedCapacity: max(1, capacity * denseWidth)) { denseBuffer, denseCount in
                binsArray = [UInt8](unsafeUninitializedCapacity: max(1, capacity * treeWidth)) { binsBuffer, binsCount in
                    if parallel {
                        LargeBuffer.populate(denseBuffer.baseAddress!, byteCount: capacity * denseWidth * MemoryLayout<Float>.stride)
                        LargeBuffer.populate(binsBuffer.baseAddress!, byteCount: capacity * treeWidth)
                    }
                    let target = UnsafeTransfer((buffer, denseBuffer.baseAddress!, binsBuffer.baseAddress!))
                    parts = extractChunks(chunks, reader: reader, records: records, target: target)
                    if !parts.allSatisfy(\.aligned) {
                        chunks = reader.chunks(of: buffer, parallel: false)
                        parts = extractChunks(chunks, reader: reader, records: records, target: target)
                    }
                    rows = compact(parts, dense: denseBuffer.baseAddress!, bins: binsBuffer.baseAddress!)
                    binsCount = rows * treeWidth
                }
                denseCount = rows * denseWidth
            }
            var result = CSVFeatureExtraction(
                matrices: FeatureMatrices(
                    dense: Matrix(rows: rows, columns: denseWidth, values: dense),
                    binned: BinnedMatrix(rows: rows, columns: treeWidth, bins: binsArray, binCounts: binCounts)
                ),
                returnIDs: ReturnIDs(),
                lines: [],
                labels: [],
                records: [],
                errors: [],
                warnings: reader.warnings
            )
            result.lines.reserveCapacity(rows)
            for part in parts {
                result.returnIDs.append(contentsOf: part.returnIDs)
                result.lines += part.lines
                result.labels += part.labels
                result.records += part.records
                result.errors += part.errors
            }
            return result
        }
    }

    /// What one chunk produced: its rows were written at `firstRow..<firstRow + count` of the matrices.
    struct ChunkOutput: Sendable {
        var firstRow = 0
        var count = 0
        var aligned = true
        var returnIDs = ReturnIDs()
        var lines: [Int] = []
        var labels: [ReturnLabels] = []
        var records: [ReturnRecord] = []
        var errors: [RecordError] = []
    }

    /// Parses and extracts every chunk (in parallel), chunk `k` writing from the sum of the capacities before it.
    private func extractChunks(
        _ chunks: [CSVChunk],
        reader: ReturnCSVReader,
        records: Bool,
        target: UnsafeTransfer<(UnsafeBufferPointer<UInt8>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<UInt8>)>
    ) -> [ChunkOutput] {
        var firstRows: [Int] = []
        var next = 0
        for chunk in chunks {
            firstRows.append(next)
            next += chunk.recordCapacity
        }
        let starts = firstRows
        let kernel = UnsafeTransfer(storage.kernel)
        let returnID = ContractField.returnID.rawValue
        return withExtendedLifetime(storage) {
            Parallel.map(chunks.count) { k in
                let (input, dense, bins) = target.value
                var out = ChunkOutput(firstRow: starts[k])
                var scratch = [Float](repeating: 0, count: denseWidth)
                let text = TextScratch()
                scratch.withUnsafeMutableBufferPointer { values in
                    var row = starts[k]
                    let limit = starts[k] + chunks[k].recordCapacity
                    var overflow = false
                    out.aligned = reader.forEachRow(in: input, chunk: chunks[k]) { position, table, labels in
                        // A chunk split inside a quoted field (broken quoting) can hold one record more than its
                        // capacity; its results are discarded (it is not aligned), so never write past its rows.
                        guard row < limit else {
                            overflow = true
                            return
                        }
                        text.normalizeReasonCode(UnsafeMutablePointer(mutating: table))
                        kernel.value.extractRow(
                            table,
                            values: values.baseAddress!,
                            dense: dense + row * denseWidth,
                            bins: bins + row * treeWidth
                        )
                        row += 1
                        out.returnIDs.append(utf8: table.text(returnID))
                        if case .line(let line) = position { out.lines.append(line) }
                        if let labels { out.labels.append(labels) }
                        if records { out.records.append(ReturnRecord(table: table)) }
                    } onErrors: { errors in
                        out.errors += errors
                    }
                    out.count = row - starts[k]
                    out.aligned = out.aligned && !overflow
                }
                return out
            }
        }
    }

    /// Moves every chunk's rows down so that they are contiguous; returns the row count.
    private func compact(_ parts: [ChunkOutput], dense: UnsafeMutablePointer<Float>, bins: UnsafeMutablePointer<UInt8>) -> Int {
        var rows = 0
        for part in parts {
            if part.firstRow != rows && part.count > 0 {
                memmove(dense + rows * denseWidth, dense + part.firstRow * denseWidth, part.count * denseWidth * MemoryLayout<Float>.stride)
                memmove(bins + rows * treeWidth, bins + part.firstRow * treeWidth, part.count * treeWidth)
            }
            rows += part.count
        }
        return rows
    }
}
