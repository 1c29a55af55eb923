internal import ArgumentParser
internal import Foundation
internal import RecoupCore
internal import RecoupFeatures
internal import RecoupLearning

/// `recoup-bench learner-matrices`: the labelled CSV through the default feature spec into the raw matrices that
/// `recoup-bench learners` and `benchmarks/bench_learners.py` read (the same layout as `export-matrices`).
///
/// Rows are split by order date: the latest `--holdout` share of orders is held out (the time-based split the
/// training pipeline uses), the spec is fitted on the training rows only, then both splits are extracted.
/// Writes `meta.json` and, per split, `{split}.dense.f32` (`columns` wide), `{split}.binned.u8` (`tree_columns`
/// wide, missing = 255), `{split}.disposition.i32`, `{split}.fraud.i32`, `{split}.recovery.f32`.
struct LearnerMatrices: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learner-matrices", abstract: "Labelled CSV → dense and binned matrices for the learner benchmark.")

    @Option(help: "Labelled CSV (uncompressed).") var csv: String
    @Option(help: "Share of rows held out (latest order dates).") var holdout: Double = 0.2
    @Option(help: "Output folder.") var out: String

    func run() throws {
        let batch = try ReturnCSVReader.read(try ByteFile.read(csv), labels: .require)
        let order = batch.returns.indices.sorted {
            (batch.returns[$0].record.orderDate, $0) < (batch.returns[$1].record.orderDate, $1)
        }
        let rows = order.map { batch.returns[$0] }
        let cut = Int(Double(rows.count) * (1 - holdout))
        let train = Array(rows[..<cut])
        let test = Array(rows[cut...])
        let fitted = try FeatureSpec.default.fit(train.map(\.record))
        let extractor = FeatureExtractor(fitted)
        let folder = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var splits: [String: Any] = [:]
        var binCounts: [Int] = []
        for (name, part) in [("train", train), ("holdout", test)] {
            let m = extractor.extract(part.map(\.record))
            binCounts = m.binned.binCounts
            let labels = part.map { $0.labels! }
            let classes = Disposition.allCases
            try write(m.dense.values, folder, "\(name).dense.f32")
            try write(m.binned.bins, folder, "\(name).binned.u8")
            try write(labels.map { Int32(classes.firstIndex(of: $0.disposition)!) }, folder, "\(name).disposition.i32")
            try write(labels.map { Int32($0.fraudFlag ? 1 : 0) }, folder, "\(name).fraud.i32")
            try write(labels.map { Float($0.recoveryValue) }, folder, "\(name).recovery.f32")
            splits[name] = ["rows": m.rows]
        }
        let meta: [String: Any] = [
            "format": "recoup-matrices", "version": 1, "source": csv, "columns": extractor.denseWidth,
            "tree_columns": extractor.treeWidth, "bin_counts": binCounts, "classes": Disposition.allCases.count,
            "class_names": Disposition.allCases.map(\.rawValue), "splits": splits, "fingerprint": fitted.fingerprint,
            "split": "by order date, latest \(holdout) held out",
        ]
        try JSONSerialization.data(withJSONObject: meta, options: [.prettyPrinted, .sortedKeys])
            .write(to: folder.appendingPathComponent("meta.json"))
        emit(["benchmark": "learner-matrices", "train": train.count, "holdout": test.count, "columns": extractor.denseWidth,
              "tree_columns": extractor.treeWidth, "bad_records": batch.errors.count])
    }

    private func write<T>(_ values: [T], _ folder: URL, _ name: String) throws {
        try values.withUnsafeBytes { try Data($0).write(to: folder.appendingPathComponent(name)) }
    }
}
