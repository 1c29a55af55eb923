package import Foundation
package import RecoupInsights

/// The self-contained HTML page of `recoup insights --report`: the Pareto of return reasons, the root causes found,
/// leakage by group and by week, request-to-receipt days and repeat returners (inline SVG, no script, no network).
package enum InsightsHTML {
    package static func html(_ report: InsightsReport, data: String, generatedAt: Date = Date()) -> String {
        var sections: [String] = []
        let reasons = report.leakage[LeakageGrouping.reason.rawValue] ?? []
        sections.append(EvaluationReport.section("Return reasons (Pareto)", pareto(reasons, total: report.returns)))
        sections.append(
            EvaluationReport.section(
                "Root causes: \(report.rootCauses.count) findings at q ≤ \(number(report.q)) over \(report.tests) tests",
                rootCauses(report.rootCauses)
            )
        )
        let groupings: [LeakageGrouping] = [.channel, .category, .warehouseID, .disposition]
        let bars = groupings.compactMap { grouping -> String? in
            guard let rows = report.leakage[grouping.rawValue], !rows.isEmpty else { return nil }
            let top = Array(rows.prefix(12))
            return SVGChart.bars(
                title: "Leakage by \(grouping.rawValue)",
                labels: top.map(\.key),
                series: [("refunded − recovered", top.map(\.leakage))],
                format: { money($0) }
            )
        }
        var leakage = EvaluationReport.row(bars)
        if let weeks = report.leakage[LeakageGrouping.week.rawValue], weeks.count > 1 {
            let points = weeks.enumerated().map { (x: Double($0.offset), y: $0.element.leakage) }
            leakage += EvaluationReport.row([
                SVGChart.lines(
                    title: "Leakage by week requested (\(weeks.first!.key) to \(weeks.last!.key))",
                    xLabel: "week",
                    yLabel: "refunded − recovered",
                    series: [.init(name: "leakage", points: points)],
                    xRange: 0...Double(weeks.count - 1),
                    yRange: 0...max(1, points.map(\.y).max() ?? 1)
                )
            ])
        }
        sections.append(EvaluationReport.section("Margin leakage (inspected returns)", leakage))
        sections.append(EvaluationReport.section("Days from request to receipt", cycleTimes(report.cycleTimes)))
        sections.append(
            EvaluationReport.section(
                "Repeat returners: \(report.repeatReturners.count) at q ≤ \(number(report.q))",
                repeatReturners(report.repeatReturners)
            )
        )
        return EvaluationReport.page(
            title: "Recoup insights",
            intro:
                "Data: \(SVGChart.escape(data)), \(report.returns) returns; dimensions \(report.dimensions.map(\.rawValue).joined(separator: ", ")). Generated \(generatedAt.ISO8601Format()).",
            sections: sections
        )
    }

    /// Reasons by returns, most first: the bars, and a table with each one's share and cumulative share.
    static func pareto(_ rows: [LeakageRow], total: Int) -> String {
        let sorted = rows.sorted { ($0.returns, $1.key) > ($1.returns, $0.key) }
        var table = "<table><tr><th>reason</th><th>returns</th><th>share</th><th>cumulative</th></tr>"
        var cumulative = 0
        for row in sorted {
            cumulative += row.returns
            table += "<tr><td>\(SVGChart.escape(row.key))</td><td>\(row.returns)</td><td>\(percent(Double(row.returns) / Double(max(total, 1))))</td>"
            table += "<td>\(percent(Double(cumulative) / Double(max(total, 1))))</td></tr>"
        }
        let bars = SVGChart.bars(
            title: "Returns per reason",
            labels: sorted.map(\.key),
            series: [("returns", sorted.map { Double($0.returns) })],
            format: { String(Int($0)) }
        )
        return EvaluationReport.row([bars, table + "</table>"])
    }

    static func rootCauses(_ findings: [RootCauseFinding]) -> String {
        guard !findings.isEmpty else { return "<p>No reason is significantly above its baseline in any group.</p>" }
        var html =
            "<table><tr><th>dimension</th><th>group</th><th>reason</th><th>returns</th><th>share</th><th>baseline</th><th>lift</th><th>q-value</th><th>money at stake</th><th>owner</th></tr>"
        for f in findings.prefix(100) {
            html += "<tr><td>\(f.dimension.rawValue)</td><td>\(SVGChart.escape(f.value))</td><td>\(SVGChart.escape(f.reason))</td>"
            html += "<td>\(f.reasonReturns) of \(f.returns)</td><td>\(percent(f.share))</td><td>\(percent(f.baselineShare))</td>"
            html += "<td>\(String(format: "%.2f", f.lift))</td><td>\(String(format: "%.2g", f.qValue))</td><td>\(money(f.moneyAtStake))</td>"
            html += "<td>\(SVGChart.escape(f.owner))</td></tr>"
        }
        let more = findings.count > 100 ? "<p>\(findings.count - 100) more: see <code>--json</code>.</p>" : ""
        return html + "</table>" + more
    }

    static func cycleTimes(_ rows: [CycleTimeRow]) -> String {
        guard !rows.isEmpty else { return "<p>No return in the file has a received date.</p>" }
        var html = "<table><tr><th>warehouse</th><th>stage</th><th>returns</th><th>median (days)</th><th>90th percentile (days)</th></tr>"
        for row in rows {
            for stage in row.stages {
                html += "<tr><td>\(SVGChart.escape(row.warehouseID))</td><td>\(stage.stage.rawValue)</td><td>\(stage.count)</td>"
                html += "<td>\(stage.medianHours.map { String(format: "%.0f", $0 / 24) } ?? "–")</td>"
                html += "<td>\(stage.p90Hours.map { String(format: "%.0f", $0 / 24) } ?? "–")</td></tr>"
            }
        }
        return html + "</table>"
    }

    static func repeatReturners(_ customers: [RepeatReturner]) -> String {
        guard !customers.isEmpty else { return "<p>No customer returns improbably often for their orders.</p>" }
        var html = "<table><tr><th>customer</th><th>orders (12 months)</th><th>returns</th><th>expected share</th><th>q-value</th></tr>"
        for c in customers.prefix(50) {
            html += "<tr><td>\(SVGChart.escape(c.customerID))</td><td>\(c.orders)</td><td>\(c.returns)</td>"
            html += "<td>\(percent(c.expectedShare))</td><td>\(String(format: "%.2g", c.qValue))</td></tr>"
        }
        return html + "</table>"
    }

    static func percent(_ x: Double) -> String { String(format: "%.1f%%", 100 * x) }
    static func money(_ x: Double) -> String { String(format: "%.0f", x) }
    static func number(_ x: Double) -> String { String(format: "%g", x) }
}
