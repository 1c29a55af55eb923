internal import Foundation
internal import RecoupLearning

/// The matrices of `recoup-bench export-matrices` (or `benchmarks/make_synthetic_matrices.py`): `meta.json` plus raw
/// little-endian row-major files per split.
struct BenchData {
    struct Split {
        var rows: Int
        var dense: Matrix<Float>
        var binned: BinnedMatrix?
        var disposition: [Int]
        var fraud: [Int]
        var recovery: [Double]

        func targets(_ head: String) -> [Double] {
            switch head {
            case "disposition": disposition.map(Double.init)
            case "fraud": fraud.map(Double.init)
            default: recovery
            }
        }
    }

    var columns: Int
    var classes: Int
    var train: Split
    var holdout: Split

    init(folder: String) throws {
        let url = URL(fileURLWithPath: folder)
        let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: url.appendingPathComponent("meta.json"))) as? [String: Any] ?? [:]
        let columns = meta["columns"] as? Int ?? 0
        self.columns = columns
        classes = meta["classes"] as? Int ?? 8
        let splits = meta["splits"] as? [String: [String: Any]] ?? [:]
        func load(_ name: String, columns: Int) throws -> Split {
            let rows = splits[name]?["rows"] as? Int ?? 0
            func raw<T>(_ suffix: String, _ type: T.Type) throws -> [T]? {
                let file = url.appendingPathComponent("\(name).\(suffix)")
                guard FileManager.default.fileExists(atPath: file.path) else { return nil }
                let data = try Data(contentsOf: file)
                return data.withUnsafeBytes { Array($0.bindMemory(to: T.self)) }
            }
            let dense = try raw("dense.f32", Float.self) ?? []
            precondition(dense.count == rows * columns, "\(name).dense.f32 has \(dense.count) values, expected \(rows)x\(columns)")
            var binned: BinnedMatrix?
            if let bins = try raw("binned.u8", UInt8.self), let counts = meta["bin_counts"] as? [Int] {
                // export-matrices bins only the tree columns: `binned_columns` of them (all columns when absent).
                binned = BinnedMatrix(rows: rows, columns: meta["binned_columns"] as? Int ?? columns, bins: bins, binCounts: counts)
            }
            return Split(
                rows: rows,
                dense: Matrix(rows: rows, columns: columns, values: dense),
                binned: binned,
                disposition: (try raw("disposition.i32", Int32.self) ?? []).map(Int.init),
                fraud: (try raw("fraud.i32", Int32.self) ?? []).map(Int.init),
                recovery: (try raw("recovery.f32", Float.self) ?? []).map(Double.init)
            )
        }
        train = try load("train", columns: columns)
        holdout = try load("holdout", columns: columns)
    }

    /// The binned matrices: the exported ones, or quantile bins fitted on the training rows.
    func binned() -> (train: BinnedMatrix, holdout: BinnedMatrix) {
        if let t = train.binned, let h = holdout.binned { return (t, h) }
        let mapper = BinMapper.fit(train.dense)
        return (mapper.transform(train.dense), mapper.transform(holdout.dense))
    }
}
