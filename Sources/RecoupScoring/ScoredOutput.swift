package import RecoupCore

/// The contract's "Scored output": what `recoup score` writes (CSV or JSON) and `POST /v1/score` returns (JSON), from
/// one place so that they never disagree.
///
/// `stage` (after the contract's columns) says which of the bundle's stages scored the record.
/// `reasons` lists the anomaly flags' reasons first, then the model's reasons (top per head); CSV joins them with
/// `; `. JSON also carries `anomaly_reasons` alone.
package enum ScoredOutput {
    /// The CSV columns, in the contract's order.
    package static let columns: [String] =
        ["return_id", "disposition"] + Disposition.allCases.map { "p_\($0.rawValue)" }
        + [
            "fraud_risk", "recovery_value", "recovery_value_low", "recovery_value_high", "lane", "priority", "anomaly", "reasons",
            "model_version", "stage",
        ]

    /// The CSV header plus an `error` column for records that could not be scored.
    package static let csvHeader: [String] = columns + ["error"]

    /// Every reason sentence, anomaly flags first.
    package static func reasons(_ a: Assessment) -> [String] {
        a.anomalies.map(\.reason) + a.reasons.map(\.text)
    }

    /// One CSV row (see ``csvHeader``).
    package static func csvFields(_ a: Assessment) -> [String?] {
        var writer = JSONWriter(reservingCapacity: 16)
        func text(_ write: (inout JSONWriter) -> Void) -> String {
            writer.removeAll()
            write(&writer)
            return writer.text
        }
        return [a.returnID, a.disposition.rawValue] + a.dispositionProbabilities.map { p in text { $0.probability(p) } }
            + [
                text { $0.probability(a.fraudRisk) }, text { $0.money(a.recoveryValue) }, text { $0.money(a.recoveryValueLow) },
                text { $0.money(a.recoveryValueHigh) }, a.lane.rawValue, text { $0.probability(a.priority) }, a.anomaly ? "true" : "false",
                reasons(a).joined(separator: "; "), a.modelVersion, a.stage.rawValue, nil,
            ]
    }

    /// The row of a record that could not be scored: its return id (when known) and the error.
    package static func csvFailure(returnID: String?, error: String) -> [String?] {
        [returnID] + Array(repeating: nil, count: columns.count - 1) + [error]
    }

    /// Writes the JSON object of an assessment.
    package static func write(_ a: Assessment, into w: inout JSONWriter) {
        w.raw("{\"return_id\":")
        w.string(a.returnID)
        w.raw(",\"disposition\":\"")
        w.raw(a.disposition.rawValue.utf8)
        w.raw("\"")
        for (name, p) in zip(probabilityKeys, a.dispositionProbabilities) {
            w.raw(name)
            w.probability(p)
        }
        w.raw(",\"fraud_risk\":")
        w.probability(a.fraudRisk)
        w.raw(",\"recovery_value\":")
        w.money(a.recoveryValue)
        w.raw(",\"recovery_value_low\":")
        w.money(a.recoveryValueLow)
        w.raw(",\"recovery_value_high\":")
        w.money(a.recoveryValueHigh)
        w.raw(",\"lane\":")
        w.string(a.lane.rawValue)
        w.raw(",\"priority\":")
        w.probability(a.priority)
        w.raw(",\"anomaly\":")
        w.bool(a.anomaly)
        w.raw(",\"anomaly_reasons\":[")
        w.strings(a.anomalies.lazy.map(\.reason))
        w.raw("],\"reasons\":[")
        w.strings(a.anomalies.lazy.map(\.reason))
        if !a.anomalies.isEmpty, !a.reasons.isEmpty { w.raw(",") }
        w.strings(a.reasons.lazy.map(\.text))
        w.raw("],\"model_version\":")
        w.string(a.modelVersion)
        w.raw(",\"stage\":\"")
        w.raw(a.stage.rawValue.utf8)
        w.raw("\"}")
    }

    /// Writes a decision on a return request: `{"return_id", "decision", "refund_timing", "reasons", "money",
    /// "model_version", "stage", "assessment"}`, the assessment being the request-stage scores it was taken on.
    package static func write(_ authorization: ReturnAuthorization, assessment a: Assessment, into w: inout JSONWriter) {
        let m = authorization.money
        w.raw("{\"return_id\":")
        w.string(a.returnID)
        w.raw(",\"decision\":")
        w.string(authorization.decision.rawValue)
        w.raw(",\"refund_timing\":")
        w.string(authorization.refundTiming?.rawValue)
        w.raw(",\"reasons\":[")
        w.strings(authorization.reasons)
        w.raw("],\"money\":{")
        w.amounts([
            ("\"refund\":", m.refund), (",\"expected_recovery_value\":", m.expectedRecoveryValue),
            (",\"return_shipping_cost\":", m.returnShippingCost), (",\"handling_cost\":", m.handlingCost),
        ])
        w.raw(",\"fraud_risk\":")
        w.probability(m.fraudRisk)
        w.amounts([(",\"expected_fraud_loss\":", m.expectedFraudLoss), (",\"expected_net_recovery\":", m.expectedNetRecovery)])
        w.raw(",\"net\":{")
        w.amounts([
            ("\"keep_it\":", m.net.keepIt), (",\"ship_back_refund_after_inspection\":", m.net.shipBackRefundAfterInspection),
            (",\"ship_back_refund_at_first_scan\":", m.net.shipBackRefundAtFirstScan),
        ])
        w.raw("}},\"model_version\":")
        w.string(a.modelVersion)
        w.raw(",\"stage\":\"")
        w.raw(a.stage.rawValue.utf8)
        w.raw("\",\"assessment\":")
        write(a, into: &w)
        w.raw("}")
    }

    /// The JSON object of an assessment, as bytes.
    package static func json(_ a: Assessment) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 1200)
        write(a, into: &writer)
        return writer.bytes
    }

    /// Writes the answer to a scoring request: `{"model_version", "scored", "failed", "results": [...]}`, the results
    /// (one per record, in input order) written by `results`.
    package static func writeAnswer(
        modelVersion: String,
        scored: Int,
        failed: Int,
        into w: inout JSONWriter,
        results: (inout JSONWriter) -> Void
    ) {
        w.raw("{\"model_version\":")
        w.string(modelVersion)
        w.raw(",\"scored\":")
        w.integer(scored)
        w.raw(",\"failed\":")
        w.integer(failed)
        w.raw(",\"results\":[")
        results(&w)
        w.raw("]}")
    }

    /// Writes the answer to a record that could not be read: its return id (when known), its first error and every
    /// error, each naming the record and the field; with a `status` member when given.
    package static func writeFailure(_ errors: [RecordError], status: StaticString? = nil, into w: inout JSONWriter) {
        w.raw("{\"return_id\":")
        w.string(errors.first?.returnID)
        if let status {
            w.raw(",\"status\":\"")
            w.raw(status)
            w.raw("\"")
        }
        for (i, error) in errors.enumerated() {
            w.raw(i == 0 ? ",\"error\":" : ",")
            ErrorDetail(error).write(into: &w)
            if i == 0 {
                w.raw(",\"errors\":[")
                ErrorDetail(error).write(into: &w)
            }
        }
        w.raw("]}")
    }

    /// `,"p_restock_new":` … in class order.
    private static let probabilityKeys: [StaticString] = [
        ",\"p_restock_new\":", ",\"p_open_box\":", ",\"p_refurbish\":", ",\"p_outlet\":", ",\"p_liquidate\":",
        ",\"p_return_to_vendor\":", ",\"p_donate\":", ",\"p_dispose\":",
    ]
}

