internal import ArgumentParser
internal import Foundation
internal import RecoupCore
internal import RecoupInsights
internal import RecoupTraining

extension Recoup {
    /// `recoup insights`: root causes of returns, repeat returners, margin leakage and cycle times on a labelled file.
    struct Insights: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Root causes of returns (reasons above their parent's baseline), repeat returners, margin leakage and cycle times.",
            discussion: """
                Each group of a dimension (a SKU against the rest of its category, any other group against all other \
                returns) is tested reason by reason with Fisher's exact one-sided test against the rest of it; a finding is a test whose \
                Benjamini–Hochberg q-value, across every test of the run, is at most --q. Leakage is refund minus \
                value recovered, over the inspected returns (those with labels). Cycle times are the days from \
                request to receipt per warehouse. --report also writes a self-contained HTML page of all of it.
                """
        )

        @Option(help: "Returns (contract CSV; labels give the value recovered and the disposition; .gz accepted).") var data: String
        @Option(help: "The dimension to group by (sku, category, brand_tier, channel, warehouse_id, payment_method); all when omitted.")
        var dimension: String?
        @Option(help: "False-discovery rate (Benjamini–Hochberg).") var q: Double = 0.05
        @Option(help: "Returns a group needs before it is tested.") var minReturns: Int = 10
        @Option(help: "Returns of a reason a group needs before that reason is tested.") var minReasonReturns: Int = 3
        @Flag(help: "Print one JSON object instead of the tables.") var json = false
        @Option(help: "Also write a self-contained HTML report here (Pareto of reasons, root causes, leakage, cycle times).")
        var report: String?

        func validate() throws {
            guard q > 0, q < 1 else { throw ValidationError("--q must be in (0, 1), got \(q)") }
            guard minReturns >= 1 else { throw ValidationError("--min-returns must be at least 1, got \(minReturns)") }
            guard minReasonReturns >= 1 else { throw ValidationError("--min-reason-returns must be at least 1, got \(minReasonReturns)") }
            if let dimension, InsightDimension(rawValue: dimension) == nil {
                let known = InsightDimension.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("--dimension must be one of \(known), got \"\(dimension)\"")
            }
        }

        func run() throws {
            let batch: ReturnBatch
            do { batch = try ReturnCSVReader.read(InputFiles.read(data), labels: .optional) } catch let e as ReturnInputError {
                throw CommandError("\(data): \(e.description)")
            }
            guard !batch.returns.isEmpty else { throw CommandError("\(data) has no valid rows (\(batch.errors.count) invalid)") }
            if !batch.errors.isEmpty {
                FileHandle.standardError.write(Data("skipped \(batch.errors.count) invalid rows; first: \(batch.errors[0])\n".utf8))
            }
            let facts = batch.returns.map { ReturnFacts(record: $0.record, labels: $0.labels) }
            let dimensions = dimension.flatMap(InsightDimension.init(rawValue:)).map { [$0] } ?? InsightDimension.allCases
            let rules = FindingRules(q: q, minReturns: minReturns, minReasonReturns: minReasonReturns)
            let insights = InsightsReport(facts: facts, dimensions: dimensions, rules: rules)
            if let report {
                do {
                    try Data(InsightsHTML.html(insights, data: data).utf8).write(to: URL(fileURLWithPath: report))
                } catch {
                    throw CommandError("cannot write the report \(report): \(error.localizedDescription)")
                }
            }
            print(json ? try Self.json(insights) : Self.text(insights))
        }

        /// The `--json` document: one object, keys sorted.
        static func json(_ report: InsightsReport) throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: try encoder.encode(report), as: UTF8.self)
        }

        static func text(_ report: InsightsReport) -> String {
            var lines = [
                "\(report.returns) returns; \(report.tests) tests over \(report.dimensions.map(\.rawValue).joined(separator: ", ")); "
                    + "\(report.rootCauses.count) findings at q ≤ \(report.q)"
            ]
            if !report.rootCauses.isEmpty {
                lines.append("")
                lines.append(
                    "dimension       value                 reason              returns  share  baseline  lift    q         money at stake  owner"
                )
                for f in report.rootCauses.prefix(40) {
                    lines.append(
                        [
                            f.dimension.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0),
                            String(f.value.prefix(21)).padding(toLength: 22, withPad: " ", startingAt: 0),
                            f.reason.padding(toLength: 20, withPad: " ", startingAt: 0),
                            String(f.returns).padding(toLength: 9, withPad: " ", startingAt: 0),
                            String(format: "%.2f   %.2f      %-6.2f  %-8.2g  %-14.0f  ", f.share, f.baselineShare, f.lift, f.qValue, f.moneyAtStake),
                            f.owner,
                        ]
                        .joined()
                    )
                }
                if report.rootCauses.count > 40 { lines.append("… \(report.rootCauses.count - 40) more (--json lists all)") }
            }
            lines.append("")
            lines.append("\(report.repeatReturners.count) repeat returners at q ≤ \(report.q)")
            for grouping in ["channel", "category", "reason", "warehouse_id"] {
                guard let rows = report.leakage[grouping], !rows.isEmpty else { continue }
                lines.append("")
                lines.append("leakage by \(grouping): key, inspected, refunded, recovered, leakage, recovery rate")
                for row in rows {
                    lines.append(
                        "  \(row.key.padding(toLength: 20, withPad: " ", startingAt: 0))"
                            + String(
                                format: "%8d  %14.0f  %14.0f  %14.0f  %6.1f%%",
                                row.inspected,
                                row.refunded,
                                row.recovered,
                                row.leakage,
                                row.recoveryRate * 100
                            )
                    )
                }
            }
            if !report.cycleTimes.isEmpty {
                lines.append("")
                lines.append("days from request to receipt: warehouse, returns, median, 90th percentile")
                for row in report.cycleTimes {
                    guard let stage = row.stages.first else { continue }
                    lines.append(
                        "  \(row.warehouseID.padding(toLength: 20, withPad: " ", startingAt: 0))"
                            + String(format: "%8d  %6.0f  %6.0f", stage.count, (stage.medianHours ?? 0) / 24, (stage.p90Hours ?? 0) / 24)
                    )
                }
            }
            return lines.joined(separator: "\n")
        }
    }
}
