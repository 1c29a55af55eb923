internal import ArgumentParser
internal import Foundation
internal import RecoupCore
internal import RecoupFeatures

/// `recoup-bench features`: CSV bytes → dense and binned feature matrices, the throughput target of issue 3.
///
/// The spec is fitted first on `--fit` (not timed); then, `--repeat` times, the input file is read into memory and the
/// bytes are turned into both matrices. Reported: the best extraction (bytes in memory to matrices: `seconds`,
/// `rows_per_second`), the best read plus extraction (`file_seconds`), and the least CPU time of an extraction.
struct FeaturesBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "CSV bytes to feature matrices (rows/s), after fitting the default spec."
    )

    @Option(help: "CSV file (with labels; .csv or .csv.gz) to fit the feature spec on.") var fit: String
    @Option(help: "Fit on at most this many records of --fit.") var fitRows: Int = 200_000
    @Option(help: "CSV file to extract.") var input: String
    @Option(help: "Timed repetitions (best is reported).") var `repeat`: Int = 3
    @Flag(help: "One core only.") var serial = false
    @Flag(help: "Also time the record path (parse all records, then extract) for comparison.") var recordPath = false
    @Option(help: "Time this many single-record extractions (the serving path) for latency percentiles.") var single = 20_000

    func run() throws {
        let fitStart = Clock.now
        var fitBytes = try ByteFile.read(fit)
        var training = try ReturnCSVReader.read(fitBytes, labels: .ignore).records
        fitBytes = []
        if training.count > fitRows { training.removeLast(training.count - fitRows) }
        let fitted = try FeatureSpec.default.fit(training)
        let fitRecords = training.count
        let fitSeconds = Clock.seconds(since: fitStart)
        let extractor = FeatureExtractor(fitted)
        let latency = singleRecordLatency(extractor, Array(training.prefix(single)))
        training = []

        var bestTotal = Double.infinity
        var bestExtract = Double.infinity
        var bestRead = Double.infinity
        var bestCPU = Double.infinity
        var rows = 0
        var errors = 0
        var bytes = 0
        for _ in 0..<max(1, `repeat`) {
            let start = Clock.now
            let data = try ByteFile.read(input)
            let read = Clock.seconds(since: start)
            let cpuStart = Clock.cpuSeconds
            let extractStart = Clock.now
            let result = try extractor.extract(csv: data, labels: .ignore, parallel: !serial)
            let extract = Clock.seconds(since: extractStart)
            bestCPU = min(bestCPU, Clock.cpuSeconds - cpuStart)
            bestTotal = min(bestTotal, Clock.seconds(since: start))
            bestExtract = min(bestExtract, extract)
            bestRead = min(bestRead, read)
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
            "seconds": bestExtract,
            "rows_per_second": Double(rows) / bestExtract,
            "megabytes_per_second": Double(bytes) / bestExtract / 1e6,
            "file_seconds": bestTotal,
            "file_rows_per_second": Double(rows) / bestTotal,
            "cpu_microseconds_per_row": bestCPU / Double(max(rows, 1)) * 1e6,
            "record_path_seconds": recordSeconds as Any? ?? NSNull(),
            "fingerprint": fitted.fingerprint,
            "single_record_p50_microseconds": latency.p50,
            "single_record_p99_microseconds": latency.p99,
        ]
        print(String(decoding: try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]), as: UTF8.self))
    }
}

extension FeaturesBench {
    /// Percentiles of one-record extraction (record to dense and binned row, reusing the row's storage).
    func singleRecordLatency(_ extractor: FeatureExtractor, _ records: [ReturnRecord]) -> (p50: Double, p99: Double) {
        guard !records.isEmpty else { return (0, 0) }
        var row = FeatureRow(dense: Array(repeating: 0, count: extractor.denseWidth), bins: Array(repeating: 0, count: extractor.treeWidth))
        var scratch = [Float](repeating: 0, count: extractor.denseWidth)
        var times: [Double] = []
        times.reserveCapacity(records.count)
        for record in records {
            let start = Clock.now
            extractor.extract(record, into: &row, scratch: &scratch)
            times.append(Clock.seconds(since: start) * 1e6)
        }
        times.sort()
        return (times[times.count / 2], times[min(times.count - 1, times.count * 99 / 100)])
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
