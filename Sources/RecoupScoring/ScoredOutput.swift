internal import Foundation
package import RecoupCore

/// The contract's "Scored output": what `recoup score` writes (CSV) and `POST /v1/score` returns (JSON), from one
/// place so that the two never disagree.
///
/// `reasons` lists the anomaly flags' reasons first, then the model's reasons (top per head); CSV joins them with
/// `; `. JSON also carries `anomaly_reasons` alone.
package enum ScoredOutput {
    /// The CSV columns, in the contract's order.
    package static let columns: [String] =
        ["return_id", "disposition"] + Disposition.allCases.map { "p_\($0.rawValue)" }
        + ["fraud_risk", "recovery_value", "recovery_value_low", "recovery_value_high", "lane", "priority", "anomaly", "reasons",
           "model_version"]

    /// The CSV header plus an `error` column for records that could not be scored.
    package static let csvHeader: [String] = columns + ["error"]

    /// Every reason sentence, anomaly flags first.
    package static func reasons(_ a: Assessment) -> [String] {
        a.anomalies.map(\.reason) + a.reasons.map(\.text)
    }

    /// One CSV row (see ``csvHeader``).
    package static func csvFields(_ a: Assessment) -> [String?] {
        [a.returnID, a.disposition.rawValue] + a.dispositionProbabilities.map(number)
            + [number(a.fraudRisk), money(a.recoveryValue), money(a.recoveryValueLow), money(a.recoveryValueHigh), a.lane,
               number(a.priority), a.anomaly ? "true" : "false", reasons(a).joined(separator: "; "), a.modelVersion, nil]
    }

    /// The row of a record that could not be scored: its return id (when known) and the error.
    package static func csvFailure(returnID: String?, error: String) -> [String?] {
        [returnID] + Array(repeating: nil, count: columns.count - 1) + [error]
    }

    /// The JSON object of an assessment.
    package static func json(_ a: Assessment) -> String {
        var out = "{\"return_id\":" + JSONText.string(a.returnID) + ",\"disposition\":\"" + a.disposition.rawValue + "\""
        for (d, p) in zip(Disposition.allCases, a.dispositionProbabilities) {
            out += ",\"p_\(d.rawValue)\":" + number(p)
        }
        out += ",\"fraud_risk\":" + number(a.fraudRisk)
        out += ",\"recovery_value\":" + money(a.recoveryValue)
        out += ",\"recovery_value_low\":" + money(a.recoveryValueLow)
        out += ",\"recovery_value_high\":" + money(a.recoveryValueHigh)
        out += ",\"lane\":" + JSONText.string(a.lane)
        out += ",\"priority\":" + number(a.priority)
        out += ",\"anomaly\":" + (a.anomaly ? "true" : "false")
        out += ",\"anomaly_reasons\":[" + a.anomalies.map { JSONText.string($0.reason) }.joined(separator: ",") + "]"
        out += ",\"reasons\":[" + reasons(a).map(JSONText.string).joined(separator: ",") + "]"
        out += ",\"model_version\":" + JSONText.string(a.modelVersion) + "}"
        return out
    }

    /// Probabilities and priorities: up to 6 significant decimals, never NaN.
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let rounded = (x * 1e6).rounded() / 1e6
        return rounded == rounded.rounded() && abs(rounded) < 1e15 ? String(Int64(rounded)) : String(rounded)
    }

    /// Money: cents, always two decimals.
    static func money(_ x: Double) -> String {
        guard x.isFinite, abs(x) < 1e15 else { return "0" }
        let cents = Int64((x * 100).rounded())
        let rest = abs(cents) % 100
        return (cents < 0 ? "-" : "") + String(abs(cents) / 100) + (rest < 10 ? ".0" : ".") + String(rest)
    }
}
