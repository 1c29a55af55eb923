internal import Dispatch
package import RecoupCore
internal import Synchronization

/// Synthetic, labelled returns from a documented hidden process (`training-data/README.md`).
///
/// Deterministic for a seed: row `i` draws from its own seeded stream, so the rows are the same whether generated
/// on one core or two, and `generate(rows: n)` is a prefix of `generate(rows: m)` for `m > n` only when the world
/// (which scales with `rows`) is the same; use the same `rows` and `seed` to reproduce a file.
package enum SyntheticReturns {
    /// Generates `rows` labelled returns; with `plantProblems`, the ones ``plantedProblems(rows:seed:)`` names; with
    /// `drift`, from the process shifted by ``GeneratorDrift/standard`` (its warehouse with the fraud ring is
    /// ``GeneratorDrift/fraudWarehouse``). Without `drift`, the returns are byte for byte what they were before the
    /// option existed.
    package static func generate(rows: Int, seed: UInt64, plantProblems: Bool = false, drift: Bool = false) -> [LabelledReturn] {
        precondition(rows >= 0, "rows must be non-negative, got \(rows)")
        var built = SyntheticWorld(seed: seed, rows: rows)
        if plantProblems { built.planted = PlantedProblems(world: built) }
        if drift { built.shift(by: .standard, seed: seed) }
        let world = built
        if rows < 2_000 { return (0..<rows).map { world.simulate(index: $0, seed: seed) } }
        let chunks = 16
        let chunkSize = (rows + chunks - 1) / chunks
        let parts = Mutex(Array(repeating: [LabelledReturn](), count: chunks))
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let range = (c * chunkSize)..<min(rows, (c + 1) * chunkSize)
            let part = range.map { world.simulate(index: $0, seed: seed) }
            parts.withLock { $0[c] = part }
        }
        return parts.withLock { $0.flatMap { $0 } }
    }

    /// The problems `generate(rows:seed:plantProblems: true)` plants for these rows and seed.
    package static func plantedProblems(rows: Int, seed: UInt64) -> PlantedProblems {
        PlantedProblems(world: SyntheticWorld(seed: seed, rows: rows))
    }
}
