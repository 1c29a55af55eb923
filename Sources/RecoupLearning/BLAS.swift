internal import COpenBLAS

// The only file in Recoup that calls OpenBLAS or touches its pointers. Every entry point checks shapes with a
// precondition whose message names both shapes, then forwards to cblas with row-major layout. Sizes cross the C
// boundary as `Int32` (`blasint` is 32-bit in Debian's OpenBLAS).

/// The arguments of a row-major `?gemm`: `C = alpha·op(A)·op(B) + beta·C`, `op(A)` being `m × k`.
package struct GemmArguments<Scalar: BLASScalar> {
    var transA: Bool
    var transB: Bool
    var m: Int32
    var n: Int32
    var k: Int32
    var alpha: Scalar
    var a: UnsafePointer<Scalar>
    var lda: Int32
    var b: UnsafePointer<Scalar>
    var ldb: Int32
    var beta: Scalar
    var c: UnsafeMutablePointer<Scalar>
    var ldc: Int32
}

/// The arguments of a row-major `?gemv`: `y = alpha·op(A)·x + beta·y`, `A` being `m × n`.
package struct GemvArguments<Scalar: BLASScalar> {
    var trans: Bool
    var m: Int32
    var n: Int32
    var alpha: Scalar
    var a: UnsafePointer<Scalar>
    var lda: Int32
    var x: UnsafePointer<Scalar>
    var beta: Scalar
    var y: UnsafeMutablePointer<Scalar>
}

/// A scalar type BLAS can compute with: `Float` (serving, features) or `Double` (training where precision matters).
package protocol BLASScalar: BinaryFloatingPoint, Sendable, Codable {
    static func blasGemm(_ g: GemmArguments<Self>)
    static func blasGemv(_ g: GemvArguments<Self>)
    static func blasDot(_ n: Int32, _ x: UnsafePointer<Self>, _ y: UnsafePointer<Self>) -> Self
    static func blasAxpy(_ n: Int32, _ alpha: Self, _ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>)
    static func blasScal(_ n: Int32, _ alpha: Self, _ x: UnsafeMutablePointer<Self>)
    static func blasNrm2(_ n: Int32, _ x: UnsafePointer<Self>) -> Self
}

@inline(__always)
private func op(_ t: Bool) -> CBLAS_TRANSPOSE { t ? CblasTrans : CblasNoTrans }

extension Float: BLASScalar {
    package static func blasGemm(_ g: GemmArguments<Float>) {
        cblas_sgemm(CblasRowMajor, op(g.transA), op(g.transB), g.m, g.n, g.k, g.alpha, g.a, g.lda, g.b, g.ldb, g.beta, g.c, g.ldc)
    }
    package static func blasGemv(_ g: GemvArguments<Float>) {
        cblas_sgemv(CblasRowMajor, op(g.trans), g.m, g.n, g.alpha, g.a, g.lda, g.x, 1, g.beta, g.y, 1)
    }
    package static func blasDot(_ n: Int32, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>) -> Float { cblas_sdot(n, x, 1, y, 1) }
    package static func blasAxpy(_ n: Int32, _ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(n, alpha, x, 1, y, 1)
    }
    package static func blasScal(_ n: Int32, _ alpha: Float, _ x: UnsafeMutablePointer<Float>) { cblas_sscal(n, alpha, x, 1) }
    package static func blasNrm2(_ n: Int32, _ x: UnsafePointer<Float>) -> Float { cblas_snrm2(n, x, 1) }
}

extension Double: BLASScalar {
    package static func blasGemm(_ g: GemmArguments<Double>) {
        cblas_dgemm(CblasRowMajor, op(g.transA), op(g.transB), g.m, g.n, g.k, g.alpha, g.a, g.lda, g.b, g.ldb, g.beta, g.c, g.ldc)
    }
    package static func blasGemv(_ g: GemvArguments<Double>) {
        cblas_dgemv(CblasRowMajor, op(g.trans), g.m, g.n, g.alpha, g.a, g.lda, g.x, 1, g.beta, g.y, 1)
    }
    package static func blasDot(_ n: Int32, _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>) -> Double { cblas_ddot(n, x, 1, y, 1) }
    package static func blasAxpy(_ n: Int32, _ alpha: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>) {
        cblas_daxpy(n, alpha, x, 1, y, 1)
    }
    package static func blasScal(_ n: Int32, _ alpha: Double, _ x: UnsafeMutablePointer<Double>) { cblas_dscal(n, alpha, x, 1) }
    package static func blasNrm2(_ n: Int32, _ x: UnsafePointer<Double>) -> Double { cblas_dnrm2(n, x, 1) }
}

