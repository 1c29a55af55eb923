import Testing

@testable import RecoupCore

@Suite("JSON reading")
struct JSONReaderTests {
    static let sample = SampleRecords.make(2, seed: 13)

    /// The sample's JSON object text with some members replaced (`nil` removes the key).
    static func object(_ index: Int = 0, _ changes: [String: String?] = [:]) -> String {
        var members: [(String, String)] = []
        for field in ContractField.allCases {
            let value = field.isLabel ? sample[index].labels.value(of: field) : sample[index].record.value(of: field)
            var writer = JSONWriter()
            writer.value(value)
            members.append((field.name, writer.text))
        }
        for (key, value) in changes {
            members.removeAll { $0.0 == key }
            if let value { members.append((key, value)) }
        }
        return "{" + members.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }

    static func read(_ text: String, labels: LabelPolicy = .ignore) throws -> ReturnBatch {
        try ReturnJSONReader.read(Array(text.utf8), labels: labels)
    }

    @Test("null and absent keys are missing; required ones are reported")
    func missing() throws {
        let batch = try Self.read(Self.object(0, ["received_date": "null", "customer_comment": nil, "sku": "null"]))
        #expect(batch.errors.map(\.kind) == [.missingValue])
        #expect(batch.errors.first?.field == "sku")
        #expect(batch.errors.first?.position == .single)
        let ok = try Self.read(Self.object(0, ["received_date": "null", "customer_comment": nil]))
        #expect(ok.records.first?.receivedDate == nil && ok.records.first?.customerComment == nil)
    }

    @Test("in a batch the bad records are reported by index and the good ones go on")
    func batch() throws {
        let text =
            "{\"returns\": ["
            + [
                Self.object(0), "42", Self.object(1, ["unit_price": "NaN"]), Self.object(1, ["quantity": "[1, 2]"]),
                Self.object(1, ["is_gift": "\"yes\"", "unit_price": "\"19.5\""]),
            ].joined(separator: ",") + "]}"
        let batch = try Self.read(text)
        #expect(batch.returns.map(\.position) == [.index(0), .index(4)])
        #expect(batch.records[1].unitPrice == 19.5 && batch.records[1].isGift)
        #expect(batch.errors.map(\.kind) == [.notAnObject(found: "a number"), .notANumber, .wrongJSONType(found: "an array")])
        #expect(batch.errors.map(\.position) == [.index(1), .index(2), .index(3)])
        #expect(batch.errors[2].field == "quantity")
        #expect(batch.errors[1].returnID == Self.sample[1].record.returnID)
    }

    @Test("unknown keys are ignored and reported once")
    func unknownKeys() throws {
        let text = "[" + Self.object(0, ["note": "\"x\"", "score": "1"]) + "," + Self.object(1, ["note": "\"y\""]) + "]"
        let batch = try Self.read(text)
        #expect(batch.errors.isEmpty && batch.records.count == 2)
        guard case .unknownKeys(let keys) = try #require(batch.warnings.first) else { return }
        #expect(batch.warnings.count == 1 && Set(keys) == ["note", "score"] && keys.count == 2)
    }

    @Test("JSON numbers obey the same number rules as CSV")
    func numberRules() throws {
        #expect(try Self.read(Self.object(0, ["unit_price": "1e400"])).errors.map(\.kind) == [.numberOutOfRange])
        #expect(try Self.read(Self.object(0, ["unit_price": "-Infinity"])).errors.map(\.kind) == [.infinite])
        #expect(try Self.read(Self.object(0, ["quantity": "2.5"])).errors.map(\.kind) == [.notAnInteger])
        #expect(try Self.read(Self.object(0, ["quantity": "2.0"])).records.first?.quantity == 2)
    }

    @Test("escapes and Unicode in strings")
    func strings() throws {
        let batch = try Self.read(Self.object(0, ["customer_comment": #""tab\tquote\" \u00e9 \ud83d\ude00""#]))
        #expect(batch.records.first?.customerComment == "tab\tquote\" é 😀")
    }

    @Test(
        "malformed documents are input errors with an offset",
        arguments: ["", "{", "{\"a\" 1}", "[1,]", "{\"returns\": [}", "\"text\"", "nul", "[1] 2", "{\"a\": \"\u{01}\"}"]
    )
    func malformed(text: String) {
        #expect(throws: ReturnInputError.self) { try Self.read(text) }
    }

    @Test("a top-level scalar is the wrong shape")
    func wrongShape() {
        #expect(throws: ReturnInputError.unexpectedJSONShape("a string")) { try Self.read("\"text\"") }
    }
}
