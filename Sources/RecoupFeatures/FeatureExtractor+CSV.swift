internal import Foundation
package import RecoupCore
internal import RecoupLearning

/// The matrices of a CSV input, with what identifies each row and every bad record.
package struct CSVFeatureExtraction: Sendable {
    /// One row per good record, in input order.
    package var matrices: FeatureMatrices
    /// The `return_id` of each row.
    package var returnIDs: [String]
    /// The CSV line each row's record starts on.
    package var lines: [Int]
    /// The labels of each row when read with ``LabelPolicy/require`` (empty otherwise).
    package var labels: [ReturnLabels]
    /// Every problem of every bad record.
    package var errors: [RecordError]
    /// Input-level warnings (extra columns).
    package var warnings: [InputWarning]
}

extension FeatureExtractor {
    /// CSV bytes straight to matrices: each record is parsed, validated and extracted in place, on all cores, without
    /// keeping `ReturnRecord`s. Rows are those of ``extract(_:parallel:)`` on the records ``ReturnCSVReader`` reads,
    /// because both run the same decoder and the same per-row kernel.
    ///
    /// Memory: the input, the two matrices (sized by an upper bound on the record count: the line feeds), and a row
    /// of scratch per core.
    package func extract(csv bytes: [UInt8], labels policy: LabelPolicy = .ignore, parallel: Bool = true)
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
                    let target = UnsafeTransfer((buffer, denseBuffer.baseAddress!, binsBuffer.baseAddress!))
                    parts = extractChunks(chunks, reader: reader, target: target)
                    if !parts.allSatisfy(\.aligned) {
                        chunks = reader.chunks(of: buffer, parallel: false)
                        parts = extractChunks(chunks, reader: reader, target: target)
                    }
                    rows = compact(parts, dense: denseBuffer.baseAddress!, bins: binsBuffer.baseAddress!)
                    binsCount = rows * treeWidth
                }
                denseCount = rows * denseWidth
            }
            var result = CSVFeatureExtraction(
                matrices: FeatureMatrices(
                    dense: Matrix(rows: rows, columns: denseWidth, values: dense),
                    binned: BinnedMatrix(rows: rows, columns: treeWidth, bins: binsArray, binCounts: binMapper.binCounts)),
                returnIDs: [], lines: [], labels: [], errors: [], warnings: reader.warnings)
            result.returnIDs.reserveCapacity(rows)
            result.lines.reserveCapacity(rows)
            for part in parts {
                result.returnIDs += part.returnIDs
                result.lines += part.lines
                result.labels += part.labels
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
        var returnIDs: [String] = []
        var lines: [Int] = []
        var labels: [ReturnLabels] = []
        var errors: [RecordError] = []
    }

    /// Parses and extracts every chunk (in parallel), chunk `k` writing from the sum of the capacities before it.
    private func extractChunks(
        _ chunks: [CSVChunk], reader: ReturnCSVReader,
        target: UnsafeTransfer<(UnsafeBufferPointer<UInt8>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<UInt8>)>
    ) -> [ChunkOutput] {
        var firstRows: [Int] = []
        var next = 0
        for chunk in chunks {
            firstRows.append(next)
            next += chunk.recordCapacity
        }
        let starts = firstRows
        return Parallel.map(chunks.count) { k in
            let (input, dense, bins) = target.value
            var out = ChunkOutput(firstRow: starts[k])
            var scratch = [Float](repeating: 0, count: denseWidth)
            scratch.withUnsafeMutableBufferPointer { values in
                var row = starts[k]
                out.aligned = reader.forEachRecord(in: input, chunk: chunks[k]) { position, result in
                    switch result {
                    case .success(let (record, labels)):
                        extractRow(record, values: values.baseAddress!, dense: dense + row * denseWidth, bins: bins + row * treeWidth)
                        row += 1
                        out.returnIDs.append(record.returnID)
                        if case .line(let line) = position { out.lines.append(line) }
                        if let labels { out.labels.append(labels) }
                    case .failure(let errors):
                        out.errors += errors.errors
                    }
                }
                out.count = row - starts[k]
            }
            return out
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