/// An error as the API writes it: `{"code", "message", "field", "record"}`.
package struct ErrorDetail: Sendable, Equatable {
    package var code: String
    package var message: String
    package var field: String?
    package var record: String?

    package init(code: String, message: String, field: String? = nil, record: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.record = record
    }

    /// A bad record's error: code `invalid_record`, naming the record by its return id or its position.
    package init(_ error: RecordError) {
        self.init(code: "invalid_record", message: error.description, field: error.field, record: error.returnID ?? error.position.description)
    }

    /// Writes the object; an absent field or record is `null`, or left out when `omittingNulls`.
    package func write(into w: inout JSONWriter, omittingNulls: Bool = false) {
        w.raw("{\"code\":")
        w.string(code)
        w.raw(",\"message\":")
        w.string(message)
        if field != nil || !omittingNulls {
            w.raw(",\"field\":")
            w.string(field)
        }
        if record != nil || !omittingNulls {
            w.raw(",\"record\":")
            w.string(record)
        }
        w.raw("}")
    }
}

extension JSONWriter {
    /// Appends strings separated by commas (the caller writes the brackets).
    fileprivate mutating func strings(_ texts: some Sequence<String>) {
        for (i, text) in texts.enumerated() {
            if i > 0 { raw(",") }
            string(text)
        }
    }

    /// Appends `key` then the amount (``money(_:)``) for each pair: the keys carry their own commas.
    fileprivate mutating func amounts(_ pairs: [(key: StaticString, value: Double)]) {
        for (key, value) in pairs {
            raw(key)
            money(value)
        }
    }

    /// Probabilities and priorities: rounded to 6 decimals, in the shortest form that reads back (an integer when
    /// whole); `0` when not finite.
    package mutating func probability(_ x: Double) {
        guard x.isFinite else { return raw("0") }
        guard abs(x) < 1e9 else { return number(x) }  // whole to a millionth already; x × 10⁶ could overflow
        let micros = (x * 1e6).rounded()
        let rounded = micros / 1e6
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return integer(Int64(rounded)) }
        // Between 1e-4 and 1e9 the shortest round-trip form of a multiple of 1e-6 is its plain decimal: write the
        // digits directly. Elsewhere Swift's own shortest form (which may use an exponent) is written.
        guard abs(rounded) >= 1e-4, abs(rounded) < 1e9 else { return raw(String(rounded).utf8) }
        // The digits are laid out from the end of a small buffer, then appended at once.
        let n = Int64(micros)
        var buffer: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &buffer) { out in
            var end = out.count
            func put(_ b: UInt8) {
                end -= 1
                out[end] = b
            }
            var fraction = n.magnitude % 1_000_000  // not 0: whole values were written above
            var digits = 6
            while fraction % 10 == 0 {
                fraction /= 10
                digits -= 1
            }
            for _ in 0..<digits {
                put(UInt8(ascii: "0") + UInt8(fraction % 10))
                fraction /= 10
            }
            put(UInt8(ascii: "."))
            var whole = n.magnitude / 1_000_000
            repeat {
                put(UInt8(ascii: "0") + UInt8(whole % 10))
                whole /= 10
            } while whole > 0
            if n < 0 { put(UInt8(ascii: "-")) }
            append(UnsafeBufferPointer(rebasing: out.bindMemory(to: UInt8.self)[end...]))
        }
    }

    /// Money: cents, always two decimals; `0` when not finite or beyond 10¹⁵.
    package mutating func money(_ x: Double) {
        guard x.isFinite, abs(x) < 1e15 else { return raw("0") }
        let cents = Int64((x * 100).rounded())
        if cents < 0 { raw("-") }
        integer(Int64(cents.magnitude / 100))
        let rest = cents.magnitude % 100
        raw(".")
        byte(UInt8(ascii: "0") + UInt8(rest / 10))
        byte(UInt8(ascii: "0") + UInt8(rest % 10))
    }
}
