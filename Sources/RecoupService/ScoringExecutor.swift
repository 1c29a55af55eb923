package import NIOPosix

/// Where CPU-heavy work runs: on NIO's blocking thread pool, never on the event loops that read requests. A batch is
/// cut into contiguous parts, one per pool thread, each running the whole pipeline (decode, score, render) on its
/// own; results come back in order.
package struct ScoringExecutor: Sendable {
    let pool: NIOThreadPool
    /// Parts a batch is cut into at most: the pool's threads.
    let parts: Int

    /// An executor on `pool` (by default NIO's shared pool, one thread per core).
    package init(pool: NIOThreadPool = .singleton) {
        self.pool = pool
        self.parts = max(1, pool.numberOfThreads)
    }

    /// `body(range)` for near-equal contiguous parts of `0..<count` (at least `minimumPart` items each), on the
    /// pool's threads; the results in part order.
    package func map<T: Sendable>(
        _ count: Int,
        minimumPart: Int = 128,
        _ body: @escaping @Sendable (Range<Int>) throws -> T
    ) async throws -> [T] {
        let parts = max(1, min(self.parts, count / max(1, minimumPart)))
        let ranges = (0..<parts).map { p in (count * p / parts)..<(count * (p + 1) / parts) }
        if parts == 1 { return [try await pool.runIfActive { try body(ranges[0]) }] }
        return try await withThrowingTaskGroup(of: (Int, T).self) { group in
            for (p, range) in ranges.enumerated() {
                group.addTask { (p, try await pool.runIfActive { try body(range) }) }
            }
            var results = [T?](repeating: nil, count: parts)
            for try await (p, result) in group { results[p] = result }
            return results.map { $0! }
        }
    }

    /// Runs `body` on the pool.
    package func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive(body)
    }
}
