import Testing

@testable import RecoupCore

@Suite("Field rules: each malformed case has its own error")
struct ValidationTests {
    static let sample = SampleRecords.make(1, seed: 9)[0]

    /// The sample's fields as named strings, with `changes` applied (`nil` removes a field).
    static func fields(_ changes: [String: String?]) -> [String: String] {
        var fields: [String: String] = [:]
        for (field, text) in zip(ReturnRecord.csvColumns(includeLabels: true), sample.record.csvFields(labels: sample.labels)) {
            if let text { fields[field.name] = text }
        }
        for (name, value) in changes { fields[name] = value }
        return fields
    }

    static func errors(_ changes: [String: String?], labels: LabelPolicy = .require) -> [RecordError] {
        switch ReturnRecord.decode(fields: fields(changes), position: .line(42), labels: labels) {
        case .success: []
        case .failure(let errors): errors.errors
        }
    }

    @Test(
        "one bad value, one specific error",
        arguments: [
            ("unit_price", "NaN", RecordError.Kind.notANumber),
            ("unit_price", "-nan", .notANumber),
            ("unit_price", "inf", .infinite),
            ("shipping_cost_back", "-Infinity", .infinite),
            ("unit_price", "1e400", .numberOutOfRange),
            ("inventory_on_hand", "99999999999999999999", .numberOutOfRange),
            ("unit_price", "12,50", .commaInNumber),
            ("unit_price", "1,299.00", .commaInNumber),
            ("unit_price", "12.5.1", .malformedNumber),
            ("unit_price", "twelve", .malformedNumber),
            ("unit_price", "0x1p3", .malformedNumber),
            ("unit_price", "-0.01", .outOfRange),
            ("quantity", "0", .outOfRange),
            ("quantity", "1.5", .notAnInteger),
            ("customer_orders_12m", "-1", .outOfRange),
            ("sku_return_rate_90d", "1.2", .outOfRange),
            ("weight_kg_declared", "0", .outOfRange),
            ("is_gift", "maybe", .malformedBoolean),
            ("serial_matches", "2", .malformedBoolean),
            ("order_date", "2024-02-30", .malformedDate),
            ("order_date", "05/01/2024", .malformedDate),
            ("return_id", String(repeating: "x", count: 129), .lengthOutOfRange(max: 128)),
            ("disposition", "shred", .unknownDisposition),
            ("fraud_flag", "probably", .malformedBoolean),
            ("recovery_value", "-5", .outOfRange),
        ]
    )
    func badValue(field: String, value: String, kind: RecordError.Kind) {
        let errors = Self.errors([field: value])
        #expect(errors.count == 1)
        #expect(errors.first?.kind == kind)
        #expect(errors.first?.field == field)
        #expect(errors.first?.value == String(value.prefix(77)) + (value.count > 80 ? "..." : ""))
        #expect(errors.first?.position == .line(42))
        #expect(errors.first?.returnID == (field == "return_id" ? value : Self.sample.record.returnID))
    }

    @Test(
        "a required field that is missing",
        arguments: [
            "return_id", "sku", "unit_price", "quantity", "order_date", "is_gift", "reason_code", "disposition", "fraud_flag", "recovery_value",
        ]
    )
    func missingRequired(field: String) {
        let errors = Self.errors([field: nil])
        #expect(errors.map(\.kind) == [.missingValue])
        #expect(errors.first?.field == field)
    }

    @Test("whitespace-only category values are missing")
    func blankCategory() {
        #expect(Self.errors(["category": "   "]).map(\.kind) == [.missingValue])
    }

    @Test("labels are ignored for scoring input even when malformed")
    func labelsIgnored() {
        #expect(Self.errors(["disposition": "shred", "fraud_flag": nil], labels: .ignore).isEmpty)
    }

