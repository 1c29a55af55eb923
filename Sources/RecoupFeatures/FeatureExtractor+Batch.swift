package import RecoupCore
package import RecoupLearning

/// The two model inputs of a batch, row `i` of each being record `i`.
package struct FeatureMatrices: Sendable, Equatable {
    /// Standardized, imputed values, row-major (the linear heads' input).
    package var dense: Matrix<Float>
    /// Bins of the tree columns, row-major (the trees' input).
    package var binned: BinnedMatrix
    /// Every column's value in natural units (`NaN` = missing), when asked for: what explanations read.
    package var values: Matrix<Float>?

    package init(dense: Matrix<Float>, binned: BinnedMatrix, values: Matrix<Float>? = nil) {
        self.dense = dense
        self.binned = binned
        self.values = values
    }

    /// Number of rows.
    package var rows: Int { dense.rows }

    /// The rows at `indices`, in that order (a copy: parts of a batch, splits of a training set).
    package func rows(_ indices: some Collection<Int>) -> FeatureMatrices {
        let dw = dense.columns
        let tw = binned.columns
        var values = [Float]()
        values.reserveCapacity(indices.count * dw)
        var bins = [UInt8]()
        bins.reserveCapacity(indices.count * tw)
        var natural = [Float]()
        natural.reserveCapacity(self.values == nil ? 0 : indices.count * dw)
        for i in indices {
            values.append(contentsOf: dense.values[(i * dw)..<((i + 1) * dw)])
            bins.append(contentsOf: binned.bins[(i * tw)..<((i + 1) * tw)])
            if let all = self.values { natural.append(contentsOf: all.values[(i * dw)..<((i + 1) * dw)]) }
        }
        return FeatureMatrices(
            dense: Matrix(rows: indices.count, columns: dw, values: values),
            binned: BinnedMatrix(rows: indices.count, columns: tw, bins: bins, binCounts: binned.binCounts),
            values: self.values == nil ? nil : Matrix(rows: indices.count, columns: dw, values: natural)
        )
    }
}

extension FeatureExtractor {
    /// Rows per parallel work item.
    static let blockRows = 2048

    /// The dense and binned matrices of a batch (and with `values` the natural-unit values), computed on all cores
    /// when `parallel` (results are identical).
    package func extract(_ records: [ReturnRecord], values keep: Bool = false, parallel: Bool = true) -> FeatureMatrices {
        let n = records.count
        var dense = [Float](repeating: 0, count: n * denseWidth)
        var bins = [UInt8](repeating: 0, count: n * treeWidth)
        var natural = [Float](repeating: 0, count: keep ? n * denseWidth : 0)
        dense.withUnsafeMutableBufferPointer { denseBuffer in
            bins.withUnsafeMutableBufferPointer { binsBuffer in
                natural.withUnsafeMutableBufferPointer { naturalBuffer in
                    let out = UnsafeTransfer((denseBuffer.baseAddress, binsBuffer.baseAddress, keep ? naturalBuffer.baseAddress : nil))
                    forEachBlock(n, parallel: parallel) { kernel, range in
                        var scratch = [Float](repeating: 0, count: denseWidth)
                        scratch.withUnsafeMutableBufferPointer { values in
                            for i in range {
                                records[i].withFieldTable { table in
                                    kernel.extractRow(
                                        table,
                                        values: values.baseAddress!,
                                        dense: out.value.0! + i * denseWidth,
                                        bins: out.value.1! + i * treeWidth,
                                        natural: out.value.2.map { $0 + i * denseWidth }
                                    )
                                }
                            }
                        }
                    }
                }
            }
        }
        return FeatureMatrices(
            dense: Matrix(rows: n, columns: denseWidth, values: dense),
            binned: BinnedMatrix(rows: n, columns: treeWidth, bins: bins, binCounts: binCounts),
            values: keep ? Matrix(rows: n, columns: denseWidth, values: natural) : nil
        )
    }

    /// The natural-unit values of every column of a batch (`NaN` = missing): what `fit` computes statistics on.
    package func valueMatrix(_ records: [ReturnRecord], parallel: Bool = true) -> Matrix<Float> {
        let n = records.count
        var values = [Float](repeating: 0, count: n * denseWidth)
        values.withUnsafeMutableBufferPointer { buffer in
            let out = UnsafeTransfer(buffer.baseAddress)
            forEachBlock(n, parallel: parallel) { kernel, range in
                for i in range {
                    records[i].withFieldTable { kernel.fillValues($0, into: out.value! + i * denseWidth) }
                }
            }
        }
        return Matrix(rows: n, columns: denseWidth, values: values)
    }

    /// Runs `body` over blocks of `0..<count`, on all cores when `parallel` and there is more than one block.
    func forEachBlock(_ count: Int, parallel: Bool, _ body: @Sendable (RowKernel, Range<Int>) -> Void) {
        let blocks = (count + Self.blockRows - 1) / Self.blockRows
        withExtendedLifetime(storage) {
            let kernel = UnsafeTransfer(storage.kernel)
            if parallel {
                Parallel.forEach(blocks) { b in body(kernel.value, (b * Self.blockRows)..<min(count, (b + 1) * Self.blockRows)) }
            } else {
                for b in 0..<blocks { body(kernel.value, (b * Self.blockRows)..<min(count, (b + 1) * Self.blockRows)) }
            }
        }
    }
}
