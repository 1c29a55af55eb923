internal import ArgumentParser
internal import Foundation
internal import RecoupLearning

/// `recoup-bench blas`: sgemm/dgemm GFLOP/s, to log the OpenBLAS kernel and thread count beside other figures.
struct BLASBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "blas", abstract: "GEMM throughput of the linked OpenBLAS.")

    @Option(help: "Square matrix size.") var size: Int = 1000
    @Option(help: "OpenBLAS threads.") var threads: Int = 1

    func run() throws {
        BLAS.threadCount = threads
        var rng = SplitMix64(seed: 1)
        let n = size
        let a = Matrix<Float>(rows: n, columns: n, values: (0..<(n * n)).map { _ in Float(rng.nextUnit()) })
        let b = a.transposed()
        var c = Matrix<Float>(rows: n, columns: n)
        var best = Double.infinity
        for _ in 0..<5 {
            let start = DispatchTime.now().uptimeNanoseconds
            BLAS.gemm(a, b, into: &c)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let gflops = 2 * Double(n * n * n) / best / 1e9
        print(#"{"benchmark":"sgemm","size":\#(n),"threads":\#(BLAS.threadCount),"core":"\#(BLAS.coreName)","gflops":\#(gflops)}"#)
    }
}
