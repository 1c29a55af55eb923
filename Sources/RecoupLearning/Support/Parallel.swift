internal import Dispatch
internal import Foundation

/// Fork-join over the machine's cores with Dispatch, in a fixed, deterministic partition of the work.
///
/// Each worker gets exclusive access to its own state (`states[worker]`); results are combined afterwards by the
/// caller in worker order, so sums do not depend on thread timing and a fit is bit-for-bit repeatable.
enum Parallel {
    /// Number of workers the learners use: one per active processor (2 on the target machine).
    static var workerCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Runs `body(worker, &states[worker])` for every worker at once (inline when there is one).
    static func forEach<State>(_ states: inout [State], _ body: (Int, inout State) -> Void) {
        let count = states.count
        if count <= 1 {
            if count == 1 { body(0, &states[0]) }
            return
        }
        states.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            run(parts: count) { worker in body(worker, &base[worker]) }
        }
    }

    /// Runs `body(part)` for `part` in `0..<parts` at once (inline when there is one part).
    static func run(parts: Int, _ body: (Int) -> Void) {
        if parts <= 1 {
            if parts == 1 { body(0) }
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
