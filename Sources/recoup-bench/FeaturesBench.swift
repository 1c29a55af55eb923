internal import ArgumentParser
internal import Foundation
internal import RecoupCore
internal import RecoupFeatures

/// `recoup-bench features`: CSV bytes → dense and binned feature matrices, the throughput target of issue 3.
///
/// The spec is fitted first on `--fit` (not timed); then the input file is read and turned into matrices
/// `--repeat` times (each timed from the file on disk to both matrices); the best run is reported.
struct FeaturesBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features", abstract: "CSV bytes to feature matrices (rows/s), after fitting the default spec.")

    @Option(help: "CSV file (with labels) to fit the feature spec on.") var fit: String
    @Option(help: "Fit on at most this many records of --fit.") var fitRows: Int = 200_000
    @Option(help: "CSV file to extract.") var input: String
    @Option(help: "Timed repetitions (best is reported).") var `repeat`: Int = 3
    @Flag(help: "One core only.") var serial = false
    @Flag(help: "Also time the record path (parse all records, then extract) for comparison.") var recordPath = false

    func run() throws {
        let fitStart = Clock.now
        var fitBytes = try ByteFile.read(fit)
        var training = try ReturnCSVReader.read(fitBytes, labels: .ignore).records
        fitBytes = []
        if training.count > fitRows { training.removeLast(training.count - fitRows) }
        let fitted = try FeatureSpec.default.fit(training)
        let fitRecords = training.count
        training = []
        let fitSeconds = Clock.seconds(since: fitStart)
        let extractor = FeatureExtractor(fitted)

        var best = Double.infinity
        var bestCPU = Double.infinity
        var bestRead = 0.0
        var rows = 0
        var errors = 0
        var bytes = 0
        for _ in 0..<max(1, `repeat`) {
            let start = Clock.now
            let cpuStart = Clock.cpuSeconds
            let data = try ByteFile.read(input)
            let read = Clock.seconds(since: start)
            let result = try extractor.extract(csv: data, labels: .ignore, parallel: !serial)
            let seconds = Clock.seconds(since: start)
            let cpu = Clock.cpuSeconds - cpuStart
            if seconds < best {
                best = seconds
                bestRead = read
            }
            bestCPU = min(bestCPU, cpu)
            rows = result.matrices.rows
            errors = result.errors.count
            bytes = data.count
        }
        var recordSeconds: Double?
        if recordPath {
            let start = Clock.now
            let records = try ReturnCSVReader.read(try ByteFile.read(input), labels: .ignore, parallel: !serial).records
            _ = extractor.extract(records, parallel: !serial)
            recordSeconds = Clock.seconds(since: start)
        }
        let report: [String: Any] = [
            "benchmark": "features_csv_to_matrices",
            "input": input,
            "bytes": bytes,
            "rows": rows,
            "bad_records": errors,
            "dense_columns": extractor.denseWidth,
            "tree_columns": extractor.treeWidth,
            "threads": serial ? 1 : Parallel.processorCount,
            "fit_records": fitRecords,
            "fit_seconds": fitSeconds,
            "read_seconds": bestRead,
            "seconds": best,
            "cpu_seconds": bestCPU,
            "cpu_microseconds_per_row": bestCPU / Double(max(rows, 1)) * 1e6,
            "rows_per_second": Double(rows) / best,
            "megabytes_per_second": Double(bytes) / best / 1e6,
            "record_path_seconds": recordSeconds as Any? ?? NSNull(),
            "fingerprint": fitted.fingerprint,
        ]
        print(String(decoding: try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]), as: UTF8.self))
    }
}

/// Monotonic wall-clock time for benchmarks.
enum Clock {
    static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }
    static func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
    /// CPU time of the process (all threads), in seconds.
    static var cpuSeconds: Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
