internal import ArgumentParser
internal import Foundation
internal import RecoupCore
internal import RecoupFeatures
internal import RecoupLearning

/// `recoup-bench export-matrices`: fits the default feature spec on a training CSV and writes the dense and binned
/// matrices of the training and holdout rows, with their labels, as raw files that `recoup-bench learners`,
/// `benchmarks/bench_learners.py` (numpy) and anything else can read without Recoup.
///
/// `DIR/meta.json` (shapes, column names, bin counts, the spec fingerprint) and, per split (`train`, `holdout`),
/// little-endian row-major files: `dense.f32` (rows × columns), `binned.u8` (rows × binned_columns; 255 = missing),
/// `disposition.i32` (class index in contract order), `fraud.i32` (0/1), `recovery.f32` and `recovery.f64`.
/// Without `--holdout`, the most recent `--holdout-fraction` of the training file (by return request date) is held
/// out and the spec is fitted on the rest.
struct ExportMatrices: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-matrices",
        abstract: "Feature matrices and labels of a training CSV as raw files."
    )

    @Option(help: "Training CSV with labels (.csv or .csv.gz).") var train: String
    @Option(help: "Holdout CSV with labels (.csv or .csv.gz); default: a time-based split of --train.") var holdout: String?
    @Option(help: "Share of --train held out (the most recent requests) when there is no --holdout.") var holdoutFraction = 0.2
    @Option(help: "Output folder.") var out: String
    @Option(help: "Feature spec JSON (default: the shipped one).") var spec: String?

    func run() throws {
        var trainRows = try Self.labelled(train)
        var holdoutRows: [LabelledReturn]
        if let holdout {
            holdoutRows = try Self.labelled(holdout)
        } else {
            trainRows.sort { ($0.record.returnRequestedDate, $0.record.returnID) < ($1.record.returnRequestedDate, $1.record.returnID) }
            let cut = Int((Double(trainRows.count) * (1 - holdoutFraction)).rounded())
            holdoutRows = Array(trainRows[cut...])
            trainRows.removeLast(trainRows.count - cut)
        }
        let featureSpec = try spec.map { try FeatureSpec.decode(json: ByteFile.read($0)) } ?? FeatureSpec.default
        let fitted = try featureSpec.fit(trainRows.map(\.record))
        let extractor = FeatureExtractor(fitted)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        for (name, rows) in [("train", trainRows), ("holdout", holdoutRows)] {
            let m = extractor.extract(rows.map(\.record))
            try write(m.dense.values, "\(name).dense.f32")
            try write(m.binned.bins, "\(name).binned.u8")
            try write(rows.map { Int32($0.labels.disposition.index) }, "\(name).disposition.i32")
            try write(rows.map { Int32($0.labels.fraudFlag ? 1 : 0) }, "\(name).fraud.i32")
            try write(rows.map { Float($0.labels.recoveryValue) }, "\(name).recovery.f32")
            try write(rows.map(\.labels.recoveryValue), "\(name).recovery.f64")
        }
        let meta: [String: Any] = [
            "format": "recoup-matrices", "version": 1,
            "source": "\(train)\(holdout.map { " + \($0)" } ?? " (time-based holdout \(holdoutFraction))")",
            "columns": extractor.denseWidth, "column_names": fitted.columnNames,
            "binned_columns": extractor.treeWidth, "binned_column_names": fitted.treeColumnNames,
            "binned_column_indices": fitted.treeColumns, "bin_counts": fitted.binMapper.binCounts, "missing_bin": 255,
            "classes": Disposition.allCases.count, "class_names": Disposition.allCases.map(\.rawValue),
            "splits": ["train": ["rows": trainRows.count], "holdout": ["rows": holdoutRows.count]],
            "feature_spec_fingerprint": fitted.fingerprint,
        ]
        try JSONSerialization.data(withJSONObject: meta, options: [.prettyPrinted, .sortedKeys])
            .write(to: URL(fileURLWithPath: out).appendingPathComponent("meta.json"))
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try Data(fitted.canonicalJSON()).write(to: URL(fileURLWithPath: out).appendingPathComponent("fitted-spec.json"))
        print(
            #"{"out":"\#(out)","train":\#(trainRows.count),"holdout":\#(holdoutRows.count),"columns":\#(extractor.denseWidth),"binned_columns":\#(extractor.treeWidth)}"#
        )
    }

    private func write<T>(_ values: [T], _ file: String) throws {
        try values.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: out).appendingPathComponent(file))
    }

    /// The labelled records of a CSV (or gzip'ed CSV) file; bad records are reported on stderr and skipped.
    static func labelled(_ path: String) throws -> [LabelledReturn] {
        let batch = try ReturnCSVReader.read(try ByteFile.read(path), labels: .require)
        for error in batch.errors.prefix(20) { FileHandle.standardError.write(Data("\(path): \(error)\n".utf8)) }
        if batch.errors.count > 20 { FileHandle.standardError.write(Data("\(path): \(batch.errors.count) errors\n".utf8)) }
        return batch.labelled
    }
}
