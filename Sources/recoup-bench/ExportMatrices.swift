internal import ArgumentParser
internal import Foundation
internal import RecoupCore
internal import RecoupFeatures
internal import RecoupLearning
internal import RecoupTraining

/// `recoup-bench export-matrices`: fits the default feature spec on a training CSV and writes the dense and binned
/// matrices of the training and holdout rows, with their labels, as raw files that `recoup-bench learners`,
/// `benchmarks/bench_learners.py` (numpy) and anything else can read without Recoup.
///
/// `DIR/meta.json` (shapes, column names, bin counts, the spec fingerprint) and, per split (`train`, `holdout`),
/// little-endian row-major files: `dense.f32` (rows × columns), `binned.u8` (rows × binned_columns; 255 = missing),
/// `disposition.i32` (class index in contract order), `fraud.i32` (0/1), `recovery.f32` and `recovery.f64`.
/// Without `--holdout`, the most recent `--holdout-fraction` of the training file (by return request date) is held
/// out and the spec is fitted on the rest. With `--training-splits`, the splits are those `recoup train` trains,
/// validates and tests on (`train`, `validation`, `test`: by order date, the spec fitted on `train`), so that another
/// library can be tuned and measured on exactly the same rows and bins (`benchmarks/bench_search.py`).
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
    @Flag(help: "Write recoup train's splits of --train (train, validation, test) instead of train and holdout.")
    var trainingSplits = false

    func run() throws {
        if trainingSplits { return try exportTrainingSplits() }
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
        let splits = [("train", trainRows), ("holdout", holdoutRows)].map { name, rows in
            (name: name, matrices: extractor.extract(rows.map(\.record)), labels: rows.map(\.labels))
        }
        try write(splits, fitted: fitted, source: "\(train)\(holdout.map { " + \($0)" } ?? " (time-based holdout \(holdoutFraction))")")
        print(
            #"{"out":"\#(out)","train":\#(trainRows.count),"holdout":\#(holdoutRows.count),"columns":\#(extractor.denseWidth),"binned_columns":\#(extractor.treeWidth)}"#
        )
    }

    /// `recoup train`'s own splits of `--train`.
    func exportTrainingSplits() throws {
        var pipeline = TrainingPipeline()
        pipeline.spec = try spec.map { try FeatureSpec.decode(json: ByteFile.read($0)) }
        let (fitted, splits) = try pipeline.splits(csv: try ByteFile.read(train), source: train)
        try write(splits, fitted: fitted, source: "\(train) (recoup train's splits)")
        print(#"{"out":"\#(out)",\#(splits.map { "\"\($0.name)\":\($0.labels.count)" }.joined(separator: ","))}"#)
    }

    /// Every split's matrices and labels, `meta.json` and the fitted spec.
    private func write(
        _ splits: [(name: String, matrices: FeatureMatrices, labels: [ReturnLabels])],
        fitted: FittedFeatureSpec,
        source: String
    ) throws {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        for (name, m, labels) in splits {
            try write(m.dense.values, "\(name).dense.f32")
            try write(m.binned.bins, "\(name).binned.u8")
            try write(labels.map { Int32($0.disposition.index) }, "\(name).disposition.i32")
            try write(labels.map { Int32($0.fraudFlag ? 1 : 0) }, "\(name).fraud.i32")
            try write(labels.map { Float($0.recoveryValue) }, "\(name).recovery.f32")
            try write(labels.map(\.recoveryValue), "\(name).recovery.f64")
        }
        let meta: [String: Any] = [
            "format": "recoup-matrices", "version": 1, "source": source,
            "columns": fitted.columns.count, "column_names": fitted.columnNames,
            "binned_columns": fitted.treeColumns.count, "binned_column_names": fitted.treeColumnNames,
            "binned_column_indices": fitted.treeColumns, "bin_counts": fitted.binMapper.binCounts, "missing_bin": 255,
            "classes": Disposition.allCases.count, "class_names": Disposition.allCases.map(\.rawValue),
            "splits": Dictionary(uniqueKeysWithValues: splits.map { ($0.name, ["rows": $0.labels.count]) }),
            "feature_spec_fingerprint": fitted.fingerprint,
        ]
        try JSONSerialization.data(withJSONObject: meta, options: [.prettyPrinted, .sortedKeys])
            .write(to: URL(fileURLWithPath: out).appendingPathComponent("meta.json"))
        try Data(fitted.canonicalJSON()).write(to: URL(fileURLWithPath: out).appendingPathComponent("fitted-spec.json"))
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
