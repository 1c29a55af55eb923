internal import ArgumentParser
internal import Foundation
internal import RecoupLearning

/// `recoup-bench learners`: our logistic regression and boosted trees on exported matrices (Swift side of
/// `benchmarks/bench_learners.sh`; `benchmarks/bench_learners.py` runs the reference libraries on the same files).
///
/// Reads `DIR/meta.json` and the raw little-endian row-major files `{split}.dense.f32`, optional `{split}.binned.u8`
/// (binned here with ``BinMapper`` when absent), `{split}.disposition.i32`, `{split}.fraud.i32`,
/// `{split}.recovery.f32` for the splits `train` and `holdout`. Prints one JSON object per line.
struct LearnersBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learners",
        abstract: "Fit time, prediction throughput and quality of the learners on exported matrices."
    )

    @Option(help: "Folder with meta.json and the raw matrices.") var data: String
    @Option(help: "logistic, trees or all.") var only: String = "all"
    @Option(help: "Heads to run, comma-separated (disposition, fraud, recovery).") var heads: String = "disposition,fraud,recovery"
    @Option(help: "scikit-learn's C for the logistic heads.") var c: Double = 1
    @Option(help: "Boosting rounds.") var rounds: Int = 200
    @Option(help: "Leaves per tree.") var leaves: Int = 31
    @Option(help: "Learning rate.") var learningRate: Double = 0.1
    @Option(help: "L2 on leaf values.") var l2: Double = 0
    @Option(help: "Objective(s) of the recovery head, comma-separated: tweedie, poisson, squared.") var recoveryObjectives: String = "tweedie"
    @Option(help: "Tweedie variance power.") var tweediePower: Double = 1.5
    @Option(help: "Single-row predictions timed for latency percentiles.") var singleRows: Int = 2000

    func run() throws {
        let set = try BenchData(folder: data)
        emit([
            "library": "recoup", "model": "environment", "blas_core": BLAS.coreName, "blas_threads": BLAS.threadCount,
            "workers": ProcessInfo.processInfo.activeProcessorCount, "rows_train": set.train.rows,
            "rows_holdout": set.holdout.rows, "columns": set.columns,
        ])
        if only == "logistic" || only == "all" { benchLogistic(set) }
        if only == "trees" || only == "all" { try benchTrees(set) }
    }

    private func selected(_ head: String) -> Bool { heads.split(separator: ",").contains { $0 == head } }

    private func benchLogistic(_ set: BenchData) {
        for head in ["fraud", "disposition"] where selected(head) {
            let y = head == "fraud" ? set.train.fraud : set.train.disposition
            let yh = head == "fraud" ? set.holdout.fraud : set.holdout.disposition
            let learner = LogisticRegression(.init(regularization: .inverse(C: c)))
            let (fit, model) = timed { try! learner.fit(set.train.dense, labels: y, classes: head == "fraud" ? 2 : set.classes) }
            let (predict, p) = best(of: 3) { model.probabilities(set.holdout.dense) }
            var line: [String: Any] = [
                "library": "recoup", "model": "LogisticRegression(L-BFGS)", "head": head, "threads": Parallel.workers,
                "fit_s": fit, "iterations": model.report?.iterations ?? 0, "evaluations": model.report?.evaluations ?? 0,
                "termination": model.report?.termination ?? "", "predict_rows_per_s": Double(yh.count) / predict,
            ]
            if head == "fraud" {
                line.merge(binary(yh, (0..<p.rows).map { Double(p[$0, 1]) })) { a, _ in a }
            } else {
                line.merge(classification(yh, p)) { a, _ in a }
            }
            emit(line)
        }
    }

    private func benchTrees(_ set: BenchData) throws {
        let (binTime, binned) = timed { set.binned() }
        emit(["library": "recoup", "model": "BinMapper.fit+transform", "binning_s": binTime, "from_export": set.train.binned != nil])
        var heads: [(String, Objective)] = [("disposition", .multiclassSoftmax(classes: set.classes)), ("fraud", .binaryLogLoss)]
        for name in recoveryObjectives.split(separator: ",") where selected("recovery") {
            switch name {
            case "tweedie": heads.append(("recovery", .tweedie(variancePower: tweediePower)))
            case "poisson": heads.append(("recovery", .poisson))
            default: heads.append(("recovery", .squaredError))
            }
        }
        for (head, objective) in heads where selected(head) {
            var config = GradientBoostedTrees.Configuration(objective: objective)
            config.rounds = rounds
            config.maxLeaves = leaves
            config.learningRate = learningRate
            config.l2 = l2
            let targets = set.train.targets(head)
            let (fit, ensemble) = timed { try! GradientBoostedTrees(config).fit(binned.train, targets: targets) }
            let (predict, p) = best(of: 3) { ensemble.predict(binned.holdout) }
            var latencies: [Double] = []
            for i in 0..<min(singleRows, binned.holdout.rows) {
                let row = binned.holdout.row(i)
                let start = DispatchTime.now().uptimeNanoseconds
                let value = ensemble.predict(row: row)
                latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e3)
                precondition(value.count == ensemble.outputs)
            }
            latencies.sort()
            var line: [String: Any] = [
                "library": "recoup", "model": "GradientBoostedTrees", "head": head, "threads": Parallel.workers,
                "objective": "\(objective)", "fit_s": fit, "trees": ensemble.trees.count,
                "predict_rows_per_s": Double(binned.holdout.rows) / predict,
                "predict_single_p50_us": latencies[latencies.count / 2],
                "predict_single_p99_us": latencies[Int(Double(latencies.count) * 0.99)],
            ]
            let yh = set.holdout.targets(head)
            switch head {
            case "fraud": line.merge(binary(yh.map { Int($0) }, (0..<p.rows).map { p[$0, 0] })) { a, _ in a }
            case "disposition": line.merge(classification(yh.map { Int($0) }, p)) { a, _ in a }
            default: line.merge(regression(yh, (0..<p.rows).map { p[$0, 0] })) { a, _ in a }
            }
            emit(line)
        }
    }
}

private enum Parallel {
    static var workers: Int { ProcessInfo.processInfo.activeProcessorCount }
}

func classification<T: BLASScalar>(_ y: [Int], _ p: Matrix<T>) -> [String: Any] {
    let m = ClassificationMetrics(labels: y, probabilities: p)
    return ["log_loss": m.logLoss, "accuracy": m.accuracy, "macro_f1": m.macroF1]
}

func binary(_ y: [Int], _ p: [Double]) -> [String: Any] {
    let m = BinaryMetrics(labels: y, probabilities: p)
    return ["log_loss": m.logLoss, "pr_auc": m.prAUC, "roc_auc": m.rocAUC, "precision_at_1pct": m.precisionAtFlagRate]
}

func regression(_ y: [Double], _ p: [Double]) -> [String: Any] {
    let m = RegressionMetrics(targets: y, predictions: p)
    return ["rmse": m.rmse, "mae": m.mae, "r2": m.r2]
}

func timed<R>(_ body: () -> R) -> (Double, R) {
    let start = DispatchTime.now().uptimeNanoseconds
    let r = body()
    return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, r)
}

func best<R>(of n: Int, _ body: () -> R) -> (Double, R) {
    var (t, r) = timed(body)
    for _ in 1..<n {
        let (t2, r2) = timed(body)
        if t2 < t { (t, r) = (t2, r2) }
    }
    return (t, r)
}

/// Prints one JSON line, with the 1-minute load average (the machine is shared: a reader can see contention).
func emit(_ object: [String: Any]) {
    var object = object
    if let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8), let load = Double(text.split(separator: " ")[0]) {
        object["load1"] = load
    }
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}
