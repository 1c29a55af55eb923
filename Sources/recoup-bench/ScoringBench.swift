internal import ArgumentParser
internal import Foundation
internal import RecoupCore
internal import RecoupScoring

/// `recoup-bench scoring`: the whole pipeline from parsed records to assessments (features, three heads, calibration,
/// interval, flags, lane, priority; with and without reasons), in batches, and single-record latency.
struct ScoringBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scoring", abstract: "Throughput and latency of Scorer.assess.")

    @Option(help: "Model bundle folder.") var model: String = "models/default-200k"
    @Option(help: "Returns to score (contract CSV).") var data: String
    @Option(help: "Records per batch.") var batch: Int = 1000
    @Option(help: "Records to use (from the start of the file).") var rows: Int = 100_000
    @Option(help: "Single-record calls for the latency percentiles.") var singles: Int = 20_000
    @Flag(help: "Only batch throughput without reasons (for profiling).") var plainOnly = false
    @Flag(help: "Only the JSON path's own cost: decoding and rendering (for profiling).") var jsonOnly = false

    func run() throws {
        let scorer = Scorer(bundle: try ModelBundle.load(from: URL(fileURLWithPath: model)), policy: .default)
        let records = Array(try ReturnCSVReader.read(ByteFile.read(data), labels: .ignore).records.prefix(rows))
        let batches = stride(from: 0, to: records.count, by: batch).map { Array(records[$0..<min($0 + batch, records.count)]) }
        func throughput(explain: Bool) -> Double {
            _ = scorer.assess(batches[0], explain: explain)  // warm-up
            var best = Double.infinity
            for _ in 0..<3 {
                let start = DispatchTime.now().uptimeNanoseconds
                var n = 0
                for b in batches { n += scorer.assess(b, explain: explain).count }
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                precondition(n == records.count)
            }
            return Double(records.count) / best
        }
        let json = jsonCost(scorer: scorer, batches: batches)
        if jsonOnly {
            print(#"{"benchmark":"scoring","json_decode_us_per_return":\#(json.decode),"json_render_us_per_return":\#(json.render)}"#)
            return
        }
        let plain = throughput(explain: false)
        if plainOnly {
            print(#"{"benchmark":"scoring","returns_per_s_without_reasons":\#(Int(plain))}"#)
            return
        }
        let explained = throughput(explain: true)
        var latencies: [Double] = []
        latencies.reserveCapacity(singles)
        for i in 0..<singles {
            let record = records[i % records.count]
            let start = DispatchTime.now().uptimeNanoseconds
            _ = scorer.assess(record, explain: true)
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e3)
        }
        latencies.sort()
        func p(_ q: Double) -> Double { latencies[min(latencies.count - 1, Int(q * Double(latencies.count)))] }
        var noReasons: [Double] = []
        for i in 0..<singles {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = scorer.assess(records[i % records.count], explain: false)
            noReasons.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e3)
        }
        noReasons.sort()
        let q = { (x: [Double], v: Double) in x[min(x.count - 1, Int(v * Double(x.count)))] }
        print(
            """
            {"benchmark":"scoring","model":"\(scorer.version)","rows":\(records.count),"batch":\(batch),\
            "returns_per_s_without_reasons":\(Int(plain)),"returns_per_s_with_reasons":\(Int(explained)),\
            "single_p50_us":\(p(0.5)),"single_p99_us":\(p(0.99)),\
            "single_no_reasons_p50_us":\(q(noReasons, 0.5)),"single_no_reasons_p99_us":\(q(noReasons, 0.99)),\
            "json_decode_us_per_return":\(json.decode),"json_render_us_per_return":\(json.render),\
            "disposition":"\(scorer.bundle.disposition.learner.name)","fraud":"\(scorer.bundle.fraud.learner.name)"}
            """
        )
    }

    /// What the HTTP path adds to scoring, on one thread: decoding `{"returns": [...]}` documents of a batch each into
    /// records (``ReturnJSONDocument``, the server's reader) and rendering the assessments with reasons
    /// (``ScoredOutput``, the server's writer); best of three, microseconds per return.
    func jsonCost(scorer: Scorer, batches: [[ReturnRecord]]) -> (decode: Double, render: Double) {
        let documents = batches.map { ReturnRecord.jsonDocument($0) }
        let assessments = batches.map { scorer.assess($0, explain: true) }
        let count = Double(batches.reduce(0) { $0 + $1.count })
        func best(_ body: () -> Int) -> Double {
            var best = Double.infinity
            for _ in 0..<3 {
                let start = DispatchTime.now().uptimeNanoseconds
                let n = body()
                precondition(n > 0)
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e3 / count)
            }
            return best
        }
        let decode = best {
            documents.reduce(0) { n, document in n + ((try? ReturnJSONDocument(document).read(labels: .ignore).returns.count) ?? 0) }
        }
        let render = best {
            assessments.reduce(0) { n, batch in
                var writer = JSONWriter(reservingCapacity: batch.count * 1300)
                for a in batch { ScoredOutput.write(a, into: &writer) }
                return n + writer.count
            }
        }
        return (decode, render)
    }
}
