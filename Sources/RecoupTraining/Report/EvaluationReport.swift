package import Foundation
internal import RecoupCore
internal import RecoupLearning
internal import RecoupScoring

/// The self-contained HTML evaluation report: one or two bundles side by side, every plot inline SVG (no script,
/// no network).
package enum EvaluationReport {
    package static func html(_ evaluations: [Evaluation], data: String, generatedAt: Date = Date()) -> String {
        let names = evaluations.map(\.version)
        let title = "Recoup evaluation: " + names.joined(separator: " vs ")
        var sections: [String] = []

        sections.append(section("Metrics", metricsTable(evaluations)))
        sections.append(
            section(
                "Fraud risk",
                row([
                    SVGChart.lines(
                        title: "ROC",
                        xLabel: "false positive rate",
                        yLabel: "true positive rate",
                        series: evaluations.map { .init(name: $0.version, points: Curves.roc(labels: $0.fraudLabels, scores: $0.fraudRisks)) },
                        diagonal: true
                    ),
                    SVGChart.lines(
                        title: "Precision–recall",
                        xLabel: "recall",
                        yLabel: "precision",
                        series: evaluations.map {
                            .init(name: $0.version, points: Curves.precisionRecall(labels: $0.fraudLabels, scores: $0.fraudRisks))
                        }
                    ),
                    SVGChart.lines(
                        title: "Calibration",
                        xLabel: "predicted risk",
                        yLabel: "observed fraud rate",
                        series: evaluations.map { e in
                            .init(name: e.version, points: e.fraud.calibration.filter { $0.count > 0 }.map { ($0.meanPredicted, $0.observedRate) })
                        },
                        diagonal: true,
                        markers: true
                    ),
                ])
            )
        )
        sections.append(section("Flags for the risk team", flagsTable(evaluations)))
        let dispositionLabels = Disposition.allCases.map(\.rawValue)
        sections.append(
            section(
                "Disposition",
                row(
                    evaluations.map {
                        SVGChart.heatMap(title: "Confusion matrix (\($0.version))", labels: dispositionLabels, matrix: $0.disposition.confusion)
                    }
                )
            )
        )
        sections.append(
            section(
                "Recovery value",
                row(
                    evaluations.map {
                        SVGChart.scatter(
                            title: "Predicted against actual (\($0.version))",
                            xLabel: "actual recovery value",
                            yLabel: "predicted",
                            series: [.init(name: $0.version, points: zip($0.recoveryActual, $0.recoveryPredicted).map { ($0, $1) })]
                        )
                    }
                )
            )
        )
        var importance: [String] = []
        for e in evaluations {
            for head in e.importance {
                let top = Array(head.features.prefix(12))
                importance.append(
                    SVGChart.bars(
                        title: "Feature importance, \(head.head) (\(e.version))",
                        labels: top.map(\.name),
                        series: [(e.version, top.map(\.gain))],
                        format: { String(format: "%.1f%%", $0 * 100) }
                    )
                )
            }
        }
        sections.append(section("Feature importance (share of split gain)", row(importance)))
        let lanes = Array(Set(evaluations.flatMap { $0.laneMix.map(\.lane) })).sorted()
        sections.append(
            section(
                "Lane mix",
                SVGChart.bars(
                    title: "Returns per lane",
                    labels: lanes,
                    series: evaluations.map { e in (e.version, lanes.map { lane in Double(e.laneMix.first { $0.lane == lane }?.count ?? 0) }) },
                    format: { String(Int($0)) }
                )
            )
        )

        if evaluations.contains(where: { !$0.searches.isEmpty }) {
            sections.append(section("Hyper-parameter search (recoup train --budget)", searchSection(evaluations)))
        }

        return page(
            title: title,
            intro: "Data: \(SVGChart.escape(data)), \(evaluations.first?.rows ?? 0) labelled returns. Generated \(generatedAt.ISO8601Format()).",
            sections: sections
        )
    }

    /// A self-contained report page (the evaluation and the insights reports): a title, a line of context and sections.
    static func page(title: String, intro: String, sections: [String]) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>\(SVGChart.escape(title))</title>
        <style>
        body { font: 14px/1.45 system-ui, -apple-system, Segoe UI, Roboto, sans-serif; margin: 24px; color: #111; }
        h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; border-bottom: 1px solid #e5e7eb; }
        .row { display: flex; flex-wrap: wrap; gap: 16px; }
        svg { background: #fff; border: 1px solid #e5e7eb; }
        svg .title { font-size: 13px; font-weight: 600; } svg .tick { font-size: 10px; fill: #374151; }
        svg .axis { font-size: 11px; fill: #111; } svg .cell { font-size: 9px; }
        table { border-collapse: collapse; } td, th { padding: 4px 10px; border-bottom: 1px solid #e5e7eb; text-align: right; }
        th:first-child, td:first-child, td:nth-child(2) { text-align: left; } .better { color: #15803d; font-weight: 600; }
        </style></head><body>
        <h1>\(SVGChart.escape(title))</h1>
        <p>\(intro)</p>
        \(sections.joined(separator: "\n"))
        </body></html>
        """
    }

    static func section(_ title: String, _ content: String) -> String {
        "<h2>\(SVGChart.escape(title))</h2>\n\(content)"
    }

    static func row(_ items: [String]) -> String {
        "<div class='row'>" + items.joined() + "</div>"
    }

    /// Per bundle: the share flagged against the review rate, the precision against the fraud head's at the same rate
    /// (its precision–recall curve), then each kind of flag with its count and precision.
    private static func flagsTable(_ evaluations: [Evaluation]) -> String {
        func pct(_ x: Double) -> String { String(format: "%.1f%%", 100 * x) }
        var html = "<table><tr><th>bundle</th><th>flag</th><th>returns flagged</th><th>share</th><th>precision</th></tr>"
        for e in evaluations {
            let name = SVGChart.escape(e.version)
            let target = e.reviewRate.map { "review rate \(pct($0))" } ?? "not fitted"
            html += "<tr><td>\(name)</td><td>any (\(target))</td><td>\(Int((e.flags.flagRate * Double(e.flags.returns)).rounded()))</td>"
            html += "<td>\(pct(e.flags.flagRate))</td><td>\(pct(e.flags.precision))</td></tr>"
            html +=
                "<tr><td>\(name)</td><td>fraud head alone at the same share</td><td></td><td></td><td>\(pct(e.modelPrecisionAtFlagRate))</td></tr>"
            for kind in e.flags.byKind {
                html += "<tr><td>\(name)</td><td>\(kind.kind.rawValue)</td><td>\(kind.flagged)</td>"
                html += "<td>\(pct(Double(kind.flagged) / Double(max(1, e.flags.returns))))</td>"
                html += "<td>\(kind.flagged > 0 ? pct(kind.precision) : "–")</td></tr>"
            }
        }
        return html + "</table><p>Recall of all flags: "
            + evaluations.map { "\(SVGChart.escape($0.version)) \(pct($0.flags.recall))" }
            .joined(separator: ", ") + ".</p>"
    }

    /// Per bundle and head: the validation metric of every fit against its number, one series per rung, with the best
    /// so far; then the winners' settings.
    private static func searchSection(_ evaluations: [Evaluation]) -> String {
        var charts: [String] = []
        var table = "<table><tr><th>bundle</th><th>head</th><th>search</th><th>winner</th><th>validation</th><th>kept (ensemble of fits)</th></tr>"
        for e in evaluations {
            for head in ["disposition", "fraud", "recovery"] {
                guard let search = e.searches[head] else { continue }
                let metrics = search.trials.map(\.metric).filter(\.isFinite)
                guard let low = metrics.min(), let high = metrics.max() else { continue }
                let pad = max(1e-9, (high - low) * 0.05)
                var series = (0..<3).map { rung in
                    SVGChart.Series(
                        name: "rung \(rung)",
                        points: search.trials.enumerated().filter { $0.element.rung == rung && $0.element.metric.isFinite }
                            .map { (Double($0.offset + 1), $0.element.metric) }
                    )
                }
                var best = search.lowerIsBetter ? Double.infinity : -Double.infinity
                series.append(
                    SVGChart.Series(
                        name: "best so far",
                        points: search.trials.enumerated().compactMap { i, t in
                            guard t.metric.isFinite else { return nil }
                            best = search.lowerIsBetter ? min(best, t.metric) : max(best, t.metric)
                            return (Double(i + 1), best)
                        }
                    )
                )
                charts.append(
                    SVGChart.lines(
                        title: "\(head) (\(e.version))",
                        xLabel: "fit",
                        yLabel: "validation \(search.metric)\(search.lowerIsBetter ? " ↓" : " ↑")",
                        series: series,
                        xRange: 0...Double(search.trials.count + 1),
                        yRange: (low - pad)...(high + pad),
                        markers: true
                    )
                )
                let settings = search.winnerSettings.map { "\($0.name) \($0.value)" }.joined(separator: ", ")
                table += "<tr><td>\(SVGChart.escape(e.version))</td><td>\(head)</td>"
                table += "<td>\(search.configurations) configurations, \(search.trials.count) fits, "
                table += String(format: "%.0f s of %.0f s", search.seconds, search.budgetSeconds) + "</td>"
                table += "<td>configuration \(search.best.configuration): \(SVGChart.escape(settings))</td>"
                table += "<td>\(search.metric) \(String(format: "%.4f", search.best.metric))</td>"
                table +=
                    "<td>\(SVGChart.escape(search.ensembleDescription)): \(search.metric) \(String(format: "%.4f", search.ensembleMetric))</td></tr>"
            }
        }
        return row(charts) + table + "</table>"
    }

    /// Head, metric, then one column per bundle; with two bundles the better value is marked.
    private static func metricsTable(_ evaluations: [Evaluation]) -> String {
        var html = "<table><tr><th>head</th><th>metric</th>" + evaluations.map { "<th>\(SVGChart.escape($0.version))</th>" }.joined() + "</tr>"
        guard let first = evaluations.first else { return html + "</table>" }
        for (i, m) in first.headline.enumerated() {
            let values = evaluations.map { $0.headline[i].value }
            let best = m.lowerIsBetter ? values.min() : values.max()
            html += "<tr><td>\(m.head)</td><td>\(m.metric)\(m.lowerIsBetter ? " ↓" : " ↑")</td>"
            for v in values {
                let mark = evaluations.count > 1 && v == best ? " class='better'" : ""
                html += "<td\(mark)>\(String(format: "%.4f", v))</td>"
            }
            html += "</tr>"
        }
        return html + "</table>"
    }
}
