import ArgumentParser
import Foundation
import RecoupCore
import RecoupInsights
import RecoupTraining
import Testing

@testable import recoup

/// `recoup insights`: its options refused with the value named, and its JSON document as the issue specifies it.
@Suite("insights command")
struct InsightsCommandTests {
    @Test("bad options are refused with the value named")
    func badOptions() {
        for (arguments, fragment) in [
            (["--dimension", "colour"], "colour"), (["--q", "0"], "--q must be in (0, 1), got 0.0"),
            (["--min-returns", "0"], "--min-returns must be at least 1"),
        ] {
            #expect {
                _ = try Recoup.parseAsRoot(["insights", "--data", "x.csv"] + arguments)
            } throws: { error in
                Recoup.message(for: error).contains(fragment)
            }
        }
    }

    @Test("--json: one object whose root_causes carry dimension, value, reason, returns, share, baseline_share, lift and q_value, by money at stake")
    func jsonDocument() throws {
        let facts = SyntheticReturns.generate(rows: 6_000, seed: 4, plantProblems: true).map { ReturnFacts(record: $0.record, labels: $0.labels) }
        let text = try Recoup.Insights.json(InsightsReport(facts: facts, dimensions: InsightDimension.allCases))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let causes = try #require(object["root_causes"] as? [[String: Any]])
        #expect(!causes.isEmpty)
        for cause in causes {
            for key in ["dimension", "value", "reason", "returns", "share", "baseline_share", "lift", "q_value", "money_at_stake", "owner"] {
                #expect(cause[key] != nil, "\(key) missing")
            }
        }
        let money = causes.compactMap { $0["money_at_stake"] as? Double }
        #expect(money == money.sorted(by: >))
        #expect(object["returns"] as? Int == 6_000)
        #expect((object["leakage"] as? [String: Any])?.keys.sorted() == LeakageGrouping.allCases.map(\.rawValue).sorted())
    }

    @Test("--report writes one self-contained page: the Pareto of reasons, the findings, leakage, cycle times and repeat returners")
    func htmlReport() throws {
        let generated = SyntheticReturns.generate(rows: 6_000, seed: 4, plantProblems: true)
        let report = InsightsReport(facts: generated.map { ReturnFacts(record: $0.record, labels: $0.labels) }, dimensions: InsightDimension.allCases)
        let html = InsightsHTML.html(report, data: "returns <2025>.csv")
        for section in [
            "Return reasons (Pareto)", "Root causes: \(report.rootCauses.count) findings", "Margin leakage", "Days from request to receipt",
            "Repeat returners",
        ] {
            #expect(html.contains(section), "\(section)")
        }
        let top = try #require(report.rootCauses.first)
        #expect(html.contains("<td>\(top.value)</td><td>\(top.reason)</td>"))
        #expect(html.contains("returns &lt;2025&gt;.csv") && !html.contains("<2025>"))  // names are escaped
        #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("<link"))  // nothing fetched
        let parsed = try #require(try Recoup.parseAsRoot(["insights", "--data", "x.csv", "--report", "out.html"]) as? Recoup.Insights)
        #expect(parsed.report == "out.html")
    }
}
