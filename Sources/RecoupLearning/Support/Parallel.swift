internal import Dispatch
internal import Foundation

/// Fork-join over the machine's cores with Dispatch, in a fixed, deterministic partition of the work.
///
/// Work is cut into parts whose number depends on the data only (never on the machine); each part gets exclusive
/// access to its own state (`states[part]`), and results are combined afterwards by the caller in part order. Sums
/// therefore depend neither on thread timing nor on the number of cores: a fit is bit-for-bit repeatable, on one
/// core or on many.
enum Parallel {
    /// Parts of row-sliced sums (loss and gradient, column moments, sparse histograms of large leaves).
    static let rowParts = 4

    /// Number of workers the learners use: one per active processor (2 on the target machine).
    static let workerCount: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Runs `body(part, &states[part])` for every part, on up to `workers` threads.
    static func forEach<State>(_ states: inout [State], workers: Int = workerCount, _ body: (Int, inout State) -> Void) {
        states.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            run(parts: buffer.count, workers: workers) { part in body(part, &base[part]) }
        }
    }

    /// Runs `body(part)` for `part` in `0..<parts`: at once on the machine's threads, or one after the other when
    /// `workers` is 1 or there is one part.
    static func run(parts: Int, workers: Int = workerCount, _ body: (Int) -> Void) {
        if parts <= 1 || workers <= 1 {
            for part in 0..<max(parts, 0) { body(part) }
            return
        }
        // `concurrentPerform` wants a `@Sendable` closure; the parts of every caller write disjoint memory (their own
        // state, their own slice of rows or features), which is the guarantee the compiler cannot see here.
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: parts) { body($0) }
        }
    }

    /// The `part`-th of `parts` contiguous, near-equal slices of `0..<count`.
    @inline(__always)
    static func slice(_ count: Int, part: Int, of parts: Int) -> Range<Int> {
        let lo = count * part / parts
        let hi = count * (part + 1) / parts
        return lo..<hi
    }
}
