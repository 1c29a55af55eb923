import Testing

@testable import RecoupLearning

func randomMatrix<T: BLASScalar>(_ rows: Int, _ columns: Int, _ rng: inout SplitMix64) -> Matrix<T>
where T.RawSignificand: FixedWidthInteger {
    Matrix(rows: rows, columns: columns, values: (0..<(rows * columns)).map { _ in T.random(in: -1...1, using: &rng) })
}

/// Naive triple loop: the reference BLAS is compared with.
func naiveProduct<T: BLASScalar>(_ a: Matrix<T>, _ b: Matrix<T>, _ ta: Bool, _ tb: Bool) -> Matrix<T> {
    let opA = ta ? a.transposed() : a
    let opB = tb ? b.transposed() : b
    var c = Matrix<T>(rows: opA.rows, columns: opB.columns)
    for i in 0..<opA.rows {
        for j in 0..<opB.columns {
            var sum: Double = 0
            for k in 0..<opA.columns { sum += Double(opA[i, k]) * Double(opB[k, j]) }
            c[i, j] = T(sum)
        }
    }
    return c
}

func maxRelativeError<T: BLASScalar>(_ x: [T], _ y: [T]) -> Double {
    precondition(x.count == y.count)
    var worst = 0.0
    for (a, b) in zip(x, y) {
        let scale = max(1, abs(Double(b)))
        worst = max(worst, abs(Double(a) - Double(b)) / scale)
    }
    return worst
}

@Suite("BLAS wrapper against naive loops", .serialized)
struct BLASTests {
    init() { BLAS.threadCount = 1 }

    static let shapes: [(m: Int, k: Int, n: Int)] = [
        (3, 5, 4), (1, 7, 5), (6, 1, 3), (5, 4, 1), (1, 1, 1), (17, 9, 33), (64, 70, 2),
    ]

    @Test(
        "sgemm: every transpose combination and non-square, one-row and one-column shapes",
        arguments: [(false, false), (true, false), (false, true), (true, true)]
    )
    func sgemmMatchesNaive(ta: Bool, tb: Bool) {
        var rng = SplitMix64(seed: 42)
        for s in Self.shapes {
            let a: Matrix<Float> = ta ? randomMatrix(s.k, s.m, &rng) : randomMatrix(s.m, s.k, &rng)
            let b: Matrix<Float> = tb ? randomMatrix(s.n, s.k, &rng) : randomMatrix(s.k, s.n, &rng)
            let c = BLAS.gemm(a, b, transposeA: ta, transposeB: tb)
            #expect(c.rows == s.m && c.columns == s.n)
            #expect(maxRelativeError(c.values, naiveProduct(a, b, ta, tb).values) < 1e-5, "shape \(s) ta \(ta) tb \(tb)")
        }
    }

    @Test("dgemm with alpha and beta accumulates into C", arguments: [(false, false), (true, false), (false, true), (true, true)])
    func dgemmAlphaBeta(ta: Bool, tb: Bool) {
        var rng = SplitMix64(seed: 7)
        for s in Self.shapes {
            let a: Matrix<Double> = ta ? randomMatrix(s.k, s.m, &rng) : randomMatrix(s.m, s.k, &rng)
            let b: Matrix<Double> = tb ? randomMatrix(s.n, s.k, &rng) : randomMatrix(s.k, s.n, &rng)
            let c0: Matrix<Double> = randomMatrix(s.m, s.n, &rng)
            var c = c0
            BLAS.gemm(a, b, transposeA: ta, transposeB: tb, alpha: 0.5, beta: -2, into: &c)
            let product = naiveProduct(a, b, ta, tb)
            let expected = zip(product.values, c0.values).map { 0.5 * $0 - 2 * $1 }
            #expect(maxRelativeError(c.values, expected) < 1e-12)
        }
    }

    @Test("gemv, plain and transposed, matches naive loops", arguments: [false, true])
    func gemvMatchesNaive(transpose: Bool) {
        var rng = SplitMix64(seed: 11)
        for (rows, columns) in [(4, 3), (1, 6), (6, 1), (1, 1), (31, 17)] {
            let a: Matrix<Float> = randomMatrix(rows, columns, &rng)
            let x = (0..<(transpose ? rows : columns)).map { _ in Float.random(in: -1...1, using: &rng) }
            let y = BLAS.gemv(a, x, transpose: transpose)
            let column = Matrix(rows: x.count, columns: 1, values: x)
            let expected = naiveProduct(a, column, transpose, false).values
            #expect(maxRelativeError(y, expected) < 1e-5)
        }
    }

    @Test("dot, axpy, scal and nrm2")
    func levelOne() {
        let x: [Double] = [1, 2, 3, 4]
        var y: [Double] = [0.5, -1, 2, 0]
        #expect(BLAS.dot(x, y) == 0.5 - 2 + 6)
        BLAS.axpy(2, x, &y)
        #expect(y == [2.5, 3, 8, 8])
        BLAS.scal(0.5, &y)
        #expect(y == [1.25, 1.5, 4, 4])
        #expect(abs(BLAS.nrm2([3.0, 4.0] as [Double]) - 5) < 1e-12)
        #expect(BLAS.dot([Float](), []) == 0)
    }

    @Test("the thread count can be set at run time")
    func threadCount() {
        BLAS.threadCount = 2
        #expect(BLAS.threadCount >= 1)
        BLAS.threadCount = 1
        #expect(BLAS.threadCount == 1)
        #expect(!BLAS.coreName.isEmpty)
    }
}
