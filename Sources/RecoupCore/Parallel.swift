internal import Dispatch

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A value moved across threads by code that guarantees exclusive or read-only access itself (disjoint slices of a
/// buffer written by ``Parallel/forEach(_:_:)``, a read-only input). Only for pointers and buffers, never for state.
package struct UnsafeTransfer<Value>: @unchecked Sendable {
    /// The transferred value.
    package let value: Value

    /// Wraps `value` for a `@Sendable` closure.
    package init(_ value: Value) {
        self.value = value
    }
}

/// Data parallelism over the machine's cores (`DispatchQueue.concurrentPerform`): CSV chunks, feature rows.
package enum Parallel {
    /// Online processors (at least 1).
    package static let processorCount: Int = {
        #if canImport(Glibc) || canImport(Darwin)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }()

    /// Runs `body(0..<count)` on all cores; returns when every iteration has finished.
    package static func forEach(_ count: Int, _ body: @Sendable (Int) -> Void) {
        if count == 1 {
            body(0)
        } else if count > 1 {
            DispatchQueue.concurrentPerform(iterations: count, execute: body)
        }
    }

    /// `(0..<count).map(body)`, computed on all cores, results in order.
    package static func map<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        if count <= 1 { return (0..<count).map { body($0) } }
        let slots = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
        slots.initialize(repeating: nil)
        defer { slots.deallocate() }
        let transfer = UnsafeTransfer(slots)
        forEach(count) { i in transfer.value[i] = body(i) }
        return slots.map { $0! }
    }
}
