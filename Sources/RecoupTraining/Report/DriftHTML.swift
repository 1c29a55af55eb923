package import Foundation
package import RecoupScoring

/// The self-contained HTML page of `recoup drift --report`: every field's and prediction's PSI with its severity and
/// missing shares, and the reference against the live distribution of the fields that moved most (inline SVG).
package enum DriftHTML {
    package static func html(_ report: DriftReport, data: String, generatedAt: Date = Date()) -> String {
        func number(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "–" }
        func style(_ severity: DriftSeverity?) -> String {
            switch severity {
            case .moderate?: " style='color:#b45309;font-weight:600'"
            case .major?: " style='color:#b91c1c;font-weight:600'"
            default: ""
            }
        }
        func table(_ rows: [DriftRow], key: String) -> String {
            let fields = rows.first.map { !$0.isPrediction } ?? true
            var html = "<table><tr><th>\(key)</th><th>PSI</th><th>severity</th>"
            html += fields ? "<th>missing (live)</th><th>missing (reference)</th></tr>" : "</tr>"
            for row in rows {
                let mark = style(row.severity)
                html += "<tr><td>\(SVGChart.escape(row.name))</td><td\(mark)>\(number(row.psi))</td>"
                html += "<td\(mark)>\(row.severity?.rawValue ?? "not enough data")</td>"
                html += fields ? "<td>\(number(row.missingShare))</td><td>\(number(row.referenceMissingShare))</td></tr>" : "</tr>"
            }
            return html + "</table>"
        }
        var sections = [
            EvaluationReport.section("Fields, largest PSI first", table(report.fields, key: "field")),
            EvaluationReport.section("Predictions", table(report.predictions, key: "head")),
        ]
        if !report.segments.isEmpty {
            let heads = report.predictions.map(\.name).sorted()
            var html = "<table><tr><th>warehouse</th><th>returns</th>" + heads.map { "<th>\($0) PSI</th>" }.joined() + "</tr>"
            for segment in report.segments {
                html += "<tr><td>\(SVGChart.escape(segment.value))</td><td>\(segment.rows)</td>"
                for head in heads {
                    let row = segment.predictions.first { $0.name == head }
                    html += "<td\(style(row?.severity))>\(number(row?.psi))</td>"
                }
                html += "</tr>"
            }
            sections.append(EvaluationReport.section("Predictions by warehouse, largest PSI first", html + "</table>"))
        }
        let moved = (report.fields + report.predictions).filter { ($0.psi ?? 0) >= report.thresholds.moderate }.prefix(8)
        if !moved.isEmpty {
            let charts = moved.map { row in
                SVGChart.bars(
                    title: "\(row.name): PSI \(number(row.psi))",
                    labels: row.buckets.map(\.label),
                    series: [("reference", row.buckets.map(\.reference)), ("live", row.buckets.map(\.live))],
                    format: { String(format: "%.0f%%", 100 * $0) }
                )
            }
            sections.append(EvaluationReport.section("Distributions that moved (share of non-missing values)", EvaluationReport.row(charts)))
        }
        let status =
            report.enoughData
            ? "PSI: none below \(number(report.thresholds.moderate)), moderate below \(number(report.thresholds.major)), major from there."
            : "Only \(report.rows) rows: at least \(report.minRows) are needed for PSI."
        return EvaluationReport.page(
            title: "Drift against model \(report.modelVersion)",
            intro: "Data: \(SVGChart.escape(data)), \(report.rows) returns. \(status) Generated \(generatedAt.ISO8601Format()).",
            sections: sections
        )
    }
}