    @Test("the request may not precede the order")
    func requestBeforeOrder() {
        let errors = Self.errors(["order_date": "2024-05-10", "return_requested_date": "2024-05-09"])
        #expect(errors.map(\.kind) == [.requestedBeforeOrder(orderDate: Day(parsing: "2024-05-10")!)])
        #expect(errors[0].description.contains("before the order_date 2024-05-10"))
    }

    @Test("every bad field of a record is reported, each naming record, field, value and expectation")
    func severalErrors() {
        let errors = Self.errors(["unit_price": "abc", "quantity": "0", "order_date": "someday"])
        #expect(Set(errors.compactMap(\.field)) == ["unit_price", "quantity", "order_date"])
        let message = errors.first { $0.field == "unit_price" }!.description
        #expect(message == "line 42 (return_id \"\(Self.sample.record.returnID)\"), unit_price: \"abc\" is not a number; expected a number >= 0")
    }

    @Test("lenient encodings: booleans in any case, integers written as 3.0, padded numbers, timestamps")
    func lenient() throws {
        let (record, labels) = try ReturnRecord.decode(
            fields: Self.fields([
                "is_gift": "YES", "promo_flag": "0", "quantity": "3.0", "unit_price": " 12.5 ",
                "order_date": "2024-05-01T22:30:00-03:00", "return_requested_date": "2024-05-03", "fraud_flag": "True",
                "category": "  Electronics ", "disposition": " Open_Box ",
            ]),
            labels: .require
        ).get()
        #expect(record.isGift && !record.promoFlag)
        #expect(record.quantity == 3 && record.unitPrice == 12.5)
        #expect(record.orderDate.description == "2024-05-02")
        #expect(record.category == "Electronics")
        #expect(labels == ReturnLabels(disposition: .openBox, fraudFlag: true, recoveryValue: Self.sample.labels.recoveryValue))
    }

    @Test("unknown categories and reason codes are not errors")
    func unknownLevels() throws {
        let (record, _) = try ReturnRecord.decode(fields: Self.fields(["category": "garden", "reason_code": "Gift_Unwanted"])).get()
        #expect(record.category == "garden")
        #expect(record.reasonCode.rawValue == "gift_unwanted" && !record.reasonCode.isKnown)
    }
}

@Suite("Scalar parsing from bytes")
struct ScalarParsingTests {
    func double(_ text: String) -> Parsed<Double> {
        var text = text
        return text.withUTF8 { ScalarParsing.double($0) }
    }

    @Test("numbers parse exactly like the standard library (correct rounding)")
    func matchesStandardLibrary() {
        var g = SampleRecords.Generator(state: 99)
        var texts = ["0", "-0", "0.1", "1e-7", "123456789012345678", "3.14159265358979323846", "1E5", "2.5e+3", ".5", "5.", "+7"]
        for _ in 0..<20_000 {
            let digits = g.int(1...18)
            var text = String(g.int(1...9)) + (0..<digits).map { _ in String(g.int(0...9)) }.joined()
            let point = g.int(0...text.count)
            text.insert(".", at: text.index(text.startIndex, offsetBy: point))
            if g.chance(0.3) { text += "e\(g.int(-30...30))" }
            texts.append(text)
        }
        for text in texts {
            #expect(double(text).value == Double(text), "\(text)")
        }
    }

    @Test("integers, with overflow detected at the limits")
    func integers() {
        func integer(_ text: String) -> Parsed<Int> {
            var text = text
            return text.withUTF8 { ScalarParsing.integer($0) }
        }
        #expect(integer("9223372036854775807").value == Int.max)
        #expect(integer("-9223372036854775808").value == Int.min)
        #expect(integer("9223372036854775808") == .failure(.numberOutOfRange))
        #expect(integer("1e3").value == 1000)
        #expect(integer("") == .failure(.malformedNumber))
    }

    @Test("booleans", arguments: [("true", true), ("FALSE", false), ("Yes", true), ("no", false), ("1", true), ("0", false)])
    func booleans(text: String, value: Bool) {
        var text = text
        #expect(text.withUTF8 { ScalarParsing.boolean($0) } == .success(value))
    }
}
