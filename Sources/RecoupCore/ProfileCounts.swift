/// Counts in a monitoring profile's buckets: one block per distribution (its buckets, then its missing cell), laid out
/// by the model's reference profile (RecoupScoring's `ProfileCounter`). What training fits, what the store keeps per
/// model version and day, and what drift compares; here, below both, so that each adds counts the same way.
package struct ProfileCounts: Sendable, Equatable {
    /// Returns counted.
    package var rows: Int
    package var values: [Int64]

    package init(cells: Int = 0) {
        rows = 0
        values = [Int64](repeating: 0, count: cells)
    }

    package init(rows: Int, values: [Int64]) {
        self.rows = rows
        self.values = values
    }

    /// Counts one return by its cells (the vector grows to hold the largest cell).
    package mutating func add(_ cells: some Collection<UInt16>) {
        rows += 1
        for c in cells {
            let i = Int(c)
            if i >= values.count { values += [Int64](repeating: 0, count: i + 1 - values.count) }
            values[i] += 1
        }
    }

    /// Adds another count vector of the same layout (a shorter one is extended with zeros).
    package mutating func add(_ other: ProfileCounts) {
        rows += other.rows
        if values.count < other.values.count { values += [Int64](repeating: 0, count: other.values.count - values.count) }
        for (i, v) in other.values.enumerated() { values[i] += v }
    }
}