/// BLAS level 1, 2 and 3 over ``Matrix`` and arrays, row-major, through OpenBLAS.
///
/// ```swift
/// let scores = BLAS.gemm(x, weights)                       // X·W
/// BLAS.gemm(x, residuals, transposeA: true, into: &grad)   // Xᵀ·R
/// ```
package enum BLAS {
    /// The number of threads OpenBLAS uses for level 3 calls. Setting it overrides `OPENBLAS_NUM_THREADS`.
    /// Call with 1 when the caller already runs BLAS from several tasks at once (tests, batch scoring per core).
    package static var threadCount: Int {
        get { Int(openblas_get_num_threads()) }
        set {
            precondition(newValue >= 1, "BLAS thread count must be at least 1, got \(newValue)")
            openblas_set_num_threads(Int32(newValue))
        }
    }

    /// The CPU kernel OpenBLAS selected at run time (for example `Haswell`, `SkylakeX`, `Cooperlake`).
    package static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// `C ← alpha · op(A) · op(B) + beta · C`, where `op` transposes when asked.
    /// - Precondition: `op(A)` is m×k, `op(B)` is k×n and `C` is m×n.
    package static func gemm<T: BLASScalar>(
        _ a: Matrix<T>,
        _ b: Matrix<T>,
        transposeA: Bool = false,
        transposeB: Bool = false,
        alpha: T = 1,
        beta: T = 0,
        into c: inout Matrix<T>
    ) {
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        let kb = transposeB ? b.columns : b.rows
        let n = transposeB ? b.rows : b.columns
        precondition(
            k == kb,
            "gemm: inner dimensions differ: op(A) is \(m)x\(k) (A \(a.rows)x\(a.columns), transposed: \(transposeA)), "
                + "op(B) is \(kb)x\(n) (B \(b.rows)x\(b.columns), transposed: \(transposeB))"
        )
        precondition(c.rows == m && c.columns == n, "gemm: C is \(c.rows)x\(c.columns), expected \(m)x\(n)")
        checkInt32(m, n, k)
        if m == 0 || n == 0 { return }
        if k == 0 {
            scal(beta, &c.values)
            return
        }
        rawGemm(transposeA, transposeB, m, n, k, alpha, a, rowOffset: 0, b, beta, &c)
    }

    /// `op(A) · op(B)` as a new matrix.
    package static func gemm<T: BLASScalar>(
        _ a: Matrix<T>,
        _ b: Matrix<T>,
        transposeA: Bool = false,
        transposeB: Bool = false
    ) -> Matrix<T> {
        var c = Matrix<T>(rows: transposeA ? a.columns : a.rows, columns: transposeB ? b.rows : b.columns)
        gemm(a, b, transposeA: transposeA, transposeB: transposeB, into: &c)
        return c
    }

    /// `C ← alpha · A[rows] · op(B) + beta · C` on a block of consecutive rows of `A`, without copying the block.
    /// - Precondition: `rows` lies within `A`, `op(B)` has `A.columns` rows and `C` is `rows.count × op(B).columns`.
    package static func gemm<T: BLASScalar>(
        _ a: Matrix<T>,
        rows: Range<Int>,
        _ b: Matrix<T>,
        transposeB: Bool = false,
        alpha: T = 1,
        beta: T = 0,
        into c: inout Matrix<T>
    ) {
        precondition(rows.lowerBound >= 0 && rows.upperBound <= a.rows, "gemm: rows \(rows) outside A's 0..<\(a.rows)")
        let kb = transposeB ? b.columns : b.rows
        let n = transposeB ? b.rows : b.columns
        precondition(kb == a.columns, "gemm: A has \(a.columns) columns but op(B) is \(kb)x\(n)")
        precondition(c.rows == rows.count && c.columns == n, "gemm: C is \(c.rows)x\(c.columns), expected \(rows.count)x\(n)")
        checkInt32(rows.count, n, a.columns)
        if rows.isEmpty || n == 0 { return }
        if a.columns == 0 {
            scal(beta, &c.values)
            return
        }
        rawGemm(false, transposeB, rows.count, n, a.columns, alpha, a, rowOffset: rows.lowerBound, b, beta, &c)
    }

    /// `C ← alpha · A[rows]ᵀ · B + beta · C` on a block of consecutive rows of `A` (a gradient `Xᵀ·R` over a block).
    /// - Precondition: `rows` lies within `A`, `B` is `rows.count × n` and `C` is `A.columns × n`.
    package static func gemmTransposed<T: BLASScalar>(
        _ a: Matrix<T>,
        rows: Range<Int>,
        _ b: Matrix<T>,
        alpha: T = 1,
        beta: T = 0,
        into c: inout Matrix<T>
    ) {
        precondition(rows.lowerBound >= 0 && rows.upperBound <= a.rows, "gemm: rows \(rows) outside A's 0..<\(a.rows)")
        precondition(b.rows == rows.count, "gemm: B has \(b.rows) rows, expected \(rows.count)")
        precondition(c.rows == a.columns && c.columns == b.columns, "gemm: C is \(c.rows)x\(c.columns), expected \(a.columns)x\(b.columns)")
        checkInt32(a.columns, b.columns, rows.count)
        if a.columns == 0 || b.columns == 0 { return }
        if rows.isEmpty {
            scal(beta, &c.values)
            return
        }
        rawGemm(true, false, a.columns, b.columns, rows.count, alpha, a, rowOffset: rows.lowerBound, b, beta, &c)
    }

    /// `y ← alpha · op(A[rows]) · x + beta · y` on a block of consecutive rows of `A`, without copying the block.
    /// - Precondition: `rows` lies within `A`; `x` and `y` have the lengths `op(A[rows])` needs.
    package static func gemv<T: BLASScalar>(
        _ a: Matrix<T>,
        rows: Range<Int>,
        _ x: [T],
        transpose: Bool = false,
        alpha: T = 1,
        beta: T = 0,
        into y: inout [T]
    ) {
        precondition(rows.lowerBound >= 0 && rows.upperBound <= a.rows, "gemv: rows \(rows) outside A's 0..<\(a.rows)")
        let (inner, outer) = transpose ? (rows.count, a.columns) : (a.columns, rows.count)
        precondition(x.count == inner && y.count == outer, "gemv: x has \(x.count) (expected \(inner)), y \(y.count) (expected \(outer))")
        checkInt32(rows.count, a.columns, 1)
        if outer == 0 { return }
        if inner == 0 {
            scal(beta, &y)
            return
        }
        rawGemv(transpose, rows.count, alpha, a, rowOffset: rows.lowerBound, x, beta, &y)
    }

    /// Runs `body` with OpenBLAS limited to `threads` threads, then restores the previous count.
    ///
    /// - warning: The OpenBLAS thread count is process-wide: other BLAS callers running at the same time see it too.
    ///   Learners use it to run single-threaded BLAS inside their own parallel row blocks during `fit`.
    package static func withThreadCount<R, E: Error>(_ threads: Int, _ body: () throws(E) -> R) throws(E) -> R {
        let previous = threadCount
        if previous == threads { return try body() }
        threadCount = threads
        defer { threadCount = previous }
        return try body()
    }

    /// `y ← alpha · op(A) · x + beta · y`.
    /// - Precondition: `x` has as many elements as `op(A)` has columns and `y` as many as it has rows.
    package static func gemv<T: BLASScalar>(
        _ a: Matrix<T>,
        _ x: [T],
        transpose: Bool = false,
        alpha: T = 1,
        beta: T = 0,
        into y: inout [T]
    ) {
        let outRows = transpose ? a.columns : a.rows
        let inner = transpose ? a.rows : a.columns
        precondition(
            x.count == inner,
            "gemv: op(A) is \(outRows)x\(inner) (A \(a.rows)x\(a.columns), transposed: \(transpose)), x has \(x.count)"
        )
        precondition(y.count == outRows, "gemv: y has \(y.count) elements, expected \(outRows)")
        checkInt32(a.rows, a.columns, 1)
        if outRows == 0 { return }
        if inner == 0 {
            scal(beta, &y)
            return
        }
        rawGemv(transpose, a.rows, alpha, a, rowOffset: 0, x, beta, &y)
    }

    /// `op(A) · x` as a new array.
    package static func gemv<T: BLASScalar>(_ a: Matrix<T>, _ x: [T], transpose: Bool = false) -> [T] {
        var y = [T](repeating: 0, count: transpose ? a.columns : a.rows)
        gemv(a, x, transpose: transpose, into: &y)
        return y
    }

    /// `xᵀ · y`.
    package static func dot<T: BLASScalar>(_ x: [T], _ y: [T]) -> T {
        precondition(x.count == y.count, "dot: x has \(x.count) elements, y has \(y.count)")
        checkInt32(x.count, 1, 1)
        if x.isEmpty { return 0 }
        return x.withUnsafeBufferPointer { px in
            y.withUnsafeBufferPointer { py in T.blasDot(Int32(x.count), px.baseAddress!, py.baseAddress!) }
        }
    }

    /// `y ← alpha · x + y`.
    package static func axpy<T: BLASScalar>(_ alpha: T, _ x: [T], _ y: inout [T]) {
        precondition(x.count == y.count, "axpy: x has \(x.count) elements, y has \(y.count)")
        checkInt32(x.count, 1, 1)
        if x.isEmpty { return }
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in T.blasAxpy(Int32(px.count), alpha, px.baseAddress!, py.baseAddress!) }
        }
    }

    /// `x ← alpha · x`.
    package static func scal<T: BLASScalar>(_ alpha: T, _ x: inout [T]) {
        checkInt32(x.count, 1, 1)
        if x.isEmpty { return }
        x.withUnsafeMutableBufferPointer { px in T.blasScal(Int32(px.count), alpha, px.baseAddress!) }
    }

    /// Euclidean norm `‖x‖₂`, computed without overflow by BLAS.
    package static func nrm2<T: BLASScalar>(_ x: [T]) -> T {
        checkInt32(x.count, 1, 1)
        if x.isEmpty { return 0 }
        return x.withUnsafeBufferPointer { px in T.blasNrm2(Int32(px.count), px.baseAddress!) }
    }

    /// The one call into `?gemm`: `A` starts at row `rowOffset`; leading dimensions are the matrices' widths.
    private static func rawGemm<T: BLASScalar>(
        _ transA: Bool,
        _ transB: Bool,
        _ m: Int,
        _ n: Int,
        _ k: Int,
        _ alpha: T,
        _ a: Matrix<T>,
        rowOffset: Int,
        _ b: Matrix<T>,
        _ beta: T,
        _ c: inout Matrix<T>
    ) {
        a.values.withUnsafeBufferPointer { pa in
            b.values.withUnsafeBufferPointer { pb in
                c.values.withUnsafeMutableBufferPointer { pc in
                    T.blasGemm(
                        GemmArguments(
                            transA: transA,
                            transB: transB,
                            m: Int32(m),
                            n: Int32(n),
                            k: Int32(k),
                            alpha: alpha,
                            a: pa.baseAddress! + rowOffset * a.columns,
                            lda: Int32(max(a.columns, 1)),
                            b: pb.baseAddress!,
                            ldb: Int32(max(b.columns, 1)),
                            beta: beta,
                            c: pc.baseAddress!,
                            ldc: Int32(max(c.columns, 1))
                        )
                    )
                }
            }
        }
    }

    /// The one call into `?gemv`: `rows` rows of `A` from row `rowOffset`.
    private static func rawGemv<T: BLASScalar>(
        _ transpose: Bool,
        _ rows: Int,
        _ alpha: T,
        _ a: Matrix<T>,
        rowOffset: Int,
        _ x: [T],
        _ beta: T,
        _ y: inout [T]
    ) {
        a.values.withUnsafeBufferPointer { pa in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    T.blasGemv(
                        GemvArguments(
                            trans: transpose,
                            m: Int32(rows),
                            n: Int32(a.columns),
                            alpha: alpha,
                            a: pa.baseAddress! + rowOffset * a.columns,
                            lda: Int32(max(a.columns, 1)),
                            x: px.baseAddress!,
                            beta: beta,
                            y: py.baseAddress!
                        )
                    )
                }
            }
        }
    }

    private static func checkInt32(_ a: Int, _ b: Int, _ c: Int) {
        precondition(
            a <= Int(Int32.max) && b <= Int(Int32.max) && c <= Int(Int32.max),
            "BLAS dimensions \(a), \(b), \(c) exceed the 32-bit BLAS integer"
        )
    }
}
