// RecoupLearning: domain-free machine learning over OpenBLAS; it knows nothing of returns.
//
// Owns the matrices and the BLAS wrapper (BLAS.swift is the only file that calls OpenBLAS), logistic regression
// (L-BFGS), histogram gradient-boosted trees (binning, growing, objectives, the packed predictor, path attributions),
// calibration and metrics. Results do not depend on the number of cores.

/// A dense, row-major matrix of `Float` or `Double`.
///
/// Element `(i, j)` is stored at `values[i * columns + j]`. The storage is one contiguous array so that it can be
/// handed to BLAS (``BLAS``) without copying. Shapes are checked with preconditions: a shape mismatch is a
/// programming error, never a consequence of user input (inputs are validated before they become matrices).
package struct Matrix<Scalar: BLASScalar>: Sendable, Equatable {
    /// Number of rows.
    package let rows: Int
    /// Number of columns.
    package let columns: Int
    /// Row-major storage, `rows * columns` elements.
    package var values: [Scalar]

    /// A matrix filled with one value.
    package init(rows: Int, columns: Int, repeating value: Scalar = 0) {
        precondition(rows >= 0 && columns >= 0, "Matrix shape must be non-negative, got \(rows)x\(columns)")
        self.rows = rows
        self.columns = columns
        self.values = [Scalar](repeating: value, count: rows * columns)
    }

    /// A matrix over existing row-major values.
    /// - Precondition: `values.count == rows * columns`.
    package init(rows: Int, columns: Int, values: [Scalar]) {
        precondition(rows >= 0 && columns >= 0, "Matrix shape must be non-negative, got \(rows)x\(columns)")
        precondition(
            values.count == rows * columns,
            "Matrix \(rows)x\(columns) needs \(rows * columns) values, got \(values.count)"
        )
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// A matrix from nested rows (tests and small fixtures).
    package init(_ rowsOfValues: [[Scalar]]) {
        let columns = rowsOfValues.first?.count ?? 0
        precondition(rowsOfValues.allSatisfy { $0.count == columns }, "All rows must have \(columns) columns")
        self.init(rows: rowsOfValues.count, columns: columns, values: rowsOfValues.flatMap { $0 })
    }

    /// Element at `(row, column)`.
    package subscript(row: Int, column: Int) -> Scalar {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// The elements of one row.
    package func row(_ index: Int) -> ArraySlice<Scalar> {
        values[(index * columns)..<((index + 1) * columns)]
    }

    /// The transpose, as a new row-major matrix.
    package func transposed() -> Matrix {
        var result = Matrix(rows: columns, columns: rows)
        for i in 0..<rows {
            for j in 0..<columns {
                result.values[j * rows + i] = values[i * columns + j]
            }
        }
        return result
    }

    /// The shape as `(rows, columns)`.
    package var shape: (rows: Int, columns: Int) { (rows, columns) }
}

extension Matrix: CustomStringConvertible {
    package var description: String {
        "Matrix<\(Scalar.self)>(\(rows)x\(columns))"
    }
}
